/* Owns extended attributes as users see them, with ext4's rules: the
 * namespaces ext4 has handlers for (user., trusted., security., gnu. and
 * the two POSIX ACL names, which travel in the VFS format), never the
 * ext4-internal ones (system.data holds inline data; other system.* and
 * unknown prefixes are -EOPNOTSUPP, as with ext4). The calls take the
 * big lock themselves; storage (with the lock held) is xattr_store.h.
 * POSIX ACLs are converted to and from ext4's on-disk format here (see
 * acl_format.h), not by libext2fs. */
#ifndef F4_XATTR_XATTR_H
#define F4_XATTR_XATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <ext2fs/ext2fs.h>

#include "src/fs/fs.h"
#include "src/fs/perm.h"
#include "src/xattr/xattr_store.h"

/* *value is malloc'ed (the caller frees it); -ENODATA if absent. */
int f4_xattr_get(struct f4_fs *f4, ext2_ino_t ino, const char *name,
		 void **value, size_t *len);

/* NUL-separated names, malloc'ed. Only names ext4 would list; trusted.*
 * is left out unless show_trusted (the caller is privileged). */
int f4_xattr_list(struct f4_fs *f4, ext2_ino_t ino, bool show_trusted,
		  char **names, size_t *len);

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

#endif
