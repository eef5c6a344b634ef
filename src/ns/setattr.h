/* Owns setattr: chmod (keeping an access ACL in step), chown, truncate,
 * utimensat (explicit times or now) and ctime, with ext4's rules for
 * immutable and append-only inodes. The kernel has already checked
 * permissions and folded setuid/setgid clearing into the mode, or asks
 * for it with F4_SA_KILL_SUIDGID. */
#ifndef F4_NS_SETATTR_H
#define F4_NS_SETATTR_H

#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "src/inode/inode.h"
#include "src/fs/perm.h"

enum {
	F4_SA_MODE = 1 << 0,
	F4_SA_UID = 1 << 1,
	F4_SA_GID = 1 << 2,
	F4_SA_SIZE = 1 << 3,
	F4_SA_ATIME = 1 << 4,
	F4_SA_MTIME = 1 << 5,
	F4_SA_ATIME_NOW = 1 << 6,
	F4_SA_MTIME_NOW = 1 << 7,
	F4_SA_CTIME = 1 << 8,
	/* Clear setuid, and setgid when group-executable, as a write or
	 * truncate by someone without CAP_FSETID does (the kernel asks,
	 * once FUSE_HANDLE_KILLPRIV_V2 is negotiated). */
	F4_SA_KILL_SUIDGID = 1 << 9,
};

struct f4_setattr {
	unsigned valid;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	uint64_t size;
	struct timespec atime, mtime, ctime;
	const struct f4_cred *cred;	/* who asked: F4_SA_KILL_SUIDGID */
};

int f4_node_setattr(struct f4_fs *f4, ext2_ino_t ino,
		    const struct f4_setattr *sa, struct f4_attr *out);

#endif
