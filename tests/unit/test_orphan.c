/* Unit tests for the orphan list (src/ns/orphan.h) on read-write images:
 * a file unlinked (or renamed over) while open goes on the list with its
 * blocks kept, and is freed when the last handle goes, when the mount
 * closes, or at the next mount after a crash; a chain of two is unlinked
 * from the middle correctly; an orphan that still has links (a truncate
 * a crash interrupted) is truncated to its size at mount. The states in
 * between are taken as crash images (the in-core metadata flushed and
 * the image copied while mounted) and read with libext2fs: s_last_orphan,
 * the i_dtime chain, link counts, bitmaps; closed images pass e2fsck. */
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
#include <cmocka.h>

#include "src/ns/handle.h"
#include "src/ns/namespace.h"
#include "src/ns/node.h"
#include "src/ns/rename.h"
#include "testimg.h"
#include "wfix.h"

/* What the kernel does for open(2) on an inode. */
static void open_file(struct wfx *x, ext2_ino_t ino)
{
	assert_int_equal(f4_handle_open(x->f4, ino, O_RDWR), 0);
}

/* The orphan list of an image, head first (at most max entries). */
static unsigned orphan_list(ext2_filsys fs, ext2_ino_t *out, unsigned max)
{
	ext2_ino_t ino = fs->super->s_last_orphan;
	unsigned n = 0;

	while (ino && n < max) {
		out[n++] = ino;
		ino = wfx_inode(fs, ino).i_dtime;
	}
	assert_int_equal(ino, 0);
	return n;
}

static void expect_gone(ext2_filsys fs, ext2_ino_t ino, const uint64_t *old,
			size_t nold)
{
	assert_false(wfx_inode_used(fs, ino));
	assert_int_equal(wfx_expect_freed(fs, 0, old, nold), nold);
	assert_int_equal(fs->super->s_last_orphan, 0);
}

/* Unlinked while open: on the list with its blocks until closed. */
static void test_unlink_open(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = wfx_build_file(x, "f", 3, 0), list[4];
	uint64_t *old = NULL;
	size_t nold = wfx_blocks_of(x->img, ino, &old), i;
	ext2_filsys fs;
	char *crash;

	wfx_mount(x);
	open_file(x, ino);
	assert_int_equal(f4_ns_unlink(x->f4, EXT2_ROOT_INO, "f"), 0);
	crash = wfx_snapshot(x, "crash");
	f4_handle_release(x->f4, ino);
	wfx_umount(x);

	fs = wfx_open(crash);
	assert_int_equal(wfx_namei(fs, "f"), 0);
	assert_int_equal(orphan_list(fs, list, 4), 1);
	assert_int_equal(list[0], ino);
	assert_int_equal(wfx_inode(fs, ino).i_links_count, 0);
	assert_true(wfx_inode_used(fs, ino));
	for (i = 0; i < nold; i++)
		assert_true(wfx_block_used(fs, old[i]));
	f4t_close(fs);

	fs = wfx_open(x->img);
	expect_gone(fs, ino, old, nold);
	f4t_close(fs);

	/* The crash image: the next mount frees the orphan. */
	free(x->img);
	x->img = crash;
	wfx_mount(x);
	wfx_umount(x);
	fs = wfx_open(x->img);
	expect_gone(fs, ino, old, nold);
	f4t_close(fs);
	free(old);
}

/* Two orphans; the older (the list's tail) goes first. */
static void test_chain(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t a = wfx_build_file(x, "a", 2, 0), b = wfx_build_file(x, "b", 2, 0);
	ext2_ino_t list[4];
	ext2_filsys fs;
	char *s1, *s2;

	wfx_mount(x);
	open_file(x, a);
	open_file(x, b);
	assert_int_equal(f4_ns_unlink(x->f4, EXT2_ROOT_INO, "a"), 0);
	assert_int_equal(f4_ns_unlink(x->f4, EXT2_ROOT_INO, "b"), 0);
	s1 = wfx_snapshot(x, "s1");
	f4_handle_release(x->f4, a);
	s2 = wfx_snapshot(x, "s2");
	f4_handle_release(x->f4, b);
	wfx_umount(x);

	fs = wfx_open(s1);
	assert_int_equal(orphan_list(fs, list, 4), 2);
	assert_int_equal(list[0], b);
	assert_int_equal(list[1], a);
	f4t_close(fs);
	fs = wfx_open(s2);
	assert_int_equal(orphan_list(fs, list, 4), 1);
	assert_int_equal(list[0], b);
	assert_false(wfx_inode_used(fs, a));
	f4t_close(fs);
	fs = wfx_open(x->img);
	assert_int_equal(fs->super->s_last_orphan, 0);
	assert_false(wfx_inode_used(fs, b));
	f4t_close(fs);
	free(s1);
	free(s2);
}

/* Still open (and looked up) when the filesystem closes. */
static void test_held_at_unmount(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = wfx_build_file(x, "f", 4, 0);
	uint64_t *old = NULL;
	size_t nold = wfx_blocks_of(x->img, ino, &old);
	struct f4_attr attr;
	ext2_filsys fs;

	wfx_mount(x);
	assert_int_equal(f4_node_lookup(x->f4, EXT2_ROOT_INO, "f", &attr), 0);
	open_file(x, ino);
	assert_int_equal(f4_ns_unlink(x->f4, EXT2_ROOT_INO, "f"), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	expect_gone(fs, ino, old, nold);
	f4t_close(fs);
	free(old);
}

/* Renamed over while open: the replaced inode becomes the orphan. */
static void test_rename_over_open(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t victim = wfx_build_file(x, "v", 2, 0), list[4];
	uint64_t *old = NULL;
	size_t nold = wfx_blocks_of(x->img, victim, &old);
	ext2_filsys fs;
	ext2_ino_t src;
	char *crash;

	wfx_mount(x);
	src = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "s", S_IFREG | 0644, NULL);
	open_file(x, victim);
	assert_int_equal(f4_ns_rename(x->f4, &wfx_root, EXT2_ROOT_INO, "s",
				      EXT2_ROOT_INO, "v", 0), 0);
	crash = wfx_snapshot(x, "crash");
	f4_handle_release(x->f4, victim);
	wfx_umount(x);

	fs = wfx_open(crash);
	assert_int_equal(orphan_list(fs, list, 4), 1);
	assert_int_equal(list[0], victim);
	assert_int_equal(wfx_namei(fs, "v"), src);
	f4t_close(fs);
	fs = wfx_open(x->img);
	expect_gone(fs, victim, old, nold);
	f4t_close(fs);
	free(crash);
	free(old);
}

/* An orphan with links is a truncate that did not finish: the mount
 * frees the blocks past its size and takes it off the list. */
static void test_truncate_orphan(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = wfx_build_file(x, "t", 10, 0);
	struct ext2_inode_large in;
	uint64_t *old = NULL;
	size_t nold = wfx_blocks_of(x->img, ino, &old);
	ext2_filsys fs = f4t_open(x->img, true);
	unsigned bs = fs->blocksize;

	f4t_set_size(fs, ino, 2 * bs);
	f4t_read_inode(fs, ino, &in);
	in.i_dtime = 0;
	f4t_write_inode(fs, ino, &in);
	fs->super->s_last_orphan = ino;
	ext2fs_mark_super_dirty(fs);
	f4t_close_flush(fs);

	wfx_mount(x);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(fs->super->s_last_orphan, 0);
	assert_int_equal(wfx_namei(fs, "t"), ino);
	in = wfx_inode(fs, ino);
	assert_int_equal(in.i_links_count, 1);
	assert_int_equal(in.i_dtime, 0);
	assert_int_equal(EXT2_I_SIZE(&in), 2 * bs);
	assert_int_equal(wfx_expect_freed(fs, ino, old, nold), nold - 2);
	assert_int_not_equal(wfx_pblk(fs, ino, 1, NULL), 0);
	f4t_close(fs);
	free(old);
}

/* Block-mapped files: the punched map exists only in the caller's copy
 * of the inode, which the mount must write (it once re-read the inode
 * over it: blocks freed in the bitmap but still mapped). */
static void test_truncate_orphan_blockmap(void **state)
{
	test_truncate_orphan(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		WFX_ALL_FORMATS(test_unlink_open),
		WFX_ALL_FORMATS(test_chain),
		WFX_ALL_FORMATS(test_held_at_unmount),
		WFX_ALL_FORMATS(test_rename_over_open),
		WFX_ON(test_truncate_orphan, ext4_4k),
		WFX_ON(test_truncate_orphan, ext4_1k),
		WFX_ON(test_truncate_orphan_blockmap, ext3_1k),
		WFX_ON(test_truncate_orphan_blockmap, ext2_4k),
	};

	return WFX_RUN(tests);
}
