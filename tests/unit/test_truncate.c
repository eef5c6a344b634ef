/* Unit tests for size changes (src/file/truncate.h, driven through
 * setattr's size as the kernel does) on read-write images: shrinking to
 * a partial block (blocks past it freed in the bitmap, the bytes past
 * the new end zeroed so that growing again shows zeros), shrinking to
 * nothing (indirect blocks freed too), growing sparse (no block
 * allocated), inline files, and the refusals (EFBIG past the largest
 * size, EISDIR, EINVAL, EPERM for append-only). The oracle is libext2fs
 * on the closed image (sizes, bytes, maps, bitmaps) and e2fsck -fn. */
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

#include "testimg.h"
#include "wfix.h"

/* 8 blocks cut to 2 and a bit: 5 blocks go, and after growing back to 4
 * blocks the bytes past the cut read as zeros, the rest is a hole. */
static void test_shrink_partial(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = wfx_build_file(x, "t", 8, 0);
	uint64_t *old = NULL, cut;
	size_t nold = wfx_blocks_of(x->img, ino, &old);
	ext2_filsys fs;
	unsigned bs;
	char *model;

	wfx_mount(x);
	bs = x->f4->blocksize;
	cut = 2 * bs + 100;
	assert_int_equal(wfx_truncate(x, ino, cut), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), cut);
	assert_int_equal(wfx_expect_freed(fs, ino, old, nold), 5);
	assert_int_equal(wfx_pblk(fs, ino, 3, NULL), 0);
	f4t_close(fs);

	wfx_mount(x);
	assert_int_equal(wfx_truncate(x, ino, 4 * bs), 0);
	wfx_umount(x);

	model = calloc(1, 4 * bs);
	wfx_pattern(model, 0, cut, bs);
	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), 4 * bs);
	wfx_expect_bytes(fs, ino, 0, model, 4 * bs);
	assert_int_equal(wfx_pblk(fs, ino, 3, NULL), 0);
	f4t_close(fs);
	free(model);
	free(old);
}

/* The same within one mount: the zeroing must reach the device before
 * the grow, not only at unmount. */
static void test_shrink_grow_one_mount(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = wfx_build_file(x, "u", 1, 0);
	ext2_filsys fs;
	char head[100];
	unsigned bs;

	wfx_mount(x);
	bs = x->f4->blocksize;
	assert_int_equal(wfx_truncate(x, ino, 100), 0);
	assert_int_equal(wfx_truncate(x, ino, 3 * bs), 0);
	wfx_umount(x);

	wfx_pattern(head, 0, sizeof(head), bs);
	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), 3 * bs);
	wfx_expect_bytes(fs, ino, 0, head, sizeof(head));
	wfx_expect_bytes(fs, ino, 100, NULL, 3 * bs - 100);
	f4t_close(fs);
}

/* To zero: every block goes, mapping blocks (indirect, extent tree)
 * included, and the inode counts none. */
static void test_shrink_to_zero(void **state)
{
	struct wfx *x = *state;
	ext2_filsys fs = f4t_open(x->img, false);
	uint64_t nblk = 12 + fs->blocksize / 4 + 30, *old = NULL;
	struct ext2_inode_large inode;
	ext2_ino_t ino;
	size_t nold;

	f4t_close(fs);
	ino = wfx_build_file(x, "z", nblk, 0);
	nold = wfx_blocks_of(x->img, ino, &old);
	assert_true(nold >= nblk);
	wfx_mount(x);
	assert_int_equal(wfx_truncate(x, ino, 0), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), 0);
	assert_int_equal(wfx_expect_freed(fs, ino, old, nold), nold);
	f4t_read_inode(fs, ino, &inode);
	assert_int_equal(ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)&inode), 0);
	f4t_close(fs);
	free(old);
}

/* Growing allocates nothing; the new range reads as zeros. */
static void test_grow_sparse(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = wfx_build_file(x, "g", 0, 0);
	uint64_t size = (1u << 20) + 5, *blks = NULL;
	ext2_filsys fs;

	wfx_mount(x);
	assert_int_equal(wfx_truncate(x, ino, size), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, ino), size);
	assert_int_equal(wfx_file_blocks(fs, ino, &blks), 0);
	wfx_expect_bytes(fs, ino, size - 5000, NULL, 5000);
	f4t_close(fs);
	free(blks);
}

/* Inline files shrink and grow inside the inode. */
static void test_inline(void **state)
{
	struct wfx *x = *state;
	struct ext2_inode_large inode;
	char model[50];
	ext2_filsys fs;
	ext2_ino_t ino;

	wfx_fill(model, sizeof(model), 21);
	wfx_mount(x);
	ino = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "i", S_IFREG | 0644, NULL);
	wfx_write(x, ino, 0, model, sizeof(model));
	assert_int_equal(wfx_truncate(x, ino, 10), 0);
	assert_int_equal(wfx_truncate(x, ino, 50), 0);
	wfx_umount(x);

	memset(model + 10, 0, 40);
	fs = wfx_open(x->img);
	f4t_read_inode(fs, ino, &inode);
	assert_true(inode.i_flags & EXT4_INLINE_DATA_FL);
	assert_int_equal(wfx_size(fs, ino), 50);
	wfx_expect_bytes(fs, ino, 0, model, sizeof(model));
	f4t_close(fs);
}

/* What truncate refuses, leaving the files as they were. */
static void test_refusals(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t app = wfx_build_file(x, "a", 2, 0);
	ext2_ino_t reg = wfx_build_file(x, "r", 2, 0);
	ext2_ino_t dir, lnk;
	ext2_filsys fs;
	unsigned bs;

	wfx_add_iflags(x, app, EXT2_APPEND_FL);
	wfx_mount(x);
	bs = x->f4->blocksize;
	dir = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "d", S_IFDIR | 0755, NULL);
	lnk = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "l", S_IFLNK | 0777, "r");
	assert_int_equal(wfx_truncate(x, app, 0), -EPERM);
	assert_int_equal(wfx_truncate(x, dir, 0), -EISDIR);
	assert_int_equal(wfx_truncate(x, lnk, 0), -EINVAL);
	/* No mapping here addresses 2^62 bytes. */
	assert_int_equal(wfx_truncate(x, reg, 1ULL << 62), -EFBIG);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_size(fs, app), 2 * bs);
	assert_int_equal(wfx_size(fs, reg), 2 * bs);
	assert_int_equal(wfx_size(fs, lnk), 1);
	f4t_close(fs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		WFX_ALL_FORMATS(test_shrink_partial),
		WFX_ON(test_shrink_partial, ext2_4k),
		WFX_ALL_FORMATS(test_shrink_grow_one_mount),
		WFX_ALL_FORMATS(test_shrink_to_zero),
		WFX_ON(test_shrink_to_zero, ext2_4k),
		WFX_ALL_FORMATS(test_grow_sparse),
		WFX_ON(test_inline, inline),
		WFX_ALL_FORMATS(test_refusals),
	};

	return WFX_RUN(tests);
}
