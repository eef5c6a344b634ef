/* Owns changes to a file's permission bits that more than one verb
 * makes: a chmod keeping the access ACL in step (setattr), and the
 * clearing of setuid/setgid that a change by someone without CAP_FSETID
 * brings (setattr's F4_SA_KILL_SUIDGID, and a write that asks for it).
 * All under the big lock. */
#ifndef F4_FILE_MODE_H
#define F4_FILE_MODE_H

#include <sys/types.h>

#include "src/fs/fs.h"
#include "src/fs/perm.h"

/* mode once setuid/setgid are killed, as the kernel's VFS does it:
 * setuid always goes; setgid when group-executable or when cred is
 * outside the file's group (root counts as inside: it has CAP_FSETID,
 * else the kernel had not asked; a NULL cred counts as inside too). */
mode_t f4_mode_after_kill(const struct f4_fs *f4,
			  const struct ext2_inode_large *inode, mode_t mode,
			  const struct f4_cred *cred);

/* The permission bits of ino become those of mode, on disk and in
 * *inode, and an access ACL follows them; *inode is read back (the ACL
 * code may rewrite the inode). Times are the caller's. */
int f4_mode_chmod(struct f4_fs *f4, ext2_ino_t ino,
		  struct ext2_inode_large *inode, mode_t mode);

/* The kill alone, as a setattr asking only for it does it: -EPERM on an
 * immutable inode; no bit to clear changes nothing (not even ctime),
 * else the mode and ctime change. The caller checked that the mount is
 * writable and read *inode under the lock it holds now. */
int f4_mode_kill(struct f4_fs *f4, ext2_ino_t ino,
		 struct ext2_inode_large *inode, const struct f4_cred *cred);

#endif
