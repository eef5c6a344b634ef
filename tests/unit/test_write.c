/* Unit tests for file writes (src/file/write.h) through f4_mount_open on
 * read-write images: appending, sparse writes, overwriting in place,
 * writes across extents and holes, the zeroing of stale bytes past the
 * old end of file and of the unwritten parts of new blocks, inline files
 * growing out of the inode, indirect-mapped (ext3) files up to the
 * triple-indirect range, and the largest size each mapping can address.
 * Free space is soiled first, so a new block the core forgets to clear
 * shows old bytes. The oracle is libext2fs reading the closed image
 * (file bytes, sizes, block maps) and e2fsck -fn. */
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
#include "src/mount/mount.h"
#include "testimg.h"
#include "wfix.h"

static unsigned bsize(const struct wfx *x)
{
	return x->f4->blocksize;
}

/* Appends in three pieces, none block aligned. */
static void test_extend(void **state)
{
	struct wfx *x = *state;
	ext2_filsys fs;
	ext2_ino_t ino;
	unsigned bs;
	size_t len;
	char *model;

	wfx_mount(x);
	bs = bsize(x);
	len = 3 * bs + 123;
	model = malloc(len);
	wfx_fill(model, len, 1);
	ino = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "f", S_IFREG | 0644, NULL);
	wfx_write(x, ino, 0, model, 1000);
	wfx_write(x, ino, 1000, model + 1000, 2 * bs + 7 - 1000);
	wfx_write(x, ino, 2 * bs + 7, model + 2 * bs + 7, len - (2 * bs + 7));
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_namei(fs, "f"), ino);
	assert_int_equal(wfx_size(fs, ino), len);
	wfx_expect_bytes(fs, ino, 0, model, len);
	assert_int_equal(wfx_pblk(fs, ino, 4, NULL), 0);	/* nothing past EOF */
	f4t_close(fs);
	free(model);
}

/* Writes far apart: the holes stay holes and read as zeros, and the
 * parts of a new block the write does not cover are zeros, not the
 * stale bytes the free space holds. */
static void test_sparse(void **state)
{
	struct wfx *x = *state;
	char a[100], b[200];
	uint64_t far = 1u << 20, lb;
	ext2_filsys fs;
	ext2_ino_t ino;
	unsigned bs;

	wfx_fill(a, sizeof(a), 2);
	wfx_fill(b, sizeof(b), 3);
	wfx_mount(x);
	bs = bsize(x);
	ino = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "s", S_IFREG | 0644, NULL);
	wfx_write(x, ino, 5 * bs + 10, a, sizeof(a));
	wfx_write(x, ino, far - 50, b, sizeof(b));
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), far + 150);
	for (lb = 0; lb < 5; lb++)
		assert_int_equal(wfx_pblk(fs, ino, lb, NULL), 0);
	assert_int_not_equal(wfx_pblk(fs, ino, 5, NULL), 0);
	assert_int_equal(wfx_pblk(fs, ino, 7, NULL), 0);
	assert_int_not_equal(wfx_pblk(fs, ino, (far - 50) / bs, NULL), 0);
	assert_int_not_equal(wfx_pblk(fs, ino, far / bs, NULL), 0);
	wfx_expect_bytes(fs, ino, 0, NULL, 5 * bs + 10);
	wfx_expect_bytes(fs, ino, 5 * bs + 10, a, sizeof(a));
	wfx_expect_bytes(fs, ino, 5 * bs + 110, NULL, bs - 110);
	wfx_expect_bytes(fs, ino, far - bs, NULL, bs - 50);
	wfx_expect_bytes(fs, ino, far - 50, b, sizeof(b));
	f4t_close(fs);
}

/* Overwriting mapped blocks writes them in place. */
static void test_overwrite(void **state)
{
	struct wfx *x = *state;
	uint64_t before[4];
	ext2_filsys fs;
	ext2_ino_t ino = wfx_build_file(x, "o", 4, 0);
	unsigned bs, i;
	char *model, *buf;

	fs = wfx_open(x->img);
	bs = fs->blocksize;
	for (i = 0; i < 4; i++)
		before[i] = wfx_pblk(fs, ino, i, NULL);
	f4t_close(fs);
	model = malloc(4 * bs);
	buf = malloc(bs + 20);
	wfx_pattern(model, 0, 4 * bs, bs);
	wfx_fill(buf, bs + 20, 4);
	memcpy(model + bs - 10, buf, bs + 20);

	wfx_mount(x);
	wfx_write(x, ino, bs - 10, buf, bs + 20);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), 4 * bs);
	for (i = 0; i < 4; i++)
		assert_int_equal(wfx_pblk(fs, ino, i, NULL), before[i]);
	wfx_expect_bytes(fs, ino, 0, model, 4 * bs);
	f4t_close(fs);
	free(model);
	free(buf);
}

/* One write over data, a hole and data again (two extents, or two runs
 * of a block map): the old blocks stay where they were, the hole gets
 * new ones. */
static void test_across_extents(void **state)
{
	struct wfx *x = *state;
	ext2_filsys fs = f4t_open(x->img, true);
	ext2_ino_t ino = f4t_create(fs, EXT2_ROOT_INO, "g", S_IFREG | 0644);
	unsigned bs = fs->blocksize, i;
	uint64_t before[6];
	size_t len = 3 * bs;
	char *model = malloc(6 * bs), *buf = malloc(len);

	f4t_write_blocks(fs, ino, 0, 2);
	f4t_write_blocks(fs, ino, 4, 2);
	f4t_set_size(fs, ino, 6 * bs);
	f4t_close_flush(fs);
	fs = wfx_open(x->img);
	for (i = 0; i < 6; i++)
		before[i] = wfx_pblk(fs, ino, i, NULL);
	f4t_close(fs);
	assert_int_equal(before[2], 0);
	assert_int_equal(before[3], 0);
	wfx_pattern(model, 0, 6 * bs, bs);
	memset(model + 2 * bs, 0, 2 * bs);
	wfx_fill(buf, len, 5);
	memcpy(model + bs + 100, buf, len);

	wfx_mount(x);
	wfx_write(x, ino, bs + 100, buf, len);
	wfx_umount(x);

	fs = wfx_open(x->img);
	for (i = 0; i < 6; i++) {
		uint64_t p = wfx_pblk(fs, ino, i, NULL);

		assert_int_not_equal(p, 0);
		if (before[i])
			assert_int_equal(p, before[i]);
	}
	wfx_expect_bytes(fs, ino, 0, model, 6 * bs);
	f4t_close(fs);
	free(model);
	free(buf);
}

/* The old last block holds stale bytes past EOF (written, then the size
 * set short); a write starting beyond EOF must leave them reading as
 * zeros, whether it starts in that block or past it. */
static void test_eof_gap_zeroed(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t near = wfx_build_file(x, "near", 1, 100);
	ext2_ino_t far = wfx_build_file(x, "far", 1, 100);
	char w[10], head[100];
	ext2_filsys fs;
	unsigned bs;

	wfx_fill(w, sizeof(w), 6);
	wfx_mount(x);
	bs = bsize(x);
	wfx_write(x, near, 200, w, sizeof(w));
	wfx_write(x, far, 2 * bs + 5, w, sizeof(w));
	wfx_umount(x);

	wfx_pattern(head, 0, sizeof(head), bs);
	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, near), 210);
	wfx_expect_bytes(fs, near, 0, head, 100);
	wfx_expect_bytes(fs, near, 100, NULL, 100);
	wfx_expect_bytes(fs, near, 200, w, sizeof(w));
	assert_int_equal(wfx_size(fs, far), 2 * bs + 15);
	wfx_expect_bytes(fs, far, 0, head, 100);
	wfx_expect_bytes(fs, far, 100, NULL, 2 * bs + 5 - 100);
	wfx_expect_bytes(fs, far, 2 * bs + 5, w, sizeof(w));
	assert_int_equal(wfx_pblk(fs, far, 1, NULL), 0);
	f4t_close(fs);
}

static uint32_t iflags(ext2_filsys fs, ext2_ino_t ino)
{
	struct ext2_inode_large inode;

	f4t_read_inode(fs, ino, &inode);
	return inode.i_flags;
}

/* An inline file stays in the inode while it fits (i_block, then the
 * system.data attribute) and moves to an extent-mapped block when it
 * no longer does, keeping its bytes. */
static void test_inline_grow(void **state)
{
	static const size_t steps[] = { 40, 100, 3000 };
	struct wfx *x = *state;
	char model[3000];
	ext2_filsys fs;
	ext2_ino_t ino = 0;
	size_t have = 0, i;

	wfx_fill(model, sizeof(model), 7);
	for (i = 0; i < 3; i++) {
		wfx_mount(x);
		if (!ino)
			ino = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "i", S_IFREG | 0644, NULL);
		wfx_write(x, ino, have, model + have, steps[i] - have);
		have = steps[i];
		wfx_umount(x);

		fs = wfx_open(x->img);
		assert_int_equal(wfx_size(fs, ino), have);
		wfx_expect_bytes(fs, ino, 0, model, have);
		if (i < 2) {
			assert_true(iflags(fs, ino) & EXT4_INLINE_DATA_FL);
		} else {
			assert_false(iflags(fs, ino) & EXT4_INLINE_DATA_FL);
			assert_true(iflags(fs, ino) & EXT4_EXTENTS_FL);
			assert_int_not_equal(wfx_pblk(fs, ino, 0, NULL), 0);
		}
		f4t_close(fs);
	}
}

/* Block-mapped files: writes across the direct/indirect edge, into the
 * double- and the triple-indirect ranges. */
static void test_indirect(void **state)
{
	struct wfx *x = *state;
	uint64_t per, at[3];
	char buf[3000];
	ext2_filsys fs;
	ext2_ino_t ino;
	unsigned bs, i;

	wfx_fill(buf, sizeof(buf), 8);
	wfx_mount(x);
	bs = bsize(x);
	per = bs / 4;
	at[0] = 12 * (uint64_t)bs - 1000;
	at[1] = (12 + per) * bs - 1000;
	at[2] = (12 + per + per * per) * bs - 1000;
	ino = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "ind", S_IFREG | 0644, NULL);
	for (i = 0; i < 3; i++)
		wfx_write(x, ino, at[i], buf, sizeof(buf));
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_false(iflags(fs, ino) & EXT4_EXTENTS_FL);
	assert_int_equal(wfx_size(fs, ino), at[2] + sizeof(buf));
	for (i = 0; i < 3; i++) {
		assert_int_not_equal(wfx_pblk(fs, ino, at[i] / bs, NULL), 0);
		assert_int_not_equal(wfx_pblk(fs, ino, (at[i] + sizeof(buf) - 1) / bs, NULL), 0);
		wfx_expect_bytes(fs, ino, at[i], buf, sizeof(buf));
		wfx_expect_bytes(fs, ino, at[i] - 500, NULL, 500);
	}
	assert_int_equal(wfx_pblk(fs, ino, 0, NULL), 0);
	assert_int_equal(wfx_pblk(fs, ino, 12 + per + 5, NULL), 0);
	f4t_close(fs);
}

/* The largest size the mapping addresses, computed here from the
 * format: extents address 2^32 - 1 blocks; block maps 12 direct blocks
 * and three levels of indirection. A write reaching past it is cut
 * short there; one starting there is EFBIG. */
static void test_max_size(void **state)
{
	struct wfx *x = *state;
	uint64_t max, per;
	char buf[10] = "0123456789";
	size_t done = 0;
	ext2_filsys fs;
	ext2_ino_t ino;
	bool extents;

	wfx_mount(x);
	per = bsize(x) / 4;
	extents = ext2fs_has_feature_extents(x->f4->fs->super);
	max = extents ? ((1ULL << 32) - 1) * bsize(x) :
			(12 + per + per * per + per * per * per) * bsize(x);
	ino = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "max", S_IFREG | 0644, NULL);
	assert_int_equal(f4_file_write(x->f4, &wfx_root, ino, max, buf, 1, NULL, &done),
			 -EFBIG);
	assert_int_equal(f4_file_write(x->f4, &wfx_root, ino, max - 4, buf,
				       sizeof(buf), NULL, &done), 0);
	assert_int_equal(done, 4);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), max);
	wfx_expect_bytes(fs, ino, max - 4, buf, 4);
	f4t_close(fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		WFX_ALL_FORMATS(test_extend),
		WFX_ALL_FORMATS(test_sparse),
		WFX_ALL_FORMATS(test_overwrite),
		WFX_ALL_FORMATS(test_across_extents),
		WFX_ALL_FORMATS(test_eof_gap_zeroed),
		WFX_ON(test_eof_gap_zeroed, ext2_4k),
		WFX_ON(test_inline_grow, inline),
		WFX_ON(test_indirect, ext3_1k),
		WFX_ON(test_indirect, ext2_4k),
		WFX_ALL_FORMATS(test_max_size),
	};

	return WFX_RUN(tests);
}
