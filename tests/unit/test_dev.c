/* Unit tests for the device layer (src/io/dev.h): the offset window and
 * the bounds on every read and write, read-only refusal, the image lock
 * (shared for ro, exclusive for rw), inherited /dev/fd/N descriptors and
 * the messages for each refusal. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
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

#include "src/io/bcache.h"
#include "src/io/dev.h"
#include "testimg.h"

#define IMG_SIZE 65536u

struct env {
	char *dir, *img;
	unsigned char *data;	/* what the image holds */
	struct f4_dev a, b;
	char msg[256];
};

static int env_setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	unsigned i;

	if (!e)
		return -1;
	e->a.fd = e->b.fd = -1;
	*state = e;	/* from here on, teardown cleans up */
	e->dir = f4t_mkdtemp("dev");
	e->img = f4t_join(e->dir, "image");
	e->data = malloc(IMG_SIZE);
	assert_non_null(e->data);
	for (i = 0; i < IMG_SIZE; i++)
		e->data[i] = (unsigned char)(i * 7 + i / 251);
	f4t_write_host_file(e->img, e->data, IMG_SIZE);
	return 0;
}

static int env_teardown(void **state)
{
	struct env *e = *state;

	if (!e)
		return 0;
	f4_dev_close(&e->a);
	f4_dev_close(&e->b);
	free(e->img);
	free(e->data);
	f4t_rmtree(e->dir);
	free(e);
	return 0;
}

static void read_host(struct env *e, void *buf, size_t len, off_t off)
{
	int fd = open(e->img, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	assert_int_equal(pread(fd, buf, len, off), (ssize_t)len);
	close(fd);
}

static void test_open_window(void **state)
{
	struct env *e = *state;

	assert_int_equal(f4_dev_open(&e->a, e->img, 0, false, e->msg,
				     sizeof(e->msg)), 0);
	assert_true(e->a.fd >= 0);
	assert_false(e->a.rw);
	assert_false(e->a.is_bdev);
	assert_int_equal(e->a.offset, 0);
	assert_int_equal(e->a.size, IMG_SIZE);
	assert_string_equal(e->a.path, e->img);
	f4_dev_close(&e->a);
	assert_int_equal(e->a.fd, -1);
	assert_null(e->a.path);
	f4_dev_close(&e->a);	/* twice is harmless */

	assert_int_equal(f4_dev_open(&e->a, e->img, 4096, false, e->msg,
				     sizeof(e->msg)), 0);
	assert_int_equal(e->a.offset, 4096);
	assert_int_equal(e->a.size, IMG_SIZE - 4096);
	f4_dev_close(&e->a);

	/* The window must hold at least one byte. */
	e->msg[0] = '\0';
	assert_int_equal(f4_dev_open(&e->a, e->img, IMG_SIZE, false, e->msg,
				     sizeof(e->msg)), -EINVAL);
	assert_non_null(strstr(e->msg, "beyond the end"));
	assert_int_equal(e->a.fd, -1);
	assert_int_equal(f4_dev_open(&e->a, e->img, UINT64_MAX, false, e->msg,
				     sizeof(e->msg)), -EINVAL);
}

static void test_range_ok(void **state)
{
	struct f4_dev d = { .fd = -1, .size = 1000 };

	(void)state;
	assert_true(f4_dev_range_ok(&d, 0, 1000));
	assert_true(f4_dev_range_ok(&d, 999, 1));
	assert_true(f4_dev_range_ok(&d, 1000, 0));
	assert_true(f4_dev_range_ok(&d, 0, 0));
	assert_false(f4_dev_range_ok(&d, 0, 1001));
	assert_false(f4_dev_range_ok(&d, 1, 1000));
	assert_false(f4_dev_range_ok(&d, 1000, 1));
	assert_false(f4_dev_range_ok(&d, 1001, 0));
	/* No wrap-around. */
	assert_false(f4_dev_range_ok(&d, UINT64_MAX, 2));
	assert_false(f4_dev_range_ok(&d, 2, UINT64_MAX));
	assert_false(f4_dev_range_ok(&d, UINT64_MAX, UINT64_MAX));
}

static void test_read_window(void **state)
{
	struct env *e = *state;
	unsigned char buf[512];
	uint64_t size;

	assert_int_equal(f4_dev_open(&e->a, e->img, 8192, false, e->msg,
				     sizeof(e->msg)), 0);
	size = e->a.size;
	/* Offsets are relative to the window's start. */
	assert_int_equal(f4_dev_pread(&e->a, buf, sizeof(buf), 0), 0);
	assert_memory_equal(buf, e->data + 8192, sizeof(buf));
	assert_int_equal(f4_dev_pread(&e->a, buf, 100, size - 100), 0);
	assert_memory_equal(buf, e->data + IMG_SIZE - 100, 100);
	assert_int_equal(f4_dev_pread(&e->a, buf, 0, size), 0);
	/* Anything reaching outside is refused, not shortened. */
	memset(buf, 0xAA, sizeof(buf));
	assert_int_equal(f4_dev_pread(&e->a, buf, 100, size - 99), -EIO);
	assert_int_equal(f4_dev_pread(&e->a, buf, 1, size), -EIO);
	assert_int_equal(f4_dev_pread(&e->a, buf, 1, UINT64_MAX), -EIO);
	assert_int_equal(f4_dev_pread(&e->a, buf, 2, UINT64_MAX - 1), -EIO);
	assert_int_equal(buf[0], 0xAA);
}

static void test_write_ro_refused(void **state)
{
	struct env *e = *state;
	unsigned char buf[64], check[64];

	memset(buf, 0x55, sizeof(buf));
	assert_int_equal(f4_dev_open(&e->a, e->img, 0, false, e->msg,
				     sizeof(e->msg)), 0);
	assert_int_equal(f4_dev_pwrite(&e->a, buf, sizeof(buf), 0), -EROFS);
	assert_int_equal(f4_dev_pwrite(&e->a, buf, sizeof(buf), IMG_SIZE * 2),
			 -EROFS);
	read_host(e, check, sizeof(check), 0);
	assert_memory_equal(check, e->data, sizeof(check));
	assert_int_equal(f4_dev_sync(&e->a), 0);
}

static void test_write_window(void **state)
{
	struct env *e = *state;
	unsigned char buf[256], check[256];
	struct stat st;

	memset(buf, 0x5A, sizeof(buf));
	assert_int_equal(f4_dev_open(&e->a, e->img, 4096, true, e->msg,
				     sizeof(e->msg)), 0);
	assert_true(e->a.rw);
	assert_int_equal(f4_dev_pwrite(&e->a, buf, sizeof(buf), 100), 0);
	assert_int_equal(f4_dev_sync(&e->a), 0);
	read_host(e, check, sizeof(check), 4096 + 100);
	assert_memory_equal(check, buf, sizeof(buf));
	/* The byte before the window is untouched. */
	read_host(e, check, 1, 4096 + 99);
	assert_int_equal(check[0], e->data[4096 + 99]);
	/* Through the end of the window: refused, nothing written, the
	 * image does not grow. */
	assert_int_equal(f4_dev_pwrite(&e->a, buf, sizeof(buf),
				       e->a.size - sizeof(buf) + 1), -EIO);
	assert_int_equal(f4_dev_pwrite(&e->a, buf, 1, e->a.size), -EIO);
	assert_int_equal(f4_dev_pwrite(&e->a, buf, 1, UINT64_MAX), -EIO);
	read_host(e, check, sizeof(buf) - 1, IMG_SIZE - sizeof(buf) + 1);
	assert_memory_equal(check, e->data + IMG_SIZE - sizeof(buf) + 1,
			    sizeof(buf) - 1);
	assert_int_equal(stat(e->img, &st), 0);
	assert_int_equal(st.st_size, IMG_SIZE);
	/* Up to the last byte is fine. */
	assert_int_equal(f4_dev_pwrite(&e->a, buf, 10, e->a.size - 10), 0);
}

static void test_lock_shared(void **state)
{
	struct env *e = *state;

	/* Two read-only users share the image. */
	assert_int_equal(f4_dev_open(&e->a, e->img, 0, false, e->msg,
				     sizeof(e->msg)), 0);
	assert_int_equal(f4_dev_open(&e->b, e->img, 0, false, e->msg,
				     sizeof(e->msg)), 0);
	f4_dev_close(&e->b);
	/* ...but a writer cannot join them. */
	e->msg[0] = '\0';
	assert_int_equal(f4_dev_open(&e->b, e->img, 0, true, e->msg,
				     sizeof(e->msg)), -EBUSY);
	assert_non_null(strstr(e->msg, e->img));
	assert_non_null(strstr(e->msg, "in use"));
	assert_int_equal(e->b.fd, -1);
	/* Once they are gone it can. */
	f4_dev_close(&e->a);
	assert_int_equal(f4_dev_open(&e->b, e->img, 0, true, e->msg,
				     sizeof(e->msg)), 0);
}

static void test_lock_exclusive(void **state)
{
	struct env *e = *state;

	assert_int_equal(f4_dev_open(&e->a, e->img, 0, true, e->msg,
				     sizeof(e->msg)), 0);
	/* A second writer fails, with a message naming the image. */
	e->msg[0] = '\0';
	assert_int_equal(f4_dev_open(&e->b, e->img, 0, true, e->msg,
				     sizeof(e->msg)), -EBUSY);
	assert_non_null(strstr(e->msg, e->img));
	assert_non_null(strstr(e->msg, "in use"));
	/* So does a reader, and at another offset too. */
	e->msg[0] = '\0';
	assert_int_equal(f4_dev_open(&e->b, e->img, 4096, false, e->msg,
				     sizeof(e->msg)), -EBUSY);
	assert_non_null(strstr(e->msg, "in use"));
	f4_dev_close(&e->a);
	assert_int_equal(f4_dev_open(&e->b, e->img, 0, true, e->msg,
				     sizeof(e->msg)), 0);
}

static void test_open_errors(void **state)
{
	struct env *e = *state;
	char *missing = f4t_join(e->dir, "missing");

	e->msg[0] = '\0';
	assert_int_equal(f4_dev_open(&e->a, missing, 0, false, e->msg,
				     sizeof(e->msg)), -ENOENT);
	assert_non_null(strstr(e->msg, "cannot open"));
	assert_non_null(strstr(e->msg, missing));
	assert_int_equal(e->a.fd, -1);
	assert_null(e->a.path);
	free(missing);

	e->msg[0] = '\0';
	assert_int_equal(f4_dev_open(&e->a, e->dir, 0, false, e->msg,
				     sizeof(e->msg)), -EINVAL);
	assert_non_null(strstr(e->msg, "not a regular file or block device"));
	assert_int_equal(e->a.fd, -1);
}

static void test_inherited_fd(void **state)
{
	struct env *e = *state;
	char name[64];
	unsigned char buf[16];
	int fd = open(e->img, O_RDONLY | O_CLOEXEC);

	assert_true(fd >= 0);
	snprintf(name, sizeof(name), "/dev/fd/%d", fd);
	/* A read-only descriptor cannot serve a read-write mount. */
	e->msg[0] = '\0';
	assert_int_equal(f4_dev_open(&e->a, name, 0, true, e->msg,
				     sizeof(e->msg)), -EROFS);
	assert_non_null(strstr(e->msg, name));
	assert_int_equal(f4_dev_open(&e->a, name, 1024, false, e->msg,
				     sizeof(e->msg)), 0);
	assert_int_not_equal(e->a.fd, fd);
	assert_int_equal(e->a.size, IMG_SIZE - 1024);
	assert_int_equal(f4_dev_pread(&e->a, buf, sizeof(buf), 0), 0);
	assert_memory_equal(buf, e->data + 1024, sizeof(buf));
	/* Our copy is ours: the caller's descriptor stays open. */
	f4_dev_close(&e->a);
	assert_true(fcntl(fd, F_GETFD) >= 0);
	close(fd);
}

/* The block cache's checksum memo: set only on a cached block, for one
 * owner; gone when the block changes (whole-block or byte writes) or is
 * invalidated. */
static void test_bcache_verified(void **state)
{
	struct env *e = *state;
	unsigned char blk[1024];
	struct f4_bcache *c;

	assert_int_equal(f4_dev_open(&e->a, e->img, 0, true, e->msg,
				     sizeof(e->msg)), 0);
	c = f4_bcache_create(&e->a, sizeof(blk), 64 * sizeof(blk));
	assert_non_null(c);
	f4_bcache_set_verified(c, 3, 12);	/* not cached: not kept */
	assert_false(f4_bcache_verified(c, 3, 12));
	assert_int_equal(f4_bcache_read(c, 3, 1, blk), 0);
	f4_bcache_set_verified(c, 3, 12);
	assert_true(f4_bcache_verified(c, 3, 12));
	assert_false(f4_bcache_verified(c, 3, 13));
	assert_false(f4_bcache_verified(c, 4, 12));
	assert_int_equal(f4_bcache_write(c, 3, 1, blk), 0);
	assert_false(f4_bcache_verified(c, 3, 12));
	f4_bcache_set_verified(c, 3, 12);
	assert_int_equal(f4_bcache_write_bytes(c, 3 * sizeof(blk) + 10, 1, blk), 0);
	assert_false(f4_bcache_verified(c, 3, 12));
	f4_bcache_set_verified(c, 3, 12);
	f4_bcache_invalidate(c, 3, 1);
	assert_false(f4_bcache_verified(c, 3, 12));
	f4_bcache_destroy(c);
}

#define T(f) cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_window), cmocka_unit_test(test_range_ok),
		T(test_read_window), T(test_write_ro_refused),
		T(test_write_window), T(test_lock_shared),
		T(test_lock_exclusive), T(test_open_errors),
		T(test_inherited_fd), T(test_bcache_verified),
	};

	return cmocka_run_group_tests_name("dev", tests, NULL, NULL);
}
