/* Owns storing extended attributes for the core, big lock held: names
 * classified by ext4's namespaces, raw values (ACLs in ext4's on-disk
 * format) loaded and stored through libext2fs, released with their
 * inode. The users' view is xattr.h; ACL policy is acl.h. */
#ifndef F4_XATTR_XATTR_STORE_H
#define F4_XATTR_XATTR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <ext2fs/ext2fs.h>

#include "src/fs/fs.h"
#include "src/fs/perm.h"

/* setxattr flags: Linux's XATTR_CREATE and XATTR_REPLACE values (the
 * FUSE glue translates the platform's). */
#define F4_XATTR_CREATE 0x1
#define F4_XATTR_REPLACE 0x2

#define F4_XATTR_NAME_MAX 255		/* whole name, prefix included */
#define F4_XATTR_SIZE_MAX 65536		/* the VFS limit on a value */

#define F4_XATTR_ACL_ACCESS "system.posix_acl_access"
#define F4_XATTR_ACL_DEFAULT "system.posix_acl_default"

enum f4_xattr_ns {
	F4_XNS_USER,
	F4_XNS_TRUSTED,
	F4_XNS_SECURITY,
	F4_XNS_GNU,
	F4_XNS_ACL_ACCESS,
	F4_XNS_ACL_DEFAULT,
};

/* Which namespace a full name belongs to, and ext4's on-disk name index.
 * -EOPNOTSUPP for names ext4 has no handler for (a bare name, system.*
 * other than the ACLs, lustre., ...), -EINVAL for a prefix with nothing
 * after it ("user."). */
int f4_xattr_classify(const char *name, enum f4_xattr_ns *ns, int *index);

static inline bool f4_xattr_ns_is_acl(enum f4_xattr_ns ns)
{
	return ns == F4_XNS_ACL_ACCESS || ns == F4_XNS_ACL_DEFAULT;
}

/* Is this name one we never expose or accept? */
bool f4_xattr_is_internal(const char *name);

/* All of ino's attributes, raw, for iterating (*h NULL when the
 * filesystem has none yet; ino is checked either way). */
int f4_xattr_open_locked(struct f4_fs *f4, ext2_ino_t ino,
			 struct ext2_xattr_handle **h);

/* For the core, big lock held. The stored (raw) value of name. */
int f4_xattr_load_locked(struct f4_fs *f4, ext2_ino_t ino, const char *name,
			 void **value, size_t *len);

/* Store a raw value (flags as for f4_xattr_set) or, with remove, delete
 * the name (-ENODATA when absent). *changed says whether the stored
 * attributes changed (not when an identical in-place value was set
 * again). Neither ctime nor the inode's other fields are touched, but
 * libext2fs rewrites the inode: re-read any in-core copy. cred decides
 * who may use the reserved blocks (NULL: privileged). */
int f4_xattr_store_locked(struct f4_fs *f4, const struct f4_cred *cred,
			  ext2_ino_t ino, const char *name, const void *value,
			  size_t len, int flags, bool remove, bool *changed);

/* Set ctime to now and write the inode back (bumping i_version). */
int f4_xattr_touch_locked(struct f4_fs *f4, ext2_ino_t ino);

/* ino is being freed: drop what its attributes hold, as ext4 does: a
 * reference to every EA inode its values live in (freeing those with
 * their last reference; values in an xattr block still shared with other
 * inodes stay theirs) and its reference to the xattr block (freed with
 * the last). The inode's own copy is rewritten: re-read it. */
int f4_xattr_release_locked(struct f4_fs *f4, ext2_ino_t ino);

#endif
