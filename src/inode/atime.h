/* Owns the access-time policy of a read-write mount: the kernel's FUSE
 * does not write access times back, so fuse4fs applies ext4's mount
 * options itself, as the VFS does for ext4 (relatime_need_update):
 * relatime (the default) updates atime when it is not newer than mtime
 * or ctime, or is a day old; strictatime on every access; noatime
 * never; nodiratime never for directories; an inode with the noatime
 * flag (chattr +A) never. Caller holds the big lock. */
#ifndef F4_INODE_ATIME_H
#define F4_INODE_ATIME_H

#include <ext2fs/ext2fs.h>

#include "src/fs/fs.h"

/* ino (read as inode) was read or listed: update and write its atime
 * if the policy says so. Best effort: a read never fails for it (a
 * mount that stopped writing, or an error, leaves atime alone). */
void f4_inode_touch_atime(struct f4_fs *f4, ext2_ino_t ino,
			  struct ext2_inode_large *inode);

#endif
