/* Unit tests for fallocate (src/file/falloc.h) through f4_mount_open on
 * read-write images: preallocation as unwritten extents with and without
 * FALLOC_FL_KEEP_SIZE, writing into preallocated space, punching holes
 * (blocks freed, partial edges zeroed, nothing past EOF), zero range,
 * ext4's EOPNOTSUPP for preallocation on block-mapped files and for the
 * modes not supported here (collapse, insert), and ENOSPC leaving no
 * block allocated. Free space is soiled first so that unzeroed blocks
 * show. The oracle is libext2fs on the closed image (bytes, unwritten
 * flags of the map, bitmaps) and e2fsck -fn. */
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

#include "src/file/falloc.h"
#include "testimg.h"
#include "wfix.h"

/* <linux/falloc.h>'s values, spelled out: the ABI under test. */
#define KEEP_SIZE 0x01
#define PUNCH_HOLE 0x02
#define NO_HIDE_STALE 0x04
#define COLLAPSE_RANGE 0x08
#define ZERO_RANGE 0x10
#define INSERT_RANGE 0x20

static int falloc(struct wfx *x, ext2_ino_t ino, int mode, uint64_t off,
		  uint64_t len)
{
	return f4_file_fallocate(x->f4, &wfx_root, ino, mode, off, len);
}

static void expect_unwritten(ext2_filsys fs, ext2_ino_t ino, uint64_t lblk,
			     bool want)
{
	bool uw = false;

	assert_int_not_equal(wfx_pblk(fs, ino, lblk, &uw), 0);
	if (uw != want)
		print_error("lblk %llu: unwritten %d, want %d\n",
			    (unsigned long long)lblk, uw, want);
	assert_int_equal(uw, want);
}

/* Without KEEP_SIZE the size follows; the blocks are unwritten and read
 * as zeros although the free space they came from was not. */
static void test_prealloc(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = wfx_build_file(x, "p", 0, 0);
	ext2_filsys fs;
	unsigned bs, i;

	wfx_mount(x);
	bs = x->f4->blocksize;
	assert_int_equal(falloc(x, ino, 0, 0, 3 * bs + 100), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), 3 * bs + 100);
	for (i = 0; i < 4; i++)
		expect_unwritten(fs, ino, i, true);
	wfx_expect_bytes(fs, ino, 0, NULL, 3 * bs + 100);
	f4t_close(fs);
}

static void test_keep_size(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = wfx_build_file(x, "k", 1, 100);
	char head[100];
	ext2_filsys fs;
	unsigned bs, i;

	wfx_mount(x);
	bs = x->f4->blocksize;
	assert_int_equal(falloc(x, ino, KEEP_SIZE, 0, 5 * bs), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), 100);
	expect_unwritten(fs, ino, 0, false);
	for (i = 1; i < 5; i++)
		expect_unwritten(fs, ino, i, true);
	assert_int_equal(wfx_pblk(fs, ino, 5, NULL), 0);
	wfx_pattern(head, 0, sizeof(head), bs);
	wfx_expect_bytes(fs, ino, 0, head, sizeof(head));
	f4t_close(fs);
}

/* A write inside preallocated space converts what it covers; the rest
 * of that block reads as zeros, the other blocks stay unwritten. */
static void test_write_into_prealloc(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = wfx_build_file(x, "w", 0, 0);
	char buf[10];
	ext2_filsys fs;
	unsigned bs;

	wfx_fill(buf, sizeof(buf), 11);
	wfx_mount(x);
	bs = x->f4->blocksize;
	assert_int_equal(falloc(x, ino, 0, 0, 4 * bs), 0);
	wfx_write(x, ino, bs + 5, buf, sizeof(buf));
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), 4 * bs);
	expect_unwritten(fs, ino, 0, true);
	expect_unwritten(fs, ino, 1, false);
	expect_unwritten(fs, ino, 2, true);
	wfx_expect_bytes(fs, ino, 0, NULL, bs + 5);
	wfx_expect_bytes(fs, ino, bs + 5, buf, sizeof(buf));
	wfx_expect_bytes(fs, ino, bs + 15, NULL, 3 * bs - 15);
	f4t_close(fs);
}

/* Whole blocks inside the hole are unmapped and free again; the partial
 * blocks at its edges keep their blocks and read zeros in the hole. */
static void test_punch(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = wfx_build_file(x, "h", 6, 0);
	uint64_t *old = NULL;
	size_t nold = wfx_blocks_of(x->img, ino, &old);
	ext2_filsys fs;
	unsigned bs;
	char *model;

	wfx_mount(x);
	bs = x->f4->blocksize;
	assert_int_equal(falloc(x, ino, PUNCH_HOLE | KEEP_SIZE, bs + 100,
				3 * bs - 50), 0);
	wfx_umount(x);

	model = malloc(6 * bs);
	wfx_pattern(model, 0, 6 * bs, bs);
	memset(model + bs + 100, 0, 3 * bs - 50);
	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), 6 * bs);
	assert_int_equal(wfx_pblk(fs, ino, 2, NULL), 0);
	assert_int_equal(wfx_pblk(fs, ino, 3, NULL), 0);
	assert_int_not_equal(wfx_pblk(fs, ino, 1, NULL), 0);
	assert_int_not_equal(wfx_pblk(fs, ino, 4, NULL), 0);
	assert_int_equal(wfx_expect_freed(fs, ino, old, nold), 2);
	wfx_expect_bytes(fs, ino, 0, model, 6 * bs);
	f4t_close(fs);
	free(model);
	free(old);
}

/* Past EOF there is nothing to punch; across EOF only the part inside
 * the file goes, and the size stays. */
static void test_punch_eof(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = wfx_build_file(x, "e", 2, 0);
	uint64_t *old = NULL;
	size_t nold = wfx_blocks_of(x->img, ino, &old);
	char *model;
	ext2_filsys fs;
	unsigned bs;

	wfx_mount(x);
	bs = x->f4->blocksize;
	assert_int_equal(falloc(x, ino, PUNCH_HOLE | KEEP_SIZE, 5 * bs, 5 * bs), 0);
	assert_int_equal(falloc(x, ino, PUNCH_HOLE | KEEP_SIZE, bs + 10, 9 * bs), 0);
	wfx_umount(x);

	model = malloc(2 * bs);
	wfx_pattern(model, 0, 2 * bs, bs);
	memset(model + bs + 10, 0, bs - 10);
	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), 2 * bs);
	assert_int_equal(wfx_expect_freed(fs, ino, old, nold), 0);
	wfx_expect_bytes(fs, ino, 0, model, 2 * bs);
	f4t_close(fs);
	free(model);
}

/* Zero range: zeros read back, whole blocks become unwritten, the
 * partial edge blocks stay written; without KEEP_SIZE the size grows. */
static void test_zero_range(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = wfx_build_file(x, "z", 6, 0);
	ext2_ino_t grow = wfx_build_file(x, "zg", 1, 0);
	ext2_ino_t keep = wfx_build_file(x, "zk", 1, 0);
	char *model;
	ext2_filsys fs;
	unsigned bs;

	wfx_mount(x);
	bs = x->f4->blocksize;
	assert_int_equal(falloc(x, ino, ZERO_RANGE, bs / 2, 3 * bs - bs / 2 + 10), 0);
	assert_int_equal(falloc(x, grow, ZERO_RANGE, 2 * bs, bs), 0);
	assert_int_equal(falloc(x, keep, ZERO_RANGE | KEEP_SIZE, 2 * bs, bs), 0);
	wfx_umount(x);

	model = malloc(6 * bs);
	wfx_pattern(model, 0, 6 * bs, bs);
	memset(model + bs / 2, 0, 3 * bs - bs / 2 + 10);
	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), 6 * bs);
	wfx_expect_bytes(fs, ino, 0, model, 6 * bs);
	expect_unwritten(fs, ino, 0, false);
	expect_unwritten(fs, ino, 1, true);
	expect_unwritten(fs, ino, 2, true);
	expect_unwritten(fs, ino, 3, false);
	assert_int_equal(wfx_size(fs, grow), 3 * bs);
	wfx_expect_bytes(fs, grow, bs, NULL, 2 * bs);
	expect_unwritten(fs, grow, 2, true);
	assert_int_equal(wfx_size(fs, keep), bs);
	expect_unwritten(fs, keep, 2, true);
	f4t_close(fs);
	free(model);
}

/* Punching a block-mapped file frees the indirect blocks that no longer
 * map anything: the double-indirect tree of a file past 12 + bs/4
 * blocks. */
static void test_punch_indirect(void **state)
{
	struct wfx *x = *state;
	ext2_filsys fs = f4t_open(x->img, false);
	uint64_t per = fs->blocksize / 4, nblk = 12 + per + 20, *old = NULL;
	ext2_ino_t ino;
	size_t nold, gone;

	f4t_close(fs);
	ino = wfx_build_file(x, "pi", nblk, 0);
	nold = wfx_blocks_of(x->img, ino, &old);
	assert_int_equal(nold, nblk + 3);	/* IND, DIND and its one IND */
	wfx_mount(x);
	assert_int_equal(falloc(x, ino, PUNCH_HOLE | KEEP_SIZE,
				(12 + per) * x->f4->blocksize,
				20 * x->f4->blocksize), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	gone = wfx_expect_freed(fs, ino, old, nold);
	assert_int_equal(gone, 20 + 2);
	assert_int_equal(wfx_size(fs, ino), nblk * fs->blocksize);
	assert_int_not_equal(wfx_pblk(fs, ino, 12 + per - 1, NULL), 0);
	f4t_close(fs);
	free(old);
}

struct refusal {
	int mode;
	unsigned off, len;	/* in blocks */
	int err;
};

/* Every call of table is refused with its error, and the file (two
 * blocks of data) is left as it was: size, blocks, no new ones. */
static void expect_refusals(struct wfx *x, const struct refusal *table, size_t n)
{
	ext2_ino_t ino = wfx_build_file(x, "r", 2, 0);
	uint64_t *old = NULL;
	size_t nold = wfx_blocks_of(x->img, ino, &old), i;
	ext2_filsys fs;
	unsigned bs;

	wfx_mount(x);
	bs = x->f4->blocksize;
	for (i = 0; i < n; i++)
		assert_int_equal(falloc(x, ino, table[i].mode, (uint64_t)table[i].off * bs,
					(uint64_t)table[i].len * bs), table[i].err);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), 2 * bs);
	assert_int_equal(wfx_expect_freed(fs, ino, old, nold), 0);
	assert_int_equal(wfx_pblk(fs, ino, 2, NULL), 0);
	f4t_close(fs);
	free(old);
}

/* Block-mapped files have no unwritten extents: preallocation and zero
 * range are EOPNOTSUPP (as ext4). */
static void test_blockmap_unsupported(void **state)
{
	static const struct refusal t[] = {
		{ 0, 0, 8, -EOPNOTSUPP },
		{ KEEP_SIZE, 0, 8, -EOPNOTSUPP },
		{ ZERO_RANGE, 0, 1, -EOPNOTSUPP },
	};

	expect_refusals(*state, t, sizeof(t) / sizeof(t[0]));
}

/* Modes not implemented, and a zero length. */
static void test_bad_modes(void **state)
{
	static const struct refusal t[] = {
		{ COLLAPSE_RANGE, 1, 1, -EOPNOTSUPP },
		{ INSERT_RANGE, 1, 1, -EOPNOTSUPP },
		{ NO_HIDE_STALE | PUNCH_HOLE | KEEP_SIZE, 1, 1, -EOPNOTSUPP },
		{ 0, 0, 0, -EINVAL },
	};

	expect_refusals(*state, t, sizeof(t) / sizeof(t[0]));
}

/* More than the free space: ENOSPC and not a block taken. */
static void test_enospc_nothing_taken(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = wfx_build_file(x, "n", 0, 0);
	ext2_filsys fs = wfx_open(x->img);
	uint64_t used = wfx_used_blocks(fs);
	uint64_t total = ext2fs_blocks_count(fs->super);

	f4t_close(fs);
	wfx_mount(x);
	assert_int_equal(falloc(x, ino, 0, 0, total * x->f4->blocksize), -ENOSPC);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_used_blocks(fs), used);
	assert_int_equal(wfx_size(fs, ino), 0);
	f4t_close(fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		WFX_ON(test_prealloc, ext4_4k),
		WFX_ON(test_prealloc, ext4_1k),
		WFX_ON(test_keep_size, ext4_4k),
		WFX_ON(test_keep_size, ext4_1k),
		WFX_ON(test_write_into_prealloc, ext4_4k),
		WFX_ON(test_write_into_prealloc, ext4_1k),
		WFX_ALL_FORMATS(test_punch),
		WFX_ON(test_punch, inline),
		WFX_ALL_FORMATS(test_punch_eof),
		WFX_ON(test_zero_range, ext4_4k),
		WFX_ON(test_zero_range, ext4_1k),
		WFX_ON(test_blockmap_unsupported, ext3_1k),
		WFX_ON(test_blockmap_unsupported, ext2_4k),
		WFX_ON(test_punch_indirect, ext3_1k),
		WFX_ON(test_punch_indirect, ext2_4k),
		WFX_ALL_FORMATS(test_bad_modes),
		WFX_ON(test_enospc_nothing_taken, ext4_4k),
		WFX_ON(test_enospc_nothing_taken, ext4_1k),
	};

	return WFX_RUN(tests);
}
