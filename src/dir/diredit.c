/* Owns directory content changes (see diredit.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "iomap/mapping.h"
#include "src/dir/dir.h"
#include "src/dir/diredit.h"
#include "src/file/inline_data.h"
#include "src/fs/errors.h"
#include "src/fs/fmap.h"
#include "src/inode/inode.h"
#include "src/dir/namei.h"

int f4_mode_to_ftype(uint16_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG: return EXT2_FT_REG_FILE;
	case S_IFDIR: return EXT2_FT_DIR;
	case S_IFCHR: return EXT2_FT_CHRDEV;
	case S_IFBLK: return EXT2_FT_BLKDEV;
	case S_IFIFO: return EXT2_FT_FIFO;
	case S_IFSOCK: return EXT2_FT_SOCK;
	case S_IFLNK: return EXT2_FT_SYMLINK;
	default: return EXT2_FT_UNKNOWN;
	}
}

/* Make room for one more entry: what ext4 does when a directory is full. */
static int grow(struct f4_fs *f4, ext2_ino_t dir)
{
	struct ext2_inode_large inode;
	errcode_t err;
	int ret = f4_inode_read(f4, dir, &inode);

	if (ret)
		return ret;
	if (inode.i_flags & EXT4_INLINE_DATA_FL)
		return f4_inline_expand(f4, dir, &inode);
	if (inode.i_flags & EXT2_INDEX_FL)
		return -ENOSPC;		/* the index itself is full */
	if (ext2fs_has_feature_dir_index(f4->fs->super) &&
	    EXT2_I_SIZE(&inode) == f4->blocksize)
		return f4_dx_make_index(f4, dir);
	err = ext2fs_expand_dir(f4->fs, dir);
	if (err == EXT2_ET_BLOCK_ALLOC_FAIL || err == EXT2_ET_DIR_NO_SPACE)
		return -ENOSPC;
	return f4_fs_errcode(f4, dir, err, "dir_expand");
}

/* libext2fs writes directory blocks wherever the directory's map says:
 * a hostile map onto the inode tables or bitmaps would have it write
 * entries over them. Check the map before any change (ext4 checks each
 * directory block against its system zone). */
static int check_dir_map(struct f4_fs *f4, ext2_ino_t dir)
{
	struct ext2_inode_large inode;
	int ret = f4_inode_read(f4, dir, &inode);

	return ret ? ret : f4_fs_map_check(f4, dir, &inode, 0, "dir_edit");
}

int f4_dir_add(struct f4_fs *f4, ext2_ino_t dir, const char *name,
	       ext2_ino_t ino, uint16_t mode)
{
	int attempt, ret = check_dir_map(f4, dir);

	if (ret)
		return ret;

	/* At most: inline -> blocks, one block -> index, then a split. */
	for (attempt = 0; attempt < 4; attempt++) {
		errcode_t err = ext2fs_link(f4->fs, dir, name, ino,
					    f4_mode_to_ftype(mode));

		if (!err)
			return 0;
		if (err != EXT2_ET_DIR_NO_SPACE)
			return err == EXT2_ET_BLOCK_ALLOC_FAIL ? -ENOSPC :
				     f4_fs_errcode(f4, dir, err, "dir_add");
		ret = grow(f4, dir);
		if (ret)
			return ret;
	}
	return -ENOSPC;
}

/* Drop the entry for name from its block: merged into the entry before
 * it, or (first in the block) marked unused. */
static int remove_in_block(struct f4_fs *f4, ext2_ino_t dir, char *buf,
			   const char *name, size_t len)
{
	struct ext2_dir_entry *prev = NULL;
	unsigned off = 0, rec, prev_rec = 0;

	while (off + 8 <= f4->blocksize) {
		struct ext2_dir_entry *de = (struct ext2_dir_entry *)(buf + off);

		if (ext2fs_get_rec_len(f4->fs, de, &rec) || rec < 8 ||
		    rec > f4->blocksize - off)
			break;
		if (de->inode && (size_t)ext2fs_dirent_name_len(de) == len &&
		    !memcmp(de->name, name, len)) {
			if (prev)
				return f4_errcode_to_errno(ext2fs_set_rec_len(f4->fs,
							   prev_rec + rec, prev));
			de->inode = 0;
			return 0;
		}
		prev = de;
		prev_rec = rec;
		off += rec;
	}
	return -ENOENT;
}

int f4_dir_remove(struct f4_fs *f4, ext2_ino_t dir, const char *name)
{
	struct ext2_inode_large inode;
	ext2_ino_t ino;
	uint64_t lblk;
	blk64_t pblk = 0;
	errcode_t err;
	char *buf;
	int ret = f4_inode_read(f4, dir, &inode);

	if (ret)
		return ret;
	if (inode.i_flags & EXT4_INLINE_DATA_FL) {
		err = ext2fs_unlink(f4->fs, dir, name, 0, 0);
		return err == EXT2_ET_DIR_NO_SPACE ? -ENOENT :
		       f4_fs_errcode(f4, dir, err, "dir_remove");
	}
	ret = check_dir_map(f4, dir);
	if (ret)
		return ret;
	/* Find the block through the htree (or a scan), then edit only it. */
	ret = f4_namei_at(f4, dir, &inode, name, strlen(name), &ino, &lblk);
	if (ret)
		return ret;
	buf = malloc(f4->blocksize);
	if (!buf)
		return -ENOMEM;
	err = ext2fs_bmap2(f4->fs, dir, (struct ext2_inode *)&inode, NULL, 0,
			   lblk, NULL, &pblk);
	ret = err ? f4_fs_errcode(f4, dir, err, "dir_remove") :
	      f4_dir_read_block(f4, dir, &inode, lblk, buf);
	if (!ret)
		ret = remove_in_block(f4, dir, buf, name, strlen(name));
	if (!ret && pblk)
		ret = f4_fs_errcode(f4, dir, ext2fs_write_dir_block4(f4->fs, pblk,
				    buf, 0, dir), "dir_remove");
	free(buf);
	return ret;
}

struct retarget {
	const char *name;
	size_t len;
	ext2_ino_t ino;
	int ftype;
	bool has_ftype;
	bool done;
};

static int retarget_fn(ext2_ino_t dir, int entry, struct ext2_dir_entry *de,
		       int offset, int blocksize, char *buf, void *priv)
{
	struct retarget *r = priv;

	if (!de->inode || (size_t)ext2fs_dirent_name_len(de) != r->len ||
	    memcmp(de->name, r->name, r->len))
		return 0;
	de->inode = r->ino;
	if (r->has_ftype)
		ext2fs_dirent_set_file_type(de, r->ftype);
	r->done = true;
	return DIRENT_CHANGED | DIRENT_ABORT;
}

static int retarget_entry(struct f4_fs *f4, ext2_ino_t dir, const char *name,
			  ext2_ino_t ino, int ftype)
{
	struct retarget r = {
		.name = name, .len = strlen(name), .ino = ino, .ftype = ftype,
		.has_ftype = ext2fs_has_feature_filetype(f4->fs->super),
	};
	struct ext2_inode_large inode;
	errcode_t err;
	int ret = check_dir_map(f4, dir);

	if (!ret)
		ret = f4_inode_read(f4, dir, &inode);
	if (ret)
		return ret;
	/* libext2fs wants this flag for inline directories, and only then. */
	err = ext2fs_dir_iterate2(f4->fs, dir,
				  (inode.i_flags & EXT4_INLINE_DATA_FL) ?
					  DIRENT_FLAG_INCLUDE_INLINE_DATA : 0,
				  NULL, retarget_fn, &r);
	if (err)
		return f4_fs_errcode(f4, dir, err, "dir_retarget");
	return r.done ? 0 : -ENOENT;
}

int f4_dir_retarget(struct f4_fs *f4, ext2_ino_t dir, const char *name,
		    ext2_ino_t ino, uint16_t mode)
{
	return retarget_entry(f4, dir, name, ino, f4_mode_to_ftype(mode));
}

int f4_dir_set_parent(struct f4_fs *f4, ext2_ino_t dir, ext2_ino_t parent)
{
	return retarget_entry(f4, dir, "..", parent, EXT2_FT_DIR);
}

static int any_entry(const struct f4_dirent *de, void *priv)
{
	if (de->name[0] == '.' &&
	    (de->name_len == 1 || (de->name_len == 2 && de->name[1] == '.')))
		return 0;
	return 1;
}

int f4_dir_is_empty(struct f4_fs *f4, ext2_ino_t dir,
		    const struct ext2_inode_large *inode)
{
	int ret = f4_dir_walk(f4, dir, inode, any_entry, NULL);

	return ret < 0 ? ret : !ret;
}
