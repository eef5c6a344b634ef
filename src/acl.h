/* Owns POSIX ACLs as ext4 keeps them: inheritance of a directory's
 * default ACL by new inodes (or the umask when there is none), keeping an
 * access ACL in step with chmod, and the mode changes implied by setting
 * an access ACL. The on-disk encoding (ext4's compact ACL format) is
 * libext2fs's business: through its xattr API ACLs travel in the VFS
 * format ("system.posix_acl_access" / "system.posix_acl_default").
 * Caller holds the big lock on a writable mount. */
#ifndef F4_ACL_H
#define F4_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <ext2fs/ext2fs.h>

#include "fs.h"

/* What a new inode inherits, decided before it is written. */
struct f4_acl_inherit {
	void *access;		/* VFS-format ACL to store, or NULL */
	size_t access_len;
	void *deflt;		/* default ACL to store (directories), or NULL */
	size_t deflt_len;
};

/* Decide the new inode's permission bits: *mode (type and bits as the
 * caller asked) becomes the final mode. With a default ACL on dir, the
 * ACL masks the mode and is inherited; without one, the umask applies. */
int f4_acl_inherit_prepare(struct f4_fs *f4, ext2_ino_t dir, uint16_t *mode,
			   mode_t umask, struct f4_acl_inherit *inh);

/* After the new inode is on disk: store what it inherits (no-op when
 * nothing). The inode may be rewritten: callers re-read it. */
int f4_acl_inherit_store(struct f4_fs *f4, ext2_ino_t ino,
			 const struct f4_acl_inherit *inh);

void f4_acl_inherit_free(struct f4_acl_inherit *inh);

/* The mode bits changed to mode: update an existing access ACL's owner,
 * group-or-mask and other entries to match (ext4's chmod). */
int f4_acl_chmod(struct f4_fs *f4, ext2_ino_t ino, uint16_t mode);

#endif
