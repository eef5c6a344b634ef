/* Unit tests for error translation and the corruption policy (src/fs/errors.h):
 * f4_errcode_to_errno, f4_errors_parse, and f4_fs_corrupt/f4_fs_errcode
 * on a stand-in filesystem (only the superblock fields are used). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <et/com_err.h>

#include "src/fs/errors.h"
#include "src/fs/fs.h"
#include "src/base/log.h"

static void test_zero_and_plain_errno(void **state)
{
	(void)state;
	assert_int_equal(f4_errcode_to_errno(0), 0);
	/* The io layer hands plain errnos through. */
	assert_int_equal(f4_errcode_to_errno(EIO), -EIO);
	assert_int_equal(f4_errcode_to_errno(ENOENT), -ENOENT);
	assert_int_equal(f4_errcode_to_errno(ENOSPC), -ENOSPC);
	assert_int_equal(f4_errcode_to_errno(EROFS), -EROFS);
	assert_int_equal(f4_errcode_to_errno(EBUSY), -EBUSY);
	assert_int_equal(f4_errcode_to_errno(EUCLEAN), -EUCLEAN);
	assert_int_equal(f4_errcode_to_errno(4095), -4095);
}

static void test_mapped_codes(void **state)
{
	static const struct { errcode_t code; int err; } cases[] = {
		{ EXT2_ET_NO_MEMORY, ENOMEM },
		{ EXT2_ET_RO_FILSYS, EROFS },
		{ EXT2_ET_FILE_RO, EROFS },
		{ EXT2_ET_BLOCK_ALLOC_FAIL, ENOSPC },
		{ EXT2_ET_INODE_ALLOC_FAIL, ENOSPC },
		{ EXT2_ET_DIR_NO_SPACE, ENOSPC },
		{ EXT2_ET_EA_NO_SPACE, ENOSPC },
		{ EXT2_ET_INLINE_DATA_NO_SPACE, ENOSPC },
		{ EXT2_ET_EXTENT_NO_SPACE, ENOSPC },
		{ EXT2_ET_DIR_NO_SPACE_FOR_CSUM, ENOSPC },
		{ EXT2_ET_TOO_MANY_INODES, ENOSPC },
		{ EXT2_ET_FILE_NOT_FOUND, ENOENT },
		{ EXT2_ET_NO_DIRECTORY, ENOTDIR },
		{ EXT2_ET_DIR_EXISTS, EEXIST },
		{ EXT2_ET_FILE_EXISTS, EEXIST },
		{ EXT2_ET_TOO_MANY_REFS, EMLINK },
		{ EXT2_ET_FILE_TOO_BIG, EFBIG },
		{ EXT2_ET_EA_KEY_NOT_FOUND, ENODATA },
		{ EXT2_ET_NO_INLINE_DATA, ENODATA },
		{ EXT2_ET_SYMLINK_LOOP, ELOOP },
		{ EXT2_ET_INVALID_ARGUMENT, EINVAL },
		{ EXT2_ET_OP_NOT_SUPPORTED, EOPNOTSUPP },
		{ EXT2_ET_UNIMPLEMENTED, EOPNOTSUPP },
		{ EXT2_ET_EXTENT_NOT_SUPPORTED, EOPNOTSUPP },
		{ EXT2_ET_INODE_NOT_EXTENT, EOPNOTSUPP },
		{ EXT2_ET_MISSING_EA_FEATURE, EOPNOTSUPP },
		{ EXT2_ET_SHORT_READ, EIO },
		{ EXT2_ET_SHORT_WRITE, EIO },
		{ EXT2_ET_LLSEEK_FAILED, EIO },
		{ EXT2_ET_MMP_FAILED, EBUSY },
		{ EXT2_ET_MMP_FSCK_ON, EBUSY },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int got = f4_errcode_to_errno(cases[i].code);

		if (got != -cases[i].err)
			print_error("code %ld (%s): %d, expected %d\n",
				    (long)cases[i].code,
				    error_message(cases[i].code), got,
				    -cases[i].err);
		assert_int_equal(got, -cases[i].err);
	}
}

static void test_corruption_codes(void **state)
{
	static const errcode_t codes[] = {
		EXT2_ET_DIR_CORRUPTED, EXT2_ET_BAD_BLOCK_NUM,
		EXT2_ET_BAD_INODE_NUM, EXT2_ET_BAD_IND_BLOCK,
		EXT2_ET_BAD_DIND_BLOCK, EXT2_ET_BAD_TIND_BLOCK,
		EXT2_ET_EXTENT_HEADER_BAD, EXT2_ET_EXTENT_INDEX_BAD,
		EXT2_ET_EXTENT_LEAF_BAD, EXT2_ET_EXTENT_INVALID_LENGTH,
		EXT2_ET_EXTENT_CYCLE, EXT2_ET_INODE_CSUM_INVALID,
		EXT2_ET_EXTENT_CSUM_INVALID, EXT2_ET_DIR_CSUM_INVALID,
		EXT2_ET_EXT_ATTR_CSUM_INVALID, EXT2_ET_SB_CSUM_INVALID,
		EXT2_ET_BLOCK_BITMAP_CSUM_INVALID,
		EXT2_ET_INODE_BITMAP_CSUM_INVALID, EXT2_ET_EA_BAD_NAME_LEN,
		EXT2_ET_EA_BAD_VALUE_SIZE, EXT2_ET_BAD_EA_HASH,
		EXT2_ET_BAD_EA_HEADER, EXT2_ET_BAD_EA_BLOCK_NUM,
		EXT2_ET_EA_BAD_VALUE_OFFSET, EXT2_ET_EA_INODE_CORRUPTED,
		EXT2_ET_INODE_CORRUPTED, EXT2_ET_INODE_IS_GARBAGE,
		EXT2_ET_FILESYSTEM_CORRUPTED, EXT2_ET_BAD_CRC,
		EXT2_ET_CORRUPT_SUPERBLOCK, EXT2_ET_INLINE_DATA_NO_BLOCK,
		EXT2_ET_RESIZE_INODE_CORRUPT, EXT2_ET_GDESC_BAD_BLOCK_MAP,
		EXT2_ET_GDESC_BAD_INODE_MAP, EXT2_ET_GDESC_BAD_INODE_TABLE,
		EXT2_ET_MISSING_INODE_TABLE,
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++) {
		if (f4_errcode_to_errno(codes[i]) != -EUCLEAN)
			print_error("code %ld (%s) is not -EUCLEAN\n",
				    (long)codes[i], error_message(codes[i]));
		assert_int_equal(f4_errcode_to_errno(codes[i]), -EUCLEAN);
	}
}

static void test_unknown_codes(void **state)
{
	(void)state;
	/* Anything we do not know is an IO error, never success. */
	assert_int_equal(f4_errcode_to_errno(EXT2_ET_MAGIC_EXT2FS_FILSYS), -EIO);
	assert_int_equal(f4_errcode_to_errno(EXT2_ET_BAD_MAGIC), -EIO);
	assert_int_equal(f4_errcode_to_errno(EXT2_ET_BASE + 100000), -EIO);
	assert_int_equal(f4_errcode_to_errno(4096), -EIO);
	assert_int_equal(f4_errcode_to_errno(-5), -EIO);
	assert_int_equal(f4_errcode_to_errno(0x7fffffffL), -EIO);
}

static void test_errors_parse(void **state)
{
	enum f4_errors_policy p = F4_ERRORS_DEFAULT;

	(void)state;
	assert_int_equal(f4_errors_parse("continue", &p), 0);
	assert_int_equal(p, F4_ERRORS_CONTINUE);
	assert_int_equal(f4_errors_parse("remount-ro", &p), 0);
	assert_int_equal(p, F4_ERRORS_RO);
	assert_int_equal(f4_errors_parse("panic", &p), 0);
	assert_int_equal(p, F4_ERRORS_PANIC);
	/* Rejected values leave the setting alone. */
	assert_int_equal(f4_errors_parse("Panic", &p), -EINVAL);
	assert_int_equal(f4_errors_parse("", &p), -EINVAL);
	assert_int_equal(f4_errors_parse("remount", &p), -EINVAL);
	assert_int_equal(f4_errors_parse("continue ", &p), -EINVAL);
	assert_int_equal(f4_errors_parse(NULL, &p), -EINVAL);
	assert_int_equal(p, F4_ERRORS_PANIC);
}

/* A filesystem reduced to what the corruption policy touches. */
struct fake_fs {
	struct f4_fs f4;
	struct struct_ext2_filsys fs;
	struct ext2_super_block sb;
};

static unsigned log_count;
static char last_log[512];

static void count_sink(enum f4_log_level level, const char *fmt, va_list ap)
{
	(void)level;
	vsnprintf(last_log, sizeof(last_log), fmt, ap);
	log_count++;
}

static int fake_setup(void **state)
{
	struct fake_fs *f = calloc(1, sizeof(*f));

	if (!f)
		return -1;
	f->fs.super = &f->sb;
	f->f4.fs = &f->fs;
	f->f4.errors = F4_ERRORS_CONTINUE;
	log_count = 0;
	last_log[0] = '\0';
	f4_log_set_sink(count_sink);
	*state = f;
	return 0;
}

static int fake_teardown(void **state)
{
	struct fake_fs *f = *state;

	f4_log_set_sink(NULL);
	free(f->f4.corrupt_seen);
	free(f);
	return 0;
}

static void test_corrupt_records_in_super(void **state)
{
	struct fake_fs *f = *state;
	struct ext2_super_block *sb = &f->sb;

	assert_int_equal(f4_fs_corrupt(&f->f4, 12, 345, "map", "bad thing"),
			 -EUCLEAN);
	assert_true(sb->s_state & EXT2_ERROR_FS);
	assert_int_equal(sb->s_error_count, 1);
	assert_int_equal(sb->s_first_error_ino, 12);
	assert_int_equal(sb->s_first_error_block, 345);
	assert_string_equal((char *)sb->s_first_error_func, "map");
	assert_int_equal(sb->s_first_error_errcode, EUCLEAN);
	assert_true(sb->s_first_error_time > 0);
	assert_int_equal(sb->s_last_error_ino, 12);
	assert_int_equal(log_count, 1);
	assert_non_null(strstr(last_log, "bad thing"));
	assert_non_null(strstr(last_log, "inode 12"));
	assert_non_null(strstr(last_log, "block 345"));

	/* A second object: counted, logged, "last" moves, "first" stays. */
	assert_int_equal(f4_fs_corrupt(&f->f4, 13, 0, "dir_walk", "other"),
			 -EUCLEAN);
	assert_int_equal(sb->s_error_count, 2);
	assert_int_equal(sb->s_first_error_ino, 12);
	assert_int_equal(sb->s_last_error_ino, 13);
	assert_int_equal(sb->s_last_error_block, 0);
	assert_string_equal((char *)sb->s_last_error_func, "dir_walk");
	assert_int_equal(log_count, 2);

	/* The same object again: counted but logged once only. */
	assert_int_equal(f4_fs_corrupt(&f->f4, 12, 345, "map", "bad thing"),
			 -EUCLEAN);
	assert_int_equal(sb->s_error_count, 3);
	assert_int_equal(log_count, 2);
	/* A read-only mount never marks the superblock for writing. */
	assert_false(f->fs.flags & EXT2_FLAG_DIRTY);
	assert_int_equal(f4_fs_writable(&f->f4), -EROFS);
}

static void test_corrupt_log_flood(void **state)
{
	struct fake_fs *f = *state;
	unsigned i;

	for (i = 1; i <= 2000; i++)
		f4_fs_corrupt(&f->f4, i, i * 7, "map", "x");
	assert_int_equal(f->sb.s_error_count, 2000);
	/* Logged individually up to the table's limit, then one notice,
	 * then silence. */
	assert_true(log_count >= 100);
	assert_true(log_count < 2000);
	assert_non_null(strstr(last_log, "too many"));
	i = log_count;
	f4_fs_corrupt(&f->f4, 99999, 1, "map", "x");
	assert_int_equal(log_count, i);
}

static void test_policy_remount_ro(void **state)
{
	struct fake_fs *f = *state;

	f->f4.rw = true;
	f->f4.errors = F4_ERRORS_RO;
	assert_int_equal(f4_fs_writable(&f->f4), 0);
	f4_fs_corrupt(&f->f4, 20, 0, "map", "x");
	assert_true(f->f4.went_ro);
	assert_int_equal(f4_fs_writable(&f->f4), -EROFS);
	/* rw: the error fields are to be written back. */
	assert_true(f->fs.flags & EXT2_FLAG_DIRTY);
	assert_int_equal(log_count, 2);	/* the report and the switch */
}

static void test_policy_continue(void **state)
{
	struct fake_fs *f = *state;

	f->f4.rw = true;
	f->f4.errors = F4_ERRORS_CONTINUE;
	f4_fs_corrupt(&f->f4, 20, 0, "map", "x");
	assert_false(f->f4.went_ro);
	assert_int_equal(f4_fs_writable(&f->f4), 0);
}

static void test_policy_panic(void **state)
{
	struct fake_fs *f = *state;
	int status;
	pid_t pid;

	f->f4.errors = F4_ERRORS_PANIC;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		f4_fs_corrupt(&f->f4, 20, 0, "map", "x");
		_exit(42);	/* not reached if the policy stops */
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), EXIT_FAILURE);
}

static void test_fs_errcode(void **state)
{
	struct fake_fs *f = *state;

	/* Corruption-class codes are reported, the rest only translated. */
	assert_int_equal(f4_fs_errcode(&f->f4, 30, EXT2_ET_NO_MEMORY, "f"),
			 -ENOMEM);
	assert_int_equal(f4_fs_errcode(&f->f4, 30, EIO, "f"), -EIO);
	assert_int_equal(f->sb.s_error_count, 0);
	assert_int_equal(log_count, 0);
	assert_int_equal(f4_fs_errcode(&f->f4, 30, EXT2_ET_DIR_CORRUPTED,
				       "lookup"), -EUCLEAN);
	assert_int_equal(f->sb.s_error_count, 1);
	assert_int_equal(f->sb.s_last_error_ino, 30);
	assert_string_equal((char *)f->sb.s_last_error_func, "lookup");
	assert_int_equal(log_count, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_zero_and_plain_errno),
		cmocka_unit_test(test_mapped_codes),
		cmocka_unit_test(test_corruption_codes),
		cmocka_unit_test(test_unknown_codes),
		cmocka_unit_test(test_errors_parse),
		cmocka_unit_test_setup_teardown(test_corrupt_records_in_super,
						fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_corrupt_log_flood,
						fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_policy_remount_ro,
						fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_policy_continue,
						fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_policy_panic,
						fake_setup, fake_teardown),
		cmocka_unit_test_setup_teardown(test_fs_errcode,
						fake_setup, fake_teardown),
	};

	return cmocka_run_group_tests_name("err", tests, NULL, NULL);
}
