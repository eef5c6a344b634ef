/* Unit tests for rename (src/ns/rename.h) on read-write images: a plain
 * rename, replacing a file (its inode and blocks freed), replacing an
 * empty directory, RENAME_NOREPLACE, RENAME_EXCHANGE of a file and a
 * directory across parents, a directory moved across parents ("..",
 * both parents' link counts), moves into the own subtree (EINVAL), the
 * type mismatches (EISDIR, ENOTDIR, ENOTEMPTY), renaming onto itself and
 * RENAME_WHITEOUT. The oracle is libext2fs on the closed image (names,
 * "..", link counts, bitmaps) and e2fsck -fn. */
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

#include "src/ns/rename.h"
#include "testimg.h"
#include "wfix.h"

/* The tree each test starts with (made through the core):
 * /a/ (dir) with /a/b/ (dir) and /a/f (file); /c/ (empty dir);
 * /g (file of 2 blocks, built with libext2fs); /h (file). */
struct tree {
	ext2_ino_t a, b, f, c, g, h;
};

static void make_tree(struct wfx *x, struct tree *t)
{
	t->g = wfx_build_file(x, "g", 2, 0);
	wfx_mount(x);
	t->a = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "a", S_IFDIR | 0755, NULL);
	t->b = wfx_make(x, &wfx_root, t->a, "b", S_IFDIR | 0755, NULL);
	t->f = wfx_make(x, &wfx_root, t->a, "f", S_IFREG | 0644, NULL);
	t->c = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "c", S_IFDIR | 0755, NULL);
	t->h = wfx_make(x, &wfx_root, EXT2_ROOT_INO, "h", S_IFREG | 0644, NULL);
}

static int ren(struct wfx *x, ext2_ino_t od, const char *on, ext2_ino_t nd,
	       const char *nn, unsigned flags)
{
	return f4_ns_rename(x->f4, &wfx_root, od, on, nd, nn, flags);
}

static uint16_t links(ext2_filsys fs, ext2_ino_t ino)
{
	return wfx_inode(fs, ino).i_links_count;
}

/* Close the tree's mount, read two directories' link counts, mount
 * again. */
static void links_of(struct wfx *x, ext2_ino_t d1, uint16_t *l1, ext2_ino_t d2,
		     uint16_t *l2)
{
	ext2_filsys fs;

	wfx_umount(x);
	fs = wfx_open(x->img);
	*l1 = links(fs, d1);
	*l2 = links(fs, d2);
	f4t_close(fs);
	wfx_mount(x);
}

static void test_plain_and_self(void **state)
{
	struct wfx *x = *state;
	struct tree t;
	ext2_filsys fs;

	make_tree(x, &t);
	assert_int_equal(ren(x, EXT2_ROOT_INO, "h", EXT2_ROOT_INO, "h2", 0), 0);
	assert_int_equal(ren(x, EXT2_ROOT_INO, "g", EXT2_ROOT_INO, "g", 0), 0);
	assert_int_equal(ren(x, EXT2_ROOT_INO, "missing", EXT2_ROOT_INO, "m", 0), -ENOENT);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_namei(fs, "h"), 0);
	assert_int_equal(wfx_namei(fs, "h2"), t.h);
	assert_int_equal(wfx_namei(fs, "g"), t.g);
	assert_int_equal(links(fs, t.h), 1);
	assert_int_equal(links(fs, t.g), 1);
	f4t_close(fs);
}

/* The replaced file's inode and blocks are freed; NOREPLACE refuses. */
static void test_replace_file(void **state)
{
	struct wfx *x = *state;
	uint64_t *old = NULL;
	size_t nold;
	struct tree t;
	ext2_filsys fs;

	make_tree(x, &t);
	wfx_umount(x);
	nold = wfx_blocks_of(x->img, t.g, &old);
	wfx_mount(x);
	assert_int_equal(ren(x, t.a, "f", EXT2_ROOT_INO, "g", F4_RENAME_NOREPLACE),
			 -EEXIST);
	assert_int_equal(ren(x, t.a, "f", EXT2_ROOT_INO, "g", 0), 0);
	assert_int_equal(ren(x, EXT2_ROOT_INO, "h", t.a, "new", F4_RENAME_NOREPLACE), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_namei(fs, "g"), t.f);
	assert_int_equal(wfx_namei(fs, "a/f"), 0);
	assert_int_equal(wfx_namei(fs, "a/new"), t.h);
	assert_false(wfx_inode_used(fs, t.g));
	assert_int_equal(wfx_expect_freed(fs, 0, old, nold), nold);
	f4t_close(fs);
	free(old);
}

/* A directory moved to another parent: ".." follows, the old parent
 * loses a link and the new one gains one. */
static void test_move_dir(void **state)
{
	struct wfx *x = *state;
	uint16_t la, lc;
	struct tree t;
	ext2_filsys fs;

	make_tree(x, &t);
	links_of(x, t.a, &la, t.c, &lc);
	assert_int_equal(ren(x, t.a, "b", t.c, "b2", 0), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_namei(fs, "c/b2"), t.b);
	assert_int_equal(wfx_namei(fs, "a/b"), 0);
	assert_int_equal(wfx_namei(fs, "c/b2/.."), t.c);
	assert_int_equal(links(fs, t.a), la - 1);
	assert_int_equal(links(fs, t.c), lc + 1);
	assert_int_equal(links(fs, t.b), 2);
	f4t_close(fs);
}

/* Exchange a directory and a file in different parents. */
static void test_exchange(void **state)
{
	struct wfx *x = *state;
	uint16_t la, lr;
	struct tree t;
	ext2_filsys fs;

	make_tree(x, &t);
	links_of(x, t.a, &la, EXT2_ROOT_INO, &lr);
	assert_int_equal(ren(x, t.a, "b", EXT2_ROOT_INO, "h", F4_RENAME_EXCHANGE), 0);
	assert_int_equal(ren(x, t.a, "missing", EXT2_ROOT_INO, "g", F4_RENAME_EXCHANGE),
			 -ENOENT);
	assert_int_equal(ren(x, t.a, "f", EXT2_ROOT_INO, "missing", F4_RENAME_EXCHANGE),
			 -ENOENT);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_namei(fs, "h"), t.b);
	assert_int_equal(wfx_namei(fs, "a/b"), t.h);
	assert_int_equal(wfx_namei(fs, "h/.."), EXT2_ROOT_INO);
	assert_int_equal(links(fs, t.a), la - 1);
	assert_int_equal(links(fs, EXT2_ROOT_INO), lr + 1);
	f4t_close(fs);
}

/* Loops and type mismatches are refused and change nothing. */
static void test_refusals(void **state)
{
	struct wfx *x = *state;
	struct tree t;
	ext2_filsys fs;

	make_tree(x, &t);
	assert_int_equal(ren(x, EXT2_ROOT_INO, "a", t.b, "a", 0), -EINVAL);
	assert_int_equal(ren(x, EXT2_ROOT_INO, "a", t.a, "a", 0), -EINVAL);
	assert_int_equal(ren(x, EXT2_ROOT_INO, "a", t.a, "b", F4_RENAME_EXCHANGE), -EINVAL);
	assert_int_equal(ren(x, EXT2_ROOT_INO, "c", EXT2_ROOT_INO, "a", 0), -ENOTEMPTY);
	assert_int_equal(ren(x, EXT2_ROOT_INO, "c", EXT2_ROOT_INO, "g", 0), -ENOTDIR);
	assert_int_equal(ren(x, EXT2_ROOT_INO, "g", EXT2_ROOT_INO, "c", 0), -EISDIR);
	assert_int_equal(ren(x, EXT2_ROOT_INO, "g", EXT2_ROOT_INO, "g2",
			     F4_RENAME_EXCHANGE | F4_RENAME_NOREPLACE), -EINVAL);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_namei(fs, "a"), t.a);
	assert_int_equal(wfx_namei(fs, "a/b"), t.b);
	assert_int_equal(wfx_namei(fs, "c"), t.c);
	assert_int_equal(wfx_namei(fs, "g"), t.g);
	assert_int_equal(wfx_namei(fs, "g2"), 0);
	f4t_close(fs);
}

/* An empty directory may be replaced by a directory: it is freed, and
 * the parent that lost the moved one drops a link. */
static void test_replace_empty_dir(void **state)
{
	struct wfx *x = *state;
	uint16_t lr, la;
	struct tree t;
	ext2_filsys fs;

	make_tree(x, &t);
	links_of(x, t.a, &la, EXT2_ROOT_INO, &lr);
	assert_int_equal(ren(x, t.a, "b", EXT2_ROOT_INO, "c", 0), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_namei(fs, "c"), t.b);
	assert_int_equal(wfx_namei(fs, "c/.."), EXT2_ROOT_INO);
	assert_false(wfx_inode_used(fs, t.c));
	assert_int_equal(links(fs, EXT2_ROOT_INO), lr);
	assert_int_equal(links(fs, t.a), la - 1);
	f4t_close(fs);
}

/* RENAME_WHITEOUT leaves a 0/0 character device at the old name. */
static void test_whiteout(void **state)
{
	struct wfx *x = *state;
	struct ext2_inode_large in;
	struct tree t;
	ext2_filsys fs;
	ext2_ino_t w;

	make_tree(x, &t);
	assert_int_equal(ren(x, EXT2_ROOT_INO, "h", t.c, "h", F4_RENAME_WHITEOUT), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_namei(fs, "c/h"), t.h);
	w = wfx_namei(fs, "h");
	assert_int_not_equal(w, 0);
	assert_int_not_equal(w, t.h);
	in = wfx_inode(fs, w);
	assert_true(S_ISCHR(in.i_mode));
	assert_int_equal(in.i_block[0], 0);
	assert_int_equal(in.i_block[1], 0);
	f4t_close(fs);
}

#define FORMATS(t) WFX_ON(t, ext4_4k), WFX_ON(t, inline), WFX_ON(t, ext3_1k)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FORMATS(test_plain_and_self),
		FORMATS(test_replace_file),
		FORMATS(test_move_dir),
		FORMATS(test_exchange),
		FORMATS(test_refusals),
		FORMATS(test_replace_empty_dir),
		FORMATS(test_whiteout),
	};

	return WFX_RUN(tests);
}
