/* Unit tests for the mapping engine (iomap/mapping.h): f4_iomap_map on
 * files built in each group's setup with mke2fs and libext2fs, checked
 * record by record against the layout libext2fs itself reports
 * (ext2fs_bmap2 per block, merged by the documented rule), plus crafted
 * and corrupted maps that must give -EUCLEAN with corrupt_what set.
 * This file: extent trees; test_iomap_bmap.c: block maps and inline
 * data; mapcheck.c: the oracle. One driver, three files. */
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

#include "mapcheck.h"
#include "testimg.h"

#include "src/fs/errors.h"

/* ---------------------------------------------------------------------
 * Group 1: extent-mapped files (ext4, 1 KiB blocks, metadata_csum)
 */

struct ext_env {
	char *dir, *img;
	ext2_filsys fs;
	ext2_ino_t contig, frag1, frag2, holes, unwr, big, empty;
	unsigned frag1_n;	/* extents of frag1 */
	uint64_t unwr_p;
	/* A block some test overwrote, restored by its teardown. */
	uint64_t saved_blk;
	char *saved;
};

#define FRAG2_EXTENTS 1000	/* depth 2 */
#define BIG_LBLK (5 * GiB / KiB)

static int ext_setup(void **state)
{
	struct ext_env *e = calloc(1, sizeof(*e));
	ext2_filsys fs;
	struct ext2_inode_large inode;
	unsigned i;

	assert_non_null(e);
	*state = e;	/* from here on, teardown cleans up */
	e->dir = f4t_mkdtemp("iomap-ext4");
	e->img = f4t_join(e->dir, "ext4.img");
	f4t_must_sh(1, "mke2fs -F -q -t ext4 -b 1024 -N 256 -O metadata_csum '%s' 96M",
		    e->img);
	fs = f4t_open(e->img, true);

	e->contig = f4t_create(fs, EXT2_ROOT_INO, "contig", S_IFREG | 0644);
	f4t_write_blocks(fs, e->contig, 0, 64);

	/* Every other block, until the root indexes four leaves (how full
	 * libext2fs leaves each leaf is its own business), then a few more
	 * into the last leaf. */
	e->frag1 = f4t_create(fs, EXT2_ROOT_INO, "frag1", S_IFREG | 0644);
	for (i = 0; ; i++) {
		f4t_write_blocks(fs, e->frag1, 2 * i, 1);
		f4t_read_inode(fs, e->frag1, &inode);
		assert_true(ext2fs_le16_to_cpu(mc_root_hdr(&inode)->eh_depth) <= 1);
		if (ext2fs_le16_to_cpu(mc_root_hdr(&inode)->eh_depth) == 1 &&
		    ext2fs_le16_to_cpu(mc_root_hdr(&inode)->eh_entries) == 4)
			break;
	}
	e->frag1_n = i + 11;
	for (i++; i < e->frag1_n; i++)
		f4t_write_blocks(fs, e->frag1, 2 * i, 1);
	f4t_set_size(fs, e->frag1, 2 * e->frag1_n * KiB);

	e->frag2 = f4t_create(fs, EXT2_ROOT_INO, "frag2", S_IFREG | 0644);
	for (i = 0; i < FRAG2_EXTENTS; i++)
		f4t_write_blocks(fs, e->frag2, 2 * i, 1);
	f4t_set_size(fs, e->frag2, 2 * FRAG2_EXTENTS * KiB);

	/* Hole at the start, in the middle and at the end (before i_size). */
	e->holes = f4t_create(fs, EXT2_ROOT_INO, "holes", S_IFREG | 0644);
	f4t_write_blocks(fs, e->holes, 10, 10);
	f4t_write_blocks(fs, e->holes, 30, 10);
	f4t_set_size(fs, e->holes, 50 * KiB);

	/* 100 unwritten blocks; the middle ten then written. */
	e->unwr = f4t_create(fs, EXT2_ROOT_INO, "unwritten", S_IFREG | 0644);
	f4t_read_inode(fs, e->unwr, &inode);
	assert_int_equal(ext2fs_fallocate(fs, EXT2_FALLOCATE_FORCE_UNINIT,
					  e->unwr, (struct ext2_inode *)&inode,
					  ~0ULL, 0, 100), 0);
	f4t_write_inode(fs, e->unwr, &inode);
	f4t_set_size(fs, e->unwr, 100 * KiB);
	e->unwr_p = mc_pblk(fs, e->unwr, 0);
	assert_int_equal(mc_pblk(fs, e->unwr, 99), e->unwr_p + 99);
	for (i = 40; i < 50; i++) {
		blk64_t p = e->unwr_p + i;

		f4t_read_inode(fs, e->unwr, &inode);
		assert_int_equal(ext2fs_bmap2(fs, e->unwr, (struct ext2_inode *)&inode,
					      NULL, BMAP_SET, i, NULL, &p), 0);
	}

	/* Sparse, over 4 GiB: one block at 0, two at 5 GiB, i_size one
	 * block further. */
	e->big = f4t_create(fs, EXT2_ROOT_INO, "big", S_IFREG | 0644);
	f4t_write_blocks(fs, e->big, 0, 1);
	f4t_write_blocks(fs, e->big, BIG_LBLK, 2);
	f4t_set_size(fs, e->big, (BIG_LBLK + 3) * KiB);

	e->empty = f4t_create(fs, EXT2_ROOT_INO, "empty", S_IFREG | 0644);

	f4t_close_flush(fs);
	f4t_fsck_clean(e->img);
	e->fs = f4t_open(e->img, true);	/* rw: some tests corrupt blocks */
	assert_int_equal(f4t_extent_depth(e->fs, e->frag1), 1);
	assert_int_equal(f4t_extent_count(e->fs, e->frag1), e->frag1_n);
	f4t_read_inode(e->fs, e->frag1, &inode);
	assert_int_equal(ext2fs_le16_to_cpu(mc_root_hdr(&inode)->eh_entries), 4);
	assert_true(f4t_extent_depth(e->fs, e->frag2) >= 2);
	assert_int_equal(f4t_extent_count(e->fs, e->frag2), FRAG2_EXTENTS);
	return 0;
}

static int ext_teardown(void **state)
{
	struct ext_env *e = *state;

	if (!e)
		return 0;
	f4t_close(e->fs);
	free(e->img);
	f4t_rmtree(e->dir);
	free(e);
	return 0;
}

/* Put back a block a test corrupted on disk (runs even if it failed). */
static int ext_restore(void **state)
{
	struct ext_env *e = *state;

	if (e->saved) {
		assert_int_equal(io_channel_write_blk64(e->fs->io, e->saved_blk, 1,
							e->saved), 0);
		free(e->saved);
		e->saved = NULL;
	}
	return 0;
}

static char *corrupt_begin(struct ext_env *e, uint64_t blk)
{
	char *buf = malloc(e->fs->blocksize);

	assert_non_null(buf);
	assert_null(e->saved);
	e->saved = malloc(e->fs->blocksize);
	assert_non_null(e->saved);
	assert_int_equal(io_channel_read_blk64(e->fs->io, blk, 1, e->saved), 0);
	e->saved_blk = blk;
	memcpy(buf, e->saved, e->fs->blocksize);
	return buf;
}

static void corrupt_commit(struct ext_env *e, ext2_ino_t ino, char *buf,
			   bool fix_csum)
{
	if (fix_csum)
		assert_int_equal(ext2fs_extent_block_csum_set(e->fs, ino,
				(struct ext3_extent_header *)buf), 0);
	assert_int_equal(io_channel_write_blk64(e->fs->io, e->saved_blk, 1, buf), 0);
	free(buf);
}

static void test_ext_contiguous(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[4];
	unsigned n;
	uint64_t p = mc_pblk(e->fs, e->contig, 0);

	f4t_read_inode(e->fs, e->contig, &inode);
	assert_false(f4_iomap_is_inline(&(struct f4_map_file){
		.fs = e->fs, .ino = e->contig, .inode = &inode }));
	/* 64 blocks written in one go: one extent, one record. */
	assert_int_equal(f4t_extent_count(e->fs, e->contig), 1);
	assert_int_equal(mc_map(e->fs, e->contig, &inode, 0, 64 * KiB, r, 4, &n,
				NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], 0, 64 * KiB, p * KiB, F4_MAP_MAPPED);
	/* An unaligned request inside: the record starts at or before pos
	 * and is clipped to the request's blocks. */
	assert_int_equal(mc_map(e->fs, e->contig, &inode, 10 * KiB + 5, 3 * KiB,
				r, 4, &n, NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], 10 * KiB, 4 * KiB, (p + 10) * KiB, F4_MAP_MAPPED);
	mc_check_vs_bmap(e->fs, e->contig, &inode, 0, 64 * KiB, 16);
}

static void test_ext_fragmented_depth1(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec *r = calloc(2 * e->frag1_n, sizeof(*r));
	unsigned n, i;

	assert_non_null(r);
	f4t_read_inode(e->fs, e->frag1, &inode);
	assert_int_equal(ext2fs_le16_to_cpu(mc_root_hdr(&inode)->eh_depth), 1);
	assert_int_equal(mc_map(e->fs, e->frag1, &inode, 0, 2 * e->frag1_n * KiB,
				r, 2 * e->frag1_n, &n, NULL), 0);
	/* Data, hole, data, hole...: never merged across a hole. */
	assert_int_equal(n, 2 * e->frag1_n);
	for (i = 0; i < n; i++) {
		if (i % 2)
			mc_expect_rec(&r[i], i * KiB, KiB, NULL_ADDR, F4_MAP_HOLE);
		else
			mc_expect_rec(&r[i], i * KiB, KiB,
				      mc_pblk(e->fs, e->frag1, i) * KiB,
				      F4_MAP_MAPPED);
	}
	mc_check_vs_bmap(e->fs, e->frag1, &inode, 0, 2 * e->frag1_n * KiB,
			 2 * e->frag1_n);
	free(r);
}

static void test_ext_fragmented_depth2(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	uint64_t size = 2 * FRAG2_EXTENTS * KiB;

	f4t_read_inode(e->fs, e->frag2, &inode);
	assert_true(ext2fs_le16_to_cpu(mc_root_hdr(&inode)->eh_depth) >= 2);
	mc_check_vs_bmap(e->fs, e->frag2, &inode, 0, size, 2 * FRAG2_EXTENTS);
	/* Ranges starting inside leaves other than the first, and ones
	 * that cross leaf and index-node boundaries. */
	mc_check_vs_bmap(e->fs, e->frag2, &inode, 333 * KiB + 17, 700 * KiB, 4096);
	mc_check_vs_bmap(e->fs, e->frag2, &inode, 1501 * KiB, 499 * KiB, 4096);
	mc_check_vs_bmap(e->fs, e->frag2, &inode, 1999 * KiB, KiB, 4);
}

static void test_ext_holes(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[8];
	unsigned n;
	uint64_t p1 = mc_pblk(e->fs, e->holes, 10);
	uint64_t p2 = mc_pblk(e->fs, e->holes, 30);

	f4t_read_inode(e->fs, e->holes, &inode);
	assert_int_equal(mc_map(e->fs, e->holes, &inode, 0, 50 * KiB, r, 8, &n,
				NULL), 0);
	assert_int_equal(n, 5);
	mc_expect_rec(&r[0], 0, 10 * KiB, NULL_ADDR, F4_MAP_HOLE);
	mc_expect_rec(&r[1], 10 * KiB, 10 * KiB, p1 * KiB, F4_MAP_MAPPED);
	mc_expect_rec(&r[2], 20 * KiB, 10 * KiB, NULL_ADDR, F4_MAP_HOLE);
	mc_expect_rec(&r[3], 30 * KiB, 10 * KiB, p2 * KiB, F4_MAP_MAPPED);
	mc_expect_rec(&r[4], 40 * KiB, 10 * KiB, NULL_ADDR, F4_MAP_HOLE);
	/* A request that starts in a hole and ends in data. */
	assert_int_equal(mc_map(e->fs, e->holes, &inode, 5 * KiB, 10 * KiB, r, 8,
				&n, NULL), 0);
	assert_int_equal(n, 2);
	mc_expect_rec(&r[0], 5 * KiB, 5 * KiB, NULL_ADDR, F4_MAP_HOLE);
	mc_expect_rec(&r[1], 10 * KiB, 5 * KiB, p1 * KiB, F4_MAP_MAPPED);
	mc_check_vs_bmap(e->fs, e->holes, &inode, 0, 50 * KiB, 8);
}

static void test_ext_unwritten(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[8];
	unsigned n;
	uint64_t p = e->unwr_p;

	f4t_read_inode(e->fs, e->unwr, &inode);
	assert_int_equal(mc_map(e->fs, e->unwr, &inode, 0, 100 * KiB, r, 8, &n,
				NULL), 0);
	/* Device-contiguous, but written and unwritten never merge. */
	assert_int_equal(n, 3);
	mc_expect_rec(&r[0], 0, 40 * KiB, p * KiB, F4_MAP_UNWRITTEN);
	mc_expect_rec(&r[1], 40 * KiB, 10 * KiB, (p + 40) * KiB, F4_MAP_MAPPED);
	mc_expect_rec(&r[2], 50 * KiB, 50 * KiB, (p + 50) * KiB, F4_MAP_UNWRITTEN);
	mc_check_vs_bmap(e->fs, e->unwr, &inode, 0, 100 * KiB, 8);
	mc_check_vs_bmap(e->fs, e->unwr, &inode, 45 * KiB, 10 * KiB, 8);
}

static void test_ext_over_4g(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[8];
	unsigned n;
	uint64_t p0 = mc_pblk(e->fs, e->big, 0);
	uint64_t p1 = mc_pblk(e->fs, e->big, BIG_LBLK);

	f4t_read_inode(e->fs, e->big, &inode);
	assert_int_equal(EXT2_I_SIZE(&inode), 5 * GiB + 3 * KiB);
	assert_int_equal(mc_pblk(e->fs, e->big, BIG_LBLK + 1), p1 + 1);
	assert_int_equal(mc_map(e->fs, e->big, &inode, 0, 5 * GiB + 3 * KiB, r, 8,
				&n, NULL), 0);
	assert_int_equal(n, 4);
	mc_expect_rec(&r[0], 0, KiB, p0 * KiB, F4_MAP_MAPPED);
	mc_expect_rec(&r[1], KiB, 5 * GiB - KiB, NULL_ADDR, F4_MAP_HOLE);
	mc_expect_rec(&r[2], 5 * GiB, 2 * KiB, p1 * KiB, F4_MAP_MAPPED);
	mc_expect_rec(&r[3], 5 * GiB + 2 * KiB, KiB, NULL_ADDR, F4_MAP_HOLE);
	/* Starting above 4 GiB, unaligned. */
	assert_int_equal(mc_map(e->fs, e->big, &inode, 5 * GiB + 1500, 100, r, 8,
				&n, NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], 5 * GiB + KiB, KiB, (p1 + 1) * KiB, F4_MAP_MAPPED);
	mc_check_vs_bmap(e->fs, e->big, &inode, 5 * GiB - 100 * KiB, 103 * KiB, 8);
	mc_check_vs_bmap(e->fs, e->big, &inode, 4 * GiB - 3 * KiB, 6 * KiB, 8);
}

static void test_ext_past_last_block(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[4];
	unsigned n;

	f4t_read_inode(e->fs, e->contig, &inode);
	/* Past the last extent (and past i_size): one hole for the range. */
	assert_int_equal(mc_map(e->fs, e->contig, &inode, 64 * KiB, 64 * KiB, r, 4,
				&n, NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], 64 * KiB, 64 * KiB, NULL_ADDR, F4_MAP_HOLE);
	assert_int_equal(mc_map(e->fs, e->contig, &inode, 100 * KiB + 7, 5, r, 4,
				&n, NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], 100 * KiB, KiB, NULL_ADDR, F4_MAP_HOLE);
	/* Straddling the end of the last extent. */
	assert_int_equal(mc_map(e->fs, e->contig, &inode, 60 * KiB, 10 * KiB, r, 4,
				&n, NULL), 0);
	assert_int_equal(n, 2);
	mc_expect_rec(&r[0], 60 * KiB, 4 * KiB,
		      (mc_pblk(e->fs, e->contig, 60)) * KiB, F4_MAP_MAPPED);
	mc_expect_rec(&r[1], 64 * KiB, 6 * KiB, NULL_ADDR, F4_MAP_HOLE);
	/* An extent file without any extent. */
	f4t_read_inode(e->fs, e->empty, &inode);
	assert_int_equal(mc_map(e->fs, e->empty, &inode, 0, 8 * KiB, r, 4, &n,
				NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], 0, 8 * KiB, NULL_ADDR, F4_MAP_HOLE);
}

/* Records must still cover the request (or fill the array) when the
 * request reaches past the last block an ext4 file can address. */
static void test_ext_beyond_max_lblk(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[4];
	uint64_t max_off = (1ULL << 32) * KiB;
	unsigned n;

	f4t_read_inode(e->fs, e->contig, &inode);
	assert_int_equal(mc_map(e->fs, e->contig, &inode, max_off + 5000, 3000, r,
				4, &n, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(r[0].type, F4_MAP_HOLE);
	assert_int_equal(r[0].addr, NULL_ADDR);
	assert_true(r[0].off <= max_off + 5000);
	assert_true(r[0].off + r[0].len >= max_off + 8000);
}

static void test_ext_straddles_max_lblk(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[4];
	uint64_t max_off = (1ULL << 32) * KiB;
	unsigned n, i;

	f4t_read_inode(e->fs, e->contig, &inode);
	assert_int_equal(mc_map(e->fs, e->contig, &inode, max_off - KiB, 4 * KiB,
				r, 4, &n, NULL), 0);
	assert_true(n >= 1);
	for (i = 0; i < n; i++)
		assert_int_equal(r[i].type, F4_MAP_HOLE);
	assert_int_equal(r[0].off, max_off - KiB);
	if (n < 4)
		assert_true(r[n - 1].off + r[n - 1].len >= max_off + 3 * KiB);
}

static void test_ext_small_array(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[5], full[16];
	unsigned n, nfull, i;

	f4t_read_inode(e->fs, e->frag2, &inode);
	assert_int_equal(mc_map(e->fs, e->frag2, &inode, 0, 16 * KiB, full, 16,
				&nfull, NULL), 0);
	assert_int_equal(nfull, 16);
	/* Five records: exactly the first five of the full answer. */
	assert_int_equal(mc_map(e->fs, e->frag2, &inode, 0, 2000 * KiB, r, 5, &n,
				NULL), 0);
	assert_int_equal(n, 5);
	for (i = 0; i < 5; i++)
		mc_expect_rec(&r[i], full[i].off, full[i].len, full[i].addr,
			      full[i].type);
	/* One record. */
	assert_int_equal(mc_map(e->fs, e->frag2, &inode, 3 * KiB, 2000 * KiB, r, 1,
				&n, NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], full[3].off, full[3].len, full[3].addr, full[3].type);
	/* No room at all is an invalid call. */
	assert_int_equal(mc_map(e->fs, e->frag2, &inode, 0, KiB, r, 0, &n, NULL),
			 -EINVAL);
	assert_int_equal(n, 0);
	/* Batches of 7, continued from the end of the last record, give
	 * what one large array gives. */
	mc_check_batches(e->fs, e->frag2, &inode, 0, 2000 * KiB, 7);
	mc_check_batches(e->fs, e->frag2, &inode, 123 * KiB + 45, 1500 * KiB, 2);
	f4t_read_inode(e->fs, e->unwr, &inode);
	mc_check_batches(e->fs, e->unwr, &inode, 0, 100 * KiB, 1);
}

static void test_max_recs(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_file mf = { .fs = e->fs, .ino = e->contig, .inode = &inode };

	f4t_read_inode(e->fs, e->contig, &inode);
	assert_int_equal(f4_iomap_max_recs(&mf, 0), 2);
	assert_int_equal(f4_iomap_max_recs(&mf, 10 * KiB), 12);
	assert_int_equal(f4_iomap_max_recs(&mf, 10 * KiB + 1), 12);
	assert_int_equal(f4_iomap_max_recs(&mf, 4096 * KiB), 4098);
	/* Capped: callers map long ranges in batches. */
	assert_int_equal(f4_iomap_max_recs(&mf, 4097 * KiB), 4096);
	assert_int_equal(f4_iomap_max_recs(&mf, 5 * GiB), 4096);
}

/* Crafted trees (in memory) for the merge rule, at exact addresses. */
static void test_ext_merge_rule(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[8];
	unsigned n;
	const uint64_t P = 2000;

	/* Written + written contiguous: one record; unwritten + unwritten
	 * contiguous: one record; the two kinds stay apart. */
	mc_craft_leaf_root(&inode, (const struct mc_xt[]){
		{ 0, 4, P }, { 4, 4, P + 4 },
		{ 8, 32768 + 4, P + 8 }, { 12, 32768 + 4, P + 12 } }, 4);
	assert_int_equal(mc_map(e->fs, 99, &inode, 0, 16 * KiB, r, 8, &n, NULL), 0);
	assert_int_equal(n, 2);
	mc_expect_rec(&r[0], 0, 8 * KiB, P * KiB, F4_MAP_MAPPED);
	mc_expect_rec(&r[1], 8 * KiB, 8 * KiB, (P + 8) * KiB, F4_MAP_UNWRITTEN);
	mc_check_vs_bmap(e->fs, 99, &inode, 0, 16 * KiB, 8);

	/* File-contiguous but not device-contiguous; device-contiguous
	 * across a hole; HOLE then MAPPED boundaries. */
	mc_craft_leaf_root(&inode, (const struct mc_xt[]){
		{ 0, 4, P }, { 4, 4, P + 10 }, { 10, 2, P + 14 },
		{ 12, 3, P + 16 } }, 4);
	assert_int_equal(mc_map(e->fs, 99, &inode, 0, 20 * KiB, r, 8, &n, NULL), 0);
	assert_int_equal(n, 5);
	mc_expect_rec(&r[0], 0, 4 * KiB, P * KiB, F4_MAP_MAPPED);
	mc_expect_rec(&r[1], 4 * KiB, 4 * KiB, (P + 10) * KiB, F4_MAP_MAPPED);
	mc_expect_rec(&r[2], 8 * KiB, 2 * KiB, NULL_ADDR, F4_MAP_HOLE);
	mc_expect_rec(&r[3], 10 * KiB, 5 * KiB, (P + 14) * KiB, F4_MAP_MAPPED);
	mc_expect_rec(&r[4], 15 * KiB, 5 * KiB, NULL_ADDR, F4_MAP_HOLE);
	mc_check_vs_bmap(e->fs, 99, &inode, 0, 20 * KiB, 8);

	/* The longest written extent (32768) and an unwritten one after. */
	mc_craft_leaf_root(&inode, (const struct mc_xt[]){
		{ 0, 32768, P }, { 32768, 32768 + 100, P + 32768 } }, 2);
	assert_int_equal(mc_map(e->fs, 99, &inode, 0, 40000 * KiB, r, 8, &n, NULL), 0);
	assert_int_equal(n, 3);
	mc_expect_rec(&r[0], 0, 32768 * KiB, P * KiB, F4_MAP_MAPPED);
	mc_expect_rec(&r[1], 32768 * KiB, 100 * KiB, (P + 32768) * KiB,
		      F4_MAP_UNWRITTEN);
	mc_expect_rec(&r[2], 32868 * KiB, (40000 - 32868) * KiB, NULL_ADDR,
		      F4_MAP_HOLE);

	/* Two maximal unwritten extents (as fallocate makes them) merge. */
	mc_craft_leaf_root(&inode, (const struct mc_xt[]){
		{ 0, 32768 + 32767, P }, { 32767, 32768 + 1000, P + 32767 } }, 2);
	assert_int_equal(mc_map(e->fs, 99, &inode, 0, 33767 * KiB, r, 8, &n, NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], 0, 33767 * KiB, P * KiB, F4_MAP_UNWRITTEN);

	/* The last addressable logical blocks (offsets near 4 TiB). */
	mc_craft_leaf_root(&inode, (const struct mc_xt[]){
		{ 0xFFFFFFF0u, 16, P } }, 1);
	assert_int_equal(mc_map(e->fs, 99, &inode, 0xFFFFFFF0ULL * KiB - KiB,
				17 * KiB, r, 8, &n, NULL), 0);
	assert_int_equal(n, 2);
	mc_expect_rec(&r[0], 0xFFFFFFEFULL * KiB, KiB, NULL_ADDR, F4_MAP_HOLE);
	mc_expect_rec(&r[1], 0xFFFFFFF0ULL * KiB, 16 * KiB, P * KiB, F4_MAP_MAPPED);
}

/* Corruption in the inode's root node (crafted in memory). */
static void test_ext_corrupt_root(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode, good;
	uint64_t total = ext2fs_blocks_count(e->fs->super);

	f4t_read_inode(e->fs, e->contig, &good);

	inode = good;
	mc_root_hdr(&inode)->eh_magic = ext2fs_cpu_to_le16(0xBEEF);
	mc_expect_corrupt(e->fs, e->contig, &inode, 0, KiB, "extent header magic", 0);

	inode = good;
	mc_root_hdr(&inode)->eh_entries = ext2fs_cpu_to_le16(5);
	mc_expect_corrupt(e->fs, e->contig, &inode, 0, KiB, "extent header counts", 0);
	inode = good;
	mc_root_hdr(&inode)->eh_max = ext2fs_cpu_to_le16(5);
	mc_expect_corrupt(e->fs, e->contig, &inode, 0, KiB, "extent header counts", 0);

	inode = good;
	mc_root_hdr(&inode)->eh_depth = ext2fs_cpu_to_le16(6);
	mc_expect_corrupt(e->fs, e->contig, &inode, 0, KiB, "extent tree too deep", 0);

	/* Extents pointing outside the filesystem. */
	mc_craft_leaf_root(&inode, (const struct mc_xt[]){ { 0, 4, total } }, 1);
	mc_expect_corrupt(e->fs, 99, &inode, 0, KiB, "extent out of range", 0);
	mc_craft_leaf_root(&inode, (const struct mc_xt[]){ { 0, 4, total - 2 } }, 1);
	mc_expect_corrupt(e->fs, 99, &inode, 0, KiB, "extent out of range", 0);
	mc_craft_leaf_root(&inode, (const struct mc_xt[]){ { 0, 4, 0 } }, 1);
	mc_expect_corrupt(e->fs, 99, &inode, 0, KiB, "extent out of range", 0);
	mc_craft_leaf_root(&inode, (const struct mc_xt[]){ { 0, 4, (1ULL << 32) + 5000 } }, 1);
	mc_expect_corrupt(e->fs, 99, &inode, 0, KiB, "extent out of range", 0);

	/* Empty and overlapping extents. */
	mc_craft_leaf_root(&inode, (const struct mc_xt[]){ { 0, 0, 3000 } }, 1);
	mc_expect_corrupt(e->fs, 99, &inode, 0, KiB, "extent overlaps or empty", 0);
	mc_craft_leaf_root(&inode, (const struct mc_xt[]){
		{ 0, 10, 3000 }, { 5, 10, 4000 } }, 2);
	mc_expect_corrupt(e->fs, 99, &inode, 0, 20 * KiB, "extent overlaps or empty", 0);

	/* Index entries: none at all, pointing outside the filesystem. */
	mc_craft_leaf_root(&inode, NULL, 0);
	mc_root_hdr(&inode)->eh_depth = ext2fs_cpu_to_le16(1);
	mc_expect_corrupt(e->fs, 99, &inode, 0, KiB, "empty extent index", 0);
	mc_root_hdr(&inode)->eh_entries = ext2fs_cpu_to_le16(1);
	mc_root_idx(&inode)[0].ei_block = 0;
	mc_root_idx(&inode)[0].ei_leaf = ext2fs_cpu_to_le32((uint32_t)total + 10);
	mc_expect_corrupt(e->fs, 99, &inode, 0, KiB, "extent node out of range",
			  total + 10);
}

static void test_ext_corrupt_index_order(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct ext3_extent_idx *ix;

	/* frag1's root indexes four leaves; make two neighbours equal. */
	f4t_read_inode(e->fs, e->frag1, &inode);
	assert_int_equal(ext2fs_le16_to_cpu(mc_root_hdr(&inode)->eh_entries), 4);
	ix = mc_root_idx(&inode);
	ix[1].ei_block = ix[0].ei_block;
	mc_expect_corrupt(e->fs, e->frag1, &inode, 0, 2 * e->frag1_n * KiB,
			  "extent index out of order", 0);
}

/* Keys [k0, k2 + 1, k2, k3]: out of order, but the walk from 0 never
 * compares k2 + 1 with k2 directly. The leaf under the second entry is
 * skipped: its blocks would read as a hole. */
static void test_ext_corrupt_index_order_far(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct ext3_extent_idx *ix;
	uint32_t k2, k3;

	f4t_read_inode(e->fs, e->frag1, &inode);
	ix = mc_root_idx(&inode);
	k2 = ext2fs_le32_to_cpu(ix[2].ei_block);
	k3 = ext2fs_le32_to_cpu(ix[3].ei_block);
	assert_true(k2 + 1 < k3);
	ix[1].ei_block = ext2fs_cpu_to_le32(k2 + 1);
	mc_expect_corrupt(e->fs, e->frag1, &inode, 0, 2 * e->frag1_n * KiB,
			  "extent index out of order", 0);
}

/* Leaf entries out of order, looked up from the middle: the binary
 * search lands past the extent that covers the position. */
static void test_ext_corrupt_leaf_order(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;

	mc_craft_leaf_root(&inode, (const struct mc_xt[]){
		{ 0, 10, 3000 }, { 100, 10, 3010 }, { 20, 10, 3020 },
		{ 200, 10, 3030 } }, 4);
	mc_expect_corrupt(e->fs, 99, &inode, 0, 300 * KiB,
			  "extent overlaps or empty", 0);
	mc_expect_corrupt(e->fs, 99, &inode, 105 * KiB, 10 * KiB,
			  "extent overlaps or empty", 0);
}

static void test_ext_corrupt_depth(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	int depth;
	uint64_t child;

	f4t_read_inode(e->fs, e->frag2, &inode);
	depth = ext2fs_le16_to_cpu(mc_root_hdr(&inode)->eh_depth);
	child = mc_idx_leaf(&mc_root_idx(&inode)[0]);
	/* The root claims one level more, then one less, than its child. */
	mc_root_hdr(&inode)->eh_depth = ext2fs_cpu_to_le16((uint16_t)(depth + 1));
	mc_expect_corrupt(e->fs, e->frag2, &inode, 0, KiB, "extent header depth",
			  child);
	mc_root_hdr(&inode)->eh_depth = ext2fs_cpu_to_le16((uint16_t)(depth - 1));
	mc_expect_corrupt(e->fs, e->frag2, &inode, 0, KiB, "extent header depth",
			  child);
}

/* Corruption inside tree blocks on disk (each restored afterwards): one
 * 16-bit field of the header of frag2's first index child zeroed, which
 * the map must report as what, naming the block. */
static void corrupt_child_header(struct ext_env *e, size_t field,
				 const char *what)
{
	struct ext2_inode_large inode;
	uint64_t blk;
	char *buf;

	f4t_read_inode(e->fs, e->frag2, &inode);
	blk = mc_idx_leaf(&mc_root_idx(&inode)[0]);
	buf = corrupt_begin(e, blk);
	memset(buf + field, 0, sizeof(__le16));
	corrupt_commit(e, e->frag2, buf, true);
	mc_expect_corrupt(e->fs, e->frag2, &inode, 0, KiB, what, blk);
}

static void test_ext_corrupt_disk_depth(void **state)
{
	corrupt_child_header(*state, offsetof(struct ext3_extent_header, eh_depth),
			     "extent header depth");
}

static void test_ext_corrupt_disk_magic(void **state)
{
	corrupt_child_header(*state, offsetof(struct ext3_extent_header, eh_magic),
			     "extent header magic");
}

/* The first leaf of frag2 (under the first entry of each index). */
static uint64_t first_leaf(struct ext_env *e, struct ext2_inode_large *inode)
{
	char *buf = malloc(e->fs->blocksize);
	struct ext3_extent_header *eh = (void *)buf;
	uint64_t blk = mc_idx_leaf(&mc_root_idx(inode)[0]);

	assert_non_null(buf);
	for (;;) {
		assert_int_equal(io_channel_read_blk64(e->fs->io, blk, 1, buf), 0);
		if (!eh->eh_depth)
			break;
		blk = mc_idx_leaf((struct ext3_extent_idx *)(eh + 1));
	}
	free(buf);
	return blk;
}

static void test_ext_corrupt_disk_range(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct ext3_extent *ex;
	uint64_t blk;
	char *buf;

	f4t_read_inode(e->fs, e->frag2, &inode);
	blk = first_leaf(e, &inode);
	buf = corrupt_begin(e, blk);
	ex = (struct ext3_extent *)((struct ext3_extent_header *)buf + 1);
	ex[3].ee_start = ext2fs_cpu_to_le32(
		(uint32_t)ext2fs_blocks_count(e->fs->super) + 1);
	corrupt_commit(e, e->frag2, buf, true);
	/* Extent 3 (block 6) points past the end; the leaf is named, and
	 * the blocks before it still map. */
	mc_expect_corrupt(e->fs, e->frag2, &inode, 0, 20 * KiB,
			  "extent out of range", blk);
	mc_check_vs_bmap(e->fs, e->frag2, &inode, 0, 5 * KiB, 8);
}

static void test_ext_corrupt_disk_csum(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	uint64_t blk;
	char *buf;

	f4t_read_inode(e->fs, e->frag2, &inode);
	blk = first_leaf(e, &inode);
	buf = corrupt_begin(e, blk);
	buf[sizeof(struct ext3_extent_header) + 4] ^= 0x40;	/* ee_len */
	corrupt_commit(e, e->frag2, buf, false);
	mc_expect_corrupt(e->fs, e->frag2, &inode, 0, KiB, "extent node checksum", blk);
}

/* A memo as a block cache keeps it: (block, inode) pairs. */
struct csum_memo {
	uint64_t blk[8];
	uint32_t ino[8];
	unsigned n;
	unsigned passed;	/* csum_passed calls */
};

static bool memo_known(const void *ctx, uint64_t blk, uint32_t ino)
{
	const struct csum_memo *m = ctx;
	unsigned i;

	for (i = 0; i < m->n; i++)
		if (m->blk[i] == blk && m->ino[i] == ino)
			return true;
	return false;
}

static void memo_passed(const void *ctx, uint64_t blk, uint32_t ino)
{
	struct csum_memo *m = (struct csum_memo *)ctx;

	assert_true(m->n < 8);
	m->blk[m->n] = blk;
	m->ino[m->n++] = ino;
	m->passed++;
}

/* The checksum memo: every node that passes is reported to it; a node
 * it vouches for (for this inode) is not checksummed again; vouching for
 * another inode counts for nothing. */
static void test_ext_csum_memo(void **state)
{
	struct ext_env *e = *state;
	struct ext2_inode_large inode;
	struct csum_memo memo = { .n = 0 };
	struct f4_map_file mf = { .fs = e->fs, .ino = e->frag2, .inode = &inode,
				  .csum_known = memo_known,
				  .csum_passed = memo_passed, .csum_ctx = &memo };
	struct f4_map_rec r[8];
	uint64_t blk;
	unsigned n, i, walked;
	char *buf;

	f4t_read_inode(e->fs, e->frag2, &inode);
	blk = first_leaf(e, &inode);
	assert_int_equal(f4_iomap_map(&mf, 0, KiB, r, 8, &n), 0);
	walked = memo.passed;
	assert_true(walked >= 1);
	assert_true(memo_known(&memo, blk, e->frag2));
	assert_int_equal(f4_iomap_map(&mf, 0, KiB, r, 8, &n), 0);
	assert_int_equal(memo.passed, walked);	/* vouched for: not recomputed */
	/* A change behind the memo's back (a cache would have dropped it)
	 * shows that the checksum really is skipped... */
	buf = corrupt_begin(e, blk);
	((struct ext3_extent_header *)buf)->eh_generation ^= 1;	/* csum only */
	corrupt_commit(e, e->frag2, buf, false);
	assert_int_equal(f4_iomap_map(&mf, 0, KiB, r, 8, &n), 0);
	/* ...and only for the inode it was verified for. */
	for (i = 0; i < memo.n; i++)
		memo.ino[i] = e->frag2 + 1;
	assert_int_equal(f4_iomap_map(&mf, 0, KiB, r, 8, &n), -EUCLEAN);
	assert_string_equal(mf.corrupt_what, "extent node checksum");
}

int main(void)
{
	const struct CMUnitTest ext_tests[] = {
		cmocka_unit_test(test_ext_contiguous),
		cmocka_unit_test(test_ext_fragmented_depth1),
		cmocka_unit_test(test_ext_fragmented_depth2),
		cmocka_unit_test(test_ext_holes),
		cmocka_unit_test(test_ext_unwritten),
		cmocka_unit_test(test_ext_over_4g),
		cmocka_unit_test(test_ext_past_last_block),
		cmocka_unit_test(test_ext_beyond_max_lblk),
		cmocka_unit_test(test_ext_straddles_max_lblk),
		cmocka_unit_test(test_ext_small_array),
		cmocka_unit_test(test_max_recs),
		cmocka_unit_test(test_ext_merge_rule),
		cmocka_unit_test(test_ext_corrupt_root),
		cmocka_unit_test(test_ext_corrupt_index_order),
		cmocka_unit_test(test_ext_corrupt_index_order_far),
		cmocka_unit_test(test_ext_corrupt_leaf_order),
		cmocka_unit_test(test_ext_corrupt_depth),
		cmocka_unit_test_teardown(test_ext_corrupt_disk_depth, ext_restore),
		cmocka_unit_test_teardown(test_ext_corrupt_disk_magic, ext_restore),
		cmocka_unit_test_teardown(test_ext_corrupt_disk_range, ext_restore),
		cmocka_unit_test_teardown(test_ext_corrupt_disk_csum, ext_restore),
		cmocka_unit_test_teardown(test_ext_csum_memo, ext_restore),
		/* After the corruptions were undone, the tree maps again. */
		cmocka_unit_test(test_ext_fragmented_depth2),
	};
	int failed = 0;

	if (!f4t_have_e2fsprogs()) {
		fprintf(stderr, "mke2fs/debugfs/e2fsck not found: skipping\n");
		return F4T_SKIP;
	}
	failed += cmocka_run_group_tests_name("iomap: extent trees", ext_tests,
					      ext_setup, ext_teardown);
	failed += mc_run_bmap_inline_groups();
	return failed ? 1 : 0;
}

