/* Owns fallocate (see falloc.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>

#include "iomap/edit.h"
#include "iomap/mapping.h"
#include "src/fs/alloc.h"
#include "src/file/check.h"
#include "src/file/falloc.h"
#include "src/fs/errors.h"
#include "src/fs/fmap.h"
#include "src/inode/icache.h"
#include "src/file/inline_data.h"
#include "src/inode/inode.h"
#include "src/file/truncate.h"
#include "src/file/write.h"

#define F4_FL_KEEP_SIZE 0x01
#define F4_FL_PUNCH_HOLE 0x02
#define F4_FL_ZERO_RANGE 0x10

/* Byte ranges to zero on the device once the big lock is dropped. */
struct zero_list {
	uint64_t off[2], len[2];
	unsigned n;
};

static void zero_add(struct zero_list *z, uint64_t off, uint64_t len)
{
	if (len && z->n < 2) {
		z->off[z->n] = off;
		z->len[z->n++] = len;
	}
}

/* The partial blocks at both ends of [off, end) and the whole blocks
 * between them, [*first, *last). */
static void split_edges(uint64_t bs, uint64_t off, uint64_t end,
			uint64_t *first, uint64_t *last, struct zero_list *z)
{
	*first = (off + bs - 1) / bs;
	*last = end / bs;
	if (*first > *last) {		/* inside one block */
		zero_add(z, off, end - off);
		*first = *last = 0;
		return;
	}
	zero_add(z, off, *first * bs - off);
	zero_add(z, *last * bs, end - *last * bs);
}

/* Map every hole of blocks [first, last) as unwritten extents. */
static int prealloc(struct f4_fs *f4, const struct f4_cred *cred,
		    ext2_ino_t ino, struct ext2_inode_large *inode,
		    uint64_t first, uint64_t last)
{
	uint64_t bits = f4->blockbits, pos = first << bits, holes = 0;
	struct f4_map_rec recs[64];
	unsigned n, i;
	int ret, pass;

	/* Pass 0 counts the holes (all or nothing), pass 1 fills them. */
	for (pass = 0; pass < 2; pass++, pos = first << bits) {
		while (pos < last << bits) {
			ret = f4_fs_map(f4, ino, inode, pos, (last << bits) - pos,
					recs, 64, &n, "fallocate");
			if (ret || !n)
				return ret ? ret : -EIO;
			for (i = 0; i < n; i++) {
				uint64_t a = recs[i].off >> bits;
				uint64_t b = (recs[i].off + recs[i].len) >> bits;

				b = b < last ? b : last;
				a = a > first ? a : first;
				if (recs[i].type != F4_MAP_HOLE || b <= a)
					continue;
				if (!pass) {
					holes += b - a;
					continue;
				}
				while (a < b) {
					uint64_t pblk, got;

					ret = f4_alloc_blocks(f4, f4_alloc_goal(f4, ino, inode, a),
							      b - a, &pblk, &got);
					if (!ret)
						ret = f4_iomap_insert_unwritten(f4->fs, ino,
								inode, a, pblk, got);
					if (ret)
						return ret;
					a += got;
				}
			}
			pos = recs[n - 1].off + recs[n - 1].len;
		}
		if (!pass && holes && (ret = f4_alloc_check_start(f4, cred, holes)))
			return ret;
	}
	return 0;
}

/* ext2fs_punch frees what the map names, unchecked: check it first. */
static int punch(struct f4_fs *f4, ext2_ino_t ino,
		 struct ext2_inode_large *inode, uint64_t off, uint64_t end,
		 struct zero_list *z)
{
	uint64_t bs = f4->blocksize, size = EXT2_I_SIZE(inode), first, last;

	if (off >= size)
		return 0;
	/* Like ext4, blocks preallocated past the end-of-file block stay. */
	if (end > (size + bs - 1) / bs * bs)
		end = (size + bs - 1) / bs * bs;
	split_edges(bs, off, end, &first, &last, z);
	if (first >= last)
		return 0;
	return f4_punch_blocks(f4, ino, inode, first, last - 1, "punch");
}

static int zero_range(struct f4_fs *f4, const struct f4_cred *cred,
		      ext2_ino_t ino, struct ext2_inode_large *inode,
		      uint64_t off, uint64_t end, struct zero_list *z)
{
	uint64_t bs = f4->blocksize, first, last;
	int ret;

	split_edges(bs, off, end, &first, &last, z);
	if (first < last) {
		ret = f4_punch_blocks(f4, ino, inode, first, last - 1, "zero_range");
		if (ret)
			return ret;
	}
	/* The whole range ends up allocated, partial blocks included. */
	return prealloc(f4, cred, ino, inode, off / bs, (end + bs - 1) / bs);
}

static int check(struct f4_fs *f4, const struct ext2_inode_large *inode,
		 int mode, uint64_t off, uint64_t len)
{
	int ret = f4_file_check_modifiable(f4, inode, -ENODEV);

	if (ret)
		return ret;
	if ((inode->i_flags & EXT2_APPEND_FL) && (mode & ~F4_FL_KEEP_SIZE))
		return -EPERM;
	if (!(mode & F4_FL_KEEP_SIZE) &&
	    (off + len > f4_inode_max_size(f4, inode) || off + len < off))
		return -EFBIG;
	return 0;
}

static int fallocate_locked(struct f4_fs *f4, const struct f4_cred *cred,
			    ext2_ino_t ino, int mode, uint64_t off,
			    uint64_t len, struct zero_list *z)
{
	struct ext2_inode_large inode;
	uint64_t end = off + len;
	int ret = f4_inode_read(f4, ino, &inode);

	if (!ret)
		ret = check(f4, &inode, mode, off, len);
	if (!ret && (inode.i_flags & EXT4_INLINE_DATA_FL))
		ret = f4_inline_expand(f4, ino, &inode);
	if (ret)
		return ret;
	if (mode & F4_FL_PUNCH_HOLE)
		ret = punch(f4, ino, &inode, off, end, z);
	else if (!(inode.i_flags & EXT4_EXTENTS_FL))
		ret = -EOPNOTSUPP;	/* as ext4: no unwritten extents here */
	else if (mode & F4_FL_ZERO_RANGE)
		ret = zero_range(f4, cred, ino, &inode, off, end, z);
	else
		ret = prealloc(f4, cred, ino, &inode, off >> f4->blockbits,
			       (end + f4->blocksize - 1) >> f4->blockbits);
	if (ret)
		return ret;
	if (!(mode & (F4_FL_KEEP_SIZE | F4_FL_PUNCH_HOLE)) && end > EXT2_I_SIZE(&inode))
		ext2fs_inode_size_set(f4->fs, (struct ext2_inode *)&inode, end);
	f4_inode_set_times(f4, &inode, mode & (F4_FL_PUNCH_HOLE | F4_FL_ZERO_RANGE) ?
			   F4_MTIME | F4_CTIME : F4_CTIME, f4_time_now());
	return f4_inode_write(f4, ino, &inode);
}

int f4_file_fallocate(struct f4_fs *f4, const struct f4_cred *cred,
		      ext2_ino_t ino, int mode, uint64_t off, uint64_t len)
{
	struct f4_inode_state *st;
	struct zero_list z = { .n = 0 };
	unsigned i;
	int ret;

	if (mode & ~(F4_FL_KEEP_SIZE | F4_FL_PUNCH_HOLE | F4_FL_ZERO_RANGE))
		return -EOPNOTSUPP;
	if (!len)
		return -EINVAL;
	st = f4_icache_get(f4->icache, ino);
	if (!st)
		return -ENOMEM;
	pthread_rwlock_wrlock(&st->io_lock);
	f4_fs_lock(f4);
	ret = fallocate_locked(f4, cred, ino, mode, off, len, &z);
	f4_fs_unlock(f4);
	for (i = 0; !ret && i < z.n; i++)
		ret = f4_file_zero_tail(f4, ino, z.off[i], z.len[i]);
	pthread_rwlock_unlock(&st->io_lock);
	f4_icache_put(f4->icache, st);
	return ret;
}
