/* Owns the inode-attribute ioctls as ext4 implements them:
 * FS_IOC_GETFLAGS/SETFLAGS (the chattr flags) and
 * FS_IOC_FSGETXATTR/FSSETXATTR (xflags and the project id).
 *
 * Get shows ext4's user-visible flags; set changes only the user-modifiable
 * ones and keeps the rest. Immutable and append-only changes need
 * privilege, an immutable inode accepts no other change, flags that need
 * a feature or a format we do not have are refused with ext4's errors,
 * and toggling the extents flag converts the file's mapping as ext4's
 * migration does. The checks the VFS makes before calling ext4 (owner,
 * CAP_LINUX_IMMUTABLE, fsxattr validation) are repeated here: privilege
 * is uid 0. */
#ifndef F4_INODE_IFLAGS_H
#define F4_INODE_IFLAGS_H

#include <stdint.h>

#include "src/fs/fs.h"
#include "src/fs/perm.h"

/* ext4's masks (fs/ext4/ext4.h): what GETFLAGS shows, what SETFLAGS may
 * change. */
#define F4_FL_USER_VISIBLE 0x725BDFFFu
#define F4_FL_USER_MODIFIABLE 0x624BC0FFu

/* struct fsxattr's xflags (the values are fixed by the ABI). */
#define F4_XFLAG_REALTIME 0x00000001u
#define F4_XFLAG_PREALLOC 0x00000002u
#define F4_XFLAG_IMMUTABLE 0x00000008u
#define F4_XFLAG_APPEND 0x00000010u
#define F4_XFLAG_SYNC 0x00000020u
#define F4_XFLAG_NOATIME 0x00000040u
#define F4_XFLAG_NODUMP 0x00000080u
#define F4_XFLAG_RTINHERIT 0x00000100u
#define F4_XFLAG_PROJINHERIT 0x00000200u
#define F4_XFLAG_NOSYMLINKS 0x00000400u
#define F4_XFLAG_EXTSIZE 0x00000800u
#define F4_XFLAG_EXTSZINHERIT 0x00001000u
#define F4_XFLAG_NODEFRAG 0x00002000u
#define F4_XFLAG_FILESTREAM 0x00004000u
#define F4_XFLAG_DAX 0x00008000u
#define F4_XFLAG_COWEXTSIZE 0x00010000u
#define F4_XFLAG_HASATTR 0x80000000u

/* The fields of struct fsxattr that carry meaning. */
struct f4_fsxattr {
	uint32_t xflags;
	uint32_t extsize;
	uint32_t nextents;
	uint32_t projid;
	uint32_t cowextsize;
};

/* FS_IOC_GETFLAGS. */
int f4_iflags_get(struct f4_fs *f4, ext2_ino_t ino, uint32_t *flags);

/* FS_IOC_SETFLAGS on behalf of cred. */
int f4_iflags_set(struct f4_fs *f4, const struct f4_cred *cred,
		  ext2_ino_t ino, uint32_t flags);

/* FS_IOC_FSGETXATTR. */
int f4_iflags_fsget(struct f4_fs *f4, ext2_ino_t ino, struct f4_fsxattr *fa);

/* FS_IOC_FSSETXATTR on behalf of cred. */
int f4_iflags_fsset(struct f4_fs *f4, const struct f4_cred *cred,
		    ext2_ino_t ino, const struct f4_fsxattr *fa);

#endif
