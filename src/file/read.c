/* Owns file reads and data/hole seeking (see read.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "iomap/mapping.h"
#include "src/file/read.h"
#include "src/fs/errors.h"
#include "src/fs/fmap.h"
#include "src/inode/icache.h"
#include "src/file/inline_data.h"
#include "src/inode/atime.h"
#include "src/inode/inode.h"

int f4_file_open_check(struct f4_fs *f4, ext2_ino_t ino, int flags)
{
	struct ext2_inode_large inode;
	int ret;

	f4_fs_lock(f4);
	ret = f4_inode_read(f4, ino, &inode);
	if (!ret && S_ISDIR(inode.i_mode))
		ret = -EISDIR;
	if (!ret && (flags & O_ACCMODE) != O_RDONLY) {
		ret = f4_fs_writable(f4);
		/* ext4: immutable files are not opened for writing, and
		 * append-only ones only to append. */
		if (!ret && (inode.i_flags & EXT2_IMMUTABLE_FL))
			ret = -EPERM;
		if (!ret && (inode.i_flags & EXT2_APPEND_FL) && !(flags & O_APPEND))
			ret = -EPERM;
	}
	if (!ret && (flags & O_TRUNC) &&
	    (inode.i_flags & (EXT2_IMMUTABLE_FL | EXT2_APPEND_FL)))
		ret = -EPERM;
	f4_fs_unlock(f4);
	return ret;
}

static int map_file(struct f4_fs *f4, ext2_ino_t ino,
		    const struct ext2_inode_large *inode, uint64_t pos,
		    uint64_t len, struct f4_map_rec *recs, unsigned max,
		    unsigned *n)
{
	int ret = f4_fs_map(f4, ino, inode, pos, len, recs, max, n, "map");

	if (!ret && !*n)
		ret = -EIO;
	return ret;
}

/* Turn the records for [off, off + size) into transfers; zero the rest. */
static unsigned plan_reads(const struct f4_map_rec *recs, unsigned n,
			   uint64_t off, size_t size, char *buf,
			   struct f4_io_vec *vecs, uint64_t *covered)
{
	uint64_t end = off + size;
	unsigned i, nv = 0;

	*covered = off;
	for (i = 0; i < n; i++) {
		uint64_t s = recs[i].off > off ? recs[i].off : off;
		uint64_t e = recs[i].off + recs[i].len < end ?
				     recs[i].off + recs[i].len : end;

		if (e <= s)
			continue;
		if (recs[i].type == F4_MAP_MAPPED) {
			vecs[nv++] = (struct f4_io_vec){
				.dev_off = recs[i].addr + (s - recs[i].off),
				.buf = buf + (s - off), .len = e - s,
			};
		} else {
			memset(buf + (s - off), 0, e - s);
		}
		*covered = e;
	}
	return nv;
}

/* One pass: map under the lock, then read without it. */
static int read_pass(struct f4_fs *f4, ext2_ino_t ino, uint64_t off,
		     size_t size, char *buf, struct f4_map_rec *recs,
		     unsigned max, struct f4_io_vec *vecs, uint64_t *done,
		     bool first)
{
	struct ext2_inode_large inode;
	uint64_t isize;
	unsigned n, nv;
	int ret;

	f4_fs_lock(f4);
	ret = f4_inode_read(f4, ino, &inode);
	if (!ret && S_ISDIR(inode.i_mode))
		ret = -EISDIR;
	if (ret)
		goto out_unlock;
	if (first)
		f4_inode_touch_atime(f4, ino, &inode);
	isize = EXT2_I_SIZE(&inode);
	if (off >= isize) {
		*done = off;
		goto out_unlock;
	}
	if (size > isize - off)
		size = (size_t)(isize - off);
	if (inode.i_flags & EXT4_INLINE_DATA_FL) {
		ret = f4_inline_read(f4, ino, &inode, off, size, buf);
		*done = off + size;
		goto out_unlock;
	}
	ret = map_file(f4, ino, &inode, off, size, recs, max, &n);
	f4_fs_unlock(f4);
	if (ret)
		return ret;
	nv = plan_reads(recs, n, off, size, buf, vecs, done);
	return nv ? f4_data_readv(f4->dio, vecs, nv) : 0;
out_unlock:
	f4_fs_unlock(f4);
	return ret;
}

int f4_file_read(struct f4_fs *f4, ext2_ino_t ino, uint64_t off, size_t size,
		 void *buf, size_t *got)
{
	unsigned max = (unsigned)(size >> f4->blockbits) + 2;
	struct f4_map_rec *recs = calloc(max, sizeof(*recs));
	struct f4_io_vec *vecs = calloc(max, sizeof(*vecs));
	struct f4_inode_state *st = f4_icache_get(f4->icache, ino);
	uint64_t pos = off, end = off + size;
	int ret = 0;

	if (!recs || !vecs || !st) {
		ret = -ENOMEM;
		goto out;
	}
	pthread_rwlock_rdlock(&st->io_lock);
	while (pos < end) {
		uint64_t done = pos;

		ret = read_pass(f4, ino, pos, (size_t)(end - pos),
				(char *)buf + (pos - off), recs, max, vecs, &done,
				pos == off);
		if (ret || done <= pos)
			break;
		pos = done;
	}
	pthread_rwlock_unlock(&st->io_lock);
	*got = (size_t)(pos - off);
out:
	f4_icache_put(f4->icache, st);
	free(recs);
	free(vecs);
	return ret;
}

#define F4_SEEK_BATCH 64

/* The first offset >= off that is data (want_data) or hole, before end. */
static int seek_scan(struct f4_fs *f4, ext2_ino_t ino,
		     const struct ext2_inode_large *inode, uint64_t off,
		     uint64_t end, bool want_data, uint64_t *result)
{
	struct f4_map_rec recs[F4_SEEK_BATCH];
	struct f4_map_file mf = f4_fs_map_file(f4, ino, inode);
	/* The scan holds the big lock: a map naming more blocks than the
	 * inode owns (blocks shared over and over) is corruption, not
	 * minutes of scanning. */
	uint64_t pos = off, budget = f4_iomap_owned_blocks(&mf);

	while (pos < end) {
		unsigned n, i;
		int ret = map_file(f4, ino, inode, pos, end - pos, recs,
				   F4_SEEK_BATCH, &n);

		if (ret)
			return ret;
		for (i = 0; i < n; i++) {
			/* Unwritten extents read as zeros: holes, as ext4
			 * reports them when no cached page covers them. */
			bool data = recs[i].type == F4_MAP_MAPPED ||
				    recs[i].type == F4_MAP_INLINE;

			if (data == want_data) {
				*result = recs[i].off > off ? recs[i].off : off;
				return 0;
			}
			if (recs[i].type != F4_MAP_HOLE) {
				uint64_t blocks = recs[i].len >> f4->blockbits;

				if (blocks > budget)
					return f4_fs_corrupt(f4, ino, 0, "seek",
							     "file maps more blocks than it owns");
				budget -= blocks;
			}
		}
		pos = recs[n - 1].off + recs[n - 1].len;
	}
	*result = end;
	return 1;	/* nothing found before end */
}

int f4_file_seek(struct f4_fs *f4, ext2_ino_t ino, uint64_t off, int whence,
		 uint64_t *result)
{
	struct ext2_inode_large inode;
	uint64_t isize;
	int ret;

	f4_fs_lock(f4);
	ret = f4_inode_read(f4, ino, &inode);
	if (ret)
		goto out;
	isize = EXT2_I_SIZE(&inode);
	if (off >= isize) {
		ret = -ENXIO;
		goto out;
	}
	ret = seek_scan(f4, ino, &inode, off, isize, whence == SEEK_DATA, result);
	if (ret == 1) {
		/* No data before EOF is ENXIO; the implicit hole at EOF. */
		ret = whence == SEEK_DATA ? -ENXIO : 0;
		*result = isize;
	}
	if (!ret && *result > isize)
		*result = isize;
out:
	f4_fs_unlock(f4);
	return ret;
}
