/* Owns directory block walking and entry validation. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "iomap/mapping.h"
#include "src/dir/dir.h"
#include "src/fs/errors.h"
#include "src/fs/fmap.h"

#define F4_DIRENT_MIN 12	/* header plus a 1..4 byte name */

unsigned char f4_ftype_to_dtype(uint8_t ftype)
{
	static const unsigned char map[EXT2_FT_MAX] = {
		[EXT2_FT_UNKNOWN] = DT_UNKNOWN, [EXT2_FT_REG_FILE] = DT_REG,
		[EXT2_FT_DIR] = DT_DIR,	[EXT2_FT_CHRDEV] = DT_CHR,
		[EXT2_FT_BLKDEV] = DT_BLK, [EXT2_FT_FIFO] = DT_FIFO,
		[EXT2_FT_SOCK] = DT_SOCK, [EXT2_FT_SYMLINK] = DT_LNK,
	};

	return ftype < EXT2_FT_MAX ? map[ftype] : DT_UNKNOWN;
}

unsigned char f4_mode_to_dtype(uint16_t mode)
{
	return (unsigned char)((mode & S_IFMT) >> 12);
}

/* Parse a run of entries filling [buf, buf + len). */
static int parse_entries(struct f4_fs *f4, ext2_ino_t dir, char *buf,
			 unsigned len, uint64_t blk, uint64_t lblk,
			 f4_dirent_fn fn, void *priv)
{
	bool has_ftype = ext2fs_has_feature_filetype(f4->fs->super);
	unsigned off = 0;

	while (off < len) {
		struct ext2_dir_entry *de = (struct ext2_dir_entry *)(buf + off);
		unsigned rec_len, name_len;
		struct f4_dirent d;
		int ret;

		if (len - off < 8)
			return f4_fs_corrupt(f4, dir, blk, "dir_walk", "truncated directory entry");
		if (len == f4->blocksize) {
			if (ext2fs_get_rec_len(f4->fs, de, &rec_len))
				rec_len = 0;
		} else {
			rec_len = ext2fs_le16_to_cpu(de->rec_len);
		}
		name_len = ext2fs_dirent_name_len(de);
		if (rec_len < 8 || rec_len % 4 || rec_len > len - off ||
		    name_len + 8 > rec_len)
			return f4_fs_corrupt(f4, dir, blk, "dir_walk", "bad directory entry length");
		off += rec_len;
		if (!de->inode || !name_len)
			continue;
		if (de->inode > f4->fs->super->s_inodes_count)
			return f4_fs_corrupt(f4, dir, blk, "dir_walk", "directory entry inode out of range");
		d.ino = de->inode;
		d.lblk = lblk;
		d.name_len = (uint8_t)name_len;
		d.name = de->name;
		d.ftype = has_ftype ? (uint8_t)ext2fs_dirent_file_type(de)
				    : EXT2_FT_UNKNOWN;
		ret = fn(&d, priv);
		if (ret)
			return ret;
	}
	return 0;
}

static int walk_inline(struct f4_fs *f4, ext2_ino_t dir,
		       const struct ext2_inode_large *inode, f4_dirent_fn fn,
		       void *priv)
{
	struct ext2_inode_large copy = *inode;
	size_t size = 0;
	char *buf;
	struct f4_dirent d;
	errcode_t err;
	int ret;

	err = ext2fs_inline_data_size(f4->fs, dir, &size);
	if (err)
		return f4_fs_errcode(f4, dir, err, "dir_inline");
	if (size < EXT4_MIN_INLINE_DATA_SIZE)
		return f4_fs_corrupt(f4, dir, 0, "dir_inline", "inline directory too small");
	buf = malloc(size);
	if (!buf)
		return -ENOMEM;
	err = ext2fs_inline_data_get(f4->fs, dir, (struct ext2_inode *)&copy,
				     buf, &size);
	if (err) {
		free(buf);
		return f4_fs_errcode(f4, dir, err, "dir_inline");
	}
	/* "." and ".." are implicit: the first four bytes are the parent. */
	d = (struct f4_dirent){ .ino = dir, .ftype = EXT2_FT_DIR,
				.name_len = 1, .name = "." };
	ret = fn(&d, priv);
	if (!ret) {
		d.ino = ext2fs_le32_to_cpu(*(uint32_t *)buf);
		d.name_len = 2;
		d.name = "..";
		ret = fn(&d, priv);
	}
	if (!ret)
		ret = parse_entries(f4, dir, buf + 4, EXT4_MIN_INLINE_DATA_SIZE - 4,
				    0, 0, fn, priv);
	if (!ret && size > EXT4_MIN_INLINE_DATA_SIZE)
		ret = parse_entries(f4, dir, buf + EXT4_MIN_INLINE_DATA_SIZE,
				    (unsigned)(size - EXT4_MIN_INLINE_DATA_SIZE),
				    0, 0, fn, priv);
	free(buf);
	return ret;
}

static int read_mapped(struct f4_fs *f4, ext2_ino_t dir, uint64_t pblk,
		       void *buf)
{
	errcode_t err = ext2fs_read_dir_block4(f4->fs, pblk, buf, 0, dir);

	if (err == EXT2_ET_DIR_CSUM_INVALID)
		return f4_fs_corrupt(f4, dir, pblk, "dir_read", "directory block checksum");
	if (err)
		return f4_fs_errcode(f4, dir, err, "dir_read");
	return 0;
}

static int map_dir(struct f4_fs *f4, ext2_ino_t dir,
		   const struct ext2_inode_large *inode, uint64_t pos,
		   uint64_t len, struct f4_map_rec *recs, unsigned max,
		   unsigned *n)
{
	return f4_fs_map(f4, dir, inode, pos, len, recs, max, n, "dir_map");
}

int f4_dir_read_block(struct f4_fs *f4, ext2_ino_t dir,
		      const struct ext2_inode_large *inode, uint64_t lblk,
		      void *buf)
{
	struct f4_map_rec rec;
	unsigned n;
	int ret;

	ret = map_dir(f4, dir, inode, lblk << f4->blockbits, f4->blocksize,
		      &rec, 1, &n);
	if (ret)
		return ret;
	if (!n || rec.type != F4_MAP_MAPPED)
		return -ENOENT;
	return read_mapped(f4, dir,
			   (rec.addr + ((lblk << f4->blockbits) - rec.off)) >>
				   f4->blockbits, buf);
}

int f4_dir_walk_block(struct f4_fs *f4, ext2_ino_t dir,
		      const struct ext2_inode_large *inode, uint64_t lblk,
		      f4_dirent_fn fn, void *priv)
{
	char *buf = malloc(f4->blocksize);
	int ret;

	if (!buf)
		return -ENOMEM;
	ret = f4_dir_read_block(f4, dir, inode, lblk, buf);
	if (!ret)
		ret = parse_entries(f4, dir, buf, f4->blocksize, lblk, lblk, fn, priv);
	free(buf);
	return ret;
}

#define F4_DIR_MAP_BATCH 64

int f4_dir_walk(struct f4_fs *f4, ext2_ino_t dir,
		const struct ext2_inode_large *inode, f4_dirent_fn fn,
		void *priv)
{
	uint64_t size = EXT2_I_SIZE(inode), pos = 0, budget;
	struct f4_map_rec recs[F4_DIR_MAP_BATCH];
	struct f4_map_file mf = f4_fs_map_file(f4, dir, inode);
	char *buf;
	int ret = 0;

	if (inode->i_flags & EXT4_INLINE_DATA_FL)
		return walk_inline(f4, dir, inode, fn, priv);
	/* Extents (or indirect blocks) naming the same blocks over and over
	 * would make a small image a directory of billions of entries (and a
	 * readdir snapshot of as many): no more blocks than the inode owns. */
	budget = f4_iomap_owned_blocks(&mf);
	buf = malloc(f4->blocksize);
	if (!buf)
		return -ENOMEM;
	while (pos < size && !ret) {
		unsigned n, i;

		ret = map_dir(f4, dir, inode, pos, size - pos, recs,
			      F4_DIR_MAP_BATCH, &n);
		if (ret || !n)
			break;
		for (i = 0; i < n && !ret; i++) {
			uint64_t b;

			/* Holes and unwritten blocks hold no entries. */
			if (recs[i].type != F4_MAP_MAPPED)
				continue;
			for (b = 0; b < recs[i].len && !ret; b += f4->blocksize) {
				if (recs[i].off + b >= size)
					break;
				if (!budget--) {
					ret = f4_fs_corrupt(f4, dir, 0, "dir_walk",
							    "directory maps more blocks than it owns");
					break;
				}
				ret = read_mapped(f4, dir, (recs[i].addr + b) >> f4->blockbits,
						  buf);
				if (!ret)
					ret = parse_entries(f4, dir, buf, f4->blocksize,
							    (recs[i].addr + b) >> f4->blockbits,
							    (recs[i].off + b) >> f4->blockbits,
							    fn, priv);
			}
		}
		pos = recs[n - 1].off + recs[n - 1].len;
	}
	free(buf);
	return ret;
}
