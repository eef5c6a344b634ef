/* Unit tests for command-line parsing (src/cli/opts.h): flags, -o lists and
 * values, what is passed on to libfuse, errors and their messages, and
 * the --help text. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "src/cli/opts.h"

#define ARGV(...) (char *[]){ "fuse4fs", __VA_ARGS__, NULL }
#define ARGC(...) ((int)(sizeof((char *[]){ "fuse4fs", __VA_ARGS__ }) / sizeof(char *)))
/* Parse, keeping the result in o and the message in msg. */
#define PARSE(o, msg, ...) \
	f4_opts_parse(ARGC(__VA_ARGS__), ARGV(__VA_ARGS__), (o), (msg), sizeof(msg))

struct ctx {
	struct f4_opts o;
	char msg[256];
};

static int ctx_setup(void **state)
{
	struct ctx *c = calloc(1, sizeof(*c));

	if (!c)
		return -1;
	*state = c;
	return 0;
}

static int ctx_teardown(void **state)
{
	struct ctx *c = *state;

	f4_opts_free(&c->o);
	free(c);
	return 0;
}

/* Parse expecting success; the message buffer must stay untouched. */
#define OK(c, ...) do {							\
		strcpy((c)->msg, "untouched");				\
		f4_opts_free(&(c)->o);					\
		assert_int_equal(PARSE(&(c)->o, (c)->msg, __VA_ARGS__), 0); \
		assert_string_equal((c)->msg, "untouched");		\
	} while (0)

/* Parse expecting -EINVAL with a message containing what. */
#define BAD(c, what, ...) do {						\
		(c)->msg[0] = '\0';					\
		f4_opts_free(&(c)->o);					\
		assert_int_equal(PARSE(&(c)->o, (c)->msg, __VA_ARGS__), -EINVAL); \
		if (!strstr((c)->msg, (what)))				\
			print_error("message '%s' lacks '%s'\n", (c)->msg, (what)); \
		assert_non_null(strstr((c)->msg, (what)));		\
	} while (0)

static void test_minimal(void **state)
{
	struct ctx *c = *state;

	OK(c, "disk.img", "/mnt");
	assert_string_equal(c->o.image, "disk.img");
	assert_string_equal(c->o.mountpoint, "/mnt");
	/* Read-write unless asked otherwise; nothing for libfuse. */
	assert_false(c->o.readonly);
	assert_false(c->o.rw);
	assert_null(c->o.fuse_opts);
	assert_int_equal(c->o.offset, 0);
	assert_int_equal(c->o.errors, F4_ERRORS_DEFAULT);
	assert_false(c->o.norecovery);
	assert_false(c->o.foreground);
	assert_false(c->o.debug);
	assert_false(c->o.single_thread);
	assert_false(c->o.show_help);
	assert_false(c->o.show_version);
	assert_false(c->o.has_fsname);
	assert_false(c->o.has_subtype);
}

static void test_ro_rw(void **state)
{
	struct ctx *c = *state;

	/* ro is ours and libfuse's (the kernel mount is read-only too). */
	OK(c, "-o", "ro", "img", "mnt");
	assert_true(c->o.readonly);
	assert_false(c->o.rw);
	assert_string_equal(c->o.fuse_opts, "ro");
	/* rw is ours only. */
	OK(c, "-o", "rw", "img", "mnt");
	assert_true(c->o.rw);
	assert_false(c->o.readonly);
	assert_null(c->o.fuse_opts);
	/* The last of the two wins. */
	OK(c, "-o", "rw,ro", "img", "mnt");
	assert_true(c->o.readonly);
	assert_false(c->o.rw);
	OK(c, "-o", "ro", "-o", "rw", "img", "mnt");
	assert_true(c->o.rw);
	assert_false(c->o.readonly);
}

static void test_norecovery_needs_ro(void **state)
{
	struct ctx *c = *state;

	BAD(c, "-o norecovery needs -o ro", "-o", "norecovery", "img", "mnt");
	BAD(c, "-o norecovery needs -o ro", "-o", "ro,noload,rw", "img", "mnt");
	OK(c, "-o", "noload,ro", "img", "mnt");
	assert_true(c->o.norecovery);
	assert_true(c->o.readonly);
}

static void test_flags(void **state)
{
	struct ctx *c = *state;

	OK(c, "-f", "img", "mnt");
	assert_true(c->o.foreground);
	assert_false(c->o.debug);
	OK(c, "img", "-d", "mnt");
	assert_true(c->o.debug);
	assert_true(c->o.foreground);
	OK(c, "img", "mnt", "-s");
	assert_true(c->o.single_thread);
	assert_false(c->o.foreground);
	OK(c, "-s", "-f", "-d", "img", "mnt");
	assert_true(c->o.single_thread && c->o.foreground && c->o.debug);
	/* "--" ends the flags; "-" alone is a name. */
	OK(c, "--", "-f", "-d");
	assert_string_equal(c->o.image, "-f");
	assert_string_equal(c->o.mountpoint, "-d");
	assert_false(c->o.foreground);
	OK(c, "-", "mnt");
	assert_string_equal(c->o.image, "-");
}

static void test_option_lists(void **state)
{
	struct ctx *c = *state;

	OK(c, "-o", "ro,offset=4096,errors=remount-ro,norecovery", "img", "mnt");
	assert_true(c->o.readonly);
	assert_int_equal(c->o.offset, 4096);
	assert_int_equal(c->o.errors, F4_ERRORS_RO);
	assert_true(c->o.norecovery);
	/* Our own options stay ours: only ro goes to libfuse, once. */
	assert_string_equal(c->o.fuse_opts, "ro");

	/* Joined -oLIST, several -o, empty items, noload. */
	OK(c, "-oallow_other", "img", "-o", ",,noload,ro,", "mnt", "-o", "default_permissions");
	assert_true(c->o.norecovery);
	assert_true(c->o.readonly);
	assert_string_equal(c->o.fuse_opts, "allow_other,ro,default_permissions");
}

static void test_fuse_passthrough(void **state)
{
	struct ctx *c = *state;

	OK(c, "-o", "allow_other,allow_root,default_permissions,auto_unmount",
	   "-o", "nodev,nosuid,noexec,noatime,dev,suid,exec,atime",
	   "-o", "fsname=/dev/thing,subtype=ext4x,ro", "img", "mnt");
	assert_string_equal(c->o.fuse_opts,
			    "allow_other,allow_root,default_permissions,auto_unmount,"
			    "nodev,nosuid,noexec,noatime,dev,suid,exec,atime,"
			    "fsname=/dev/thing,subtype=ext4x,ro");
	assert_true(c->o.has_fsname);
	assert_true(c->o.has_subtype);
	/* A value may contain '=' and is passed through whole. */
	OK(c, "-o", "fsname=a=b", "img", "mnt");
	assert_string_equal(c->o.fuse_opts, "fsname=a=b");
}

static void test_offset(void **state)
{
	struct ctx *c = *state;

	OK(c, "-o", "offset=0", "img", "mnt");
	assert_int_equal(c->o.offset, 0);
	OK(c, "-o", "offset=1048576", "img", "mnt");
	assert_int_equal(c->o.offset, 1048576);
	OK(c, "-o", "offset=0x100000", "img", "mnt");
	assert_int_equal(c->o.offset, 0x100000);
	OK(c, "-o", "offset=18446744073709551615", "img", "mnt");
	assert_true(c->o.offset == UINT64_MAX);
	/* The last one wins. */
	OK(c, "-o", "offset=1", "-o", "offset=2", "img", "mnt");
	assert_int_equal(c->o.offset, 2);

	BAD(c, "invalid offset '-1'", "-o", "offset=-1", "img", "mnt");
	BAD(c, "invalid offset ''", "-o", "offset=", "img", "mnt");
	BAD(c, "invalid offset '12abc'", "-o", "offset=12abc", "img", "mnt");
	BAD(c, "invalid offset '1M'", "-o", "offset=1M", "img", "mnt");
	BAD(c, "invalid offset", "-o", "offset=18446744073709551616", "img", "mnt");
	BAD(c, "needs a value", "-o", "offset", "img", "mnt");
}

/* strtoull skips leading blanks and then accepts a sign: " -1" must not
 * turn into 18446744073709551615. */
static void test_offset_blank_sign(void **state)
{
	struct ctx *c = *state;

	BAD(c, "invalid offset", "-o", "offset= -1", "img", "mnt");
	BAD(c, "invalid offset", "-o", "offset=+5", "img", "mnt");
}

static void test_errors_option(void **state)
{
	struct ctx *c = *state;

	OK(c, "-o", "errors=continue", "img", "mnt");
	assert_int_equal(c->o.errors, F4_ERRORS_CONTINUE);
	OK(c, "-o", "errors=remount-ro", "img", "mnt");
	assert_int_equal(c->o.errors, F4_ERRORS_RO);
	OK(c, "-o", "errors=panic,errors=continue", "img", "mnt");
	assert_int_equal(c->o.errors, F4_ERRORS_CONTINUE);
	BAD(c, "invalid errors='bogus'", "-o", "errors=bogus", "img", "mnt");
	BAD(c, "invalid errors=''", "-o", "errors=", "img", "mnt");
	BAD(c, "needs a value", "-o", "errors", "img", "mnt");
}

static void test_unknown(void **state)
{
	struct ctx *c = *state;

	BAD(c, "unknown option 'bogus'", "-o", "ro,bogus", "img", "mnt");
	BAD(c, "unknown option 'Ro'", "-oRo", "img", "mnt");
	BAD(c, "unknown option '-x'", "-x", "img", "mnt");
	BAD(c, "unknown option '--frob'", "img", "mnt", "--frob");
	BAD(c, "unknown option '-ff'", "-ff", "img", "mnt");
	BAD(c, "option 'ro' takes no value", "-o", "ro=1", "img", "mnt");
	BAD(c, "option 'allow_other' takes no value", "-o", "allow_other=", "img", "mnt");
	BAD(c, "-o needs an option list", "img", "mnt", "-o");
}

static void test_positional(void **state)
{
	struct ctx *c = *state;

	BAD(c, "missing IMAGE and MOUNTPOINT", "-f");
	BAD(c, "missing MOUNTPOINT", "img");
	BAD(c, "missing MOUNTPOINT", "-o", "ro", "img");
	BAD(c, "unexpected argument 'extra'", "img", "mnt", "extra");
	/* Nothing at all. */
	c->msg[0] = '\0';
	f4_opts_free(&c->o);
	assert_int_equal(f4_opts_parse(1, (char *[]){ "fuse4fs", NULL }, &c->o,
				       c->msg, sizeof(c->msg)), -EINVAL);
	assert_non_null(strstr(c->msg, "missing IMAGE and MOUNTPOINT"));
}

static void test_help_version(void **state)
{
	struct ctx *c = *state;

	/* No IMAGE or MOUNTPOINT needed, nothing added for libfuse. */
	OK(c, "-h");
	assert_true(c->o.show_help);
	assert_false(c->o.show_version);
	assert_null(c->o.fuse_opts);
	OK(c, "--help");
	assert_true(c->o.show_help);
	OK(c, "-V");
	assert_true(c->o.show_version);
	assert_false(c->o.show_help);
	OK(c, "--version");
	assert_true(c->o.show_version);
	OK(c, "img", "-h");
	assert_true(c->o.show_help);
	assert_string_equal(c->o.image, "img");
	/* An error before -h still counts. */
	BAD(c, "unknown option 'nope'", "-o", "nope", "-h");
}

static void test_free_after_error(void **state)
{
	struct ctx *c = *state;

	OK(c, "-o", "allow_other", "img", "mnt");
	f4_opts_free(&c->o);
	assert_null(c->o.image);
	assert_null(c->o.mountpoint);
	assert_null(c->o.fuse_opts);
	f4_opts_free(&c->o);	/* twice is harmless */
	/* A failed parse leaves what it allocated for f4_opts_free. */
	BAD(c, "unknown option", "img", "-o", "allow_other,zzz", "mnt");
	f4_opts_free(&c->o);
}

static void test_help_text(void **state)
{
	static const char *const expect[] = {
		"-h, --help", "-V, --version", "-f ", "-d ", "-s ",
		"-o ro ", "-o rw ", "-o offset=BYTES", "-o norecovery",
		"-o noload", "-o errors=continue|remount-ro|panic",
		"-o allow_other", "-o allow_root", "-o default_permissions",
		"-o fsname=NAME", "-o subtype=NAME", "-o auto_unmount",
		"-o nodev", "-o nosuid", "-o noexec", "-o noatime", "-o dev ",
		"-o suid ", "-o exec ", "-o atime ",
	};
	char *text = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	f4_opts_print_help(f);
	assert_int_equal(fclose(f), 0);
	for (i = 0; i < sizeof(expect) / sizeof(expect[0]); i++) {
		if (!strstr(text, expect[i]))
			print_error("help lacks '%s'\n%s", expect[i], text);
		assert_non_null(strstr(text, expect[i]));
	}
	free(text);
}

#define T(f) cmocka_unit_test_setup_teardown(f, ctx_setup, ctx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_minimal), T(test_ro_rw), T(test_norecovery_needs_ro),
		T(test_flags), T(test_option_lists),
		T(test_fuse_passthrough), T(test_offset),
		T(test_offset_blank_sign), T(test_errors_option),
		T(test_unknown), T(test_positional),
		T(test_help_version), T(test_free_after_error), T(test_help_text),
	};

	return cmocka_run_group_tests_name("opts", tests, NULL, NULL);
}
