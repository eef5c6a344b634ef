/* Unit tests for the data executor's pread backend (src/io/data.h) over
 * the device layer: every transfer completes in full or the call fails;
 * a short transfer is never reported as success.
 *
 * Faults are injected by a mock device: this program defines pread() and
 * pwrite() itself, so the device layer (linked in statically from
 * libf4core.a) calls these instead of the C library's. For the image's
 * descriptor they follow a script (short transfer, EINTR, EIO, end of
 * file); otherwise they do the real transfer with lseek + read/write. */
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

#include "src/io/data.h"
#include "src/io/dev.h"
#include "testimg.h"

#define IMG_SIZE (256u * 1024)

enum step { PASS, SHORT, FAIL_EINTR, FAIL_EIO, AT_EOF };

static struct {
	int fd;			/* the descriptor the script applies to */
	enum step script[16];
	size_t arg[16];		/* SHORT: at most this many bytes */
	unsigned nscript, at;
	unsigned calls;		/* transfers attempted on fd */
} mock = { .fd = -1 };

static void mock_script(int fd, unsigned n, const enum step *s,
			const size_t *arg)
{
	unsigned i;

	mock.fd = fd;
	mock.nscript = n;
	mock.at = 0;
	mock.calls = 0;
	for (i = 0; i < n; i++) {
		mock.script[i] = s[i];
		mock.arg[i] = arg ? arg[i] : 0;
	}
}

/* Returns the length to transfer for real, or -1 with *ret set. */
static ssize_t mock_step(int fd, size_t len, ssize_t *ret)
{
	enum step s = PASS;
	size_t arg = 0;

	if (fd != mock.fd)
		return (ssize_t)len;
	mock.calls++;
	if (mock.at < mock.nscript) {
		s = mock.script[mock.at];
		arg = mock.arg[mock.at];
		mock.at++;
	}
	switch (s) {
	case PASS:
		return (ssize_t)len;
	case SHORT:
		return (ssize_t)(len < arg ? len : arg);
	case FAIL_EINTR:
		errno = EINTR;
		*ret = -1;
		return -1;
	case FAIL_EIO:
		errno = EIO;
		*ret = -1;
		return -1;
	case AT_EOF:
		*ret = 0;
		return -1;
	}
	return (ssize_t)len;
}

ssize_t pread(int fd, void *buf, size_t len, off_t off)
{
	ssize_t ret = 0, n = mock_step(fd, len, &ret);

	if (n < 0)
		return ret;
	if (lseek(fd, off, SEEK_SET) < 0)
		return -1;
	return read(fd, buf, (size_t)n);
}

ssize_t pwrite(int fd, const void *buf, size_t len, off_t off)
{
	ssize_t ret = 0, n = mock_step(fd, len, &ret);

	if (n < 0)
		return ret;
	if (lseek(fd, off, SEEK_SET) < 0)
		return -1;
	return write(fd, buf, (size_t)n);
}

struct env {
	char *dir, *img;
	unsigned char *data;
	struct f4_dev dev;
	struct f4_data_io *dio;
	char msg[256];
};

static struct env *open_env(void **state, bool rw, uint64_t offset)
{
	struct env *e = *state;

	assert_int_equal(f4_dev_open(&e->dev, e->img, offset, rw, e->msg,
				     sizeof(e->msg)), 0);
	assert_int_equal(f4_data_io_pread_create(&e->dev, &e->dio), 0);
	assert_non_null(e->dio);
	assert_ptr_equal(e->dio->dev, &e->dev);
	assert_string_equal(e->dio->ops->name, "pread");
	mock_script(e->dev.fd, 0, NULL, NULL);
	return e;
}

static int env_setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	unsigned i;

	if (!e)
		return -1;
	e->dev.fd = -1;
	*state = e;	/* from here on, teardown cleans up */
	e->dir = f4t_mkdtemp("data");
	e->img = f4t_join(e->dir, "image");
	e->data = malloc(IMG_SIZE);
	assert_non_null(e->data);
	for (i = 0; i < IMG_SIZE; i++)
		e->data[i] = (unsigned char)(i * 13 + i / 4093);
	f4t_write_host_file(e->img, e->data, IMG_SIZE);
	return 0;
}

static int env_teardown(void **state)
{
	struct env *e = *state;

	mock.fd = -1;
	if (!e)
		return 0;
	f4_data_io_destroy(e->dio);
	f4_dev_close(&e->dev);
	free(e->img);
	free(e->data);
	f4t_rmtree(e->dir);
	free(e);
	return 0;
}

static void test_clean_reads(void **state)
{
	struct env *e = open_env(state, false, 0);
	unsigned char a[4096], b[100], c[8192];
	struct f4_io_vec v[3] = {
		{ .dev_off = 65536, .buf = a, .len = sizeof(a) },
		{ .dev_off = 7, .buf = b, .len = sizeof(b) },
		{ .dev_off = IMG_SIZE - sizeof(c), .buf = c, .len = sizeof(c) },
	};

	assert_int_equal(f4_data_readv(e->dio, v, 3), 0);
	assert_memory_equal(a, e->data + 65536, sizeof(a));
	assert_memory_equal(b, e->data + 7, sizeof(b));
	assert_memory_equal(c, e->data + IMG_SIZE - sizeof(c), sizeof(c));
	/* The mock really is in the path: one pread per transfer. */
	assert_int_equal(mock.calls, 3);
	assert_int_equal(f4_data_readv(e->dio, v, 0), 0);
	assert_int_equal(mock.calls, 3);
}

static void test_offset_window(void **state)
{
	struct env *e = open_env(state, false, 12345);
	unsigned char a[1000];
	struct f4_io_vec v = { .dev_off = 5, .buf = a, .len = sizeof(a) };

	assert_int_equal(f4_data_readv(e->dio, &v, 1), 0);
	assert_memory_equal(a, e->data + 12345 + 5, sizeof(a));
}

static void test_short_reads_continue(void **state)
{
	struct env *e = open_env(state, false, 0);
	unsigned char a[4096];
	struct f4_io_vec v = { .dev_off = 1000, .buf = a, .len = sizeof(a) };
	const enum step s[] = { SHORT, SHORT, FAIL_EINTR, SHORT, PASS };
	const size_t n[] = { 1, 100, 0, 2000, 0 };

	/* Partial transfers and interruptions are resumed where they
	 * stopped; the result is the whole range. */
	mock_script(e->dev.fd, 5, s, n);
	memset(a, 0, sizeof(a));
	assert_int_equal(f4_data_readv(e->dio, &v, 1), 0);
	assert_memory_equal(a, e->data + 1000, sizeof(a));
	assert_int_equal(mock.calls, 5);
}

static void test_eio(void **state)
{
	struct env *e = open_env(state, false, 0);
	unsigned char a[512], b[512];
	struct f4_io_vec v[2] = {
		{ .dev_off = 0, .buf = a, .len = sizeof(a) },
		{ .dev_off = 4096, .buf = b, .len = sizeof(b) },
	};
	const enum step s1[] = { PASS, FAIL_EIO };
	const enum step s2[] = { SHORT, FAIL_EIO };
	const size_t n2[] = { 10, 0 };

	mock_script(e->dev.fd, 2, s1, NULL);
	assert_int_equal(f4_data_readv(e->dio, v, 2), -EIO);
	/* EIO after part of a transfer is still EIO. */
	mock_script(e->dev.fd, 2, s2, n2);
	assert_int_equal(f4_data_readv(e->dio, v, 1), -EIO);
}

static void test_eof_mid_transfer(void **state)
{
	struct env *e = open_env(state, false, 0);
	unsigned char a[4096];
	struct f4_io_vec v = { .dev_off = 0, .buf = a, .len = sizeof(a) };
	const enum step s[] = { SHORT, AT_EOF };
	const size_t n[] = { 1000, 0 };

	/* The device says "end" before the range does: an error. */
	mock_script(e->dev.fd, 2, s, n);
	assert_int_equal(f4_data_readv(e->dio, &v, 1), -EIO);
	mock_script(e->dev.fd, 1, (const enum step[]){ AT_EOF }, NULL);
	assert_int_equal(f4_data_readv(e->dio, &v, 1), -EIO);
}

static void test_truncated_image(void **state)
{
	struct env *e = open_env(state, false, 0);
	unsigned char a[8192];
	struct f4_io_vec v = { .dev_off = 60 * 1024, .buf = a, .len = sizeof(a) };
	int fd;

	/* The image shrinks under the mount: the window still says 256 KiB,
	 * the file now ends 4 KiB into the request. */
	fd = open(e->img, O_WRONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 64 * 1024), 0);
	close(fd);
	assert_int_equal(f4_data_readv(e->dio, &v, 1), -EIO);
	/* Wholly past the new end. */
	v.dev_off = 128 * 1024;
	assert_int_equal(f4_data_readv(e->dio, &v, 1), -EIO);
	/* Still fine before it. */
	v.dev_off = 0;
	assert_int_equal(f4_data_readv(e->dio, &v, 1), 0);
	assert_memory_equal(a, e->data, sizeof(a));
}

static void test_outside_window(void **state)
{
	struct env *e = open_env(state, false, 4096);
	unsigned char a[4096], b[4096];
	uint64_t size = e->dev.size;
	struct f4_io_vec v[2] = {
		{ .dev_off = 0, .buf = a, .len = sizeof(a) },
		{ .dev_off = size - 100, .buf = b, .len = sizeof(b) },
	};

	assert_int_equal(f4_data_readv(e->dio, v, 2), -EIO);
	/* The bad transfer was refused before touching the device. */
	assert_true(mock.calls <= 1);
	v[0].dev_off = UINT64_MAX - 10;
	mock.calls = 0;
	assert_int_equal(f4_data_readv(e->dio, v, 1), -EIO);
	assert_int_equal(mock.calls, 0);
}

static void test_writes(void **state)
{
	struct env *e = open_env(state, true, 1024);
	unsigned char a[3000], check[3000];
	struct f4_io_vec v = { .dev_off = 500, .buf = a, .len = sizeof(a) };
	const enum step s[] = { SHORT, FAIL_EINTR, SHORT, PASS };
	const size_t n[] = { 7, 0, 1000, 0 };
	int fd;

	memset(a, 0xC3, sizeof(a));
	mock_script(e->dev.fd, 4, s, n);
	assert_int_equal(f4_data_writev(e->dio, &v, 1), 0);
	assert_int_equal(mock.calls, 4);
	fd = open(e->img, O_RDONLY | O_CLOEXEC);
	assert_true(fd >= 0);
	assert_int_equal(lseek(fd, 1024 + 500, SEEK_SET), 1024 + 500);
	assert_int_equal(read(fd, check, sizeof(check)), (ssize_t)sizeof(check));
	close(fd);
	assert_memory_equal(check, a, sizeof(a));

	/* A device that takes nothing, or fails, fails the write. */
	mock_script(e->dev.fd, 1, (const enum step[]){ AT_EOF }, NULL);
	assert_int_equal(f4_data_writev(e->dio, &v, 1), -EIO);
	mock_script(e->dev.fd, 1, (const enum step[]){ FAIL_EIO }, NULL);
	assert_int_equal(f4_data_writev(e->dio, &v, 1), -EIO);
	/* Outside the window: refused without a write. */
	mock.calls = 0;
	v.dev_off = e->dev.size - 10;
	assert_int_equal(f4_data_writev(e->dio, &v, 1), -EIO);
	assert_int_equal(mock.calls, 0);
}

static void test_write_readonly(void **state)
{
	struct env *e = open_env(state, false, 0);
	unsigned char a[16] = { 0 };
	struct f4_io_vec v = { .dev_off = 0, .buf = a, .len = sizeof(a) };

	assert_int_equal(f4_data_writev(e->dio, &v, 1), -EROFS);
	assert_int_equal(mock.calls, 0);
}

#define T(f) cmocka_unit_test_setup_teardown(f, env_setup, env_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_clean_reads), T(test_offset_window),
		T(test_short_reads_continue), T(test_eio),
		T(test_eof_mid_transfer), T(test_truncated_image),
		T(test_outside_window), T(test_writes),
		T(test_write_readonly),
	};

	return cmocka_run_group_tests_name("data (pread)", tests, NULL, NULL);
}
