/* Unit tests for setattr (src/ns/setattr.h) on read-write images: chmod,
 * chown with 32-bit ids, explicit times with nanoseconds and past 2038
 * (256-byte inodes) or clamped (128-byte inodes), times set to now, ctime
 * on every change, size together with other attributes, clearing
 * setuid/setgid on request, and ext4's EPERM for immutable and
 * append-only inodes. The oracle is the inode as libext2fs reads it from
 * the closed image, decoded here from the on-disk format, and e2fsck. */
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
#include <time.h>
#include <cmocka.h>

#include "src/ns/setattr.h"
#include "testimg.h"
#include "wfix.h"

#define OLD_TIME 1000000000u

static int setup_small_inodes(void **state)
{
	wfx_new(state, "-t ext4 -b 1024 -I 128", "8M");
	return 0;
}

static int setup_big_inodes(void **state)
{
	wfx_new(state, "-t ext4 -b 4096 -I 256 -O metadata_csum", "16M");
	return 0;
}

/* A regular file whose times are all OLD_TIME, and its mode. */
static ext2_ino_t old_file(struct wfx *x, const char *name, uint16_t mode)
{
	ext2_ino_t ino = wfx_build_file(x, name, 1, 0);
	ext2_filsys fs = f4t_open(x->img, true);
	struct ext2_inode_large inode;

	f4t_read_inode(fs, ino, &inode);
	inode.i_mode = (uint16_t)(S_IFREG | mode);
	inode.i_atime = inode.i_mtime = inode.i_ctime = OLD_TIME;
	if (EXT2_INODE_SIZE(fs->super) > EXT2_GOOD_OLD_INODE_SIZE)
		inode.i_atime_extra = inode.i_mtime_extra = inode.i_ctime_extra = 0;
	f4t_write_inode(fs, ino, &inode);
	f4t_close_flush(fs);
	return ino;
}

static int setattr(struct wfx *x, ext2_ino_t ino, struct f4_setattr sa)
{
	struct f4_attr out;

	if (!sa.cred)
		sa.cred = &wfx_root;
	return f4_node_setattr(x->f4, ino, &sa, &out);
}

/* ext4's timestamp: signed 32-bit seconds, two epoch bits and 30 bits
 * of nanoseconds in the extra word when the inode has one. */
static struct timespec decode(uint32_t base, uint32_t extra, bool has_extra)
{
	struct timespec ts = { .tv_sec = (int32_t)base, .tv_nsec = 0 };

	if (has_extra) {
		ts.tv_sec += (int64_t)(extra & 3) << 32;
		ts.tv_nsec = extra >> 2;
	}
	return ts;
}

static void read_back(struct wfx *x, ext2_ino_t ino, struct ext2_inode_large *inode,
		      bool *has_extra)
{
	ext2_filsys fs = wfx_open(x->img);

	f4t_read_inode(fs, ino, inode);
	*has_extra = EXT2_INODE_SIZE(fs->super) > EXT2_GOOD_OLD_INODE_SIZE &&
		     inode->i_extra_isize >= 24;
	f4t_close(fs);
}

static void test_chmod_chown(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = old_file(x, "f", 0644);
	ext2_ino_t only_uid = old_file(x, "g", 0600);
	struct ext2_inode_large inode;
	bool extra;

	wfx_mount(x);
	assert_int_equal(setattr(x, ino, (struct f4_setattr){
		.valid = F4_SA_MODE | F4_SA_UID | F4_SA_GID, .mode = 04751,
		.uid = 100000, .gid = 70001 }), 0);
	assert_int_equal(setattr(x, only_uid, (struct f4_setattr){
		.valid = F4_SA_UID, .uid = 5 }), 0);
	wfx_umount(x);

	read_back(x, ino, &inode, &extra);
	assert_int_equal(inode.i_mode, S_IFREG | 04751);
	assert_int_equal(inode_uid(inode), 100000);
	assert_int_equal(inode_gid(inode), 70001);
	assert_true(inode.i_ctime > OLD_TIME);
	assert_int_equal(inode.i_mtime, OLD_TIME);	/* chmod is no write */
	read_back(x, only_uid, &inode, &extra);
	assert_int_equal(inode_uid(inode), 5);
	assert_int_equal(inode_gid(inode), 0);
	assert_int_equal(inode.i_mode, S_IFREG | 0600);
}

/* Explicit times: nanoseconds and a year past 2038 where the inode has
 * room, whole seconds clamped to 2038 where it has not. */
static void test_explicit_times(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = old_file(x, "t", 0644);
	struct ext2_inode_large inode;
	struct timespec a, m;
	bool extra;

	wfx_mount(x);
	assert_int_equal(setattr(x, ino, (struct f4_setattr){
		.valid = F4_SA_ATIME | F4_SA_MTIME,
		.atime = { 1234567890, 123456789 },
		.mtime = { 4000000000LL, 999999999 } }), 0);
	wfx_umount(x);

	read_back(x, ino, &inode, &extra);
	a = decode(inode.i_atime, inode.i_atime_extra, extra);
	m = decode(inode.i_mtime, inode.i_mtime_extra, extra);
	assert_int_equal(a.tv_sec, 1234567890);
	if (extra) {
		assert_int_equal(a.tv_nsec, 123456789);
		assert_int_equal(m.tv_sec, 4000000000LL);
		assert_int_equal(m.tv_nsec, 999999999);
	} else {
		assert_int_equal(m.tv_sec, INT32_MAX);
	}
	assert_true(inode.i_ctime > OLD_TIME);
}

/* "Now" is between the wall clock read before and after the call. */
static void test_times_now(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = old_file(x, "n", 0644);
	struct ext2_inode_large inode;
	time_t t0, t1;
	bool extra;

	wfx_mount(x);
	t0 = time(NULL);
	assert_int_equal(setattr(x, ino, (struct f4_setattr){
		.valid = F4_SA_ATIME_NOW | F4_SA_MTIME_NOW }), 0);
	t1 = time(NULL);
	wfx_umount(x);

	read_back(x, ino, &inode, &extra);
	assert_in_range(decode(inode.i_atime, inode.i_atime_extra, extra).tv_sec, t0, t1);
	assert_in_range(decode(inode.i_mtime, inode.i_mtime_extra, extra).tv_sec, t0, t1);
	assert_in_range(decode(inode.i_ctime, inode.i_ctime_extra, extra).tv_sec, t0, t1);
}

/* Size and mode in one call: both land. */
static void test_size_and_mode(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t ino = old_file(x, "s", 0644);
	struct ext2_inode_large inode;
	bool extra;

	wfx_mount(x);
	assert_int_equal(setattr(x, ino, (struct f4_setattr){
		.valid = F4_SA_SIZE | F4_SA_MODE, .size = 10, .mode = 0600 }), 0);
	wfx_umount(x);

	read_back(x, ino, &inode, &extra);
	assert_int_equal(EXT2_I_SIZE(&inode), 10);
	assert_int_equal(inode.i_mode, S_IFREG | 0600);
	assert_true(inode.i_mtime > OLD_TIME);
}

/* Setuid always goes; setgid only from a group-executable file (root
 * is in every group). */
static void test_kill_suidgid(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t gx = old_file(x, "gx", 06755);
	ext2_ino_t gnx = old_file(x, "gnx", 06644);
	ext2_ino_t none = old_file(x, "none", 0755);
	struct ext2_inode_large inode;
	bool extra;

	wfx_mount(x);
	assert_int_equal(setattr(x, gx, (struct f4_setattr){ .valid = F4_SA_KILL_SUIDGID }), 0);
	assert_int_equal(setattr(x, gnx, (struct f4_setattr){ .valid = F4_SA_KILL_SUIDGID }), 0);
	assert_int_equal(setattr(x, none, (struct f4_setattr){ .valid = F4_SA_KILL_SUIDGID }), 0);
	wfx_umount(x);

	read_back(x, gx, &inode, &extra);
	assert_int_equal(inode.i_mode, S_IFREG | 0755);
	read_back(x, gnx, &inode, &extra);
	assert_int_equal(inode.i_mode, S_IFREG | 02644);
	read_back(x, none, &inode, &extra);
	assert_int_equal(inode.i_mode, S_IFREG | 0755);
}

/* Immutable: nothing; append-only: times set to now only. */
static void test_flags_refuse(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t imm = old_file(x, "imm", 0644);
	ext2_ino_t app = old_file(x, "app", 0644);
	struct ext2_inode_large inode;
	bool extra;

	wfx_add_iflags(x, imm, EXT2_IMMUTABLE_FL);
	wfx_add_iflags(x, app, EXT2_APPEND_FL);
	wfx_mount(x);
	assert_int_equal(setattr(x, imm, (struct f4_setattr){
		.valid = F4_SA_MODE, .mode = 0600 }), -EPERM);
	assert_int_equal(setattr(x, imm, (struct f4_setattr){
		.valid = F4_SA_MTIME_NOW }), -EPERM);
	assert_int_equal(setattr(x, app, (struct f4_setattr){
		.valid = F4_SA_MTIME, .mtime = { 5, 0 } }), -EPERM);
	assert_int_equal(setattr(x, app, (struct f4_setattr){
		.valid = F4_SA_UID, .uid = 7 }), -EPERM);
	assert_int_equal(setattr(x, app, (struct f4_setattr){
		.valid = F4_SA_MTIME_NOW }), 0);
	wfx_umount(x);

	read_back(x, imm, &inode, &extra);
	assert_int_equal(inode.i_mode, S_IFREG | 0644);
	assert_int_equal(inode.i_ctime, OLD_TIME);
	read_back(x, app, &inode, &extra);
	assert_int_equal(inode_uid(inode), 0);
	assert_true(inode.i_mtime > OLD_TIME);
}

#define BOTH(t) \
	cmocka_unit_test_setup_teardown(t, setup_small_inodes, wfx_teardown), \
	cmocka_unit_test_setup_teardown(t, setup_big_inodes, wfx_teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
		BOTH(test_chmod_chown),
		BOTH(test_explicit_times),
		BOTH(test_times_now),
		BOTH(test_size_and_mode),
		BOTH(test_kill_suidgid),
		BOTH(test_flags_refuse),
		WFX_ON(test_explicit_times, ext3_1k),
	};

	return WFX_RUN(tests);
}
