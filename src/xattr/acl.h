/* Owns POSIX ACLs as ext4 keeps them: inheritance of a directory's
 * default ACL by new inodes (or the umask when there is none), keeping an
 * access ACL in step with chmod, and setting ACLs with the mode changes
 * that implies (ext4's set_acl). ACLs are stored in ext4's compact
 * on-disk format; the formats and the mode rules themselves are in
 * acl_format.h. Caller holds the big lock on a writable mount. */
#ifndef F4_XATTR_ACL_H
#define F4_XATTR_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <ext2fs/ext2fs.h>

#include "src/fs/fs.h"
#include "src/fs/perm.h"

struct f4_acl;

/* What a new inode inherits, decided before it is written. */
struct f4_acl_inherit {
	void *access;		/* ACL to store (ext4 disk format), or NULL */
	size_t access_len;
	void *deflt;		/* default ACL to store (directories), or NULL */
	size_t deflt_len;
};

/* Decide the new inode's permission bits: *mode (type and bits as the
 * caller asked) becomes the final mode. With a default ACL on dir, the
 * ACL masks the mode and is inherited (no umask); without one, the umask
 * applies. Symbolic links get neither. */
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

/* Set (acl non-NULL) or remove an ACL as ext4's set_acl, inode being
 * ino's current in-core copy (re-read afterwards: it may be rewritten).
 * -EOPNOTSUPP on symbolic links; a default ACL on a non-directory is
 * -EACCES (removing one succeeds); -EPERM unless cred owns the inode or
 * is root; -EINVAL for an invalid ACL. An access ACL sets the mode's
 * permission bits (and loses the setgid bit when cred is neither in the
 * owning group nor root); when the mode says it all, no ACL is stored
 * and any old one goes. Removing an absent ACL succeeds. ctime changes
 * when the ACL or the mode did. */
int f4_acl_set_locked(struct f4_fs *f4, const struct f4_cred *cred,
		      ext2_ino_t ino, struct ext2_inode_large *inode,
		      bool deflt, struct f4_acl *acl);

#endif
