/* Owns inode reads and inode -> stat conversion. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "inode.h"

#define F4_NSEC_MAX 999999999L

bool f4_inode_nameable(const struct f4_fs *f4, ext2_ino_t ino)
{
	const struct ext2_super_block *sb = f4->fs->super;

	if (ino == EXT2_ROOT_INO)
		return true;
	return ino >= EXT2_FIRST_INO(sb) && ino <= sb->s_inodes_count;
}

int f4_inode_read(struct f4_fs *f4, ext2_ino_t ino,
		  struct ext2_inode_large *inode)
{
	errcode_t err;

	if (!f4_inode_nameable(f4, ino))
		return -ESTALE;
	memset(inode, 0, sizeof(*inode));
	err = ext2fs_read_inode_full(f4->fs, ino, (struct ext2_inode *)inode,
				     sizeof(*inode));
	if (err)
		return f4_fs_errcode(f4, ino, err, "read_inode");
	return 0;
}

bool f4_inode_has_extra(const struct f4_fs *f4,
			const struct ext2_inode_large *inode, size_t end)
{
	unsigned isize = EXT2_INODE_SIZE(f4->fs->super);
	unsigned extra = inode->i_extra_isize;

	if (isize <= EXT2_GOOD_OLD_INODE_SIZE ||
	    extra > isize - EXT2_GOOD_OLD_INODE_SIZE)
		return false;
	return EXT2_GOOD_OLD_INODE_SIZE + extra >= end;
}

struct timespec f4_time_decode(uint32_t base, uint32_t extra, bool has_extra)
{
	struct timespec ts = { .tv_sec = (int32_t)base, .tv_nsec = 0 };

	if (has_extra) {
		ts.tv_sec += (int64_t)(extra & EXT4_EPOCH_MASK) << 32;
		ts.tv_nsec = (long)(extra >> EXT4_EPOCH_BITS);
		if (ts.tv_nsec > F4_NSEC_MAX)
			ts.tv_nsec = F4_NSEC_MAX;
	}
	return ts;
}

#define F4_EXTRA_END(field)                                              \
	(offsetof(struct ext2_inode_large, field) +                      \
	 sizeof(((struct ext2_inode_large *)0)->field))

static dev_t decode_rdev(const struct ext2_inode_large *inode)
{
	uint32_t old = ext2fs_le32_to_cpu(inode->i_block[0]);
	uint32_t new = ext2fs_le32_to_cpu(inode->i_block[1]);

	if (old)
		return makedev((old >> 8) & 0xff, old & 0xff);
	return makedev((new & 0xfff00) >> 8, (new & 0xff) | ((new >> 12) & 0xfff00));
}

void f4_inode_to_attr(const struct f4_fs *f4, ext2_ino_t ino,
		      const struct ext2_inode_large *inode, struct f4_attr *a)
{
	struct stat *st = &a->st;

	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->generation = inode->i_generation;
	st->st_ino = ino;
	st->st_mode = inode->i_mode;
	st->st_nlink = inode->i_links_count;
	st->st_uid = inode_uid(*inode);
	st->st_gid = inode_gid(*inode);
	st->st_size = (off_t)EXT2_I_SIZE(inode);
	st->st_blksize = (blksize_t)f4->blocksize;
	st->st_blocks = (blkcnt_t)ext2fs_get_stat_i_blocks(f4->fs,
				(struct ext2_inode *)inode);
	if (S_ISCHR(inode->i_mode) || S_ISBLK(inode->i_mode))
		st->st_rdev = decode_rdev(inode);
	st->st_atim = f4_time_decode(inode->i_atime, inode->i_atime_extra,
			f4_inode_has_extra(f4, inode, F4_EXTRA_END(i_atime_extra)));
	st->st_mtim = f4_time_decode(inode->i_mtime, inode->i_mtime_extra,
			f4_inode_has_extra(f4, inode, F4_EXTRA_END(i_mtime_extra)));
	st->st_ctim = f4_time_decode(inode->i_ctime, inode->i_ctime_extra,
			f4_inode_has_extra(f4, inode, F4_EXTRA_END(i_ctime_extra)));
}

int f4_inode_get_attr(struct f4_fs *f4, ext2_ino_t ino, struct f4_attr *a)
{
	struct ext2_inode_large inode;
	int ret = f4_inode_read(f4, ino, &inode);

	if (!ret)
		f4_inode_to_attr(f4, ino, &inode, a);
	return ret;
}
