/* Owns extended attributes as users see them, with ext4's rules: the
 * namespaces ext4 has handlers for (user., trusted., security., gnu. and
 * the two POSIX ACL names, which travel in the VFS format), never the
 * ext4-internal ones (system.data holds inline data; other system.* and
 * unknown prefixes are -EOPNOTSUPP, as with ext4). The public calls take
 * the big lock themselves; the *_locked ones are for the core (acl.c)
 * and expect it held. Values are stored through libext2fs in raw form:
 * POSIX ACLs are converted to and from ext4's on-disk format here (see
 * acl_format.h), not by libext2fs. */
#ifndef F4_XATTR_H
#define F4_XATTR_H

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

/* *value is malloc'ed (the caller frees it); -ENODATA if absent. */
int f4_xattr_get(struct f4_fs *f4, ext2_ino_t ino, const char *name,
		 void **value, size_t *len);

/* NUL-separated names, malloc'ed. Only names ext4 would list; trusted.*
 * is left out unless show_trusted (the caller is privileged). */
int f4_xattr_list(struct f4_fs *f4, ext2_ino_t ino, bool show_trusted,
		  char **names, size_t *len);

/* Is this name one we never expose or accept? */
bool f4_xattr_is_internal(const char *name);

/* setxattr as ext4 does it: flags F4_XATTR_CREATE (-EEXIST when the name
 * exists) and F4_XATTR_REPLACE (-ENODATA when it does not); -E2BIG above
 * F4_XATTR_SIZE_MAX, -ENOSPC when the value does not fit (values go into
 * the inode, its xattr block or, with ea_inode, an inode of their own);
 * -EPERM on immutable or append-only inodes, for trusted.* unless cred is
 * root, for user.* on anything but regular files and directories (and
 * on another user's sticky directory). POSIX ACL names follow ext4's
 * set_acl (see acl.h: validation, mode update, equivalent ACLs not
 * stored; the flags do not apply to them). ctime and i_version change
 * when anything changed; setting the value a name already has changes
 * nothing, as with ext4 (unless the value lives in an EA inode). */
int f4_xattr_set(struct f4_fs *f4, const struct f4_cred *cred, ext2_ino_t ino,
		 const char *name, const void *value, size_t size, int flags);

/* removexattr: -ENODATA when absent (POSIX ACLs: success, as ext4). */
int f4_xattr_remove(struct f4_fs *f4, const struct f4_cred *cred,
		    ext2_ino_t ino, const char *name);

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
