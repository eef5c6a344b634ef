/* Owns inline file data (see inline_data.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/file/inline_data.h"
#include "src/fs/errors.h"
#include "src/inode/inode.h"
#include "src/io/chan.h"

/* Exported by libext2fs (1.43 and later) but missing from its headers. */
errcode_t ext2fs_inline_data_expand(ext2_filsys fs, ext2_ino_t ino);

/* The stored bytes: i_block then system.data. *data is malloc'ed. */
static int load(struct f4_fs *f4, ext2_ino_t ino, struct ext2_inode_large *inode,
		char **data, size_t *size)
{
	size_t cap = 0;
	errcode_t err = ext2fs_inline_data_size(f4->fs, ino, &cap);

	if (err)
		return f4_fs_errcode(f4, ino, err, "inline_size");
	*data = calloc(1, cap + 1);
	if (!*data)
		return -ENOMEM;
	*size = cap;
	err = ext2fs_inline_data_get(f4->fs, ino, (struct ext2_inode *)inode,
				     *data, size);
	if (err) {
		free(*data);
		*data = NULL;
		return f4_fs_errcode(f4, ino, err, "inline_get");
	}
	return 0;
}

int f4_inline_read(struct f4_fs *f4, ext2_ino_t ino,
		   struct ext2_inode_large *inode, uint64_t off, size_t size,
		   void *buf)
{
	char *data;
	size_t stored;
	int ret = load(f4, ino, inode, &data, &stored);

	if (ret)
		return ret;
	memset(buf, 0, size);
	if (off < stored)
		memcpy(buf, data + off, stored - off < size ? stored - off : size);
	free(data);
	return 0;
}

/* How many bytes could this inode hold inline? */
static int capacity(struct f4_fs *f4, ext2_ino_t ino, size_t stored,
		    size_t *cap)
{
	size_t free_ea = 0;
	errcode_t err = ext2fs_xattr_inode_max_size(f4->fs, ino, &free_ea);

	if (err == EXT2_ET_EA_NO_SPACE) {
		free_ea = 0;
		err = 0;
	}
	if (err)
		return f4_fs_errcode(f4, ino, err, "inline_capacity");
	*cap = (stored > EXT4_MIN_INLINE_DATA_SIZE ? stored : EXT4_MIN_INLINE_DATA_SIZE) +
	       free_ea;
	return 0;
}

/* Store exactly size bytes inline (the file is already inline). */
static int store(struct f4_fs *f4, ext2_ino_t ino,
		 struct ext2_inode_large *inode, const char *data, size_t size)
{
	size_t head = size < EXT4_MIN_INLINE_DATA_SIZE ? size : EXT4_MIN_INLINE_DATA_SIZE;
	struct ext2_xattr_handle *h = NULL;
	errcode_t err;
	int ret;

	memset(inode->i_block, 0, sizeof(inode->i_block));
	memcpy(inode->i_block, data, head);
	ret = f4_inode_write(f4, ino, inode);
	if (ret)
		return ret;
	err = ext2fs_xattrs_open(f4->fs, ino, &h);
	if (!err)
		err = ext2fs_xattrs_read(h);
	if (!err)
		err = ext2fs_xattr_set(h, "system.data", data + head, size - head);
	if (h)
		ext2fs_xattrs_close(&h);
	if (err)
		return err == EXT2_ET_EA_NO_SPACE ? -ENOSPC :
			     f4_fs_errcode(f4, ino, err, "inline_store");
	/* The xattr code rewrote the inode: pick up its view. */
	return f4_inode_read(f4, ino, inode);
}

static int flush_data_block(struct f4_fs *f4, ext2_ino_t ino,
			    struct ext2_inode_large *inode)
{
	blk64_t pblk = 0;
	errcode_t err = ext2fs_bmap2(f4->fs, ino, (struct ext2_inode *)inode,
				     NULL, 0, 0, NULL, &pblk);

	if (err)
		return f4_fs_errcode(f4, ino, err, "inline_expand");
	return pblk ? f4_chan_flush_out(f4->fs->io, pblk, 1) : 0;
}

int f4_inline_expand(struct f4_fs *f4, ext2_ino_t ino,
		     struct ext2_inode_large *inode)
{
	uint64_t size = EXT2_I_SIZE(inode);
	errcode_t err = ext2fs_inline_data_expand(f4->fs, ino);
	int ret;

	if (err)
		return err == EXT2_ET_BLOCK_ALLOC_FAIL ? -ENOSPC :
			     f4_fs_errcode(f4, ino, err, "inline_expand");
	ret = f4_inode_read(f4, ino, inode);
	/* libext2fs wrote a file's data block through the metadata cache;
	 * file data IO goes around it, so the block must reach the device
	 * now (new, so free in every committed state: as ordered data). A
	 * directory's block stays metadata, in the cache and the journal. */
	if (!ret && S_ISREG(inode->i_mode))
		ret = flush_data_block(f4, ino, inode);
	/* Expansion stores the whole inline area; keep the real size. */
	if (!ret && S_ISREG(inode->i_mode) && EXT2_I_SIZE(inode) != size) {
		ext2fs_inode_size_set(f4->fs, (struct ext2_inode *)inode, size);
		ret = f4_inode_write(f4, ino, inode);
	}
	return ret;
}

/* An empty regular file on an inline_data filesystem starts inline, as
 * with ext4, when its first write fits. */
static int start_inline(struct f4_fs *f4, ext2_ino_t ino,
			struct ext2_inode_large *inode)
{
	errcode_t err;
	int ret;

	inode->i_flags &= ~EXT4_EXTENTS_FL;
	inode->i_flags |= EXT4_INLINE_DATA_FL;
	memset(inode->i_block, 0, sizeof(inode->i_block));
	ret = f4_inode_write(f4, ino, inode);
	if (ret)
		return ret;
	err = ext2fs_inline_data_init(f4->fs, ino);
	if (err)
		return f4_fs_errcode(f4, ino, err, "inline_init");
	return f4_inode_read(f4, ino, inode);
}

static bool may_start_inline(const struct f4_fs *f4,
			     const struct ext2_inode_large *inode)
{
	return ext2fs_has_feature_inline_data(f4->fs->super) &&
	       S_ISREG(inode->i_mode) && EXT2_I_SIZE(inode) == 0 &&
	       ext2fs_get_stat_i_blocks(f4->fs, (struct ext2_inode *)inode) == 0 &&
	       !(inode->i_flags & EXT4_INLINE_DATA_FL);
}

/* Rewrite the inline contents as [0, new_size) with buf at off. */
static int rewrite(struct f4_fs *f4, ext2_ino_t ino,
		   struct ext2_inode_large *inode, uint64_t new_size,
		   uint64_t off, const void *buf, size_t len, bool *done)
{
	size_t stored, cap = 0;
	char *old, *data;
	int ret = load(f4, ino, inode, &old, &stored);

	if (ret)
		return ret;
	ret = capacity(f4, ino, stored, &cap);
	if (!ret && new_size > cap) {
		free(old);
		return f4_inline_expand(f4, ino, inode);
	}
	data = ret ? NULL : calloc(1, new_size + 1);
	if (!ret && !data)
		ret = -ENOMEM;
	if (!ret) {
		uint64_t keep = EXT2_I_SIZE(inode) < new_size ? EXT2_I_SIZE(inode) : new_size;

		memcpy(data, old, keep < stored ? keep : stored);
		if (len)
			memcpy(data + off, buf, len);
		ret = store(f4, ino, inode, data, new_size);
		if (ret == -ENOSPC)
			ret = f4_inline_expand(f4, ino, inode);
		else if (!ret) {
			ext2fs_inode_size_set(f4->fs, (struct ext2_inode *)inode,
					      new_size);
			f4_inode_set_times(f4, inode, F4_MTIME | F4_CTIME,
					   f4_time_now());
			ret = f4_inode_write(f4, ino, inode);
			*done = ret == 0;
		}
	}
	free(old);
	free(data);
	return ret;
}

int f4_inline_try_write(struct f4_fs *f4, ext2_ino_t ino,
			struct ext2_inode_large *inode, uint64_t off,
			const void *buf, size_t len, bool *done)
{
	uint64_t size = EXT2_I_SIZE(inode), end = off + len;
	int ret;

	*done = false;
	if (may_start_inline(f4, inode)) {
		if (end > EXT2_INODE_SIZE(f4->fs->super))
			return 0;	/* cannot fit: plain blocks */
		ret = start_inline(f4, ino, inode);
		if (ret)
			return ret;
	}
	if (!(inode->i_flags & EXT4_INLINE_DATA_FL))
		return 0;
	return rewrite(f4, ino, inode, end > size ? end : size, off, buf, len,
		       done);
}

int f4_inline_truncate(struct f4_fs *f4, ext2_ino_t ino,
		       struct ext2_inode_large *inode, uint64_t size,
		       bool *done)
{
	*done = false;
	if (!(inode->i_flags & EXT4_INLINE_DATA_FL))
		return 0;
	return rewrite(f4, ino, inode, size, 0, NULL, 0, done);
}
