/* Owns the file write path (see write.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "iomap/edit.h"
#include "iomap/mapping.h"
#include "src/fs/alloc.h"
#include "src/file/check.h"
#include "src/fs/errors.h"
#include "src/fs/fmap.h"
#include "src/inode/icache.h"
#include "src/file/inline_data.h"
#include "src/file/mode.h"
#include "src/inode/inode.h"
#include "src/file/write.h"

/* A stretch of the written range, in blocks. fresh: new or unwritten
 * space, written in whole blocks padded with zeros. */
struct seg {
	uint64_t lblk, n, pblk;
	bool fresh;
	bool is_new;	/* allocated by this write: link it in afterwards */
};

struct plan {
	struct seg *segs;
	unsigned nsegs, cap;
	uint64_t off, len;		/* the (possibly trimmed) write */
	uint64_t old_size;
	uint64_t eof_zero_addr;		/* device bytes to zero after old EOF */
	uint64_t eof_zero_len;
	bool has_unwritten;
};

static int add_seg(struct plan *p, struct seg s)
{
	if (p->nsegs == p->cap) {
		unsigned ncap = p->cap ? p->cap * 2 : 16;
		struct seg *n = realloc(p->segs, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		p->segs = n;
		p->cap = ncap;
	}
	p->segs[p->nsegs++] = s;
	return 0;
}

static void free_new_blocks(struct f4_fs *f4, struct plan *p, unsigned from)
{
	unsigned i;

	for (i = from; i < p->nsegs; i++)
		if (p->segs[i].is_new)
			f4_free_blocks(f4, p->segs[i].pblk, p->segs[i].n);
}

/* Allocate a hole [lblk, lblk + n) as one or more new segments. */
static int plan_hole(struct f4_fs *f4, ext2_ino_t ino,
		     struct ext2_inode_large *inode, struct plan *p,
		     uint64_t lblk, uint64_t n)
{
	while (n) {
		uint64_t pblk, got;
		int ret = f4_alloc_blocks(f4, f4_alloc_goal(f4, ino, inode, lblk),
					  n, &pblk, &got);

		if (ret)
			return ret;
		ret = add_seg(p, (struct seg){ lblk, got, pblk, true, true });
		if (ret) {
			f4_free_blocks(f4, pblk, got);
			return ret;
		}
		lblk += got;
		n -= got;
	}
	return 0;
}

/* How many blocks of holes does [first, first + n) of recs contain? */
static uint64_t hole_blocks(const struct f4_map_rec *recs, unsigned nrecs,
			    unsigned bits, uint64_t first, uint64_t end)
{
	uint64_t total = 0;
	unsigned i;

	for (i = 0; i < nrecs; i++) {
		uint64_t a = recs[i].off >> bits, b = (recs[i].off + recs[i].len) >> bits;

		if (recs[i].type != F4_MAP_HOLE)
			continue;
		a = a > first ? a : first;
		b = b < end ? b : end;
		if (b > a)
			total += b - a;
	}
	return total;
}

/* Shrink the write so that at most avail new blocks are needed. */
static uint64_t trim_to_space(const struct f4_map_rec *recs, unsigned nrecs,
			      unsigned bits, uint64_t off, uint64_t len,
			      uint64_t avail)
{
	uint64_t first = off >> bits, end = (off + len + (1ULL << bits) - 1) >> bits;
	uint64_t lo = first, hi = end;

	/* Largest block boundary b with hole_blocks(first, b) <= avail. */
	while (lo < hi) {
		uint64_t mid = lo + (hi - lo + 1) / 2;

		if (hole_blocks(recs, nrecs, bits, first, mid) <= avail)
			lo = mid;
		else
			hi = mid - 1;
	}
	if ((lo << bits) <= off)
		return 0;
	return (lo << bits) - off < len ? (lo << bits) - off : len;
}

static int map_range(struct f4_fs *f4, ext2_ino_t ino,
		     struct ext2_inode_large *inode, uint64_t off, uint64_t len,
		     struct f4_map_rec **recs, unsigned *nrecs)
{
	struct f4_map_file mf = f4_fs_map_file(f4, ino, inode);
	unsigned max = f4_iomap_max_recs(&mf, len) + 1;

	*recs = calloc(max, sizeof(**recs));
	if (!*recs)
		return -ENOMEM;
	return f4_fs_map(f4, ino, inode, off, len, *recs, max, nrecs,
			 "write_map");
}

/* The old EOF block, if written and partly beyond EOF, must read as
 * zeros from the old EOF up to where this write starts. */
static int plan_eof_gap(struct f4_fs *f4, ext2_ino_t ino,
			struct ext2_inode_large *inode, struct plan *p)
{
	uint64_t bs = f4->blocksize, blk_end;
	struct f4_map_rec rec;
	unsigned n;
	int ret;

	if (p->off <= p->old_size || !(p->old_size % bs))
		return 0;
	blk_end = p->old_size - p->old_size % bs + bs;
	ret = f4_fs_map(f4, ino, inode, p->old_size, 1, &rec, 1, &n,
			"write_eof");
	if (ret || !n || rec.type != F4_MAP_MAPPED)
		return ret;
	p->eof_zero_addr = rec.addr + (p->old_size - rec.off);
	p->eof_zero_len = (p->off < blk_end ? p->off : blk_end) - p->old_size;
	return 0;
}

/* Phase 1, under the big lock: check, map, allocate. */
static int plan_write(struct f4_fs *f4, const struct f4_cred *cred,
		      ext2_ino_t ino, struct ext2_inode_large *inode,
		      struct plan *p)
{
	unsigned bits = f4->blockbits, nrecs = 0, i;
	struct f4_map_rec *recs = NULL;
	uint64_t first, end, holes;
	int ret;

	ret = map_range(f4, ino, inode, p->off, p->len, &recs, &nrecs);
	if (ret)
		goto out;
	first = p->off >> bits;
	end = (p->off + p->len + (1ULL << bits) - 1) >> bits;
	holes = hole_blocks(recs, nrecs, bits, first, end);
	if (holes && f4_alloc_check_start(f4, cred, holes)) {
		p->len = trim_to_space(recs, nrecs, bits, p->off, p->len,
				       f4_alloc_avail(f4, cred));
		if (!p->len) {
			ret = -ENOSPC;
			goto out;
		}
		end = (p->off + p->len + (1ULL << bits) - 1) >> bits;
	}
	for (i = 0; i < nrecs && !ret; i++) {
		uint64_t a = recs[i].off >> bits, b = (recs[i].off + recs[i].len) >> bits;
		uint64_t pblk = recs[i].addr >> bits;

		if (b <= first || a >= end)
			continue;
		if (a < first) {
			pblk += first - a;
			a = first;
		}
		b = b < end ? b : end;
		if (recs[i].type == F4_MAP_HOLE) {
			ret = plan_hole(f4, ino, inode, p, a, b - a);
		} else if (f4_fs_is_meta(f4, pblk, b - a)) {
			/* A map onto the inode tables, bitmaps...: writing
			 * there would wreck them (ext4: block_validity). */
			ret = f4_fs_corrupt(f4, ino, pblk, "write_map",
					    "file data mapped onto filesystem metadata");
		} else {
			bool unwritten = recs[i].type == F4_MAP_UNWRITTEN;

			p->has_unwritten |= unwritten;
			ret = add_seg(p, (struct seg){ a, b - a, pblk, unwritten, false });
		}
	}
	if (!ret)
		ret = plan_eof_gap(f4, ino, inode, p);
	if (ret)
		free_new_blocks(f4, p, 0);
out:
	free(recs);
	return ret;
}

/* Phase 2, without the big lock: move the data. */
static int do_io(struct f4_fs *f4, const struct plan *p, const char *buf)
{
	uint64_t bs = f4->blocksize, end = p->off + p->len;
	unsigned cap = p->nsegs * 3 + 2, nv = 0, i;
	struct f4_io_vec *v = calloc(cap, sizeof(*v));
	char *bounce = calloc(3, bs);
	int ret;

	if (!v || !bounce) {
		ret = -ENOMEM;
		goto out;
	}
	for (i = 0; i < p->nsegs; i++) {
		const struct seg *s = &p->segs[i];
		uint64_t base = s->lblk * bs, lo = base > p->off ? base : p->off;
		uint64_t hi = base + s->n * bs < end ? base + s->n * bs : end;
		uint64_t dev = s->pblk * bs - base;	/* file -> device */

		if (!s->fresh) {
			v[nv++] = (struct f4_io_vec){ dev + lo, (char *)buf + (lo - p->off), hi - lo };
			continue;
		}
		if (lo % bs) {			/* head: partial first block */
			uint64_t blk = lo - lo % bs, stop = hi < blk + bs ? hi : blk + bs;

			memcpy(bounce + lo % bs, buf + (lo - p->off), stop - lo);
			v[nv++] = (struct f4_io_vec){ dev + blk, bounce, bs };
			lo = stop;
		}
		if (hi - hi % bs > lo) {	/* whole blocks straight from buf */
			v[nv++] = (struct f4_io_vec){ dev + lo, (char *)buf + (lo - p->off),
						      hi - hi % bs - lo };
			lo = hi - hi % bs;
		}
		if (lo < hi) {			/* tail: partial last block */
			memcpy(bounce + bs, buf + (lo - p->off), hi - lo);
			v[nv++] = (struct f4_io_vec){ dev + lo, bounce + bs, bs };
		}
	}
	if (p->eof_zero_len)
		v[nv++] = (struct f4_io_vec){ p->eof_zero_addr, bounce + 2 * bs,
					      p->eof_zero_len };
	ret = f4_data_writev(f4->dio, v, nv);
out:
	free(v);
	free(bounce);
	return ret;
}

/* No room to link segment i (a block-mapped file's indirect block):
 * the write ends where it starts, if anything comes before it. */
static bool short_write(struct f4_fs *f4, struct plan *p, unsigned i)
{
	uint64_t end = p->segs[i].lblk << f4->blockbits;

	if (end <= p->off)
		return false;
	if (end - p->off < p->len)
		p->len = end - p->off;
	return true;
}

/* Phase 3, under the big lock: link new blocks, convert, size, times. */
static int commit_write(struct f4_fs *f4, ext2_ino_t ino, struct plan *p)
{
	struct ext2_inode_large inode;
	unsigned i;
	int ret = f4_inode_read(f4, ino, &inode);

	for (i = 0; i < p->nsegs && !ret; i++) {
		if (!p->segs[i].is_new)
			continue;
		ret = f4_iomap_insert(f4->fs, ino, &inode, p->segs[i].lblk,
				      p->segs[i].pblk, p->segs[i].n);
		if (ret) {
			free_new_blocks(f4, p, i);
			if (ret == -EUCLEAN)
				f4_fs_corrupt(f4, ino, 0, "write_commit", "extent tree");
			else if (ret == -ENOSPC && short_write(f4, p, i))
				ret = 0;
			break;
		}
	}
	if (!ret && p->has_unwritten)
		ret = f4_iomap_convert(f4->fs, ino, &inode,
				       p->off >> f4->blockbits,
				       ((p->off + p->len - 1) >> f4->blockbits) -
					       (p->off >> f4->blockbits) + 1);
	if (!ret && p->off + p->len > EXT2_I_SIZE(&inode))
		ret = f4_errcode_to_errno(ext2fs_inode_size_set(f4->fs,
					(struct ext2_inode *)&inode, p->off + p->len));
	if (!ret || i) {	/* also record what was linked before a failure */
		int wret;

		f4_inode_set_times(f4, &inode, F4_MTIME | F4_CTIME, f4_time_now());
		wret = f4_inode_write(f4, ino, &inode);
		ret = ret ? ret : wret;
	}
	return ret;
}

static int check_writable(struct f4_fs *f4, const struct ext2_inode_large *inode,
			  uint64_t off, uint64_t *len)
{
	uint64_t max = f4_inode_max_size(f4, inode);
	int ret = f4_file_check_modifiable(f4, inode, -EINVAL);

	if (ret)
		return ret;
	if ((inode->i_flags & EXT2_APPEND_FL) && off != EXT2_I_SIZE(inode))
		return -EPERM;
	if (off >= max)
		return -EFBIG;
	if (*len > max - off)
		*len = max - off;
	return 0;
}

/* Phase 1 starts: ino read, after the setuid/setgid kill when asked
 * for, with the checks and in the order of a setattr asking only for it
 * before the write (what the glue did, under a lock hold of its own). */
static int start_write(struct f4_fs *f4, const struct f4_cred *cred,
		       ext2_ino_t ino, struct ext2_inode_large *inode,
		       struct f4_write_opts *opts)
{
	bool kill = opts && opts->kill_suidgid;
	int ret = kill ? f4_fs_writable(f4) : 0;

	if (!ret)
		ret = f4_inode_read(f4, ino, inode);
	if (!ret && kill) {
		ret = f4_mode_kill(f4, ino, inode, cred);
		opts->killed = !ret;
	}
	return ret;
}

int f4_file_write(struct f4_fs *f4, const struct f4_cred *cred, ext2_ino_t ino,
		  uint64_t off, const void *buf, size_t len,
		  struct f4_write_opts *opts, size_t *written)
{
	struct plan p = { .off = off, .len = len };
	struct ext2_inode_large inode;
	struct f4_inode_state *st;
	bool done = !len;	/* 0 bytes: at most the kill */
	int ret;

	*written = 0;
	if (opts)
		opts->killed = false;
	if (!len && !(opts && opts->kill_suidgid))
		return 0;
	st = f4_icache_get(f4->icache, ino);
	if (!st)
		return -ENOMEM;
	pthread_rwlock_wrlock(&st->io_lock);
	f4_fs_lock(f4);
	f4_fs_handle_gate(f4);
	ret = start_write(f4, cred, ino, &inode, opts);
	if (!ret && !done)
		ret = check_writable(f4, &inode, off, &p.len);
	if (!ret && !done)
		ret = f4_inline_try_write(f4, ino, &inode, off, buf, p.len, &done);
	if (!ret && !done) {
		p.old_size = EXT2_I_SIZE(&inode);
		ret = plan_write(f4, cred, ino, &inode, &p);
	}
	/* Blocks allocated, not linked yet: no commit until they are. */
	if (!ret && !done)
		f4_fs_handle_start(f4);
	f4_fs_unlock(f4);
	if (!ret && !done) {
		ret = do_io(f4, &p, buf);
		f4_fs_lock(f4);
		if (ret)
			free_new_blocks(f4, &p, 0);
		else
			ret = commit_write(f4, ino, &p);
		f4_fs_handle_stop(f4);
		f4_fs_unlock(f4);
	}
	if (!ret)
		*written = p.len;
	pthread_rwlock_unlock(&st->io_lock);
	free(p.segs);
	f4_icache_put(f4->icache, st);
	return ret;
}

int f4_file_zero_tail(struct f4_fs *f4, ext2_ino_t ino, uint64_t off,
		      uint64_t len)
{
	struct ext2_inode_large inode;
	struct f4_map_rec rec;
	struct f4_io_vec v;
	unsigned n = 0;
	void *zeros;
	int ret;

	f4_fs_lock(f4);
	ret = f4_inode_read(f4, ino, &inode);
	if (!ret && !(inode.i_flags & EXT4_INLINE_DATA_FL))
		ret = f4_fs_map(f4, ino, &inode, off, len, &rec, 1, &n,
				"zero_tail");
	if (!ret && n && rec.type == F4_MAP_MAPPED &&
	    f4_fs_is_meta(f4, rec.addr >> f4->blockbits, rec.len >> f4->blockbits))
		ret = f4_fs_corrupt(f4, ino, rec.addr >> f4->blockbits, "zero_tail",
				    "file data mapped onto filesystem metadata");
	f4_fs_unlock(f4);
	if (ret || !n || rec.type != F4_MAP_MAPPED || rec.off + rec.len < off + len)
		return ret;
	zeros = calloc(1, len);
	if (!zeros)
		return -ENOMEM;
	v = (struct f4_io_vec){ rec.addr + (off - rec.off), zeros, len };
	ret = f4_data_writev(f4->dio, &v, 1);
	free(zeros);
	return ret;
}
