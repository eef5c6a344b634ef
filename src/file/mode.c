/* Owns chmod and the setuid/setgid kill (see mode.h). */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "src/file/mode.h"
#include "src/inode/inode.h"
#include "src/xattr/acl.h"

mode_t f4_mode_after_kill(const struct f4_fs *f4,
			  const struct ext2_inode_large *inode, mode_t mode,
			  const struct f4_cred *cred)
{
	mode_t kept = mode & ~(mode_t)S_ISUID;
	bool outsider = cred && cred->uid != 0 &&
			!f4_cred_in_group(cred, f4_inode_gid(f4, inode));

	if ((mode & S_IXGRP) || outsider)
		kept &= ~(mode_t)S_ISGID;
	return kept;
}

int f4_mode_chmod(struct f4_fs *f4, ext2_ino_t ino,
		  struct ext2_inode_large *inode, mode_t mode)
{
	int ret;

	inode->i_mode = (uint16_t)((inode->i_mode & S_IFMT) | (mode & 07777));
	ret = f4_inode_write(f4, ino, inode);
	if (!ret)
		ret = f4_acl_chmod(f4, ino, inode->i_mode);
	if (!ret)	/* the ACL code may have rewritten it */
		ret = f4_inode_read(f4, ino, inode);
	return ret;
}

int f4_mode_kill(struct f4_fs *f4, ext2_ino_t ino,
		 struct ext2_inode_large *inode, const struct f4_cred *cred)
{
	mode_t kept = f4_mode_after_kill(f4, inode, inode->i_mode, cred);
	int ret;

	if (inode->i_flags & EXT2_IMMUTABLE_FL)
		return -EPERM;
	if (kept == inode->i_mode)
		return 0;
	ret = f4_mode_chmod(f4, ino, inode, kept);
	if (ret)
		return ret;
	f4_inode_set_times(f4, inode, F4_CTIME, f4_time_now());
	return f4_inode_write(f4, ino, inode);
}
