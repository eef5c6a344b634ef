/* Fast-commit replay (src/journal/fc.h). The scan on hand-built areas
 * (tests/unit/fcbuild.[ch]): every tag, crc and tid rules, lengths,
 * truncated records, PAD, blocks; then the application onto small
 * mke2fs images, checked through libext2fs and e2fsck -fn. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include "src/journal/fc.h"
#include "src/journal/fcint.h"
#include "fcbuild.h"
#include "testimg.h"

#define TID 77u
#define BS 1024u

static int parse(struct fcb *b, struct f4_fc_area *a, char *msg)
{
	return f4_fc_parse(&b->dev, &b->plan, 256, a, msg, 200);
}

/* Scan b: result rc, then (when rc is 0) n valid records; `says` in the
 * refusal or in the reason the scan ended (NULL: not checked). */
static void expect(struct fcb *b, int rc, size_t n, const char *says)
{
	struct f4_fc_area a;
	char msg[200] = "";

	assert_int_equal(parse(b, &a, msg), rc);
	if (!rc)
		assert_int_equal(a.n, n);
	if (says)
		assert_non_null(strstr(rc ? msg : a.why, says));
	f4_fc_area_free(&a);
}

/* One fast commit holding every tag kind. */
static void every_tag(struct fcb *b)
{
	uint8_t raw[256] = { 0 }, pad[10] = { 0 };

	fcb_head(b, 0, TID);
	fcb_add_range(b, 12, 0, 3, 500);
	fcb_del_range(b, 12, 7, 2);
	fcb_dentry(b, 3, 2, 12, "new");
	fcb_dentry(b, 4, 2, 12, "other");
	fcb_dentry(b, 5, 2, 13, "gone");
	fcb_inode(b, 12, raw, 256);
	fcb_rec(b, 7, pad, sizeof(pad));
	fcb_tail(b, TID);
}

static void test_every_tag(void **state)
{
	static const uint16_t want[] = { 9, 1, 2, 3, 4, 5, 6, 7, 8 };
	struct f4_fc_area a;
	struct fcb b;
	char msg[200];
	size_t i;

	(void)state;
	fcb_init(&b, BS, 4, TID);
	every_tag(&b);
	assert_int_equal(parse(&b, &a, msg), 0);
	assert_int_equal(a.n, 9);
	assert_int_equal(a.commits, 1);
	for (i = 0; i < a.n; i++)
		assert_int_equal(a.v[i].tag, want[i]);
	assert_memory_equal(a.v[3].val + 8, "new", 3);
	assert_int_equal(a.v[3].len, 11);
	f4_fc_area_free(&a);
	fcb_free(&b);
}

/* Two commits; the second spans blocks (PAD closes the first). */
static void two_commits(struct fcb *b)
{
	uint8_t raw[256] = { 0 };
	int i;

	fcb_head(b, 0, TID);
	fcb_add_range(b, 12, 0, 1, 600);
	fcb_tail(b, TID);
	for (i = 0; i < 6; i++)
		fcb_inode(b, 12 + i, raw, 256);
	fcb_tail(b, TID);
}

static void test_commits_and_bad_crc(void **state)
{
	struct f4_fc_area a;
	struct fcb b;
	char msg[200];

	(void)state;
	fcb_init(&b, BS, 6, TID);
	two_commits(&b);
	assert_int_equal(parse(&b, &a, msg), 0);
	assert_int_equal(a.commits, 2);
	/* HEAD ADD_RANGE TAIL, INODEs with PADs between blocks, TAIL. */
	assert_true(a.n >= 3 + 7);
	assert_int_equal(a.v[a.n - 1].tag, 8);
	f4_fc_area_free(&a);
	/* A bit flipped in the second commit: only the first replays. */
	fcb_at(&b, BS + 20)[0] ^= 1;
	expect(&b, 0, 3, "crc32c");
	/* And in the first: no valid tail at all, the kernel fails. */
	fcb_at(&b, 20)[0] ^= 1;	/* ADD_RANGE's lblk */
	expect(&b, -EUCLEAN, 0, "crc32c");
	fcb_free(&b);
}

static void test_tids(void **state)
{
	struct fcb b;

	(void)state;
	/* A head of an older transaction: a stale area, nothing, no error. */
	fcb_init(&b, BS, 4, TID);
	b.plan.next_seq = TID + 1;
	every_tag(&b);
	expect(&b, 0, 0, "tid");
	fcb_free(&b);
	/* The right head, then a tail of another tid: fails. */
	fcb_init(&b, BS, 4, TID);
	fcb_head(&b, 0, TID);
	fcb_tail(&b, TID - 1);
	expect(&b, -EUCLEAN, 0, "another tid");
	fcb_free(&b);
	/* After a good commit, an older tail only ends the area. */
	fcb_init(&b, BS, 4, TID);
	fcb_head(&b, 0, TID);
	fcb_tail(&b, TID);
	fcb_add_range(&b, 12, 0, 1, 600);
	fcb_tail(&b, TID - 1);
	expect(&b, 0, 2, "another tid");
	fcb_free(&b);
}

/* A record of `len` value bytes with tag `tag` after a good commit and
 * alone: the area ends there, or the recovery fails. */
static void expect_bad_record(uint16_t tag, uint16_t len)
{
	uint8_t v[300] = { 0 };
	struct fcb b;

	fcb_init(&b, BS, 4, TID);
	fcb_head(&b, 0, TID);
	fcb_rec(&b, tag, v, len);
	fcb_tail(&b, TID);
	expect(&b, -EUCLEAN, 0, NULL);
	fcb_free(&b);
	fcb_init(&b, BS, 4, TID);
	fcb_head(&b, 0, TID);
	fcb_tail(&b, TID);
	fcb_rec(&b, tag, v, len);
	fcb_tail(&b, TID);
	expect(&b, 0, 2, "ends the area");
	fcb_free(&b);
}

static void test_lengths(void **state)
{
	(void)state;
	expect_bad_record(1, 15);	/* ADD_RANGE is 16 */
	expect_bad_record(1, 17);
	expect_bad_record(2, 16);	/* DEL_RANGE is 12 */
	expect_bad_record(3, 8);	/* CREAT without a name */
	expect_bad_record(4, 8 + 256);	/* LINK, name too long */
	expect_bad_record(6, 4 + 127);	/* INODE under 128 bytes */
	expect_bad_record(6, 4 + 257);	/* INODE over s_inode_size */
	expect_bad_record(9, 12);	/* HEAD is 8 */
	expect_bad_record(42, 4);	/* unknown tag */
	expect_bad_record(0, 0);
}

static void test_truncated_and_pad(void **state)
{
	struct f4_fc_area a;
	struct fcb b;
	static const uint8_t zero[BS];
	char msg[200];
	uint8_t *p;

	(void)state;
	/* A length running past the block: refused. */
	fcb_init(&b, BS, 4, TID);
	every_tag(&b);
	p = fcb_at(&b, 12 + 4 + 16 + 2);	/* DEL_RANGE's length */
	p[0] = 0xf0;
	p[1] = 0x03;
	assert_int_equal(parse(&b, &a, msg), -EUCLEAN);
	f4_fc_area_free(&a);
	fcb_free(&b);
	/* An area that does not start with HEAD: nothing, no error. */
	fcb_init(&b, BS, 4, TID);
	every_tag(&b);
	fcb_at(&b, 0)[0] = 7;
	assert_int_equal(parse(&b, &a, msg), 0);
	assert_int_equal(a.n, 0);
	f4_fc_area_free(&a);
	fcb_free(&b);
	/* A commit that needs more blocks than the area has: the kernel
	 * reads past the end and fails; so do we (no good tail). */
	fcb_init(&b, BS, 1, TID);
	fcb_head(&b, 0, TID);
	fcb_rec(&b, 7, zero, BS - 12 - 8);
	assert_int_equal(parse(&b, &a, msg), -EUCLEAN);
	f4_fc_area_free(&a);
	fcb_free(&b);
}

static void test_head_features_io_and_clean(void **state)
{
	struct fcb b;
	char msg[200];

	(void)state;
	fcb_init(&b, BS, 4, TID);
	fcb_head(&b, 1, TID);
	fcb_tail(&b, TID);
	expect(&b, -EUCLEAN, 0, "features");
	assert_int_equal(f4_fc_check(&b.dev, &b.plan, 256, msg, 200), -EUCLEAN);
	fcb_free(&b);
	fcb_init(&b, BS, 4, TID);
	two_commits(&b);
	b.bad_read = 2;
	expect(&b, -EIO, 0, NULL);
	b.bad_read = -1;
	b.plan.needs_replay = false;	/* s_start 0: the kernel reads none */
	expect(&b, 0, 0, "no recovery");
	assert_int_equal(f4_fc_check(&b.dev, &b.plan, 256, msg, 200), 0);
	fcb_free(&b);
}

/* ===== application ===================================================== */

struct img {
	char *dir, *path;
	ext2_filsys fs;
	ext2_ino_t d, old, big;
};

static void make_img(struct img *m)
{
	m->dir = f4t_mkdtemp("fc");
	m->path = f4t_join(m->dir, "fs.img");
	f4t_must_sh(1, "mke2fs -q -F -t ext4 -b 1024 -I 256 %s 8M", m->path);
	m->fs = f4t_open(m->path, true);
	m->d = f4t_create(m->fs, EXT2_ROOT_INO, "d", 040755);
	m->old = f4t_create(m->fs, m->d, "old", 0100644);
	f4t_write_blocks(m->fs, m->old, 0, 1);
	m->big = f4t_create(m->fs, m->d, "big", 0100644);
	f4t_write_blocks(m->fs, m->big, 0, 4);
	f4t_close_flush(m->fs);
	m->fs = f4t_open(m->path, true);
	assert_int_equal(ext2fs_read_bitmaps(m->fs), 0);
}

static void drop_img(struct img *m)
{
	if (m->fs)
		f4t_close(m->fs);
	free(m->path);
	f4t_rmtree(m->dir);
}

static blk64_t free_run(ext2_filsys fs, unsigned n)
{
	blk64_t b;

	assert_int_equal(ext2fs_get_free_blocks2(fs, 1, ext2fs_blocks_count(
		fs->super) - 1, n, fs->block_map, &b), 0);
	return b;
}

/* A new file's inode as the kernel logs it: extents, no map yet. */
static void new_inode_raw(uint8_t *raw, uint32_t size, uint16_t links)
{
	struct ext2_inode_large *in = (void *)raw;

	memset(raw, 0, 256);
	in->i_mode = 0100600;
	in->i_links_count = links;
	in->i_size = size;
	in->i_flags = EXT4_EXTENTS_FL;
	in->i_extra_isize = 32;
	in->i_mtime = 1234567;
}

static blk64_t bmap(struct img *m, ext2_ino_t ino, blk64_t lblk)
{
	blk64_t p = 0;

	assert_int_equal(ext2fs_bmap2(m->fs, ino, NULL, NULL, 0, lblk, NULL,
				      &p), 0);
	return p;
}

/* Write back, e2fsck -fn must be clean, clean up. */
static void done_img(struct img *m, struct fcb *b)
{
	f4t_close_flush(m->fs);
	m->fs = NULL;
	f4t_fsck_clean(m->path);
	fcb_free(b);
	drop_img(m);
}

static int replay(struct img *m, struct fcb *b, struct f4_fc_stats *st,
		  char *msg)
{
	return f4_fc_replay(m->fs, &b->dev, &b->plan, st, msg, 200);
}

static void test_apply_create_link_unlink(void **state)
{
	struct f4_fc_stats st;
	struct ext2_inode in;
	uint8_t raw[256];
	struct img m;
	struct fcb b;
	char msg[200];
	ext2_ino_t nino, found;
	blk64_t x;

	(void)state;
	make_img(&m);
	nino = 40;
	x = free_run(m.fs, 3);
	fcb_init(&b, BS, 8, TID);
	fcb_head(&b, 0, TID);
	new_inode_raw(raw, 3 * BS, 1);
	fcb_inode(&b, nino, raw, 256);
	fcb_add_range(&b, nino, 0, 3, x);
	fcb_dentry(&b, 3, m.d, nino, "new");
	fcb_inode(&b, nino, raw, 256);
	fcb_dentry(&b, 4, m.d, m.old, "old2");
	fcb_dentry(&b, 5, m.d, m.old, "old");
	fcb_del_range(&b, m.big, 1, 2);
	fcb_tail(&b, TID);
	assert_int_equal(replay(&m, &b, &st, msg), 0);
	assert_int_equal(st.commits, 1);
	assert_true(st.ops_applied >= 7);
	/* The new file: linked, its three blocks mapped and in use. */
	assert_int_equal(ext2fs_lookup(m.fs, m.d, "new", 3, NULL, &found), 0);
	assert_int_equal(found, nino);
	assert_int_equal(bmap(&m, nino, 2), x + 2);
	assert_true(ext2fs_test_block_bitmap_range2(m.fs->block_map, x, 3) == 0);
	assert_true(ext2fs_test_inode_bitmap2(m.fs->inode_map, nino));
	assert_int_equal(ext2fs_read_inode(m.fs, nino, &in), 0);
	assert_int_equal(in.i_blocks, 3 * BS / 512);
	assert_int_equal(in.i_mtime, 1234567);
	/* old: renamed to old2, still one link. */
	assert_int_not_equal(ext2fs_lookup(m.fs, m.d, "old", 3, NULL, &found), 0);
	assert_int_equal(ext2fs_lookup(m.fs, m.d, "old2", 4, NULL, &found), 0);
	assert_int_equal(ext2fs_read_inode(m.fs, m.old, &in), 0);
	assert_int_equal(in.i_links_count, 1);
	/* big: blocks 1 and 2 unmapped (e2fsck: and freed). */
	assert_int_equal(bmap(&m, m.big, 1), 0);
	assert_int_not_equal(bmap(&m, m.big, 3), 0);
	done_img(&m, &b);
}

/* Hostile tags: skipped (a missing inode, a range over metadata or past
 * the end) or refused before anything is written (an INODE the kernel
 * could not load back). */
static void test_apply_hostile(void **state)
{
	struct f4_fc_stats st;
	uint8_t raw[256];
	struct img m;
	struct fcb b;
	char msg[200];
	blk64_t itable;

	(void)state;
	make_img(&m);
	itable = ext2fs_inode_table_loc(m.fs, 0);
	fcb_init(&b, BS, 8, TID);
	fcb_head(&b, 0, TID);
	fcb_add_range(&b, m.old, 5, 2, itable);	/* over the inode table */
	fcb_add_range(&b, m.old, 6, 2, ext2fs_blocks_count(m.fs->super) - 1);
	fcb_add_range(&b, 99999, 0, 1, 3000);	/* no such inode */
	fcb_del_range(&b, 77, 0, 0xFFFFFFFFu);	/* unused inode */
	fcb_dentry(&b, 4, 99999, m.old, "x");	/* no such directory */
	fcb_tail(&b, TID);
	assert_int_equal(replay(&m, &b, &st, msg), 0);
	assert_int_equal(st.ops_skipped, 5);
	assert_int_equal(st.ops_applied, 0);
	assert_int_equal(bmap(&m, m.old, 5), 0);
	fcb_free(&b);
	/* An INODE tag for reserved inode 5: refused, nothing applied. */
	fcb_init(&b, BS, 8, TID);
	fcb_head(&b, 0, TID);
	fcb_del_range(&b, m.big, 0, 4);
	new_inode_raw(raw, 0, 1);
	fcb_inode(&b, 5, raw, 256);
	fcb_tail(&b, TID);
	assert_int_equal(replay(&m, &b, &st, msg), -EUCLEAN);
	assert_non_null(strstr(msg, "inode 5"));
	assert_int_not_equal(bmap(&m, m.big, 0), 0);
	done_img(&m, &b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_tag),
		cmocka_unit_test(test_commits_and_bad_crc),
		cmocka_unit_test(test_tids),
		cmocka_unit_test(test_lengths),
		cmocka_unit_test(test_truncated_and_pad),
		cmocka_unit_test(test_head_features_io_and_clean),
		cmocka_unit_test(test_apply_create_link_unlink),
		cmocka_unit_test(test_apply_hostile),
	};

	if (!f4t_have_e2fsprogs())
		return F4T_SKIP;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
