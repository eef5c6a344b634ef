/* Owns extended attributes as users see them (see xattr.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/fs/errors.h"
#include "src/fs/idmap.h"
#include "src/inode/inode.h"
#include "src/xattr/acl.h"
#include "src/xattr/acl_format.h"
#include "src/xattr/xattr.h"


/* A stored ACL in the VFS format: what ext4's getxattr returns (with
 * the ids seen through the mount). */
static int acl_to_vfs(const struct f4_fs *f4, void **value, size_t *len)
{
	struct f4_acl *acl;
	int ret = f4_acl_from_disk(*value, *len, &acl);

	free(*value);
	*value = NULL;
	if (ret)
		return ret;
	if (!acl)			/* an empty ACL reads as none */
		return -ENODATA;
	f4_acl_idmap_show(&f4->idmap, acl);
	ret = f4_acl_to_xattr(acl, value, len);
	free(acl);
	return ret;
}

int f4_xattr_get(struct f4_fs *f4, ext2_ino_t ino, const char *name,
		 void **value, size_t *len)
{
	enum f4_xattr_ns ns;
	int ret = f4_xattr_classify(name, &ns, NULL);

	if (ret)
		return ret;
	f4_fs_lock(f4);
	ret = f4_xattr_load_locked(f4, ino, name, value, len);
	f4_fs_unlock(f4);
	if (!ret && f4_xattr_ns_is_acl(ns))
		ret = acl_to_vfs(f4, value, len);
	return ret;
}

struct list_ctx {
	char *buf;
	size_t len, cap;
	bool show_trusted;
	int err;
};

static int list_one(char *name, char *value, size_t value_len, void *data)
{
	struct list_ctx *c = data;
	size_t n = strlen(name) + 1;
	enum f4_xattr_ns ns;

	if (f4_xattr_classify(name, &ns, NULL) ||
	    (ns == F4_XNS_TRUSTED && !c->show_trusted))
		return 0;
	if (c->len + n > c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 256;
		char *nb;

		while (ncap < c->len + n)
			ncap *= 2;
		nb = realloc(c->buf, ncap);
		if (!nb) {
			c->err = -ENOMEM;
			return XATTR_ABORT;
		}
		c->buf = nb;
		c->cap = ncap;
	}
	memcpy(c->buf + c->len, name, n);
	c->len += n;
	return 0;
}

int f4_xattr_list(struct f4_fs *f4, ext2_ino_t ino, bool show_trusted,
		  char **names, size_t *len)
{
	struct list_ctx c = { .show_trusted = show_trusted };
	struct ext2_xattr_handle *h = NULL;
	errcode_t err;
	int ret;

	f4_fs_lock(f4);
	ret = f4_xattr_open_locked(f4, ino, &h);
	if (!ret && h) {
		err = ext2fs_xattrs_iterate(h, list_one, &c);
		ret = c.err ? c.err : f4_fs_errcode(f4, ino, err, "xattr_list");
		ext2fs_xattrs_close(&h);
	}
	f4_fs_unlock(f4);
	if (ret) {
		free(c.buf);
		return ret;
	}
	*names = c.buf;
	*len = c.len;
	return 0;
}

/* What the VFS and ext4 refuse before looking at the name: changes to
 * immutable and append-only inodes, trusted.* for the unprivileged,
 * user.* where ext4 keeps no user attributes (anything but regular
 * files and directories) or on someone else's sticky directory. The
 * kernel checks write permission itself (with ACLs), before us. */
static int may_write(const struct f4_fs *f4, const struct f4_cred *cred,
		     const struct ext2_inode_large *inode, const char *name)
{
	uint16_t mode = inode->i_mode;

	if (inode->i_flags & (EXT2_IMMUTABLE_FL | EXT2_APPEND_FL))
		return -EPERM;
	if (!strncmp(name, "trusted.", 8) && cred->uid != 0)
		return -EPERM;
	if (!strncmp(name, "user.", 5)) {
		if (!LINUX_S_ISREG(mode) && !LINUX_S_ISDIR(mode))
			return -EPERM;
		if (LINUX_S_ISDIR(mode) && (mode & S_ISVTX) && cred->uid != 0 &&
		    cred->uid != f4_inode_uid(f4, inode))
			return -EPERM;
	}
	return 0;
}

/* The arguments the VFS checks before anything else. */
static int check_args(const char *name, size_t size, int flags)
{
	size_t n = strlen(name);

	if (flags & ~(F4_XATTR_CREATE | F4_XATTR_REPLACE))
		return -EINVAL;
	if (n == 0 || n > F4_XATTR_NAME_MAX)
		return -ERANGE;
	return size > F4_XATTR_SIZE_MAX ? -E2BIG : 0;
}

/* Set (remove false) or remove name, all checks done but the ACL's. */
static int change(struct f4_fs *f4, const struct f4_cred *cred, ext2_ino_t ino,
		  const char *name, const void *value, size_t size, int flags,
		  bool remove, struct f4_acl *acl)
{
	struct ext2_inode_large inode;
	enum f4_xattr_ns ns;
	int name_ret = f4_xattr_classify(name, &ns, NULL);
	bool changed = false;
	int ret = f4_inode_read(f4, ino, &inode);

	if (!ret)
		ret = may_write(f4, cred, &inode, name);
	if (!ret)
		ret = name_ret;
	if (ret)
		return ret;
	if (f4_xattr_ns_is_acl(ns))
		return f4_acl_set_locked(f4, cred, ino, &inode,
					 ns == F4_XNS_ACL_DEFAULT, acl);
	ret = f4_xattr_store_locked(f4, cred, ino, name, value, size, flags,
				    remove, &changed);
	if (!ret && changed)
		ret = f4_xattr_touch_locked(f4, ino);
	return ret;
}

int f4_xattr_set(struct f4_fs *f4, const struct f4_cred *cred, ext2_ino_t ino,
		 const char *name, const void *value, size_t size, int flags)
{
	struct f4_acl *acl = NULL;
	enum f4_xattr_ns ns;
	int ret = check_args(name, size, flags);

	if (!ret)
		ret = f4_fs_writable(f4);
	/* An ACL is decoded first, as the VFS does (a header alone, or no
	 * bytes at all, means removing it). */
	if (!ret && !f4_xattr_classify(name, &ns, NULL) && f4_xattr_ns_is_acl(ns))
		ret = f4_acl_from_xattr(value, size, &acl);
	if (!ret && acl)	/* its ids as the image stores them */
		ret = f4_acl_idmap_store(&f4->idmap, acl);
	if (ret) {
		free(acl);
		return ret;
	}
	f4_fs_lock(f4);
	ret = change(f4, cred, ino, name, value, size, flags, false, acl);
	f4_fs_unlock(f4);
	free(acl);
	return ret;
}

int f4_xattr_remove(struct f4_fs *f4, const struct f4_cred *cred,
		    ext2_ino_t ino, const char *name)
{
	int ret = check_args(name, 0, 0);

	if (!ret)
		ret = f4_fs_writable(f4);
	if (ret)
		return ret;
	f4_fs_lock(f4);
	ret = change(f4, cred, ino, name, NULL, 0, 0, true, NULL);
	f4_fs_unlock(f4);
	return ret;
}
