/* Unit tests for the ownership mapping (src/fs/idmap.h): parsing uidmap=
 * lists and every way they are refused, on-disk -> seen (overflow id for
 * unmapped ids), seen -> on-disk for new inodes and chown (EOVERFLOW when
 * unmapped), fixed maps (uid=N), ACL entries (EINVAL when unmapped), the
 * option level (-o uid, gid, uidmap, gidmap, fakeroot and what excludes
 * what) and the /etc/fuse.conf rules for allow_other (src/cli/fuseconf.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <setjmp.h>
#include <cmocka.h>

#include "src/xattr/acl_format.h"
#include "src/cli/fuseconf.h"
#include "src/fs/idmap.h"
#include "src/cli/opts.h"

static struct f4_idmap_ids parsed(const char *spec)
{
	struct f4_idmap_ids ids;
	char msg[128] = "";

	if (f4_idmap_parse(spec, &ids, msg, sizeof(msg)) != 0)
		fail_msg("'%s' refused: %s", spec, msg);
	return ids;
}

static void refused(const char *spec, const char *why)
{
	struct f4_idmap_ids ids;
	char msg[128] = "";

	assert_int_equal(f4_idmap_parse(spec, &ids, msg, sizeof(msg)), -EINVAL);
	if (!strstr(msg, why))
		fail_msg("'%s': message '%s' lacks '%s'", spec, msg, why);
}

static void test_parse(void **state)
{
	struct f4_idmap_ids ids = parsed("0:100000:65536");

	assert_int_equal(ids.kind, F4_IDMAP_RANGES);
	assert_int_equal(ids.nranges, 1);
	assert_int_equal(ids.r[0].inside, 0);
	assert_int_equal(ids.r[0].ondisk, 100000);
	assert_int_equal(ids.r[0].count, 65536);

	ids = parsed("1000:0:1:1:100000:999:1001:101000:64535");
	assert_int_equal(ids.nranges, 3);
	assert_int_equal(ids.r[2].inside, 1001);
	assert_int_equal(ids.r[2].ondisk, 101000);
	assert_int_equal(ids.r[2].count, 64535);

	/* The whole id space but the "no id" value -1. */
	ids = parsed("0:0:4294967295");
	assert_int_equal(ids.r[0].count, 4294967295u);
	ids = parsed("4294967294:0:1");
	assert_int_equal(ids.r[0].inside, 4294967294u);
}

static void test_parse_refused(void **state)
{
	char spec[64 * 24 + 32], *p = spec;
	int i;

	refused("", "expected INSIDE:ONDISK:COUNT");
	refused("0", "expected");
	refused("0:1", "expected");
	refused("0:1:", "expected");
	refused("0:1:2:", "expected");
	refused("0:1:2:3", "expected");
	refused("0:1:2:3:4", "expected");
	refused(":0:1:2", "expected");
	refused("0::1", "expected");
	refused("-1:0:1", "expected");
	refused("+1:0:1", "expected");
	refused(" 1:0:1", "expected");
	refused("1:0:1 ", "expected");
	refused("0x10:0:1", "expected");
	refused("a:b:c", "expected");
	refused("4294967296:0:1", "expected");
	refused("0:0:18446744073709551617", "expected");
	refused("0:0:0", "a range of 0 ids");
	refused("0:0:4294967296", "expected");
	refused("1:0:4294967295", "goes past id 4294967294");
	refused("0:1:4294967295", "goes past id");
	refused("4294967295:0:1", "goes past id");
	refused("0:4294967295:1", "goes past id");
	/* Overlaps, inside or on disk, touching or contained. */
	refused("0:0:10:9:100:1", "overlap");
	refused("0:0:10:100:9:1", "overlap");
	refused("5:0:1:0:100:10", "overlap");
	refused("0:0:10:0:100:10", "overlap");
	parsed("0:0:10:10:10:10");	/* adjacent is fine */

	for (i = 0; i < F4_IDMAP_MAX_RANGES + 1; i++)
		p += sprintf(p, "%s%d:%d:1", i ? ":" : "", i, 1000 + i);
	refused(spec, "more than 64 ranges");
	*strrchr(spec, ':') = '\0';
	*strrchr(spec, ':') = '\0';
	*strrchr(spec, ':') = '\0';
	assert_int_equal(parsed(spec).nranges, F4_IDMAP_MAX_RANGES);
}

static void test_identity(void **state)
{
	struct f4_idmap_ids ids;
	uint32_t d = 7;

	memset(&ids, 0, sizeof(ids));
	assert_true(f4_idmap_is_identity(&ids));
	assert_int_equal(f4_idmap_show(&ids, 0), 0);
	assert_int_equal(f4_idmap_show(&ids, 4294967294u), 4294967294u);
	assert_int_equal(f4_idmap_store(&ids, 1234, &d), 0);
	assert_int_equal(d, 1234);
}

static void test_ranges(void **state)
{
	/* Rootless: the user (1000) is root inside, subordinate ids above. */
	struct f4_idmap_ids ids = parsed("0:1000:1:1:100000:65536");
	uint32_t d = 7;

	assert_false(f4_idmap_is_identity(&ids));
	assert_int_equal(f4_idmap_show(&ids, 1000), 0);
	assert_int_equal(f4_idmap_show(&ids, 100000), 1);
	assert_int_equal(f4_idmap_show(&ids, 165535), 65536);
	/* Unmapped on-disk ids show as the overflow id. */
	assert_int_equal(f4_idmap_show(&ids, 0), F4_IDMAP_OVERFLOW);
	assert_int_equal(f4_idmap_show(&ids, 999), F4_IDMAP_OVERFLOW);
	assert_int_equal(f4_idmap_show(&ids, 1001), F4_IDMAP_OVERFLOW);
	assert_int_equal(f4_idmap_show(&ids, 99999), F4_IDMAP_OVERFLOW);
	assert_int_equal(f4_idmap_show(&ids, 165536), F4_IDMAP_OVERFLOW);
	assert_int_equal(f4_idmap_show(&ids, 4294967295u), F4_IDMAP_OVERFLOW);

	assert_int_equal(f4_idmap_store(&ids, 0, &d), 0);
	assert_int_equal(d, 1000);
	assert_int_equal(f4_idmap_store(&ids, 65536, &d), 0);
	assert_int_equal(d, 165535);
	/* An inside id with no on-disk id: EOVERFLOW, as an idmapped mount. */
	d = 7;
	assert_int_equal(f4_idmap_store(&ids, 65537, &d), -EOVERFLOW);
	assert_int_equal(f4_idmap_store(&ids, F4_IDMAP_OVERFLOW - 1, &d), 0);
	assert_int_equal(f4_idmap_store(&ids, 4294967294u, &d), -EOVERFLOW);
	assert_int_equal(f4_idmap_store(&ids, 4294967295u, &d), -EOVERFLOW);

	/* A range at the very top of the id space. */
	ids = parsed("4294967290:0:5");
	assert_int_equal(f4_idmap_show(&ids, 4), 4294967294u);
	assert_int_equal(f4_idmap_show(&ids, 5), F4_IDMAP_OVERFLOW);
	assert_int_equal(f4_idmap_store(&ids, 4294967294u, &d), 0);
	assert_int_equal(d, 4);
	assert_int_equal(f4_idmap_store(&ids, 4294967289u, &d), -EOVERFLOW);
}

static void test_fixed(void **state)
{
	struct f4_idmap_ids ids;
	uint32_t d = 7;

	f4_idmap_set_fixed(&ids, 1000);
	assert_false(f4_idmap_is_identity(&ids));
	assert_int_equal(f4_idmap_show(&ids, 0), 1000);
	assert_int_equal(f4_idmap_show(&ids, 55), 1000);
	assert_int_equal(f4_idmap_show(&ids, 4294967295u), 1000);
	/* What is stored is not changed: new files and chown keep ids. */
	assert_int_equal(f4_idmap_store(&ids, 0, &d), 0);
	assert_int_equal(d, 0);
	assert_int_equal(f4_idmap_store(&ids, 4242, &d), 0);
	assert_int_equal(d, 4242);
}

static struct f4_acl *acl_of(unsigned n, const uint32_t (*e)[3])
{
	struct f4_acl *acl = f4_acl_alloc(n);
	unsigned i;

	assert_non_null(acl);
	for (i = 0; i < n; i++) {
		acl->e[i].tag = (uint16_t)e[i][0];
		acl->e[i].perm = (uint16_t)e[i][1];
		acl->e[i].id = e[i][2];
	}
	return acl;
}

static void test_acl(void **state)
{
	static const uint32_t ents[][3] = {
		{ F4_ACL_USER_OBJ, 6, F4_ACL_UNDEFINED_ID },
		{ F4_ACL_USER, 4, 100005 },
		{ F4_ACL_USER, 4, 7 },
		{ F4_ACL_GROUP_OBJ, 4, F4_ACL_UNDEFINED_ID },
		{ F4_ACL_GROUP, 2, 200003 },
		{ F4_ACL_MASK, 6, F4_ACL_UNDEFINED_ID },
		{ F4_ACL_OTHER, 0, F4_ACL_UNDEFINED_ID },
	};
	struct f4_idmap m;
	struct f4_acl *acl = acl_of(7, ents);

	m.uid = parsed("0:100000:65536");
	m.gid = parsed("0:200000:65536");
	f4_acl_idmap_show(&m, acl);
	assert_int_equal(acl->e[1].id, 5);
	assert_int_equal(acl->e[2].id, F4_IDMAP_OVERFLOW);	/* unmapped */
	assert_int_equal(acl->e[4].id, 3);
	/* Unnamed entries are left alone. */
	assert_int_equal(acl->e[0].id, F4_ACL_UNDEFINED_ID);
	assert_int_equal(acl->e[5].id, F4_ACL_UNDEFINED_ID);

	acl->e[2].id = 9;
	assert_int_equal(f4_acl_idmap_store(&m, acl), 0);
	assert_int_equal(acl->e[1].id, 100005);
	assert_int_equal(acl->e[2].id, 100009);
	assert_int_equal(acl->e[4].id, 200003);
	assert_int_equal(acl->e[6].id, F4_ACL_UNDEFINED_ID);

	/* An id outside the map cannot be stored: EINVAL, as the kernel's
	 * ACL check. User entries go through the uid map only. */
	m.gid = parsed("70000:300000:10");
	acl->e[1].id = 70000;
	acl->e[2].id = 9;
	acl->e[4].id = 70001;
	assert_int_equal(f4_acl_idmap_store(&m, acl), -EINVAL);
	acl->e[1].id = 5;
	assert_int_equal(f4_acl_idmap_store(&m, acl), 0);
	assert_int_equal(acl->e[1].id, 100005);
	assert_int_equal(acl->e[4].id, 300001);
	free(acl);

	/* Fixed maps and the identity leave ACL entries as they are. */
	acl = acl_of(7, ents);
	f4_idmap_set_fixed(&m.uid, 1000);
	memset(&m.gid, 0, sizeof(m.gid));
	f4_acl_idmap_show(&m, acl);
	assert_int_equal(acl->e[1].id, 100005);
	assert_int_equal(acl->e[4].id, 200003);
	assert_int_equal(f4_acl_idmap_store(&m, acl), 0);
	assert_int_equal(acl->e[2].id, 7);
	free(acl);
}

#define ARGV(...) (char *[]){ "fuse4fs", __VA_ARGS__, NULL }
#define ARGC(...) ((int)(sizeof((char *[]){ "fuse4fs", __VA_ARGS__ }) / sizeof(char *)))
#define PARSE(o, msg, ...) \
	f4_opts_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o), (msg), sizeof(msg))

static void test_options(void **state)
{
	struct f4_opts o;
	char msg[256] = "";

	assert_int_equal(PARSE(&o, msg, "-o", "uid=1234,gid=55", "img", "mnt"), 0);
	assert_int_equal(o.idmap.uid.kind, F4_IDMAP_FIXED);
	assert_int_equal(o.idmap.uid.fixed, 1234);
	assert_int_equal(o.idmap.gid.fixed, 55);
	assert_null(o.fuse_opts);	/* ours, not libfuse's */
	f4_opts_free(&o);

	/* Without a value: the mounting user's ids. */
	assert_int_equal(PARSE(&o, msg, "-o", "uid,gid", "img", "mnt"), 0);
	assert_int_equal(o.idmap.uid.fixed, (uint32_t)getuid());
	assert_int_equal(o.idmap.gid.fixed, (uint32_t)getgid());
	f4_opts_free(&o);

	assert_int_equal(PARSE(&o, msg, "-o", "uidmap=0:1000:1:1:100000:65536,gidmap=0:1000:1",
			       "-o", "fakeroot", "img", "mnt"), 0);
	assert_int_equal(o.idmap.uid.kind, F4_IDMAP_RANGES);
	assert_int_equal(o.idmap.uid.nranges, 2);
	assert_int_equal(o.idmap.gid.nranges, 1);
	assert_true(o.fakeroot);
	f4_opts_free(&o);

	assert_int_equal(PARSE(&o, msg, "-o", "allow_root", "img", "mnt"), 0);
	assert_true(o.allow_other);
	assert_false(o.default_permissions);
	f4_opts_free(&o);

	assert_int_equal(PARSE(&o, msg, "-o", "uid=x", "img", "mnt"), -EINVAL);
	assert_non_null(strstr(msg, "invalid uid='x'"));
	f4_opts_free(&o);
	assert_int_equal(PARSE(&o, msg, "-o", "gid=4294967295", "img", "mnt"), -EINVAL);
	f4_opts_free(&o);
	assert_int_equal(PARSE(&o, msg, "-o", "uidmap", "img", "mnt"), -EINVAL);
	assert_non_null(strstr(msg, "needs a value"));
	f4_opts_free(&o);
	assert_int_equal(PARSE(&o, msg, "-o", "gidmap=0:0:0", "img", "mnt"), -EINVAL);
	assert_non_null(strstr(msg, "invalid gidmap='0:0:0': a range of 0 ids"));
	f4_opts_free(&o);
	assert_int_equal(PARSE(&o, msg, "-o", "uid=5,uidmap=0:0:1", "img", "mnt"), -EINVAL);
	assert_non_null(strstr(msg, "-o uid and -o uidmap exclude each other"));
	f4_opts_free(&o);
	assert_int_equal(PARSE(&o, msg, "-o", "gidmap=0:0:1", "-o", "gid", "img", "mnt"), -EINVAL);
	assert_non_null(strstr(msg, "-o gid and -o gidmap exclude each other"));
	f4_opts_free(&o);
	assert_int_equal(PARSE(&o, msg, "-o", "fakeroot,default_permissions", "img", "mnt"), -EINVAL);
	assert_non_null(strstr(msg, "exclude each other"));
	f4_opts_free(&o);
	assert_int_equal(PARSE(&o, msg, "-o", "fakeroot=1", "img", "mnt"), -EINVAL);
	f4_opts_free(&o);
}

static void test_fuseconf(void **state)
{
	char path[] = "/tmp/f4-fuseconf-XXXXXX", msg[256] = "";
	FILE *f;
	int fd;

	assert_true(f4_fuseconf_has("user_allow_other\n", "user_allow_other"));
	assert_true(f4_fuseconf_has("mount_max = 5\n  user_allow_other  # yes\n",
				    "user_allow_other"));
	assert_true(f4_fuseconf_has("\tuser_allow_other", "user_allow_other"));
	assert_false(f4_fuseconf_has("#user_allow_other\n", "user_allow_other"));
	assert_false(f4_fuseconf_has("# user_allow_other\n", "user_allow_other"));
	assert_false(f4_fuseconf_has("user_allow_others\n", "user_allow_other"));
	assert_false(f4_fuseconf_has("no user_allow_other\n", "user_allow_other"));
	assert_false(f4_fuseconf_has("", "user_allow_other"));

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fputs("# The file /etc/fuse.conf allows...\n#user_allow_other\n", f);
	fclose(f);
	assert_int_equal(f4_fuseconf_check_allow_other(path, 0, msg, sizeof(msg)), 0);
	assert_int_equal(f4_fuseconf_check_allow_other(path, 1000, msg, sizeof(msg)), -EPERM);
	assert_non_null(strstr(msg, "user_allow_other"));
	f = fopen(path, "a");
	assert_non_null(f);
	fputs("user_allow_other\n", f);
	fclose(f);
	assert_int_equal(f4_fuseconf_check_allow_other(path, 1000, msg, sizeof(msg)), 0);
	unlink(path);
	/* No file at all: no permission. */
	assert_int_equal(f4_fuseconf_check_allow_other(path, 1000, msg, sizeof(msg)), -EPERM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_refused),
		cmocka_unit_test(test_identity),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_acl),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_fuseconf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
