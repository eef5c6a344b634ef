/* Owns POSIX ACLs as data: the VFS xattr format users and the kernel
 * exchange ("system.posix_acl_*": version 2, 8-byte entries), ext4's
 * compact on-disk format (version 1, 4-byte entries for the owner,
 * owning group, mask and other, 8-byte ones for named users and groups),
 * and the rules that relate an ACL to the mode bits. Pure functions: no
 * filesystem, no locks; every input may be hostile. Functions return 0
 * or -errno unless they say otherwise. */
#ifndef F4_XATTR_ACL_FORMAT_H
#define F4_XATTR_ACL_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "src/fs/idmap.h"
#include "src/fs/perm.h"

/* Entry tags (the same numbers in both formats). */
enum {
	F4_ACL_USER_OBJ = 0x01,
	F4_ACL_USER = 0x02,
	F4_ACL_GROUP_OBJ = 0x04,
	F4_ACL_GROUP = 0x08,
	F4_ACL_MASK = 0x10,
	F4_ACL_OTHER = 0x20,
};

#define F4_ACL_READ 4
#define F4_ACL_WRITE 2
#define F4_ACL_EXECUTE 1
#define F4_ACL_UNDEFINED_ID 0xffffffffu

#define F4_ACL_XATTR_VERSION 2	/* VFS format */
#define F4_ACL_DISK_VERSION 1	/* ext4 on disk */

struct f4_acl_entry {
	uint16_t tag;
	uint16_t perm;
	uint32_t id;		/* named entries only */
};

struct f4_acl {
	unsigned count;
	struct f4_acl_entry e[];
};

/* count entries, zeroed; NULL when out of memory. Free with free(). */
struct f4_acl *f4_acl_alloc(unsigned count);
struct f4_acl *f4_acl_clone(const struct f4_acl *acl);

/* VFS format -> ACL, as the kernel's posix_acl_from_xattr: *out is NULL
 * for an empty ACL (no bytes, or the header alone), which means "remove".
 * -EINVAL for a malformed value (size, unknown tag, id -1 in a named
 * entry), -EOPNOTSUPP for another version. Entry order, duplicates and
 * permission bits are not checked here (see f4_acl_valid). */
int f4_acl_from_xattr(const void *buf, size_t len, struct f4_acl **out);

/* ACL -> VFS format (malloc'ed); ids of unnamed entries are written as
 * F4_ACL_UNDEFINED_ID, as the kernel does. */
size_t f4_acl_xattr_size(unsigned count);
int f4_acl_to_xattr(const struct f4_acl *acl, void **buf, size_t *len);

/* ext4's on-disk format -> ACL, as ext4_acl_from_disk: *out is NULL for
 * the header alone; -EINVAL for anything malformed. */
int f4_acl_from_disk(const void *buf, size_t len, struct f4_acl **out);

/* ACL -> ext4's on-disk format (malloc'ed); -EINVAL for unknown tags. */
int f4_acl_to_disk(const struct f4_acl *acl, void **buf, size_t *len);

/* The kernel's posix_acl_valid: permission bits within rwx, entries in
 * the order owner, named users, owning group, named groups, mask, other,
 * exactly one owner, owning group and other, a mask when there are named
 * entries, no id -1. 0 or -EINVAL. (Like the kernel, named entries are
 * neither required to be sorted nor unique.) */
int f4_acl_valid(const struct f4_acl *acl);

/* posix_acl_equiv_mode: the permission bits the ACL implies replace
 * those of *mode (type and setuid/setgid/sticky bits stay). Returns 0
 * when the mode says everything the ACL does (no named entries, no
 * mask), 1 when the ACL must be kept, -EINVAL for an unknown tag. */
int f4_acl_equiv_mode(const struct f4_acl *acl, uint16_t *mode);

/* posix_acl_create_masq: a new inode gets the default ACL acl (modified
 * in place) and asks for *mode: the owner, mask (or owning group when
 * there is no mask) and other entries are ANDed with the mode and the
 * mode with them. Returns 0 when the result is equivalent to the mode
 * (store no ACL), 1 when it must be stored, -EIO when the ACL is
 * unusable (unknown tag, no owning group nor mask). */
int f4_acl_create_masq(struct f4_acl *acl, uint16_t *mode);

/* posix_acl_chmod's masq: set the owner, mask (or owning group when there
 * is no mask) and other entries from mode. -EIO as above. */
int f4_acl_chmod_masq(struct f4_acl *acl, uint16_t mode);

/* posix_acl_permission: may cred do want (R_OK|W_OK|X_OK bits, 4/2/1)
 * on an inode owned by uid:gid with this ACL? 0 or -EACCES. No
 * privilege override: the caller decides what root may do. */
int f4_acl_permission(const struct f4_acl *acl, uid_t owner, gid_t group,
		      const struct f4_cred *cred, int want);

/* Do two ACLs have the same entries (tag, perm, and id for named ones)? */
bool f4_acl_equal(const struct f4_acl *a, const struct f4_acl *b);

/* The named entries of a POSIX ACL (ACL_USER through the uid map,
 * ACL_GROUP through the gid map), in place. Showing maps unmapped ids
 * to F4_IDMAP_OVERFLOW; storing fails with -EINVAL (and leaves acl
 * partly converted) when an id has no on-disk id. A fixed map leaves
 * ACL entries alone: it changes the owner shown, nothing else. */
void f4_acl_idmap_show(const struct f4_idmap *m, struct f4_acl *acl);
int f4_acl_idmap_store(const struct f4_idmap *m, struct f4_acl *acl);

#endif
