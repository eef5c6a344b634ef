/* Owns FITRIM (see trim.h). */
#include "config.h"

#include <errno.h>

#include "compat/discard.h"
#include "src/fs/errors.h"
#include "src/fs/trim.h"

/* Extents discarded per hold of the big lock, and how much free space
 * may be kept from allocations at a time: a long free extent is
 * discarded in pieces, so that writers do not find the filesystem full
 * while a trim runs. */
#define F4_TRIM_BATCH 64
#define F4_TRIM_HOLD_BYTES (4u << 20)

struct trim_extent {
	uint64_t blk, n;
};

/* The walk over one group: extents must start in [next, last] and run at
 * most to end (the group's last block). */
struct trim_walk {
	struct f4_fs *f4;
	uint64_t next, last, end, minblk;
	uint64_t cont;		/* the rest of an extent starts here, or 0 */
	uint64_t trimmed;	/* blocks */
	bool discarded;		/* at least one discard went through */
};

/* Where the free extent starting at first ends (its first used block). */
static int free_end(struct trim_walk *w, uint64_t first, uint64_t *used)
{
	blk64_t u;
	errcode_t err = ext2fs_find_first_set_block_bitmap2(w->f4->fs->block_map,
							    first, w->end, &u);

	if (err == ENOENT)
		u = w->end + 1;
	else if (err)
		return f4_fs_errcode(w->f4, 0, err, "trim");
	*used = u;
	return 0;
}

static void take(struct trim_walk *w, uint64_t first, uint64_t used,
		 struct trim_extent *ext, size_t *n, uint64_t *budget)
{
	uint64_t len = used - first < *budget ? used - first : *budget;

	ext[(*n)++] = (struct trim_extent){ first, len };
	*budget -= len;
	w->cont = first + len < used ? first + len : 0;
}

/* Collect the next free extents (pieces of them) and mark them in use.
 * Caller holds the big lock. */
static int collect(struct trim_walk *w, struct trim_extent *ext, size_t *n)
{
	ext2fs_block_bitmap map = w->f4->fs->block_map;
	uint64_t budget = F4_TRIM_HOLD_BYTES >> w->f4->blockbits, used, c;
	blk64_t first;
	errcode_t err;
	size_t i;
	int ret;

	*n = 0;
	if (!budget)
		budget = 1;
	if (w->cont) {
		c = w->cont;
		w->cont = 0;
		/* Still free? Then it is the rest of an extent that qualified. */
		if (!ext2fs_test_block_bitmap2(map, c)) {
			ret = free_end(w, c, &used);
			if (ret)
				return ret;
			take(w, c, used, ext, n, &budget);
		}
	}
	while (!w->cont && budget && *n < F4_TRIM_BATCH && w->next <= w->last) {
		err = ext2fs_find_first_zero_block_bitmap2(map, w->next, w->last,
							   &first);
		if (err == ENOENT) {
			w->next = w->last + 1;
			break;
		}
		if (err)
			return f4_fs_errcode(w->f4, 0, err, "trim");
		ret = free_end(w, first, &used);
		if (ret)
			return ret;
		w->next = used + 1;
		if (used - first >= w->minblk)
			take(w, first, used, ext, n, &budget);
	}
	for (i = 0; i < *n; i++)
		ext2fs_mark_block_bitmap_range2(map, ext[i].blk, ext[i].n);
	return 0;
}

/* Discard a batch without the big lock. */
static int discard(struct trim_walk *w, const struct trim_extent *ext, size_t n)
{
	const struct f4_dev *dev = &w->f4->dev;
	unsigned bits = w->f4->blockbits;
	size_t i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++) {
		uint64_t off = ext[i].blk << bits, len = ext[i].n << bits;

		if (!f4_dev_range_ok(dev, off, len))
			ret = -EIO;
		else
			ret = f4_compat_discard(dev->fd, dev->is_bdev,
						dev->offset + off, len);
		/* As ext4: a device that turns out not to discard after all
		 * still counts the extent as trimmed. */
		if (ret == -EOPNOTSUPP && w->discarded)
			ret = 0;
		if (!ret) {
			w->trimmed += ext[i].n;
			w->discarded = true;
		}
	}
	return ret;
}

static void release(struct f4_fs *f4, const struct trim_extent *ext, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		ext2fs_unmark_block_bitmap_range2(f4->fs->block_map, ext[i].blk,
						  ext[i].n);
	/* The marks may have been written out meanwhile: the bitmap on
	 * disk must lose them again. */
	if (n)
		ext2fs_mark_bb_dirty(f4->fs);
}

static int trim_group(struct trim_walk *w)
{
	struct trim_extent ext[F4_TRIM_BATCH];
	size_t n;
	int ret = 0, dret;

	while (!ret && (w->next <= w->last || w->cont)) {
		f4_fs_lock(w->f4);
		f4_fs_handle_gate(w->f4);
		ret = f4_fs_writable(w->f4);
		if (!ret)
			ret = collect(w, ext, &n);
		/* The marks are not allocations: no commit may see them. */
		if (!ret)
			f4_fs_handle_start(w->f4);
		f4_fs_unlock(w->f4);
		if (ret)
			break;
		dret = discard(w, ext, n);
		f4_fs_lock(w->f4);
		release(w->f4, ext, n);
		f4_fs_handle_stop(w->f4);
		f4_fs_unlock(w->f4);
		ret = dret;
	}
	return ret;
}

/* The filesystem's geometry, read under the lock, after the changes so
 * far went to the image (f4_fs_commit), so that no block freed by a
 * change still waiting is discarded while the image says it is in use
 * (with a journal, blocks freed by the running transaction stay marked
 * in use until it commits anyway). */
struct trim_geom {
	uint64_t blocks, first, per_group;
};

static int geometry(struct f4_fs *f4, struct trim_geom *g)
{
	ext2_filsys fs;
	int ret = f4_fs_commit(f4, true);

	f4_fs_lock(f4);
	fs = f4->fs;
	g->blocks = ext2fs_blocks_count(fs->super);
	g->first = fs->super->s_first_data_block;
	g->per_group = EXT2_BLOCKS_PER_GROUP(fs->super);
	if (f4_fs_writable(f4))	/* EROFS rather than the commit's EIO */
		ret = f4_fs_writable(f4);
	f4_fs_unlock(f4);
	return ret;
}

int f4_trim(struct f4_fs *f4, const struct f4_cred *cred, uint64_t start,
	    uint64_t *len, uint64_t minlen)
{
	struct trim_walk w = { .f4 = f4 };
	struct trim_geom g;
	uint64_t gran, s, e, grp;
	unsigned bits = f4->blockbits;
	int ret;

	if (cred->uid != 0)
		return -EPERM;
	if (f4_fs_writable(f4))
		return -EROFS;
	ret = f4_compat_discard_granularity(f4->dev.fd, f4->dev.is_bdev, &gran);
	if (!ret)
		ret = geometry(f4, &g);
	if (ret)
		return ret;
	s = start >> bits;
	e = s + (*len >> bits) - 1;
	w.minblk = minlen >> bits;
	if (w.minblk > g.per_group || s >= g.blocks || *len < f4->blocksize)
		return -EINVAL;
	*len = 0;
	if (minlen < gran) {
		w.minblk = gran >> bits;
		if (w.minblk > g.per_group)
			return 0;
	}
	if (e >= g.blocks - 1)
		e = g.blocks - 1;
	if (e <= g.first)
		return 0;
	if (s < g.first)
		s = g.first;
	for (grp = (s - g.first) / g.per_group;
	     !ret && grp <= (e - g.first) / g.per_group; grp++) {
		uint64_t gfirst = g.first + grp * g.per_group;

		w.end = gfirst + g.per_group - 1;
		if (w.end > g.blocks - 1)
			w.end = g.blocks - 1;
		w.next = s > gfirst ? s : gfirst;
		w.last = e < w.end ? e : w.end;
		ret = trim_group(&w);
	}
	*len = w.trimmed << bits;
	/* What was discarded before a failure still counts, as in ext4. */
	return w.trimmed && ret != -EROFS ? 0 : ret;
}
