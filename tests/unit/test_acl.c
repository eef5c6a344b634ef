/* Unit tests for the POSIX ACL formats and mode rules (src/xattr/acl_format.h):
 * the VFS xattr format and ext4's on-disk format byte for byte, the
 * kernel's validity rules, and the mode arithmetic of set_acl, create
 * and chmod, with expected values worked out by hand (and checked
 * against the kernel's ext4 where noted). No filesystem involved. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "src/xattr/acl_format.h"
#include "aclvec.h"

#define U_OBJ F4_ACL_USER_OBJ
#define U F4_ACL_USER
#define G_OBJ F4_ACL_GROUP_OBJ
#define G F4_ACL_GROUP
#define M F4_ACL_MASK
#define O F4_ACL_OTHER
#define NOID F4_ACL_UNDEFINED_ID

/* Build an ACL from (tag, perm, id) triples. */
static struct f4_acl *mk(unsigned n, ...)
{
	struct f4_acl *acl = f4_acl_alloc(n);
	va_list ap;
	unsigned i;

	assert_non_null(acl);
	va_start(ap, n);
	for (i = 0; i < n; i++) {
		acl->e[i].tag = (uint16_t)va_arg(ap, int);
		acl->e[i].perm = (uint16_t)va_arg(ap, int);
		acl->e[i].id = va_arg(ap, uint32_t);
	}
	va_end(ap);
	return acl;
}

static void assert_entry(const struct f4_acl *acl, unsigned i, uint16_t tag,
			 uint16_t perm, uint32_t id)
{
	assert_true(i < acl->count);
	assert_int_equal(acl->e[i].tag, tag);
	assert_int_equal(acl->e[i].perm, perm);
	assert_int_equal(acl->e[i].id, id);
}

static void check_named(const struct f4_acl *acl)
{
	assert_int_equal(acl->count, 6);
	assert_entry(acl, 0, U_OBJ, 6, NOID);
	assert_entry(acl, 1, U, 7, 1000);
	assert_entry(acl, 2, G_OBJ, 4, NOID);
	assert_entry(acl, 3, G, 4, 50);
	assert_entry(acl, 4, M, 7, NOID);
	assert_entry(acl, 5, O, 0, NOID);
}

static void test_from_xattr(void **state)
{
	struct f4_acl *acl = NULL;

	(void)state;
	assert_int_equal(f4_acl_from_xattr(f4t_vfs_named, sizeof(f4t_vfs_named), &acl),
			 0);
	assert_non_null(acl);
	check_named(acl);
	free(acl);
}

static void test_from_xattr_ids(void **state)
{
	/* Ids of unnamed entries are ignored (setfacl sends 0 or -1). */
	static const unsigned char v[] = {
		2, 0, 0, 0,
		0x01, 0, 7, 0, 0x00, 0x00, 0x00, 0x00,
		0x04, 0, 5, 0, 0x12, 0x34, 0x56, 0x78,
		0x20, 0, 1, 0, 0xff, 0xff, 0xff, 0xff,
	};
	struct f4_acl *acl = NULL;

	(void)state;
	assert_int_equal(f4_acl_from_xattr(v, sizeof(v), &acl), 0);
	assert_int_equal(acl->count, 3);
	assert_entry(acl, 0, U_OBJ, 7, NOID);
	assert_entry(acl, 1, G_OBJ, 5, NOID);
	assert_entry(acl, 2, O, 1, NOID);
	free(acl);
}

static void test_from_xattr_empty(void **state)
{
	static const unsigned char hdr[] = { 2, 0, 0, 0 };
	struct f4_acl *acl = (struct f4_acl *)&acl;

	(void)state;
	/* No bytes, or the header alone: no ACL (setting it removes). */
	assert_int_equal(f4_acl_from_xattr(NULL, 0, &acl), 0);
	assert_null(acl);
	acl = (struct f4_acl *)&acl;
	assert_int_equal(f4_acl_from_xattr(hdr, sizeof(hdr), &acl), 0);
	assert_null(acl);
}

static void test_from_xattr_bad(void **state)
{
	unsigned char v[sizeof(f4t_vfs_named) + 1];
	struct f4_acl *acl = NULL;

	(void)state;
	memcpy(v, f4t_vfs_named, sizeof(f4t_vfs_named));
	v[sizeof(f4t_vfs_named)] = 0;
	/* Shorter than the header, or not a whole number of entries. */
	assert_int_equal(f4_acl_from_xattr(v, 3, &acl), -EINVAL);
	assert_int_equal(f4_acl_from_xattr(v, 5, &acl), -EINVAL);
	assert_int_equal(f4_acl_from_xattr(v, sizeof(v), &acl), -EINVAL);
	assert_int_equal(f4_acl_from_xattr(v, sizeof(f4t_vfs_named) - 4, &acl),
			 -EINVAL);
	/* Another version: the kernel says EOPNOTSUPP. */
	v[0] = 3;
	assert_int_equal(f4_acl_from_xattr(v, sizeof(f4t_vfs_named), &acl),
			 -EOPNOTSUPP);
	v[0] = 2;
	/* Unknown tag. */
	v[4 + 8 * 5] = 0x40;
	assert_int_equal(f4_acl_from_xattr(v, sizeof(f4t_vfs_named), &acl),
			 -EINVAL);
	v[4 + 8 * 5] = 0x20;
	/* A named user -1 maps to nobody. */
	memset(v + 4 + 8 + 4, 0xff, 4);
	assert_int_equal(f4_acl_from_xattr(v, sizeof(f4t_vfs_named), &acl),
			 -EINVAL);
	assert_null(acl);
}

static void test_to_xattr(void **state)
{
	struct f4_acl *acl = mk(6, U_OBJ, 6, 0, U, 7, 1000, G_OBJ, 4, 0,
				G, 4, 50, M, 7, 123, O, 0, 0);
	void *buf = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(f4_acl_xattr_size(6), sizeof(f4t_vfs_named));
	assert_int_equal(f4_acl_to_xattr(acl, &buf, &len), 0);
	assert_int_equal(len, sizeof(f4t_vfs_named));
	assert_memory_equal(buf, f4t_vfs_named, sizeof(f4t_vfs_named));
	free(buf);
	free(acl);
}

static void test_from_disk(void **state)
{
	struct f4_acl *acl = NULL;

	(void)state;
	assert_int_equal(f4_acl_from_disk(f4t_disk_named, sizeof(f4t_disk_named), &acl),
			 0);
	check_named(acl);
	free(acl);
}

static void test_from_disk_minimal(void **state)
{
	static const unsigned char d[] = {
		1, 0, 0, 0, 0x01, 0, 7, 0, 0x04, 0, 5, 0, 0x20, 0, 4, 0,
	};
	static const unsigned char hdr[] = { 1, 0, 0, 0 };
	struct f4_acl *acl = NULL;

	(void)state;
	assert_int_equal(f4_acl_from_disk(d, sizeof(d), &acl), 0);
	assert_int_equal(acl->count, 3);
	assert_entry(acl, 0, U_OBJ, 7, NOID);
	assert_entry(acl, 1, G_OBJ, 5, NOID);
	assert_entry(acl, 2, O, 4, NOID);
	free(acl);
	acl = (struct f4_acl *)&acl;
	assert_int_equal(f4_acl_from_disk(hdr, sizeof(hdr), &acl), 0);
	assert_null(acl);
}

static void test_from_disk_bad(void **state)
{
	unsigned char d[64];
	struct f4_acl *acl = NULL;
	/* Five short entries: ext4 counts at most four of them. */
	static const unsigned char five_short[] = {
		1, 0, 0, 0, 0x01, 0, 7, 0, 0x04, 0, 5, 0, 0x10, 0, 5, 0,
		0x20, 0, 4, 0, 0x20, 0, 4, 0,
	};
	/* Sizes that fit, but a named entry where a short one is due,
	 * running past the end. */
	static const unsigned char overrun[] = {
		1, 0, 0, 0, 0x01, 0, 7, 0, 0x04, 0, 5, 0, 0x10, 0, 5, 0,
		0x02, 0, 4, 0,
	};

	(void)state;
	assert_int_equal(f4_acl_from_disk(f4t_disk_named, 3, &acl), -EINVAL);
	memcpy(d, f4t_disk_named, sizeof(f4t_disk_named));
	d[0] = 2;
	assert_int_equal(f4_acl_from_disk(d, sizeof(f4t_disk_named), &acl),
			 -EINVAL);
	d[0] = 1;
	/* Truncated or with trailing bytes. */
	assert_int_equal(f4_acl_from_disk(d, sizeof(f4t_disk_named) - 4, &acl),
			 -EINVAL);
	assert_int_equal(f4_acl_from_disk(d, sizeof(f4t_disk_named) - 1, &acl),
			 -EINVAL);
	memset(d + sizeof(f4t_disk_named), 0, 8);
	assert_int_equal(f4_acl_from_disk(d, sizeof(f4t_disk_named) + 8, &acl),
			 -EINVAL);
	/* Unknown tag. */
	d[4] = 0x03;
	assert_int_equal(f4_acl_from_disk(d, sizeof(f4t_disk_named), &acl),
			 -EINVAL);
	assert_int_equal(f4_acl_from_disk(five_short, sizeof(five_short), &acl),
			 -EINVAL);
	assert_int_equal(f4_acl_from_disk(overrun, sizeof(overrun), &acl), -EINVAL);
	assert_null(acl);
}

static void test_to_disk(void **state)
{
	struct f4_acl *acl = mk(6, U_OBJ, 6, NOID, U, 7, 1000, G_OBJ, 4, NOID,
				G, 4, 50, M, 7, NOID, O, 0, NOID);
	struct f4_acl *back = NULL;
	void *buf = NULL;
	size_t len = 0;

	(void)state;
	assert_int_equal(f4_acl_to_disk(acl, &buf, &len), 0);
	assert_int_equal(len, sizeof(f4t_disk_named));
	assert_memory_equal(buf, f4t_disk_named, sizeof(f4t_disk_named));
	assert_int_equal(f4_acl_from_disk(buf, len, &back), 0);
	assert_true(f4_acl_equal(acl, back));
	free(back);
	free(buf);
	acl->e[3].tag = 0x40;
	assert_int_equal(f4_acl_to_disk(acl, &buf, &len), -EINVAL);
	free(acl);
}

static void test_valid(void **state)
{
	struct {
		struct f4_acl *acl;
		int want;
	} c[] = {
		{ mk(3, U_OBJ, 7, NOID, G_OBJ, 5, NOID, O, 0, NOID), 0 },
		/* A mask without named entries is valid. */
		{ mk(4, U_OBJ, 7, NOID, G_OBJ, 5, NOID, M, 7, NOID, O, 0, NOID), 0 },
		{ mk(6, U_OBJ, 6, NOID, U, 7, 1000, G_OBJ, 4, NOID, G, 4, 50,
		     M, 7, NOID, O, 0, NOID), 0 },
		{ mk(6, U_OBJ, 6, NOID, U, 4, 7, U, 2, 5, U, 1, 5, G_OBJ, 4, NOID,
		     M, 4, NOID), -EINVAL },	/* no other */
		/* Named entries need not be sorted nor unique (as the kernel). */
		{ mk(7, U_OBJ, 6, NOID, U, 4, 7, U, 2, 5, U, 1, 5, G_OBJ, 4, NOID,
		     M, 4, NOID, O, 0, NOID), 0 },
		/* Named entries without a mask. */
		{ mk(4, U_OBJ, 6, NOID, U, 7, 1000, G_OBJ, 4, NOID, O, 0, NOID), -EINVAL },
		{ mk(4, U_OBJ, 6, NOID, G_OBJ, 4, NOID, G, 1, 9, O, 0, NOID), -EINVAL },
		/* Out of order. */
		{ mk(3, G_OBJ, 5, NOID, U_OBJ, 7, NOID, O, 0, NOID), -EINVAL },
		{ mk(5, U_OBJ, 6, NOID, G_OBJ, 4, NOID, U, 7, 1000, M, 7, NOID,
		     O, 0, NOID), -EINVAL },
		{ mk(4, U_OBJ, 7, NOID, G_OBJ, 5, NOID, O, 0, NOID, M, 7, NOID), -EINVAL },
		/* Duplicates of the single entries, or one missing. */
		{ mk(4, U_OBJ, 7, NOID, U_OBJ, 7, NOID, G_OBJ, 5, NOID, O, 0, NOID), -EINVAL },
		{ mk(4, U_OBJ, 7, NOID, G_OBJ, 5, NOID, O, 0, NOID, O, 0, NOID), -EINVAL },
		{ mk(2, U_OBJ, 7, NOID, O, 0, NOID), -EINVAL },
		{ mk(2, G_OBJ, 7, NOID, O, 0, NOID), -EINVAL },
		{ mk(0), -EINVAL },
		/* Permission bits beyond rwx. */
		{ mk(3, U_OBJ, 8, NOID, G_OBJ, 5, NOID, O, 0, NOID), -EINVAL },
		{ mk(3, U_OBJ, 7, NOID, G_OBJ, 5, NOID, O, 0x0c, NOID), -EINVAL },
		/* Named id -1, unknown tag. */
		{ mk(5, U_OBJ, 6, NOID, U, 7, NOID, G_OBJ, 4, NOID, M, 7, NOID,
		     O, 0, NOID), -EINVAL },
		{ mk(3, U_OBJ, 7, NOID, 0x40, 5, NOID, O, 0, NOID), -EINVAL },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		if (f4_acl_valid(c[i].acl) != c[i].want)
			print_error("case %zu\n", i);
		assert_int_equal(f4_acl_valid(c[i].acl), c[i].want);
		free(c[i].acl);
	}
}

static void test_equiv_mode(void **state)
{
	struct f4_acl *min = mk(3, U_OBJ, 7, NOID, G_OBJ, 4, NOID, O, 4, NOID);
	struct f4_acl *masked = mk(4, U_OBJ, 7, NOID, G_OBJ, 4, NOID,
				   M, 7, NOID, O, 4, NOID);
	struct f4_acl *named = mk(6, U_OBJ, 6, NOID, U, 7, 1000, G_OBJ, 4, NOID,
				  G, 4, 50, M, 7, NOID, O, 0, NOID);
	uint16_t mode;

	(void)state;
	/* The type and setgid bits stay; the permission bits are the ACL's. */
	mode = S_IFREG | S_ISGID | 0755;
	assert_int_equal(f4_acl_equiv_mode(min, &mode), 0);
	assert_int_equal(mode, S_IFREG | S_ISGID | 0744);
	/* A mask alone makes the ACL worth keeping; the group bits show it. */
	mode = S_IFREG | 0600;
	assert_int_equal(f4_acl_equiv_mode(masked, &mode), 1);
	assert_int_equal(mode, S_IFREG | 0774);
	/* A mask narrower than the owning group's entry. */
	masked->e[1].perm = 7;
	masked->e[2].perm = 4;
	mode = S_IFREG | 0777;
	assert_int_equal(f4_acl_equiv_mode(masked, &mode), 1);
	assert_int_equal(mode, S_IFREG | 0744);
	mode = S_IFDIR | S_ISVTX | 0777;
	assert_int_equal(f4_acl_equiv_mode(named, &mode), 1);
	assert_int_equal(mode, S_IFDIR | S_ISVTX | 0670);
	named->e[0].tag = 0x40;
	assert_int_equal(f4_acl_equiv_mode(named, &mode), -EINVAL);
	free(min);
	free(masked);
	free(named);
}

static void test_create_masq(void **state)
{
	/* default: user::rwx user:1000:r-x group::r-x mask::rwx other::--x;
	 * ext4 gave a file created with 0666 mode 0660 and mask rw-, a
	 * directory created with 0777 mode 0771 and the ACL unchanged. */
	struct f4_acl *deflt = mk(5, U_OBJ, 7, NOID, U, 5, 1000, G_OBJ, 5, NOID,
				  M, 7, NOID, O, 1, NOID);
	struct f4_acl *a = f4_acl_clone(deflt);
	uint16_t mode = S_IFREG | 0666;

	(void)state;
	assert_int_equal(f4_acl_create_masq(a, &mode), 1);
	assert_int_equal(mode, S_IFREG | 0660);
	assert_entry(a, 0, U_OBJ, 6, NOID);
	assert_entry(a, 1, U, 5, 1000);		/* named entries stay */
	assert_entry(a, 2, G_OBJ, 5, NOID);	/* the mask takes the cut */
	assert_entry(a, 3, M, 6, NOID);
	assert_entry(a, 4, O, 0, NOID);
	free(a);

	a = f4_acl_clone(deflt);
	mode = S_IFDIR | S_ISGID | 0777;
	assert_int_equal(f4_acl_create_masq(a, &mode), 1);
	assert_int_equal(mode, S_IFDIR | S_ISGID | 0771);
	assert_true(f4_acl_equal(a, deflt));
	free(a);
	free(deflt);

	/* Minimal default ACL: ANDed both ways, and equivalent to the mode
	 * (ext4 stores no access ACL; 0666 & rw-,r--,r-- gives 0644). */
	deflt = mk(3, U_OBJ, 6, NOID, G_OBJ, 4, NOID, O, 4, NOID);
	mode = S_IFREG | 0666;
	assert_int_equal(f4_acl_create_masq(deflt, &mode), 0);
	assert_int_equal(mode, S_IFREG | 0644);
	/* Mode bits the ACL has but the mode lacks go from the ACL. */
	mode = S_IFREG | 0600;
	assert_int_equal(f4_acl_create_masq(deflt, &mode), 0);
	assert_int_equal(mode, S_IFREG | 0600);
	assert_entry(deflt, 1, G_OBJ, 0, NOID);
	assert_entry(deflt, 2, O, 0, NOID);
	free(deflt);

	/* No owning group and no mask: unusable. */
	deflt = mk(2, U_OBJ, 7, NOID, O, 4, NOID);
	assert_int_equal(f4_acl_create_masq(deflt, &mode), -EIO);
	free(deflt);
}

static void test_chmod_masq(void **state)
{
	struct f4_acl *a = mk(6, U_OBJ, 6, NOID, U, 7, 1000, G_OBJ, 4, NOID,
			      G, 4, 50, M, 7, NOID, O, 0, NOID);
	struct f4_acl *b = mk(3, U_OBJ, 6, NOID, G_OBJ, 4, NOID, O, 0, NOID);

	(void)state;
	/* chmod 640 on the ACL above: ext4 shows mask r--, other ---. */
	assert_int_equal(f4_acl_chmod_masq(a, S_IFREG | 0640), 0);
	assert_entry(a, 0, U_OBJ, 6, NOID);
	assert_entry(a, 1, U, 7, 1000);
	assert_entry(a, 2, G_OBJ, 4, NOID);
	assert_entry(a, 3, G, 4, 50);
	assert_entry(a, 4, M, 4, NOID);
	assert_entry(a, 5, O, 0, NOID);
	assert_int_equal(f4_acl_chmod_masq(a, S_IFREG | S_ISUID | 0751), 0);
	assert_entry(a, 0, U_OBJ, 7, NOID);
	assert_entry(a, 4, M, 5, NOID);
	assert_entry(a, 5, O, 1, NOID);
	/* Without a mask the owning group follows the mode. */
	assert_int_equal(f4_acl_chmod_masq(b, 0705), 0);
	assert_entry(b, 0, U_OBJ, 7, NOID);
	assert_entry(b, 1, G_OBJ, 0, NOID);
	assert_entry(b, 2, O, 5, NOID);
	free(b);
	b = mk(2, U_OBJ, 6, NOID, O, 0, NOID);
	assert_int_equal(f4_acl_chmod_masq(b, 0705), -EIO);
	free(b);
	free(a);
}

static void test_permission(void **state)
{
	/* owner 10:20; user:30:rwx, group::r-x, group:40:-w-, mask::r-x,
	 * other::r-- */
	struct f4_acl *a = mk(6, U_OBJ, 6, NOID, U, 7, 30, G_OBJ, 5, NOID,
			      G, 2, 40, M, 5, NOID, O, 4, NOID);
	gid_t g40[] = { 40 }, g20_40[] = { 20, 40 };
	struct f4_cred owner = { .uid = 10, .gid = 99 };
	struct f4_cred named = { .uid = 30, .gid = 99 };
	struct f4_cred grp = { .uid = 50, .gid = 20 };
	struct f4_cred g40only = { .uid = 51, .gid = 99, .groups = g40, .ngroups = 1 };
	struct f4_cred both = { .uid = 52, .gid = 99, .groups = g20_40, .ngroups = 2 };
	struct f4_cred other = { .uid = 53, .gid = 98 };

	(void)state;
	assert_int_equal(f4_acl_permission(a, 10, 20, &owner, R_OK | W_OK), 0);
	assert_int_equal(f4_acl_permission(a, 10, 20, &owner, X_OK), -EACCES);
	/* Named user: rwx through mask r-x. */
	assert_int_equal(f4_acl_permission(a, 10, 20, &named, R_OK | X_OK), 0);
	assert_int_equal(f4_acl_permission(a, 10, 20, &named, W_OK), -EACCES);
	assert_int_equal(f4_acl_permission(a, 10, 20, &grp, R_OK | X_OK), 0);
	assert_int_equal(f4_acl_permission(a, 10, 20, &grp, W_OK), -EACCES);
	/* group:40 grants w, but the mask takes it away. */
	assert_int_equal(f4_acl_permission(a, 10, 20, &g40only, W_OK), -EACCES);
	/* In a matching group that does not grant: other does not apply. */
	assert_int_equal(f4_acl_permission(a, 10, 20, &g40only, R_OK), -EACCES);
	/* Any one matching group granting all is enough. */
	assert_int_equal(f4_acl_permission(a, 10, 20, &both, R_OK), 0);
	assert_int_equal(f4_acl_permission(a, 10, 20, &other, R_OK), 0);
	assert_int_equal(f4_acl_permission(a, 10, 20, &other, W_OK), -EACCES);
	free(a);
}

static void test_equal_clone(void **state)
{
	struct f4_acl *a = mk(4, U_OBJ, 6, NOID, U, 7, 5, G_OBJ, 4, NOID, O, 0, 7);
	struct f4_acl *b = f4_acl_clone(a);

	(void)state;
	assert_true(f4_acl_equal(a, b));
	b->e[3].id = 1;		/* unnamed ids do not count */
	assert_true(f4_acl_equal(a, b));
	b->e[1].id = 6;
	assert_false(f4_acl_equal(a, b));
	b->e[1].id = 5;
	b->e[2].perm = 5;
	assert_false(f4_acl_equal(a, b));
	b->count = 3;
	assert_false(f4_acl_equal(a, b));
	free(a);
	free(b);
	assert_null(f4_acl_alloc(100000));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_from_xattr),
		cmocka_unit_test(test_from_xattr_ids),
		cmocka_unit_test(test_from_xattr_empty),
		cmocka_unit_test(test_from_xattr_bad),
		cmocka_unit_test(test_to_xattr),
		cmocka_unit_test(test_from_disk),
		cmocka_unit_test(test_from_disk_minimal),
		cmocka_unit_test(test_from_disk_bad),
		cmocka_unit_test(test_to_disk),
		cmocka_unit_test(test_valid),
		cmocka_unit_test(test_equiv_mode),
		cmocka_unit_test(test_create_masq),
		cmocka_unit_test(test_chmod_masq),
		cmocka_unit_test(test_permission),
		cmocka_unit_test(test_equal_clone),
	};

	return cmocka_run_group_tests_name("acl formats and mode rules", tests,
					   NULL, NULL);
}
