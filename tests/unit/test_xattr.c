/* Unit tests for extended attribute and ACL writes (src/xattr/xattr.h,
 * src/xattr/acl.h) through f4_mount_open on read-write images built in setup:
 * ext4's namespaces, flags and errors, ctime and i_version, the checks
 * for immutable/append-only inodes and privileged namespaces, POSIX ACLs
 * (mode update, equivalent ACLs not stored, setgid, inheritance, chmod),
 * copy-on-write of an xattr block shared by two inodes, values in EA
 * inodes (also in a shared block), freeing an emptied xattr block,
 * releasing a freed inode's attributes. Results are checked on disk
 * with libext2fs after the filesystem is closed, and every image must
 * pass e2fsck -fn. (Comparisons with the kernel's ext4 are in the
 * integration tests.) */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "src/mount/mount.h"
#include "src/xattr/acl.h"
#include "src/xattr/acl_format.h"
#include "src/fs/fs.h"
#include "src/inode/inode.h"
#include "src/xattr/xattr.h"
#include "aclvec.h"
#include "testimg.h"

static const struct f4_cred root = { .uid = 0, .gid = 0 };
static const struct f4_cred owner = { .uid = 1000, .gid = 1000 };	/* owns f */
static const struct f4_cred stranger = { .uid = 2000, .gid = 2000 };

#define OLD_CTIME 1000000000u

/* The files each test starts with. */
struct fx {
	char *dir, *img;
	struct f4_fs *f4;
	ext2_ino_t f;		/* regular, 1000:100, 02755 */
	ext2_ino_t d;		/* directory, root's */
	ext2_ino_t sd;		/* sticky directory 1777, root's */
	ext2_ino_t p;		/* fifo */
	ext2_ino_t l;		/* symlink */
	ext2_ino_t n;		/* a regular file for inheritance */
};

static void set_owner_mode(ext2_filsys fs, ext2_ino_t ino, uid_t uid, gid_t gid,
			   uint16_t mode)
{
	struct ext2_inode_large inode;

	f4t_read_inode(fs, ino, &inode);
	f4_inode_set_ids(&inode, uid, gid);
	inode.i_mode = (uint16_t)((inode.i_mode & S_IFMT) | mode);
	inode.i_ctime = OLD_CTIME;
	inode.i_ctime_extra = 0;
	f4t_write_inode(fs, ino, &inode);
}

static void build(struct fx *x, const char *mkfs_opts, const char *size)
{
	ext2_filsys fs;

	x->dir = f4t_mkdtemp("xattr");
	x->img = f4t_join(x->dir, "img");
	f4t_must_sh(1, "mke2fs -F -q -t ext4 %s '%s' %s", mkfs_opts, x->img, size);
	fs = f4t_open(x->img, true);
	x->f = f4t_create(fs, EXT2_ROOT_INO, "f", S_IFREG | 0644);
	x->n = f4t_create(fs, EXT2_ROOT_INO, "n", S_IFREG | 0644);
	x->p = f4t_create(fs, EXT2_ROOT_INO, "p", S_IFIFO | 0644);
	x->d = f4t_create(fs, EXT2_ROOT_INO, "d", S_IFDIR | 0755);
	x->sd = f4t_create(fs, EXT2_ROOT_INO, "sd", S_IFDIR | 0755);
	assert_int_equal(ext2fs_symlink(fs, EXT2_ROOT_INO, 0, "l", "f"), 0);
	x->l = f4t_lookup(fs, EXT2_ROOT_INO, "l");
	set_owner_mode(fs, x->f, 1000, 100, S_ISGID | 0755);
	set_owner_mode(fs, x->sd, 0, 0, S_ISVTX | 0777);
	set_owner_mode(fs, x->d, 0, 0, 0755);
	f4t_close_flush(fs);
}

static void open_rw(struct fx *x, bool rw)
{
	struct f4_conf o = { .image = x->img, .readonly = !rw };
	char msg[256] = "";
	int ret = f4_mount_open(&o, &x->f4, msg, sizeof(msg));

	if (ret)
		print_error("f4_mount_open %s: %d %s\n", x->img, ret, msg);
	assert_int_equal(ret, 0);
	assert_int_equal(x->f4->rw, rw);
}

/* Close (flushing) and check the image. */
static void close_check(struct fx *x)
{
	assert_int_equal(f4_mount_close(x->f4), 0);
	x->f4 = NULL;
	f4t_fsck_clean(x->img);
}

static int setup_with(void **state, const char *mkfs_opts, const char *size)
{
	struct fx *x = calloc(1, sizeof(*x));

	assert_non_null(x);
	*state = x;
	build(x, mkfs_opts, size);
	open_rw(x, true);
	return 0;
}

static int setup_plain(void **state)
{
	return setup_with(state, "-b 4096 -I 256 -O ^ea_inode", "16M");
}

static int setup_ea(void **state)
{
	return setup_with(state, "-b 4096 -I 256 -O ea_inode", "16M");
}

/* 128-byte inodes: every attribute goes to the block. */
static int setup_ea128(void **state)
{
	return setup_with(state, "-b 4096 -I 128 -O ea_inode", "16M");
}

static int setup_small(void **state)
{
	return setup_with(state, "-b 1024 -I 128 -O ^ea_inode", "8M");
}

static int teardown(void **state)
{
	struct fx *x = *state;

	if (!x)
		return 0;
	if (x->f4)
		f4_mount_close(x->f4);
	f4t_rmtree(x->dir);
	free(x->img);
	free(x);
	return 0;
}

static void inode_of(struct fx *x, ext2_ino_t ino, struct ext2_inode_large *inode)
{
	f4_fs_lock(x->f4);
	assert_int_equal(f4_inode_read(x->f4, ino, inode), 0);
	f4_fs_unlock(x->f4);
}

static uint64_t iversion(const struct ext2_inode_large *inode)
{
	return inode->osd1.linux1.l_i_version |
	       (uint64_t)inode->i_version_hi << 32;
}

static void expect_xattr(struct fx *x, ext2_ino_t ino, const char *name,
			 const void *want, size_t wlen)
{
	void *v = NULL;
	size_t len = 0;

	assert_int_equal(f4_xattr_get(x->f4, ino, name, &v, &len), 0);
	assert_int_equal(len, wlen);
	if (wlen)
		assert_memory_equal(v, want, wlen);
	free(v);
}

/* The stored (raw) value through libext2fs, with the filesystem closed:
 * -ENODATA when absent. */
static int raw_value(struct fx *x, ext2_ino_t ino, const char *name,
		     void **value, size_t *len)
{
	ext2_filsys fs = f4t_open(x->img, false);
	struct ext2_xattr_handle *h = NULL;
	unsigned flags = XATTR_HANDLE_FLAG_RAW;
	void *v = NULL;
	errcode_t err;

	assert_int_equal(ext2fs_xattrs_open(fs, ino, &h), 0);
	assert_int_equal(ext2fs_xattrs_flags(h, &flags, NULL), 0);
	assert_int_equal(ext2fs_xattrs_read(h), 0);
	err = ext2fs_xattr_get(h, name, &v, len);
	if (!err) {
		*value = malloc(*len + 1);
		memcpy(*value, v, *len);
		ext2fs_free_mem(&v);
	}
	ext2fs_xattrs_close(&h);
	f4t_close(fs);
	if (err == EXT2_ET_EA_KEY_NOT_FOUND)
		return -ENODATA;
	assert_int_equal(err, 0);
	return 0;
}

/* ---------------------------------------------------------------------
 * Names, flags and errors
 */

static void test_user_basic(void **state)
{
	struct fx *x = *state;
	char *names = NULL;
	size_t len = 0;

	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.a", "1", 1, 0), 0);
	expect_xattr(x, x->f, "user.a", "1", 1);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.a", "2", 1,
				      F4_XATTR_CREATE), -EEXIST);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.b", "2", 1,
				      F4_XATTR_REPLACE), -ENODATA);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.a", "22", 2,
				      F4_XATTR_REPLACE), 0);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.e", "", 0,
				      F4_XATTR_CREATE), 0);
	expect_xattr(x, x->f, "user.a", "22", 2);
	expect_xattr(x, x->f, "user.e", "", 0);
	assert_int_equal(f4_xattr_list(x->f4, x->f, false, &names, &len), 0);
	assert_int_equal(len, sizeof("user.a") + sizeof("user.e"));
	assert_memory_equal(names, "user.a\0user.e", len);
	free(names);
	assert_int_equal(f4_xattr_remove(x->f4, &root, x->f, "user.b"), -ENODATA);
	assert_int_equal(f4_xattr_remove(x->f4, &root, x->f, "user.a"), 0);
	assert_int_equal(f4_xattr_remove(x->f4, &root, x->f, "user.a"), -ENODATA);
	close_check(x);
	{
		void *v = NULL;

		assert_int_equal(raw_value(x, x->f, "user.a", &v, &len), -ENODATA);
		assert_int_equal(raw_value(x, x->f, "user.e", &v, &len), 0);
		assert_int_equal(len, 0);
		free(v);
	}
}

static void test_names(void **state)
{
	static const char *unsupported[] = {
		"foo", "system.foo", "system.data", "lustre.x", "system.richacl",
		"system.posix_acl_accessX", "users.x",
	};
	struct fx *x = *state;
	char longname[300];
	void *v = NULL;
	size_t i, len;

	for (i = 0; i < sizeof(unsupported) / sizeof(unsupported[0]); i++) {
		assert_int_equal(f4_xattr_set(x->f4, &root, x->f, unsupported[i],
					      "1", 1, 0), -EOPNOTSUPP);
		assert_int_equal(f4_xattr_get(x->f4, x->f, unsupported[i], &v,
					      &len), -EOPNOTSUPP);
		assert_int_equal(f4_xattr_remove(x->f4, &root, x->f,
						 unsupported[i]), -EOPNOTSUPP);
		assert_true(f4_xattr_is_internal(unsupported[i]));
	}
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.", "1", 1, 0),
			 -EINVAL);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "trusted.", "1", 1, 0),
			 -EINVAL);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "", "1", 1, 0), -ERANGE);
	memset(longname, 'x', sizeof(longname));
	memcpy(longname, "user.", 5);
	longname[255] = '\0';
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, longname, "1", 1, 0), 0);
	longname[255] = 'x';
	longname[256] = '\0';
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, longname, "1", 1, 0),
			 -ERANGE);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.q", "1", 1, 4),
			 -EINVAL);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.q", "1",
				      F4_XATTR_SIZE_MAX + 1, 0), -E2BIG);
	/* gnu.* is ext4's Hurd namespace. */
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "gnu.g", "z", 1, 0), 0);
	expect_xattr(x, x->f, "gnu.g", "z", 1);
	close_check(x);
}

static void test_list_trusted(void **state)
{
	struct fx *x = *state;
	char *names = NULL;
	size_t len = 0;

	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "trusted.t", "1", 1, 0), 0);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "security.s", "1", 1, 0), 0);
	assert_int_equal(f4_xattr_list(x->f4, x->f, false, &names, &len), 0);
	assert_int_equal(len, sizeof("security.s"));
	assert_memory_equal(names, "security.s", len);
	free(names);
	assert_int_equal(f4_xattr_list(x->f4, x->f, true, &names, &len), 0);
	assert_int_equal(len, sizeof("trusted.t") + sizeof("security.s"));
	free(names);
	close_check(x);
}

static void test_times(void **state)
{
	struct fx *x = *state;
	struct ext2_inode_large a, b;

	inode_of(x, x->f, &a);
	assert_int_equal(a.i_ctime, OLD_CTIME);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.a", "1", 1, 0), 0);
	inode_of(x, x->f, &b);
	assert_true(b.i_ctime > OLD_CTIME);
	assert_true(iversion(&b) > iversion(&a));

	/* The same value again changes nothing, as with ext4. */
	a = b;
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.a", "1", 1, 0), 0);
	inode_of(x, x->f, &b);
	assert_int_equal(b.i_ctime_extra, a.i_ctime_extra);
	assert_int_equal(b.i_ctime, a.i_ctime);
	assert_int_equal(iversion(&b), iversion(&a));

	/* Failures change nothing either. */
	assert_int_equal(f4_xattr_remove(x->f4, &root, x->f, "user.zz"), -ENODATA);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.a", "2", 1,
				      F4_XATTR_CREATE), -EEXIST);
	inode_of(x, x->f, &b);
	assert_int_equal(iversion(&b), iversion(&a));

	assert_int_equal(f4_xattr_remove(x->f4, &root, x->f, "user.a"), 0);
	inode_of(x, x->f, &b);
	assert_true(iversion(&b) > iversion(&a));
	close_check(x);
}

/* ---------------------------------------------------------------------
 * Permission rules
 */

static void set_flags(struct fx *x, ext2_ino_t ino, uint32_t flags)
{
	struct ext2_inode_large inode;

	f4_fs_lock(x->f4);
	assert_int_equal(f4_inode_read(x->f4, ino, &inode), 0);
	inode.i_flags = (inode.i_flags & ~(EXT2_IMMUTABLE_FL | EXT2_APPEND_FL)) | flags;
	assert_int_equal(f4_inode_write(x->f4, ino, &inode), 0);
	f4_fs_unlock(x->f4);
}

static void test_privileged(void **state)
{
	struct fx *x = *state;

	assert_int_equal(f4_xattr_set(x->f4, &owner, x->f, "trusted.t", "1", 1, 0),
			 -EPERM);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "trusted.t", "1", 1, 0), 0);
	assert_int_equal(f4_xattr_remove(x->f4, &owner, x->f, "trusted.t"), -EPERM);
	/* user.* only on regular files and directories. */
	assert_int_equal(f4_xattr_set(x->f4, &root, x->p, "user.u", "1", 1, 0), -EPERM);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->l, "user.u", "1", 1, 0), -EPERM);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->l, "trusted.u", "1", 1, 0), 0);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->d, "user.u", "1", 1, 0), 0);
	/* Someone else's sticky directory. */
	assert_int_equal(f4_xattr_set(x->f4, &owner, x->sd, "user.u", "1", 1, 0),
			 -EPERM);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->sd, "user.u", "1", 1, 0), 0);
	close_check(x);
}

static void test_immutable_append(void **state)
{
	static const unsigned char acl[] = {
		2, 0, 0, 0, 1, 0, 6, 0, 0xff, 0xff, 0xff, 0xff,
		4, 0, 4, 0, 0xff, 0xff, 0xff, 0xff, 0x20, 0, 0, 0, 0xff, 0xff, 0xff, 0xff,
	};
	uint32_t flags[] = { EXT2_IMMUTABLE_FL, EXT2_APPEND_FL };
	struct fx *x = *state;
	size_t i;

	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.a", "1", 1, 0), 0);
	for (i = 0; i < 2; i++) {
		set_flags(x, x->f, flags[i]);
		assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.b", "1", 1, 0),
				 -EPERM);
		assert_int_equal(f4_xattr_remove(x->f4, &root, x->f, "user.a"), -EPERM);
		assert_int_equal(f4_xattr_remove(x->f4, &root, x->f, "user.zz"), -EPERM);
		assert_int_equal(f4_xattr_set(x->f4, &root, x->f, F4_XATTR_ACL_ACCESS,
					      acl, sizeof(acl), 0), -EPERM);
		assert_int_equal(f4_xattr_remove(x->f4, &root, x->f,
						 F4_XATTR_ACL_ACCESS), -EPERM);
		/* Before the checks of the inode type (the kernel's FUSE
		 * layer answers these two itself, not knowing the flags). */
		assert_int_equal(f4_xattr_set(x->f4, &root, x->f, F4_XATTR_ACL_DEFAULT,
					      acl, sizeof(acl), 0), -EPERM);
		assert_int_equal(f4_xattr_remove(x->f4, &root, x->f,
						 F4_XATTR_ACL_DEFAULT), -EPERM);
		/* As in ext4, before the name is looked at. */
		assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "foo", "1", 1, 0),
				 -EPERM);
	}
	set_flags(x, x->f, 0);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.b", "1", 1, 0), 0);
	close_check(x);
}

static void test_erofs(void **state)
{
	struct fx *x = *state;

	assert_int_equal(f4_mount_close(x->f4), 0);
	open_rw(x, false);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.a", "1", 1, 0),
			 -EROFS);
	assert_int_equal(f4_xattr_remove(x->f4, &root, x->f, "user.a"), -EROFS);
	close_check(x);
}

/* ---------------------------------------------------------------------
 * POSIX ACLs
 */

/* user::rw- group::r-- other::--- (setfacl writes ids 0) */
static const unsigned char vfs_640[] = {
	2, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 4, 0, 4, 0, 0, 0, 0, 0,
	0x20, 0, 0, 0, 0, 0, 0, 0,
};

static uint16_t mode_of(struct fx *x, ext2_ino_t ino)
{
	struct ext2_inode_large inode;

	inode_of(x, ino, &inode);
	return inode.i_mode;
}

static void test_acl_access(void **state)
{
	struct fx *x = *state;
	struct ext2_inode_large a, b;
	void *v = NULL;
	size_t len = 0;

	/* owner 1000 is not in group 100: setgid goes, as with ext4. */
	assert_int_equal(f4_xattr_set(x->f4, &owner, x->f, F4_XATTR_ACL_ACCESS,
				      f4t_vfs_named, sizeof(f4t_vfs_named),
				      F4_XATTR_REPLACE), 0);
	assert_int_equal(mode_of(x, x->f), S_IFREG | 0670);
	expect_xattr(x, x->f, F4_XATTR_ACL_ACCESS,
		     f4t_vfs_named, sizeof(f4t_vfs_named));

	/* The same ACL again: nothing changes, not even ctime. */
	inode_of(x, x->f, &a);
	assert_int_equal(f4_xattr_set(x->f4, &owner, x->f, F4_XATTR_ACL_ACCESS,
				      f4t_vfs_named, sizeof(f4t_vfs_named),
				      F4_XATTR_CREATE), 0);
	inode_of(x, x->f, &b);
	assert_int_equal(iversion(&b), iversion(&a));

	/* Not the owner. */
	assert_int_equal(f4_xattr_set(x->f4, &stranger, x->f, F4_XATTR_ACL_ACCESS,
				      vfs_640, sizeof(vfs_640), 0), -EPERM);
	assert_int_equal(f4_xattr_remove(x->f4, &stranger, x->f,
					 F4_XATTR_ACL_ACCESS), -EPERM);
	close_check(x);
	assert_int_equal(raw_value(x, x->f, F4_XATTR_ACL_ACCESS, &v, &len), 0);
	assert_int_equal(len, sizeof(f4t_disk_named));
	assert_memory_equal(v, f4t_disk_named, len);
	free(v);

	/* An ACL the mode says all of: the mode changes, no ACL is kept. */
	open_rw(x, true);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, F4_XATTR_ACL_ACCESS,
				      vfs_640, sizeof(vfs_640), 0), 0);
	assert_int_equal(mode_of(x, x->f), S_IFREG | 0640);
	assert_int_equal(f4_xattr_get(x->f4, x->f, F4_XATTR_ACL_ACCESS, &v, &len),
			 -ENODATA);
	close_check(x);
	assert_int_equal(raw_value(x, x->f, F4_XATTR_ACL_ACCESS, &v, &len),
			 -ENODATA);
}

static void test_acl_setgid_kept(void **state)
{
	struct fx *x = *state;
	gid_t g100[] = { 100 };
	struct f4_cred member = { .uid = 1000, .gid = 1000, .groups = g100,
				  .ngroups = 1 };

	assert_int_equal(f4_xattr_set(x->f4, &member, x->f, F4_XATTR_ACL_ACCESS,
				      vfs_640, sizeof(vfs_640), 0), 0);
	assert_int_equal(mode_of(x, x->f), S_IFREG | S_ISGID | 0640);
	/* Removing the ACL keeps the mode. */
	assert_int_equal(f4_xattr_set(x->f4, &member, x->f, F4_XATTR_ACL_ACCESS,
				      f4t_vfs_named, sizeof(f4t_vfs_named),
				      0), 0);
	assert_int_equal(mode_of(x, x->f), S_IFREG | S_ISGID | 0670);
	assert_int_equal(f4_xattr_remove(x->f4, &member, x->f,
					 F4_XATTR_ACL_ACCESS), 0);
	assert_int_equal(mode_of(x, x->f), S_IFREG | S_ISGID | 0670);
	/* Removing an absent ACL succeeds (ext4's set_acl). */
	assert_int_equal(f4_xattr_remove(x->f4, &member, x->f,
					 F4_XATTR_ACL_ACCESS), 0);
	/* So does setting the header alone (it means removal). */
	assert_int_equal(f4_xattr_set(x->f4, &member, x->f, F4_XATTR_ACL_ACCESS,
				      vfs_640, 4, 0), 0);
	close_check(x);
}

static void test_acl_errors(void **state)
{
	struct fx *x = *state;
	unsigned char bad[sizeof(f4t_vfs_named)];

	memcpy(bad, f4t_vfs_named, sizeof(bad));
	bad[0] = 3;
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, F4_XATTR_ACL_ACCESS,
				      bad, sizeof(bad), 0), -EOPNOTSUPP);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, F4_XATTR_ACL_ACCESS,
				      f4t_vfs_named, 5, 0), -EINVAL);
	/* No mask although there are named entries. */
	memcpy(bad, f4t_vfs_named, sizeof(bad));
	bad[4 + 8 * 4] = 0x20;
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, F4_XATTR_ACL_ACCESS,
				      bad, sizeof(bad) - 8, 0), -EINVAL);
	/* Default ACLs belong to directories (removing one elsewhere is
	 * a no-op success). */
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, F4_XATTR_ACL_DEFAULT,
				      vfs_640, sizeof(vfs_640), 0), -EACCES);
	assert_int_equal(f4_xattr_remove(x->f4, &root, x->f, F4_XATTR_ACL_DEFAULT), 0);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->l, F4_XATTR_ACL_ACCESS,
				      vfs_640, sizeof(vfs_640), 0), -EOPNOTSUPP);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->d, F4_XATTR_ACL_DEFAULT,
				      vfs_640, sizeof(vfs_640), 0), 0);
	assert_int_equal(mode_of(x, x->d), S_IFDIR | 0755);	/* untouched */
	close_check(x);
}

/* default: user::rwx user:1000:r-x group::r-x mask::rwx other::--x */
static const unsigned char vfs_default[] = {
	2, 0, 0, 0,
	0x01, 0, 7, 0, 0xff, 0xff, 0xff, 0xff,
	0x02, 0, 5, 0, 0xe8, 0x03, 0, 0,
	0x04, 0, 5, 0, 0xff, 0xff, 0xff, 0xff,
	0x10, 0, 7, 0, 0xff, 0xff, 0xff, 0xff,
	0x20, 0, 1, 0, 0xff, 0xff, 0xff, 0xff,
};
/* What a file created with 0666 inherits: mask and other cut to rw-/---
 * (ext4 gave -rw-rw----). */
static const unsigned char disk_file_inherit[] = {
	1, 0, 0, 0,
	0x01, 0, 6, 0,
	0x02, 0, 5, 0, 0xe8, 0x03, 0, 0,
	0x04, 0, 5, 0,
	0x10, 0, 6, 0,
	0x20, 0, 0, 0,
};
static const unsigned char disk_default[] = {
	1, 0, 0, 0,
	0x01, 0, 7, 0,
	0x02, 0, 5, 0, 0xe8, 0x03, 0, 0,
	0x04, 0, 5, 0,
	0x10, 0, 7, 0,
	0x20, 0, 1, 0,
};

static void test_inherit(void **state)
{
	struct fx *x = *state;
	struct f4_acl_inherit inh;
	uint16_t mode;
	void *v = NULL;
	size_t len = 0;

	assert_int_equal(f4_xattr_set(x->f4, &root, x->d, F4_XATTR_ACL_DEFAULT,
				      vfs_default, sizeof(vfs_default), 0), 0);
	f4_fs_lock(x->f4);
	/* With a default ACL the umask does not apply. */
	mode = S_IFREG | 0666;
	assert_int_equal(f4_acl_inherit_prepare(x->f4, x->d, &mode, 077, &inh), 0);
	assert_int_equal(mode, S_IFREG | 0660);
	assert_int_equal(inh.access_len, sizeof(disk_file_inherit));
	assert_memory_equal(inh.access, disk_file_inherit, inh.access_len);
	assert_null(inh.deflt);
	assert_int_equal(f4_acl_inherit_store(x->f4, x->n, &inh), 0);
	f4_acl_inherit_free(&inh);
	assert_null(inh.access);

	mode = S_IFDIR | S_ISGID | 0777;
	assert_int_equal(f4_acl_inherit_prepare(x->f4, x->d, &mode, 077, &inh), 0);
	assert_int_equal(mode, S_IFDIR | S_ISGID | 0771);
	assert_int_equal(inh.deflt_len, sizeof(disk_default));
	assert_memory_equal(inh.deflt, disk_default, inh.deflt_len);
	assert_int_equal(inh.access_len, sizeof(disk_default));
	f4_acl_inherit_free(&inh);

	/* Symbolic links: neither ACL nor umask. */
	mode = S_IFLNK | 0777;
	assert_int_equal(f4_acl_inherit_prepare(x->f4, x->d, &mode, 077, &inh), 0);
	assert_int_equal(mode, S_IFLNK | 0777);
	assert_null(inh.access);

	/* No default ACL: the umask. */
	mode = S_IFREG | 0666;
	assert_int_equal(f4_acl_inherit_prepare(x->f4, EXT2_ROOT_INO, &mode, 027,
						&inh), 0);
	assert_int_equal(mode, S_IFREG | 0640);
	assert_null(inh.access);
	assert_null(inh.deflt);
	f4_fs_unlock(x->f4);
	close_check(x);
	assert_int_equal(raw_value(x, x->n, F4_XATTR_ACL_ACCESS, &v, &len), 0);
	assert_int_equal(len, sizeof(disk_file_inherit));
	assert_memory_equal(v, disk_file_inherit, len);
	free(v);
}

static void test_inherit_equivalent(void **state)
{
	/* default user::rw- group::r-- other::r--: 0666 gives 0644 and
	 * no access ACL (the mode says it all). */
	static const unsigned char min[] = {
		2, 0, 0, 0, 1, 0, 6, 0, 0, 0, 0, 0, 4, 0, 4, 0, 0, 0, 0, 0,
		0x20, 0, 4, 0, 0, 0, 0, 0,
	};
	struct fx *x = *state;
	struct f4_acl_inherit inh;
	uint16_t mode = S_IFREG | 0666;

	assert_int_equal(f4_xattr_set(x->f4, &root, x->d, F4_XATTR_ACL_DEFAULT,
				      min, sizeof(min), 0), 0);
	f4_fs_lock(x->f4);
	assert_int_equal(f4_acl_inherit_prepare(x->f4, x->d, &mode, 022, &inh), 0);
	assert_int_equal(mode, S_IFREG | 0644);
	assert_null(inh.access);
	assert_null(inh.deflt);
	mode = S_IFDIR | 0777;
	assert_int_equal(f4_acl_inherit_prepare(x->f4, x->d, &mode, 022, &inh), 0);
	assert_int_equal(mode, S_IFDIR | 0644);
	assert_null(inh.access);
	assert_non_null(inh.deflt);
	f4_acl_inherit_free(&inh);
	f4_fs_unlock(x->f4);
	close_check(x);
}

static void test_chmod(void **state)
{
	/* chmod 640 of user::rw- user:1000:rwx group::r-- group:50:r--
	 * mask::rwx other::---: ext4 shows mask::r--. */
	static const unsigned char disk_640[] = {
		0x01, 0x00, 0x00, 0x00,
		0x01, 0x00, 0x06, 0x00,
		0x02, 0x00, 0x07, 0x00, 0xe8, 0x03, 0x00, 0x00,
		0x04, 0x00, 0x04, 0x00,
		0x08, 0x00, 0x04, 0x00, 0x32, 0x00, 0x00, 0x00,
		0x10, 0x00, 0x04, 0x00,
		0x20, 0x00, 0x00, 0x00,
	};
	struct fx *x = *state;
	void *v = NULL;
	size_t len = 0;

	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, F4_XATTR_ACL_ACCESS,
				      f4t_vfs_named, sizeof(f4t_vfs_named),
				      0), 0);
	f4_fs_lock(x->f4);
	assert_int_equal(f4_acl_chmod(x->f4, x->f, S_IFREG | 0640), 0);
	/* Nothing to do without an access ACL. */
	assert_int_equal(f4_acl_chmod(x->f4, x->n, S_IFREG | 0600), 0);
	f4_fs_unlock(x->f4);
	close_check(x);
	assert_int_equal(raw_value(x, x->f, F4_XATTR_ACL_ACCESS, &v, &len), 0);
	assert_int_equal(len, sizeof(disk_640));
	assert_memory_equal(v, disk_640, len);
	free(v);
	assert_int_equal(raw_value(x, x->n, F4_XATTR_ACL_ACCESS, &v, &len),
			 -ENODATA);
}

/* ---------------------------------------------------------------------
 * Where values live: shared blocks, EA inodes, running out of room
 */

static uint8_t pat(size_t i)
{
	return (uint8_t)(i * 7 + 3);
}

static void *pattern(size_t n)
{
	uint8_t *p = malloc(n ? n : 1);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < n; i++)
		p[i] = pat(i);
	return p;
}

static blk64_t acl_block(ext2_filsys fs, ext2_ino_t ino, blk64_t *iblocks)
{
	struct ext2_inode_large inode;

	f4t_read_inode(fs, ino, &inode);
	if (iblocks)
		*iblocks = ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)&inode);
	return ext2fs_file_acl_block(fs, (struct ext2_inode *)&inode);
}

static uint32_t refcount(ext2_filsys fs, blk64_t blk)
{
	char *buf = malloc(fs->blocksize);
	uint32_t n;

	assert_int_equal(ext2fs_read_ext_attr3(fs, blk, buf, 0), 0);
	n = ((struct ext2_ext_attr_header *)buf)->h_refcount;
	free(buf);
	return n;
}

/* Make f and n share one xattr block holding user.big, as the kernel's
 * ext4 does for inodes with identical attributes. */
static blk64_t share_block(struct fx *x, void *big, size_t len)
{
	struct ext2_xattr_handle *h = NULL;
	struct ext2_inode_large inode;
	ext2_filsys fs;
	blk64_t blk;
	__u32 count = 0;

	assert_int_equal(f4_mount_close(x->f4), 0);
	fs = f4t_open(x->img, true);
	assert_int_equal(ext2fs_xattrs_open(fs, x->f, &h), 0);
	assert_int_equal(ext2fs_xattrs_read(h), 0);
	assert_int_equal(ext2fs_xattr_set(h, "user.big", big, len), 0);
	ext2fs_xattrs_close(&h);
	blk = acl_block(fs, x->f, NULL);
	assert_true(blk != 0);
	f4t_read_inode(fs, x->n, &inode);
	ext2fs_file_acl_block_set(fs, (struct ext2_inode *)&inode, blk);
	assert_int_equal(ext2fs_iblk_add_blocks(fs, (struct ext2_inode *)&inode, 1), 0);
	f4t_write_inode(fs, x->n, &inode);
	assert_int_equal(ext2fs_adjust_ea_refcount3(fs, blk, NULL, 1, &count, x->n), 0);
	assert_int_equal(count, 2);
	f4t_close_flush(fs);
	f4t_fsck_clean(x->img);
	open_rw(x, true);
	return blk;
}

static void test_cow_shared_block(void **state)
{
	struct fx *x = *state;
	size_t len = 3000;	/* too big for the inode body */
	void *big = pattern(len);
	blk64_t blk = share_block(x, big, len), fb, nb, ib;
	ext2_filsys fs;

	/* Changing f's attributes must leave n's shared block alone. */
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.more", "m", 1, 0), 0);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.big", "b", 1, 0), 0);
	expect_xattr(x, x->n, "user.big", big, len);
	close_check(x);
	fs = f4t_open(x->img, false);
	fb = acl_block(fs, x->f, &ib);
	nb = acl_block(fs, x->n, NULL);
	assert_int_equal(nb, blk);
	assert_int_equal(refcount(fs, blk), 1);
	/* f's remaining attributes fit in its body: no block of its own. */
	assert_int_equal(fb, 0);
	assert_int_equal(ib, 0);
	f4t_close(fs);

	/* Removing n's last block attribute frees the block. */
	open_rw(x, true);
	assert_int_equal(f4_xattr_remove(x->f4, &root, x->n, "user.big"), 0);
	close_check(x);
	fs = f4t_open(x->img, true);
	assert_int_equal(acl_block(fs, x->n, &ib), 0);
	assert_int_equal(ib, 0);
	assert_false(ext2fs_test_block_bitmap2(fs->block_map, blk));
	f4t_close(fs);
	free(big);
}

static void test_cow_shared_remove(void **state)
{
	struct fx *x = *state;
	size_t len = 3000;
	void *big = pattern(len);
	blk64_t blk = share_block(x, big, len);
	ext2_filsys fs;

	/* Dropping the only attribute from a shared block: one reference
	 * goes, the block stays for the other inode. */
	assert_int_equal(f4_xattr_remove(x->f4, &root, x->f, "user.big"), 0);
	expect_xattr(x, x->n, "user.big", big, len);
	close_check(x);
	fs = f4t_open(x->img, true);
	assert_int_equal(acl_block(fs, x->f, NULL), 0);
	assert_int_equal(acl_block(fs, x->n, NULL), blk);
	assert_int_equal(refcount(fs, blk), 1);
	assert_true(ext2fs_test_block_bitmap2(fs->block_map, blk));
	f4t_close(fs);
	free(big);
}

static void test_block_freed(void **state)
{
	struct fx *x = *state;
	void *big = pattern(3000);
	blk64_t blk, ib;
	ext2_filsys fs;

	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.big", big, 3000, 0), 0);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.s", "s", 1, 0), 0);
	close_check(x);
	fs = f4t_open(x->img, false);
	blk = acl_block(fs, x->f, &ib);
	assert_true(blk != 0);
	assert_int_equal(ib, 8);	/* one 4 KiB block */
	f4t_close(fs);
	open_rw(x, true);
	assert_int_equal(f4_xattr_remove(x->f4, &root, x->f, "user.big"), 0);
	expect_xattr(x, x->f, "user.s", "s", 1);
	close_check(x);
	fs = f4t_open(x->img, true);
	assert_int_equal(acl_block(fs, x->f, &ib), 0);
	assert_int_equal(ib, 0);
	assert_false(ext2fs_test_block_bitmap2(fs->block_map, blk));
	f4t_close(fs);
	free(big);
}

/* The EA inode that holds name's value, by a direct look at the table. */
static ext2_ino_t value_inode(struct fx *x, ext2_ino_t ino, const char *suffix)
{
	ext2_filsys fs = f4t_open(x->img, false);
	unsigned isize = EXT2_INODE_SIZE(fs->super);
	char *buf = calloc(1, isize);
	struct ext2_inode_large *inode = (void *)buf;
	char *p, *end = buf + isize;
	ext2_ino_t inum = 0;

	assert_int_equal(ext2fs_read_inode_full(fs, ino, (void *)buf, isize), 0);
	p = buf + EXT2_GOOD_OLD_INODE_SIZE + inode->i_extra_isize;
	assert_int_equal(*(uint32_t *)p, EXT2_EXT_ATTR_MAGIC);
	for (p += 4; p + sizeof(struct ext2_ext_attr_entry) <= end;) {
		struct ext2_ext_attr_entry *e = (void *)p;

		if (EXT2_EXT_IS_LAST_ENTRY(e))
			break;
		if (e->e_name_len == strlen(suffix) &&
		    !memcmp(p + sizeof(*e), suffix, e->e_name_len))
			inum = e->e_value_inum;
		p += EXT2_EXT_ATTR_LEN(e->e_name_len);
	}
	free(buf);
	f4t_close(fs);
	return inum;
}

static void test_ea_inode(void **state)
{
	struct fx *x = *state;
	size_t len = 20000;
	void *big = pattern(len);
	struct ext2_inode_large a, b;
	ext2_ino_t ea;
	blk64_t ib;
	ext2_filsys fs;
	uint32_t free_inodes;

	free_inodes = x->f4->fs->super->s_free_inodes_count;
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.big", big, len, 0), 0);
	expect_xattr(x, x->f, "user.big", big, len);
	/* Setting the same value again rewrites it: ctime changes. */
	inode_of(x, x->f, &a);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.big", big, len, 0), 0);
	inode_of(x, x->f, &b);
	assert_true(iversion(&b) > iversion(&a));
	close_check(x);

	ea = value_inode(x, x->f, "big");
	assert_true(ea != 0);
	fs = f4t_open(x->img, false);
	/* ext4 charges the value's blocks to the file: 5 blocks of 4 KiB. */
	acl_block(fs, x->f, &ib);
	assert_int_equal(ib, 5 * 8);
	assert_int_equal(fs->super->s_free_inodes_count, free_inodes - 1);
	f4t_close(fs);

	open_rw(x, true);
	assert_int_equal(f4_xattr_remove(x->f4, &root, x->f, "user.big"), 0);
	close_check(x);
	fs = f4t_open(x->img, false);
	acl_block(fs, x->f, &ib);
	assert_int_equal(ib, 0);
	assert_int_equal(fs->super->s_free_inodes_count, free_inodes);
	f4t_close(fs);
	free(big);
}

/* ext4 (and e2fsck) count one reference to an EA inode per entry that
 * names it, an entry in a shared block counting once. Build that: f and
 * n share a block whose user.big lives in an EA inode. */
static void share_ea_block(struct fx *x, void *big, size_t len, blk64_t *blk,
			   ext2_ino_t *ea)
{
	struct ext2_xattr_handle *h = NULL;
	struct ext2_inode_large inode;
	blk64_t charge = (len + 4095) / 4096;
	ext2_filsys fs;
	__u32 count = 0;
	char *buf;

	assert_int_equal(f4_mount_close(x->f4), 0);
	fs = f4t_open(x->img, true);
	assert_int_equal(ext2fs_xattrs_open(fs, x->f, &h), 0);
	assert_int_equal(ext2fs_xattrs_read(h), 0);
	assert_int_equal(ext2fs_xattr_set(h, "user.big", big, len), 0);
	ext2fs_xattrs_close(&h);
	*blk = acl_block(fs, x->f, NULL);
	assert_true(*blk != 0);
	buf = malloc(fs->blocksize);
	assert_int_equal(ext2fs_read_ext_attr3(fs, *blk, buf, x->f), 0);
	*ea = ((struct ext2_ext_attr_entry *)(buf + 32))->e_value_inum;
	assert_true(*ea != 0);
	free(buf);
	/* Each inode referring to the block is charged the value too. */
	f4t_read_inode(fs, x->f, &inode);
	assert_int_equal(ext2fs_iblk_add_blocks(fs, (struct ext2_inode *)&inode,
						charge), 0);
	f4t_write_inode(fs, x->f, &inode);
	f4t_read_inode(fs, x->n, &inode);
	ext2fs_file_acl_block_set(fs, (struct ext2_inode *)&inode, *blk);
	assert_int_equal(ext2fs_iblk_add_blocks(fs, (struct ext2_inode *)&inode,
						1 + charge), 0);
	f4t_write_inode(fs, x->n, &inode);
	assert_int_equal(ext2fs_adjust_ea_refcount3(fs, *blk, NULL, 1, &count, x->n), 0);
	assert_int_equal(count, 2);
	f4t_close_flush(fs);
	f4t_fsck_clean(x->img);
	open_rw(x, true);
}

static uint64_t ea_refs_of(struct fx *x, ext2_ino_t ea)
{
	ext2_filsys fs = f4t_open(x->img, true);
	struct ext2_inode_large inode;
	uint64_t refs;

	f4t_read_inode(fs, ea, &inode);
	refs = inode.i_links_count && ext2fs_test_inode_bitmap2(fs->inode_map, ea) ?
	       ext2fs_get_ea_inode_ref((struct ext2_inode *)&inode) : 0;
	f4t_close(fs);
	return refs;
}

static void test_shared_ea_block(void **state)
{
	struct fx *x = *state;
	size_t len = 6000;
	void *big = pattern(len), *other = pattern(len + 1);
	blk64_t blk;
	ext2_ino_t ea;

	share_ea_block(x, big, len, &blk, &ea);
	/* f's copy of the block keeps naming the EA inode of n's. */
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.s", "s", 1, 0), 0);
	close_check(x);
	assert_int_equal(ea_refs_of(x, ea), 2);
	/* A new value for f: n's stays. */
	open_rw(x, true);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.big", other,
				      len + 1, 0), 0);
	expect_xattr(x, x->n, "user.big", big, len);
	expect_xattr(x, x->f, "user.big", other, len + 1);
	close_check(x);
	assert_int_equal(ea_refs_of(x, ea), 1);
	/* n's goes, and with it the EA inode. */
	open_rw(x, true);
	assert_int_equal(f4_xattr_remove(x->f4, &root, x->n, "user.big"), 0);
	close_check(x);
	assert_int_equal(ea_refs_of(x, ea), 0);
	free(big);
	free(other);
}

static void test_shared_ea_remove(void **state)
{
	struct fx *x = *state;
	size_t len = 6000;
	void *big = pattern(len);
	blk64_t blk;
	ext2_ino_t ea;

	share_ea_block(x, big, len, &blk, &ea);
	assert_int_equal(f4_xattr_remove(x->f4, &root, x->f, "user.big"), 0);
	expect_xattr(x, x->n, "user.big", big, len);
	close_check(x);
	assert_int_equal(ea_refs_of(x, ea), 1);
	free(big);
}

/* Free inode ino as the namespace code does, with libext2fs (after
 * f4_xattr_release_locked): unlink it from the root and clear it. */
static void drop_inode(struct fx *x, const char *name, ext2_ino_t ino)
{
	ext2_filsys fs = f4t_open(x->img, true);
	struct ext2_inode_large inode;

	assert_int_equal(ext2fs_unlink(fs, EXT2_ROOT_INO, name, ino, 0), 0);
	f4t_read_inode(fs, ino, &inode);
	inode.i_links_count = 0;
	inode.i_dtime = 1700000000;
	f4t_write_inode(fs, ino, &inode);
	ext2fs_inode_alloc_stats2(fs, ino, -1, 0);
	f4t_close_flush(fs);
}

static void release(struct fx *x, ext2_ino_t ino, const char *name)
{
	f4_fs_lock(x->f4);
	assert_int_equal(f4_xattr_release_locked(x->f4, ino), 0);
	f4_fs_unlock(x->f4);
	assert_int_equal(f4_mount_close(x->f4), 0);
	x->f4 = NULL;
	drop_inode(x, name, ino);
	f4t_fsck_clean(x->img);
}

static void test_release(void **state)
{
	struct fx *x = *state;
	size_t len = 6000;
	void *big = pattern(len);
	blk64_t blk;
	ext2_ino_t ea;
	ext2_filsys fs;
	uint32_t free_inodes;

	share_ea_block(x, big, len, &blk, &ea);
	/* n shares the block with f: the block's values stay f's. */
	release(x, x->n, "n");
	assert_int_equal(ea_refs_of(x, ea), 1);

	open_rw(x, true);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.own", big, 5000, 0), 0);
	free_inodes = x->f4->fs->super->s_free_inodes_count;
	release(x, x->f, "f");
	assert_int_equal(ea_refs_of(x, ea), 0);
	fs = f4t_open(x->img, true);
	/* Both EA inodes and f itself are free, and so is the block. */
	assert_int_equal(fs->super->s_free_inodes_count, free_inodes + 3);
	assert_false(ext2fs_test_block_bitmap2(fs->block_map, blk));
	f4t_close(fs);
	free(big);
}

static void test_enospc(void **state)
{
	struct fx *x = *state;
	void *big = pattern(65536);

	/* 1 KiB blocks, 128-byte inodes, no EA inodes: a value must fit
	 * in one block with its header and entry. */
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.v", big, 1100, 0),
			 -ENOSPC);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.v", big, 900, 0), 0);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.w", big, 200, 0),
			 -ENOSPC);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.v", big, 65536, 0),
			 -ENOSPC);
	assert_int_equal(f4_xattr_set(x->f4, &root, x->f, "user.v", big, 65537, 0),
			 -E2BIG);
	expect_xattr(x, x->f, "user.v", big, 900);
	close_check(x);
	free(big);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_user_basic, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_names, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_list_trusted, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_times, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_privileged, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_immutable_append, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_erofs, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_acl_access, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_acl_setgid_kept, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_acl_errors, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_inherit, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_inherit_equivalent, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_chmod, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_cow_shared_block, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_cow_shared_remove, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_block_freed, setup_plain, teardown),
		cmocka_unit_test_setup_teardown(test_ea_inode, setup_ea, teardown),
		cmocka_unit_test_setup_teardown(test_shared_ea_block, setup_ea128, teardown),
		cmocka_unit_test_setup_teardown(test_shared_ea_remove, setup_ea128, teardown),
		cmocka_unit_test_setup_teardown(test_release, setup_ea128, teardown),
		cmocka_unit_test_setup_teardown(test_enospc, setup_small, teardown),
	};

	if (!f4t_have_e2fsprogs()) {
		fprintf(stderr, "mke2fs/debugfs/e2fsck not found: skipping\n");
		return F4T_SKIP;
	}
	return cmocka_run_group_tests_name("xattr and acl writes", tests, NULL,
					   NULL);
}
