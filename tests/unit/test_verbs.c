/* Unit tests for the core verbs behind the FUSE glue's open, create,
 * release and write: f4_handle_open/create/release (src/ns/handle.h)
 * with create's O_EXCL rule and the open count that keeps an unlinked
 * inode alive, and the setuid/setgid kill a write asks for
 * (f4_write_opts, src/file/write.h): which bits go for whom, the 0-byte
 * write, the immutable refusal, and the kill left alone when not asked.
 * The oracle is the closed image read with libext2fs, and e2fsck. */
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

#include "src/file/write.h"
#include "src/ns/handle.h"
#include "src/ns/node.h"
#include "testimg.h"
#include "wfix.h"

static struct ext2_inode_large inode_of(struct wfx *x, ext2_ino_t ino)
{
	ext2_filsys fs = wfx_open(x->img);
	struct ext2_inode_large inode = wfx_inode(fs, ino);

	f4t_close(fs);
	return inode;
}

/* Write "hello" at 0 as cred; returns the result, *killed what the
 * write reported. */
static int write_as(struct wfx *x, const struct f4_cred *cred, ext2_ino_t ino,
		    bool kill, size_t len, bool *killed)
{
	struct f4_write_opts o = { .kill_suidgid = kill, .killed = !kill };
	size_t done = 0;
	int ret = f4_file_write(x->f4, cred, ino, 0, "hello", len, &o, &done);

	*killed = o.killed;
	if (!ret)
		assert_int_equal(done, len);
	return ret;
}

/* Root-owned files made through the core with these modes. */
static void make_files(struct wfx *x, const char *const *names,
		       const mode_t *modes, ext2_ino_t *inos, size_t n)
{
	size_t i;

	wfx_mount(x);
	for (i = 0; i < n; i++)
		inos[i] = wfx_make(x, &wfx_root, EXT2_ROOT_INO, names[i],
				   S_IFREG | modes[i], NULL);
	wfx_umount(x);
}

static void test_write_kill(void **state)
{
	static const char *const names[] = { "gx", "out", "in", "keep", "zero", "imm" };
	static const mode_t modes[] = { 06755, 02644, 02644, 06755, 04755, 06755 };
	enum { GX, OUT, IN, KEEP, ZERO, IMM, N };
	struct wfx *x = *state;
	struct ext2_inode_large imm_before;
	ext2_ino_t ino[N];
	bool killed;

	make_files(x, names, modes, ino, N);
	wfx_add_iflags(x, ino[IMM], EXT2_IMMUTABLE_FL);
	imm_before = inode_of(x, ino[IMM]);
	wfx_mount(x);
	/* setgid goes when group-executable, or from an outsider; root is
	 * in every group. */
	assert_int_equal(write_as(x, &wfx_user, ino[GX], true, 5, &killed), 0);
	assert_true(killed);
	assert_int_equal(write_as(x, &wfx_user, ino[OUT], true, 5, &killed), 0);
	assert_true(killed);
	assert_int_equal(write_as(x, &wfx_root, ino[IN], true, 5, &killed), 0);
	assert_true(killed);	/* nothing to clear: still ran */
	assert_int_equal(write_as(x, &wfx_user, ino[KEEP], false, 5, &killed), 0);
	assert_false(killed);
	assert_int_equal(write_as(x, &wfx_user, ino[ZERO], true, 0, &killed), 0);
	assert_true(killed);
	assert_int_equal(write_as(x, &wfx_user, ino[IMM], true, 5, &killed), -EPERM);
	assert_false(killed);
	wfx_umount(x);

	assert_int_equal(inode_of(x, ino[GX]).i_mode, S_IFREG | 0755);
	assert_int_equal(inode_of(x, ino[OUT]).i_mode, S_IFREG | 0644);
	assert_int_equal(inode_of(x, ino[IN]).i_mode, S_IFREG | 02644);
	assert_int_equal(inode_of(x, ino[KEEP]).i_mode, S_IFREG | 06755);
	assert_int_equal(inode_of(x, ino[ZERO]).i_mode, S_IFREG | 0755);
	assert_int_equal(inode_of(x, ino[IMM]).i_mode, S_IFREG | 06755);
	assert_int_equal(inode_of(x, ino[IMM]).i_ctime, imm_before.i_ctime);
	{
		ext2_filsys fs = wfx_open(x->img);

		wfx_expect_bytes(fs, ino[GX], 0, "hello", 5);
		assert_int_equal(wfx_size(fs, ino[ZERO]), 0);
		f4t_close(fs);
	}
}

/* create: O_EXCL refuses an existing name, without it the existing
 * inode is opened; each success is a handle and a kernel reference. */
static void test_create_excl(void **state)
{
	struct wfx *x = *state;
	struct f4_make_args a = { .cred = &wfx_root, .mode = S_IFREG | 0644 };
	struct f4_attr first, again;

	wfx_mount(x);
	assert_int_equal(f4_handle_create(x->f4, EXT2_ROOT_INO, "n", &a,
					  O_CREAT | O_EXCL, &first), 0);
	assert_int_equal(f4_handle_create(x->f4, EXT2_ROOT_INO, "n", &a,
					  O_CREAT | O_EXCL, &again), -EEXIST);
	assert_int_equal(f4_handle_create(x->f4, EXT2_ROOT_INO, "n", &a,
					  O_CREAT, &again), 0);
	assert_int_equal(again.ino, first.ino);
	assert_int_equal(f4_handle_open(x->f4, EXT2_ROOT_INO, O_RDONLY), -EISDIR);
	f4_handle_release(x->f4, first.ino);
	f4_handle_release(x->f4, again.ino);
	f4_node_forget(x->f4, first.ino, 2);
	wfx_umount(x);
}

/* An unlinked inode lives while a handle is open, and goes with the
 * last release. */
static void test_release_frees_unlinked(void **state)
{
	struct wfx *x = *state;
	struct f4_make_args a = { .cred = &wfx_root, .mode = S_IFREG | 0644 };
	struct f4_attr u;
	ext2_filsys fs;
	char *snap;

	wfx_mount(x);
	assert_int_equal(f4_handle_create(x->f4, EXT2_ROOT_INO, "u", &a,
					  O_CREAT, &u), 0);
	assert_int_equal(f4_handle_open(x->f4, u.ino, O_RDWR), 0);
	f4_node_forget(x->f4, u.ino, 1);
	assert_int_equal(f4_ns_unlink(x->f4, EXT2_ROOT_INO, "u"), 0);
	f4_handle_release(x->f4, u.ino);
	snap = wfx_snapshot(x, "open");
	fs = wfx_open(snap);
	assert_true(wfx_inode_used(fs, u.ino));	/* one handle left */
	f4t_close(fs);
	free(snap);
	f4_handle_release(x->f4, u.ino);
	snap = wfx_snapshot(x, "closed");	/* freed now, not at unmount */
	fs = wfx_open(snap);
	assert_false(wfx_inode_used(fs, u.ino));
	f4t_close(fs);
	free(snap);
	wfx_umount(x);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		WFX_ON(test_write_kill, ext4_4k),
		WFX_ON(test_write_kill, inline),
		WFX_ON(test_create_excl, ext4_4k),
		WFX_ON(test_release_frees_unlinked, ext4_1k),
	};

	return WFX_RUN(tests);
}
