/* Owns the extent-tree mapper: ext4 extent trees -> mapping records.
 * Every node read from disk is checked (magic, depth, counts, checksum,
 * block ranges, ordering) before use, so a hostile tree yields -EUCLEAN,
 * never a loop or an out-of-range access: each descent goes down exactly
 * one level per step and each step must make progress. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "iomap/engine.h"
#include "iomap/errcode.h"
#include <ext2fs/ext3_extents.h>

#define F4_EXT_MAX_DEPTH 5
#define F4_EXT_INIT_MAX_LEN 32768u

struct extent_walk {
	struct f4_map_file *file;
	void *buf;		/* one tree block */
	uint64_t next_key;	/* first lblk of the next subtree, or end */
};

static int header_check(struct extent_walk *w, const struct ext3_extent_header *eh,
			unsigned max_entries, int depth, uint64_t blk)
{
	unsigned entries = ext2fs_le16_to_cpu(eh->eh_entries);
	unsigned max = ext2fs_le16_to_cpu(eh->eh_max);

	if (ext2fs_le16_to_cpu(eh->eh_magic) != EXT3_EXT_MAGIC)
		return f4_map_corrupt(w->file, "extent header magic", blk);
	if (max == 0 || max > max_entries || entries > max)
		return f4_map_corrupt(w->file, "extent header counts", blk);
	if (depth >= 0 && ext2fs_le16_to_cpu(eh->eh_depth) != depth)
		return f4_map_corrupt(w->file, "extent header depth", blk);
	if (ext2fs_le16_to_cpu(eh->eh_depth) > F4_EXT_MAX_DEPTH)
		return f4_map_corrupt(w->file, "extent tree too deep", blk);
	return 0;
}

/* Keys must rise strictly through a node, and a leaf's extents must not
 * overlap: checked once per node read, so lookups can trust the order. */
static int order_check(struct extent_walk *w, const struct ext3_extent_header *eh,
		       uint64_t blk)
{
	unsigned n = ext2fs_le16_to_cpu(eh->eh_entries), i;

	if (ext2fs_le16_to_cpu(eh->eh_depth) > 0) {
		const struct ext3_extent_idx *ix = (const void *)(eh + 1);

		for (i = 1; i < n; i++)
			if (ext2fs_le32_to_cpu(ix[i].ei_block) <=
			    ext2fs_le32_to_cpu(ix[i - 1].ei_block))
				return f4_map_corrupt(w->file,
						      "extent index out of order", blk);
		return 0;
	}
	for (i = 1; i < n; i++) {
		const struct ext3_extent *ex = (const void *)(eh + 1);
		uint64_t prev_end = ext2fs_le32_to_cpu(ex[i - 1].ee_block) +
			(ext2fs_le16_to_cpu(ex[i - 1].ee_len) > F4_EXT_INIT_MAX_LEN ?
			 ext2fs_le16_to_cpu(ex[i - 1].ee_len) - F4_EXT_INIT_MAX_LEN :
			 ext2fs_le16_to_cpu(ex[i - 1].ee_len));

		if (ext2fs_le32_to_cpu(ex[i].ee_block) < prev_end)
			return f4_map_corrupt(w->file, "extent overlaps or empty", blk);
	}
	return 0;
}

static int check_csum(struct extent_walk *w, struct ext3_extent_header *eh,
		      uint64_t blk)
{
	const struct f4_map_file *f = w->file;

	if (w->file->fs->flags & EXT2_FLAG_IGNORE_CSUM_ERRORS)
		return 0;
	if (f->csum_known && f->csum_known(f->csum_ctx, blk, f->ino))
		return 0;
	if (!ext2fs_extent_block_csum_verify(f->fs, f->ino, eh))
		return f4_map_corrupt(w->file, "extent node checksum", blk);
	if (f->csum_passed)
		f->csum_passed(f->csum_ctx, blk, f->ino);
	return 0;
}

static int read_node(struct extent_walk *w, uint64_t blk, int depth,
		     struct ext3_extent_header **ehp)
{
	ext2_filsys fs = w->file->fs;
	struct ext3_extent_header *eh = w->buf;
	unsigned max = (fs->blocksize - sizeof(*eh)) / sizeof(struct ext3_extent);
	errcode_t err;
	int ret;

	if (!f4_map_blocks_valid(fs, blk, 1))
		return f4_map_corrupt(w->file, "extent node out of range", blk);
	/* Checked before frees: a node inside the inode tables would be
	 * freed with the file. */
	if (w->file->is_meta && w->file->is_meta(w->file->meta_ctx, blk, 1))
		return f4_map_corrupt(w->file, "extent node is filesystem metadata", blk);
	err = io_channel_read_blk64(fs->io, blk, 1, w->buf);
	if (err)
		return f4_errcode_to_errno(err);
	ret = header_check(w, eh, max, depth, blk);
	if (ret)
		return ret;
	ret = check_csum(w, eh, blk);
	if (ret)
		return ret;
	ret = order_check(w, eh, blk);
	if (!ret)
		*ehp = eh;
	return ret;
}

/* Binary search among entries [lo, n) of size bytes each, sorted by the
 * little-endian 32-bit block at key_off: the first one past lblk. */
static unsigned first_after(const void *entries, size_t size, size_t key_off,
			    unsigned lo, unsigned n, uint64_t lblk)
{
	const unsigned char *base = entries;
	unsigned hi = n;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;
		__le32 key;

		memcpy(&key, base + (size_t)mid * size + key_off, sizeof(key));
		if (ext2fs_le32_to_cpu(key) <= lblk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Index of the last entry whose key is <= lblk (0 if none): the first
 * entry's key is not looked at, it covers everything before the second. */
static unsigned index_search(const struct ext3_extent_idx *ix, unsigned n,
			     uint64_t lblk)
{
	return first_after(ix, sizeof(*ix),
			   offsetof(struct ext3_extent_idx, ei_block), 1, n,
			   lblk) - 1;
}

/* Index of the last extent starting at or before lblk (0 if none). */
static unsigned leaf_search(const struct ext3_extent *ex, unsigned n,
			    uint64_t lblk)
{
	unsigned i = first_after(ex, sizeof(*ex),
				 offsetof(struct ext3_extent, ee_block), 0, n,
				 lblk);

	return i ? i - 1 : 0;
}

/* Walk from the root to the leaf that covers lblk. */
static int descend(struct extent_walk *w, uint64_t lblk,
		   struct ext3_extent_header **leaf, uint64_t *leaf_blk)
{
	struct ext3_extent_header *eh =
		(struct ext3_extent_header *)w->file->inode->i_block;
	int depth, ret;
	uint64_t blk = 0;

	ret = header_check(w, eh, 4, -1, 0);
	if (!ret)
		ret = order_check(w, eh, 0);
	if (ret)
		return ret;
	for (depth = ext2fs_le16_to_cpu(eh->eh_depth); depth > 0; depth--) {
		struct ext3_extent_idx *ix = (struct ext3_extent_idx *)(eh + 1);
		unsigned n = ext2fs_le16_to_cpu(eh->eh_entries);
		unsigned i;

		if (n == 0)
			return f4_map_corrupt(w->file, "empty extent index", blk);
		i = index_search(ix, n, lblk);
		if (i + 1 < n) {
			uint64_t key = ext2fs_le32_to_cpu(ix[i + 1].ei_block);

			if (key <= ext2fs_le32_to_cpu(ix[i].ei_block))
				return f4_map_corrupt(w->file,
						      "extent index out of order", blk);
			if (key < w->next_key)
				w->next_key = key;
		}
		blk = ext2fs_le32_to_cpu(ix[i].ei_leaf) |
		      ((uint64_t)ext2fs_le16_to_cpu(ix[i].ei_leaf_hi) << 32);
		ret = read_node(w, blk, depth - 1, &eh);
		if (ret)
			return ret;
	}
	*leaf = eh;
	*leaf_blk = blk;
	return 0;
}

/* Emit [lblk, min(next_key, end)) from one leaf; *cur advances. */
static int map_leaf(struct extent_walk *w, struct ext3_extent_header *eh,
		    uint64_t leaf_blk, uint64_t *cur, uint64_t end,
		    struct f4_map_out *out)
{
	struct ext3_extent *ex = (struct ext3_extent *)(eh + 1);
	unsigned n = ext2fs_le16_to_cpu(eh->eh_entries);
	uint64_t stop = w->next_key < end ? w->next_key : end;
	uint64_t prev_end = 0;
	unsigned i;

	for (i = n ? leaf_search(ex, n, *cur) : 0; i < n && *cur < stop; i++) {
		uint64_t start = ext2fs_le32_to_cpu(ex[i].ee_block);
		unsigned len = ext2fs_le16_to_cpu(ex[i].ee_len);
		uint16_t type = F4_MAP_MAPPED;
		uint64_t pblk, take, ext_end;

		if (len > F4_EXT_INIT_MAX_LEN) {
			len -= F4_EXT_INIT_MAX_LEN;
			type = F4_MAP_UNWRITTEN;
		}
		pblk = ext2fs_le32_to_cpu(ex[i].ee_start) |
		       ((uint64_t)ext2fs_le16_to_cpu(ex[i].ee_start_hi) << 32);
		if (len == 0 || start < prev_end)
			return f4_map_corrupt(w->file, "extent overlaps or empty",
					      leaf_blk);
		if (!f4_map_blocks_valid(w->file->fs, pblk, len))
			return f4_map_corrupt(w->file, "extent out of range",
					      leaf_blk);
		ext_end = start + len;
		prev_end = ext_end;
		if (ext_end <= *cur)
			continue;
		if (start >= stop)
			break;
		if (start > *cur) {
			if (!f4_map_emit(out, *cur, start - *cur, 0, F4_MAP_HOLE))
				return 1;
			*cur = start;
		}
		take = (ext_end < stop ? ext_end : stop) - *cur;
		if (!f4_map_emit(out, *cur, take, pblk + (*cur - start), type))
			return 1;
		*cur += take;
	}
	if (*cur < stop) {
		if (!f4_map_emit(out, *cur, stop - *cur, 0, F4_MAP_HOLE))
			return 1;
		*cur = stop;
	}
	return 0;
}

int f4_extent_map(struct f4_map_file *file, uint64_t lblk, uint64_t end,
		  struct f4_map_out *out)
{
	struct extent_walk w = { .file = file };
	int ret = 0;

	w.buf = malloc(file->fs->blocksize);
	if (!w.buf)
		return -ENOMEM;
	while (lblk < end) {
		struct ext3_extent_header *leaf = NULL;
		uint64_t leaf_blk = 0, before = lblk;

		w.next_key = end;
		ret = descend(&w, lblk, &leaf, &leaf_blk);
		if (ret)
			break;
		ret = map_leaf(&w, leaf, leaf_blk, &lblk, end, out);
		if (ret > 0) {		/* record array full */
			ret = 0;
			break;
		}
		if (ret)
			break;
		if (lblk <= before) {
			ret = f4_map_corrupt(file, "extent tree makes no progress",
					     leaf_blk);
			break;
		}
	}
	free(w.buf);
	return ret;
}
