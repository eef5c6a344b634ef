/* Unit tests for allocation (src/fs/alloc.h) through the write path on
 * small read-write images: ordinary users stop short of the reserved
 * blocks (a write cut short, then ENOSPC) while root, the reserved uid
 * and members of the reserved group may use them; inode exhaustion is
 * ENOSPC and leaks nothing; appends land next to the file's previous
 * block (the goal); space freed by the running journal transaction is
 * there for the next write. The oracle is libext2fs on the closed image (block
 * bitmap counted bit by bit, s_r_blocks_count, file bytes, block map) and
 * e2fsck -fn. */
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
#include <cmocka.h>

#include "src/file/write.h"
#include "src/ns/namespace.h"
#include "src/ns/node.h"
#include "testimg.h"
#include "wfix.h"

#define CHUNK (64u << 10)

static int setup_reserved(void **state)
{
	wfx_new(state, "-t ext4 -b 1024 -m 25", "4M");
	return 0;
}

static int setup_reserved_ext3(void **state)
{
	wfx_new(state, "-t ext3 -b 1024 -m 25", "4M");
	return 0;
}

static int setup_resuid(void **state)
{
	struct wfx *x = wfx_new(state, "-t ext4 -b 1024 -m 25", "4M");

	f4t_must_sh(1, "tune2fs -u 1000 -g 4242 '%s' >/dev/null", x->img);
	return 0;
}

static int setup_few_inodes(void **state)
{
	wfx_new(state, "-t ext4 -b 1024 -N 32", "4M");
	return 0;
}

/* Append as cred until ENOSPC; returns the bytes written. One write is
 * allowed to come back short (as much as fits), the next is ENOSPC. */
static uint64_t fill(struct wfx *x, const struct f4_cred *cred, ext2_ino_t ino,
		     uint64_t off, const char *buf)
{
	uint64_t start = off;
	bool short_seen = false;

	for (;;) {
		size_t done = 0;
		int ret = f4_file_write(x->f4, cred, ino, off, buf, CHUNK, NULL, &done);

		if (ret == -ENOSPC) {
			assert_int_equal(done, 0);
			return off - start;
		}
		assert_int_equal(ret, 0);
		assert_false(short_seen);	/* after a short write: ENOSPC */
		assert_true(done > 0 && done <= CHUNK);
		short_seen = done < CHUNK;
		off += done;
	}
}

static uint64_t free_blocks(ext2_filsys fs)
{
	return ext2fs_blocks_count(fs->super) - fs->super->s_first_data_block -
	       wfx_used_blocks(fs);
}

/* A user stops before the reserved blocks; root goes on into them. The
 * user's bytes are all there, up to the short write. */
static void test_reserved(void **state)
{
	struct wfx *x = *state;
	uint64_t got_user, got_root;
	ext2_ino_t u, r;
	ext2_filsys fs;
	char *buf = malloc(CHUNK);

	wfx_fill(buf, CHUNK, 31);
	wfx_mount(x);
	u = wfx_make(x, &wfx_user, EXT2_ROOT_INO, "u", S_IFREG | 0644, NULL);
	r = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "r", S_IFREG | 0644, NULL);
	got_user = fill(x, &wfx_user, u, 0, buf);
	assert_true(got_user > 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, u), got_user);
	assert_true(free_blocks(fs) >= ext2fs_r_blocks_count(fs->super));
	for (uint64_t off = 0; off < got_user; off += CHUNK) {
		size_t n = got_user - off < CHUNK ? got_user - off : CHUNK;

		wfx_expect_bytes(fs, u, off, buf, n);
	}
	f4t_close(fs);

	wfx_mount(x);
	got_root = fill(x, &wfx_root, r, 0, buf);
	assert_true(got_root > 0);
	wfx_umount(x);
	fs = wfx_open(x->img);
	assert_true(free_blocks(fs) < ext2fs_r_blocks_count(fs->super));
	assert_int_equal(wfx_size(fs, r), got_root);
	f4t_close(fs);
	free(buf);
}

/* tune2fs -u/-g: the reserved uid, and a member of the reserved group
 * (a supplementary group), may use the reserve. */
static void test_resuid_resgid(void **state)
{
	static const gid_t groups[] = { 17, 4242 };
	const struct f4_cred member = { .uid = 2000, .gid = 2000, .groups = groups,
					.ngroups = 2 };
	struct wfx *x = *state;
	ext2_ino_t a, b;
	ext2_filsys fs;
	char *buf = malloc(CHUNK);

	wfx_fill(buf, CHUNK, 32);
	wfx_mount(x);
	a = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "a", S_IFREG | 0644, NULL);
	b = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "b", S_IFREG | 0644, NULL);
	assert_true(fill(x, &wfx_user, a, 0, buf) > 0);
	wfx_umount(x);
	fs = wfx_open(x->img);
	assert_true(free_blocks(fs) < ext2fs_r_blocks_count(fs->super));
	f4t_close(fs);

	/* Give the space back, then the group member fills it. */
	wfx_mount(x);
	assert_int_equal(wfx_truncate(x, a, 0), 0);
	assert_true(fill(x, &member, b, 0, buf) > 0);
	wfx_umount(x);
	fs = wfx_open(x->img);
	assert_true(free_blocks(fs) < ext2fs_r_blocks_count(fs->super));
	f4t_close(fs);
	free(buf);
}

/* Out of inodes: ENOSPC after exactly the free inodes, and nothing
 * half-made left behind. */
static void test_inodes_enospc(void **state)
{
	struct wfx *x = *state;
	struct f4_make_args m = { .cred = &wfx_root, .mode = S_IFREG | 0644 };
	ext2_filsys fs = wfx_open(x->img);
	uint32_t free_inodes = fs->super->s_free_inodes_count, made = 0, i;
	uint64_t used = wfx_used_blocks(fs);
	struct f4_attr attr;
	char name[32];
	int ret;

	f4t_close(fs);
	wfx_mount(x);
	for (i = 0; i < free_inodes + 5; i++) {
		snprintf(name, sizeof(name), "n%u", i);
		ret = f4_ns_make(x->f4, EXT2_ROOT_INO, name, &m, &attr);
		if (ret == -ENOSPC)
			break;
		assert_int_equal(ret, 0);
		f4_node_forget(x->f4, attr.ino, 1);
		made++;
	}
	assert_int_equal(made, free_inodes);
	m.mode = S_IFDIR | 0755;
	assert_int_equal(f4_ns_make(x->f4, EXT2_ROOT_INO, "d", &m, &attr), -ENOSPC);
	wfx_umount(x);

	fs = wfx_open(x->img);
	for (i = 1; i <= fs->super->s_inodes_count; i++)
		assert_true(wfx_inode_used(fs, i));
	assert_int_equal(wfx_namei(fs, "d"), 0);
	assert_int_equal(wfx_used_blocks(fs), used);
	f4t_close(fs);
}

/* Appends one block at a time: the file's blocks (data and mapping
 * blocks) form one run, in order (on this fresh image nothing else
 * competes for the space). */
static void test_goal_contiguous(void **state)
{
	struct wfx *x = *state;
	uint64_t *blks = NULL, lo, hi;
	ext2_filsys fs;
	ext2_ino_t ino;
	unsigned bs;
	size_t n, i;
	char *buf;

	wfx_mount(x);
	bs = x->f4->blocksize;
	buf = malloc(bs);
	wfx_fill(buf, bs, 33);
	ino = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "c", S_IFREG | 0644, NULL);
	for (i = 0; i < 16; i++)
		wfx_write(x, ino, (uint64_t)i * bs, buf, bs);
	wfx_umount(x);

	fs = wfx_open(x->img);
	n = wfx_file_blocks(fs, ino, &blks);
	assert_true(n >= 16);
	lo = hi = blks[0];
	for (i = 0; i < n; i++) {
		lo = blks[i] < lo ? blks[i] : lo;
		hi = blks[i] > hi ? blks[i] : hi;
	}
	assert_int_equal(hi - lo + 1, n);
	for (i = 1; i < 16; i++)
		assert_true(wfx_pblk(fs, ino, i, NULL) > wfx_pblk(fs, ino, i - 1, NULL));
	free(blks);
	f4t_close(fs);
	free(buf);
}

/* With a journal, blocks a transaction frees are kept from reuse until
 * it commits; a write that finds no room otherwise commits first (as
 * ext4 retries after forcing a commit): the space of a file truncated
 * a moment ago is there for the next one, in the same mount. */
static void test_freed_space_reused(void **state)
{
	struct wfx *x = *state;
	uint64_t got_a, got_b;
	ext2_ino_t a, b;
	char *buf = malloc(CHUNK);

	wfx_fill(buf, CHUNK, 33);
	wfx_mount(x);
	assert_non_null(x->f4->journal);
	a = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "a", S_IFREG | 0644, NULL);
	b = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "b", S_IFREG | 0644, NULL);
	got_a = fill(x, &wfx_root, a, 0, buf);
	assert_true(got_a > 0);
	assert_int_equal(wfx_truncate(x, a, 0), 0);
	got_b = fill(x, &wfx_root, b, 0, buf);
	assert_true(got_b >= got_a - got_a / 20);
	wfx_umount(x);
	free(buf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_reserved, setup_reserved, wfx_teardown),
		cmocka_unit_test_setup_teardown(test_reserved, setup_reserved_ext3,
						wfx_teardown),
		cmocka_unit_test_setup_teardown(test_resuid_resgid, setup_resuid,
						wfx_teardown),
		cmocka_unit_test_setup_teardown(test_inodes_enospc, setup_few_inodes,
						wfx_teardown),
		WFX_ALL_FORMATS(test_goal_contiguous),
		WFX_ON(test_freed_space_reused, ext4_4k),
		WFX_ON(test_freed_space_reused, ext3_1k),
	};

	return WFX_RUN(tests);
}
