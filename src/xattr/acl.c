/* Owns POSIX ACL inheritance, chmod and set_acl (see acl.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/xattr/acl.h"
#include "src/xattr/acl_format.h"
#include "src/inode/inode.h"
#include "src/xattr/xattr_store.h"

/* ino's stored ACL of the given name; *acl is NULL when there is none. */
static int load(struct f4_fs *f4, ext2_ino_t ino, const char *name,
		struct f4_acl **acl)
{
	void *disk = NULL;
	size_t len = 0;
	int ret = f4_xattr_load_locked(f4, ino, name, &disk, &len);

	*acl = NULL;
	if (ret == -ENODATA)
		return 0;
	if (ret)
		return ret;
	ret = f4_acl_from_disk(disk, len, acl);
	free(disk);
	return ret;
}

/* Store acl (NULL: remove) in ext4's format. *changed as for
 * f4_xattr_store_locked; removing an absent ACL is no error. */
static int save(struct f4_fs *f4, const struct f4_cred *cred, ext2_ino_t ino,
		const char *name, const struct f4_acl *acl, bool *changed)
{
	void *disk = NULL;
	size_t len = 0;
	int ret = acl ? f4_acl_to_disk(acl, &disk, &len) : 0;

	*changed = false;
	if (ret)
		return ret;
	ret = f4_xattr_store_locked(f4, cred, ino, name, disk, len, 0, !acl,
				    changed);
	free(disk);
	return ret == -ENODATA && !acl ? 0 : ret;
}

int f4_acl_inherit_prepare(struct f4_fs *f4, ext2_ino_t dir, uint16_t *mode,
			   mode_t umask, struct f4_acl_inherit *inh)
{
	struct f4_acl *deflt = NULL, *access = NULL;
	int ret;

	memset(inh, 0, sizeof(*inh));
	if (LINUX_S_ISLNK(*mode))
		return 0;
	ret = load(f4, dir, F4_XATTR_ACL_DEFAULT, &deflt);
	if (ret)
		return ret;
	if (!deflt) {
		*mode &= (uint16_t)~(umask & 0777);
		return 0;
	}
	/* A stored default ACL we could not apply sensibly is refused, as
	 * ext4 refuses one without an owning group or mask. */
	ret = f4_acl_valid(deflt) ? -EIO : 0;
	if (!ret) {
		access = f4_acl_clone(deflt);
		ret = access ? f4_acl_create_masq(access, mode) : -ENOMEM;
	}
	if (ret == 1)
		ret = f4_acl_to_disk(access, &inh->access, &inh->access_len);
	if (!ret && LINUX_S_ISDIR(*mode))
		ret = f4_acl_to_disk(deflt, &inh->deflt, &inh->deflt_len);
	free(access);
	free(deflt);
	if (ret)
		f4_acl_inherit_free(inh);
	return ret;
}

int f4_acl_inherit_store(struct f4_fs *f4, ext2_ino_t ino,
			 const struct f4_acl_inherit *inh)
{
	bool changed;
	int ret = 0;

	/* ext4 writes the default ACL first, then the access ACL. */
	if (inh->deflt)
		ret = f4_xattr_store_locked(f4, NULL, ino, F4_XATTR_ACL_DEFAULT,
					    inh->deflt, inh->deflt_len,
					    F4_XATTR_CREATE, false, &changed);
	if (!ret && inh->access)
		ret = f4_xattr_store_locked(f4, NULL, ino, F4_XATTR_ACL_ACCESS,
					    inh->access, inh->access_len,
					    F4_XATTR_CREATE, false, &changed);
	return ret;
}

void f4_acl_inherit_free(struct f4_acl_inherit *inh)
{
	free(inh->access);
	free(inh->deflt);
	memset(inh, 0, sizeof(*inh));
}

int f4_acl_chmod(struct f4_fs *f4, ext2_ino_t ino, uint16_t mode)
{
	struct f4_acl *acl = NULL;
	bool changed;
	int ret;

	if (LINUX_S_ISLNK(mode))
		return 0;
	ret = load(f4, ino, F4_XATTR_ACL_ACCESS, &acl);
	if (ret || !acl)
		return ret;
	ret = f4_acl_chmod_masq(acl, mode);
	if (!ret)
		ret = save(f4, NULL, ino, F4_XATTR_ACL_ACCESS, acl, &changed);
	free(acl);
	return ret;
}

/* The checks of the VFS's set_posix_acl, in its order. */
static int may_set(const struct f4_fs *f4, const struct f4_cred *cred,
		   const struct ext2_inode_large *inode, bool deflt,
		   const struct f4_acl *acl)
{
	if (LINUX_S_ISLNK(inode->i_mode))
		return -EOPNOTSUPP;
	if (deflt && !LINUX_S_ISDIR(inode->i_mode))
		return acl ? -EACCES : 1;	/* 1: nothing to do */
	if (cred->uid != 0 && cred->uid != f4_inode_uid(f4, inode))
		return -EPERM;
	return acl ? f4_acl_valid(acl) : 0;
}

int f4_acl_set_locked(struct f4_fs *f4, const struct f4_cred *cred,
		      ext2_ino_t ino, struct ext2_inode_large *inode,
		      bool deflt, struct f4_acl *acl)
{
	uint16_t mode = inode->i_mode;
	bool changed = false;
	int ret = may_set(f4, cred, inode, deflt, acl);

	if (ret)
		return ret < 0 ? ret : 0;
	if (acl && !deflt) {
		/* posix_acl_update_mode: the mode takes the ACL's bits; an
		 * ACL the mode says all of is not kept. */
		ret = f4_acl_equiv_mode(acl, &mode);
		if (ret < 0)
			return ret;
		if (ret == 0)
			acl = NULL;
		if (cred->uid != 0 && !f4_cred_in_group(cred, f4_inode_gid(f4, inode)))
			mode &= (uint16_t)~S_ISGID;
	}
	ret = save(f4, cred, ino, deflt ? F4_XATTR_ACL_DEFAULT :
		   F4_XATTR_ACL_ACCESS, acl, &changed);
	if (ret || (!changed && mode == inode->i_mode))
		return ret;
	ret = f4_inode_read(f4, ino, inode);	/* libext2fs rewrote it */
	if (ret)
		return ret;
	inode->i_mode = mode;
	f4_inode_set_times(f4, inode, F4_CTIME, f4_time_now());
	return f4_inode_write(f4, ino, inode);
}
