/* Part of the test_iomap driver (see test_iomap.c): the mapping engine
 * on indirect block maps (ext3 with 1 KiB blocks up to triple indirect,
 * ext2 with 4 KiB blocks) and on inline data, plus crafted extents on a
 * 4 KiB filesystem. */
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
 * Group 2: indirect block maps (ext3 1 KiB, ext2 4 KiB)
 */

struct bmap_env {
	char *dir, *img1k, *img4k;
	ext2_filsys fs1k, fs4k;
	ext2_ino_t small, dind, tind, tind4k;
	uint64_t saved_blk;
	char *saved;
};

/* 1 KiB blocks: 12 direct, 256 per indirect block. */
#define TIND1K_A 3
#define TIND1K_B (12 + 100)			/* single indirect */
#define TIND1K_C (12 + 256 + 1000)		/* double */
#define TIND1K_D (12 + 256 + 65536 + 7)		/* triple */
#define TIND1K_E (5 * GiB / KiB)		/* triple, past 4 GiB */
/* 4 KiB blocks: 1024 per indirect block. */
#define TIND4K_A (12 + 1024 + 3)
#define TIND4K_B (12 + 1024 + 1048576 + 1)	/* triple, past 4 GiB */

static int bmap_setup(void **state)
{
	struct bmap_env *e = calloc(1, sizeof(*e));
	ext2_filsys fs;

	assert_non_null(e);
	*state = e;	/* from here on, teardown cleans up */
	e->dir = f4t_mkdtemp("iomap-bmap");
	e->img1k = f4t_join(e->dir, "ext3.img");
	e->img4k = f4t_join(e->dir, "ext2.img");
	f4t_must_sh(1, "mke2fs -F -q -t ext3 -b 1024 -N 128 '%s' 32M", e->img1k);
	f4t_must_sh(1, "mke2fs -F -q -t ext2 -b 4096 -N 128 '%s' 64M", e->img4k);

	fs = f4t_open(e->img1k, true);
	assert_false(ext2fs_has_feature_extents(fs->super));
	e->small = f4t_create(fs, EXT2_ROOT_INO, "small", S_IFREG | 0644);
	f4t_write_blocks(fs, e->small, 0, 5);
	/* Direct, single and the start of double indirect, written in
	 * order: the indirect blocks land between the data blocks. */
	e->dind = f4t_create(fs, EXT2_ROOT_INO, "dind", S_IFREG | 0644);
	f4t_write_blocks(fs, e->dind, 0, 300);
	e->tind = f4t_create(fs, EXT2_ROOT_INO, "tind", S_IFREG | 0644);
	f4t_write_blocks(fs, e->tind, TIND1K_A, 1);
	f4t_write_blocks(fs, e->tind, TIND1K_B, 1);
	f4t_write_blocks(fs, e->tind, TIND1K_C, 1);
	f4t_write_blocks(fs, e->tind, TIND1K_D, 1);
	f4t_write_blocks(fs, e->tind, TIND1K_E, 1);
	f4t_set_size(fs, e->tind, (TIND1K_E + 2) * KiB);
	f4t_close_flush(fs);
	f4t_fsck_clean(e->img1k);

	fs = f4t_open(e->img4k, true);
	e->tind4k = f4t_create(fs, EXT2_ROOT_INO, "tind", S_IFREG | 0644);
	f4t_write_blocks(fs, e->tind4k, 0, 1);
	f4t_write_blocks(fs, e->tind4k, TIND4K_A, 1);
	f4t_write_blocks(fs, e->tind4k, TIND4K_B, 1);
	f4t_close_flush(fs);
	f4t_fsck_clean(e->img4k);

	e->fs1k = f4t_open(e->img1k, true);
	e->fs4k = f4t_open(e->img4k, false);
	return 0;
}

static int bmap_teardown(void **state)
{
	struct bmap_env *e = *state;

	if (!e)
		return 0;
	f4t_close(e->fs1k);
	f4t_close(e->fs4k);
	free(e->img1k);
	free(e->img4k);
	f4t_rmtree(e->dir);
	free(e);
	return 0;
}

static int bmap_restore(void **state)
{
	struct bmap_env *e = *state;

	if (e->saved) {
		assert_int_equal(io_channel_write_blk64(e->fs1k->io, e->saved_blk,
							1, e->saved), 0);
		free(e->saved);
		e->saved = NULL;
	}
	return 0;
}

static void test_bmap_direct(void **state)
{
	struct bmap_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[4];
	unsigned n;
	uint64_t p = mc_pblk(e->fs1k, e->small, 0);

	f4t_read_inode(e->fs1k, e->small, &inode);
	assert_false(inode.i_flags & EXT4_EXTENTS_FL);
	assert_int_equal(mc_map(e->fs1k, e->small, &inode, 0, 5 * KiB, r, 4, &n,
				NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], 0, 5 * KiB, p * KiB, F4_MAP_MAPPED);
	/* Past the last block: one hole covering the request. */
	assert_int_equal(mc_map(e->fs1k, e->small, &inode, 5 * KiB, 20 * KiB, r, 4,
				&n, NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], 5 * KiB, 20 * KiB, NULL_ADDR, F4_MAP_HOLE);
	mc_check_vs_bmap(e->fs1k, e->small, &inode, 0, 30 * KiB, 4);
}

static void test_bmap_double(void **state)
{
	struct bmap_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[8];
	unsigned n;

	f4t_read_inode(e->fs1k, e->dind, &inode);
	assert_int_not_equal(inode.i_block[EXT2_IND_BLOCK], 0);
	assert_int_not_equal(inode.i_block[EXT2_DIND_BLOCK], 0);
	assert_int_equal(inode.i_block[EXT2_TIND_BLOCK], 0);
	assert_int_equal(mc_map(e->fs1k, e->dind, &inode, 0, 300 * KiB, r, 8, &n,
				NULL), 0);
	/* The direct blocks are one run; the indirect block follows them
	 * on disk, so block 12 starts a new record. */
	assert_true(n >= 3);
	mc_expect_rec(&r[0], 0, 12 * KiB, mc_pblk(e->fs1k, e->dind, 0) * KiB,
		      F4_MAP_MAPPED);
	assert_int_equal(r[1].off, 12 * KiB);
	mc_check_vs_bmap(e->fs1k, e->dind, &inode, 0, 300 * KiB, 8);
	mc_check_vs_bmap(e->fs1k, e->dind, &inode, 260 * KiB + 3, 20 * KiB, 8);
	mc_check_batches(e->fs1k, e->dind, &inode, 0, 300 * KiB, 1);
}

static void test_bmap_triple(void **state)
{
	struct bmap_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[16];
	unsigned n;
	const uint64_t blk[] = { TIND1K_A, TIND1K_B, TIND1K_C, TIND1K_D, TIND1K_E };
	uint64_t cur = 0;
	unsigned i;

	f4t_read_inode(e->fs1k, e->tind, &inode);
	assert_int_not_equal(inode.i_block[EXT2_TIND_BLOCK], 0);
	assert_int_equal(mc_map(e->fs1k, e->tind, &inode, 0, (TIND1K_E + 2) * KiB,
				r, 16, &n, NULL), 0);
	assert_int_equal(n, 11);
	for (i = 0; i < 5; i++) {
		mc_expect_rec(&r[2 * i], cur * KiB, (blk[i] - cur) * KiB, NULL_ADDR,
			      F4_MAP_HOLE);
		mc_expect_rec(&r[2 * i + 1], blk[i] * KiB, KiB,
			      mc_pblk(e->fs1k, e->tind, blk[i]) * KiB, F4_MAP_MAPPED);
		cur = blk[i] + 1;
	}
	mc_expect_rec(&r[10], cur * KiB, KiB, NULL_ADDR, F4_MAP_HOLE);
	/* Block by block over the direct, single, double and the start
	 * of the triple range; then around the far block. */
	mc_check_vs_bmap(e->fs1k, e->tind, &inode, 0, (TIND1K_D + 300) * KiB, 16);
	mc_check_vs_bmap(e->fs1k, e->tind, &inode, (TIND1K_E - 3000) * KiB,
			 3002 * KiB, 16);
	mc_check_batches(e->fs1k, e->tind, &inode, 0, (TIND1K_E + 2) * KiB, 2);
	/* Beyond the triple-indirect range: hole. */
	assert_int_equal(mc_map(e->fs1k, e->tind, &inode, 17000000 * KiB, KiB, r,
				16, &n, NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], 17000000 * KiB, KiB, NULL_ADDR, F4_MAP_HOLE);
}

static void test_bmap_4k(void **state)
{
	struct bmap_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[8];
	const uint64_t B = 4096;
	unsigned n;

	f4t_read_inode(e->fs4k, e->tind4k, &inode);
	assert_int_equal(mc_map(e->fs4k, e->tind4k, &inode, 0, (TIND4K_B + 1) * B,
				r, 8, &n, NULL), 0);
	assert_int_equal(n, 5);
	mc_expect_rec(&r[0], 0, B, mc_pblk(e->fs4k, e->tind4k, 0) * B, F4_MAP_MAPPED);
	mc_expect_rec(&r[1], B, (TIND4K_A - 1) * B, NULL_ADDR, F4_MAP_HOLE);
	mc_expect_rec(&r[2], TIND4K_A * B, B,
		      mc_pblk(e->fs4k, e->tind4k, TIND4K_A) * B, F4_MAP_MAPPED);
	mc_expect_rec(&r[3], (TIND4K_A + 1) * B, (TIND4K_B - TIND4K_A - 1) * B,
		      NULL_ADDR, F4_MAP_HOLE);
	mc_expect_rec(&r[4], TIND4K_B * B, B,
		      mc_pblk(e->fs4k, e->tind4k, TIND4K_B) * B, F4_MAP_MAPPED);
	assert_true(r[4].off > 4 * GiB);
	mc_check_vs_bmap(e->fs4k, e->tind4k, &inode, 0, 3000 * B, 8);
	mc_check_vs_bmap(e->fs4k, e->tind4k, &inode, (TIND4K_B - 5) * B, 10 * B, 8);
}

static void test_bmap_corrupt_inode(void **state)
{
	struct bmap_env *e = *state;
	struct ext2_inode_large inode, good;
	uint32_t total = (uint32_t)ext2fs_blocks_count(e->fs1k->super);
	struct f4_map_rec r[8];
	unsigned n;

	f4t_read_inode(e->fs1k, e->small, &good);
	inode = good;
	inode.i_block[2] = ext2fs_cpu_to_le32(total);
	mc_expect_corrupt(e->fs1k, e->small, &inode, 0, 5 * KiB,
			  "block pointer out of range", total);

	f4t_read_inode(e->fs1k, e->tind, &good);
	inode = good;
	inode.i_block[EXT2_IND_BLOCK] = ext2fs_cpu_to_le32(total + 7);
	mc_expect_corrupt(e->fs1k, e->tind, &inode, 0, 200 * KiB,
			  "indirect block out of range", total + 7);
	/* Only what the request reaches is looked at. */
	assert_int_equal(mc_map(e->fs1k, e->tind, &inode, 0, 12 * KiB, r, 8, &n,
				NULL), 0);
	assert_int_equal(n, 3);

	inode = good;
	inode.i_block[EXT2_DIND_BLOCK] = ext2fs_cpu_to_le32(0xFFFFFFFFu);
	mc_expect_corrupt(e->fs1k, e->tind, &inode, TIND1K_C * KiB, KiB,
			  "indirect block out of range", 0xFFFFFFFFu);
	inode = good;
	inode.i_block[EXT2_TIND_BLOCK] = ext2fs_cpu_to_le32(total);
	mc_expect_corrupt(e->fs1k, e->tind, &inode, TIND1K_E * KiB, KiB,
			  "indirect block out of range", total);
}

static void test_bmap_corrupt_disk(void **state)
{
	struct bmap_env *e = *state;
	struct ext2_inode_large inode;
	uint32_t total = (uint32_t)ext2fs_blocks_count(e->fs1k->super);
	uint64_t ind;
	uint32_t *words;

	f4t_read_inode(e->fs1k, e->dind, &inode);
	ind = ext2fs_le32_to_cpu(inode.i_block[EXT2_IND_BLOCK]);
	e->saved = malloc(e->fs1k->blocksize);
	words = malloc(e->fs1k->blocksize);
	assert_true(e->saved && words);
	assert_int_equal(io_channel_read_blk64(e->fs1k->io, ind, 1, e->saved), 0);
	e->saved_blk = ind;
	memcpy(words, e->saved, e->fs1k->blocksize);
	words[5] = ext2fs_cpu_to_le32(total + 100);
	assert_int_equal(io_channel_write_blk64(e->fs1k->io, ind, 1, words), 0);
	free(words);
	mc_expect_corrupt(e->fs1k, e->dind, &inode, 0, 300 * KiB,
			  "block pointer out of range", total + 100);
	/* Blocks before the bad pointer still map. */
	mc_check_vs_bmap(e->fs1k, e->dind, &inode, 0, 17 * KiB, 8);
}

/* ---------------------------------------------------------------------
 * Group 3: inline data and a 4 KiB ext4 image
 */

struct inl_env {
	char *dir, *img, *img4k;
	ext2_filsys fs, fs4k;
	ext2_ino_t tiny, medium, empty, regular;
};

static int inl_setup(void **state)
{
	struct inl_env *e = calloc(1, sizeof(*e));
	char *tiny, *medium, *empty, *regular, data[8192];
	size_t i;

	assert_non_null(e);
	*state = e;	/* from here on, teardown cleans up */
	e->dir = f4t_mkdtemp("iomap-inline");
	e->img = f4t_join(e->dir, "inline.img");
	e->img4k = f4t_join(e->dir, "ext4-4k.img");
	tiny = f4t_join(e->dir, "tiny");
	medium = f4t_join(e->dir, "medium");
	empty = f4t_join(e->dir, "empty");
	regular = f4t_join(e->dir, "regular");
	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 26);
	f4t_write_host_file(tiny, data, 11);
	f4t_write_host_file(medium, data, 100);
	f4t_write_host_file(empty, data, 0);
	f4t_write_host_file(regular, data, sizeof(data));
	f4t_must_sh(1, "mke2fs -F -q -t ext4 -O inline_data -I 256 '%s' 16M", e->img);
	f4t_must_sh(1, "cd '%s' && debugfs -w -f - inline.img <<EOF\n"
		    "write tiny tiny\nwrite medium medium\n"
		    "write empty empty\nwrite regular regular\nEOF", e->dir);
	f4t_fsck_clean(e->img);
	f4t_must_sh(1, "mke2fs -F -q -t ext4 -b 4096 '%s' 64M", e->img4k);
	e->fs = f4t_open(e->img, false);
	e->fs4k = f4t_open(e->img4k, false);
	e->tiny = f4t_lookup(e->fs, EXT2_ROOT_INO, "tiny");
	e->medium = f4t_lookup(e->fs, EXT2_ROOT_INO, "medium");
	e->empty = f4t_lookup(e->fs, EXT2_ROOT_INO, "empty");
	e->regular = f4t_lookup(e->fs, EXT2_ROOT_INO, "regular");
	free(tiny);
	free(medium);
	free(empty);
	free(regular);
	return 0;
}

static int inl_teardown(void **state)
{
	struct inl_env *e = *state;

	if (!e)
		return 0;
	f4t_close(e->fs);
	f4t_close(e->fs4k);
	free(e->img);
	free(e->img4k);
	f4t_rmtree(e->dir);
	free(e);
	return 0;
}

static void test_inline_files(void **state)
{
	struct inl_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_file mf = { .fs = e->fs, .inode = &inode };
	struct f4_map_rec r[4];
	size_t isz = 0;
	unsigned n;

	/* 11 bytes: all in i_block. */
	f4t_read_inode(e->fs, e->tiny, &inode);
	mf.ino = e->tiny;
	assert_true(f4_iomap_is_inline(&mf));
	assert_int_equal(mc_map(e->fs, e->tiny, &inode, 0, 4096, r, 4, &n, NULL), 0);
	assert_int_equal(n, 2);
	mc_expect_rec(&r[0], 0, 11, NULL_ADDR, F4_MAP_INLINE);
	mc_expect_rec(&r[1], 11, 4096 - 11, NULL_ADDR, F4_MAP_HOLE);
	/* Exactly the data: no hole record. */
	assert_int_equal(mc_map(e->fs, e->tiny, &inode, 0, 11, r, 4, &n, NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], 0, 11, NULL_ADDR, F4_MAP_INLINE);
	/* One record of room: the inline part only. */
	assert_int_equal(mc_map(e->fs, e->tiny, &inode, 0, 4096, r, 1, &n, NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], 0, 11, NULL_ADDR, F4_MAP_INLINE);
	/* Past the data: hole only, from pos. */
	assert_int_equal(mc_map(e->fs, e->tiny, &inode, 100, 50, r, 4, &n, NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], 100, 50, NULL_ADDR, F4_MAP_HOLE);

	/* 100 bytes: i_block plus the system.data attribute. */
	assert_int_equal(ext2fs_inline_data_size(e->fs, e->medium, &isz), 0);
	assert_int_equal(isz, 100);
	f4t_read_inode(e->fs, e->medium, &inode);
	mf.ino = e->medium;
	assert_true(f4_iomap_is_inline(&mf));
	assert_int_equal(mc_map(e->fs, e->medium, &inode, 50, 10, r, 4, &n, NULL), 0);
	assert_int_equal(n, 1);
	mc_expect_rec(&r[0], 0, 100, NULL_ADDR, F4_MAP_INLINE);
	assert_int_equal(mc_map(e->fs, e->medium, &inode, 60, 1000, r, 4, &n, NULL), 0);
	assert_int_equal(n, 2);
	mc_expect_rec(&r[0], 0, 100, NULL_ADDR, F4_MAP_INLINE);
	mc_expect_rec(&r[1], 100, 960, NULL_ADDR, F4_MAP_HOLE);

	/* Empty. */
	f4t_read_inode(e->fs, e->empty, &inode);
	mf.ino = e->empty;
	if (f4_iomap_is_inline(&mf)) {
		assert_int_equal(mc_map(e->fs, e->empty, &inode, 0, 4096, r, 4, &n,
					NULL), 0);
		assert_int_equal(n, 1);
		mc_expect_rec(&r[0], 0, 4096, NULL_ADDR, F4_MAP_HOLE);
	}
}

static void test_inline_fs_regular_file(void **state)
{
	struct inl_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_file mf = { .fs = e->fs, .ino = e->regular, .inode = &inode };

	/* Too big to be inline: a normal extent file on the same fs. */
	f4t_read_inode(e->fs, e->regular, &inode);
	assert_false(f4_iomap_is_inline(&mf));
	assert_true(inode.i_flags & EXT4_EXTENTS_FL);
	mc_check_vs_bmap(e->fs, e->regular, &inode, 0, 8192, 4);
	mc_check_vs_bmap(e->fs, e->regular, &inode, 100, 100000, 4);
}

/* On a 4 KiB filesystem block 0 holds the superblock; an extent that
 * points there is corrupt, and must never come back as a MAPPED record
 * whose addr is the "no address" value. */
static void test_ext4k_extent_at_block0(void **state)
{
	struct inl_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[4];
	struct f4_map_file mf;
	unsigned n, i;
	int ret;

	assert_int_equal(e->fs4k->super->s_first_data_block, 0);
	mc_craft_leaf_root(&inode, (const struct mc_xt[]){ { 0, 2, 0 } }, 1);
	ret = mc_map(e->fs4k, 99, &inode, 0, 8192, r, 4, &n, &mf);
	for (i = 0; !ret && i < n; i++)
		if (r[i].type == F4_MAP_MAPPED)
			assert_int_not_equal(r[i].addr, NULL_ADDR);
	assert_int_equal(ret, -EUCLEAN);
	assert_string_equal(mf.corrupt_what, "extent out of range");
}

static void test_ext4k_addresses(void **state)
{
	struct inl_env *e = *state;
	struct ext2_inode_large inode;
	struct f4_map_rec r[4];
	uint64_t total = ext2fs_blocks_count(e->fs4k->super);
	unsigned n;

	/* addr is pblk * 4096, lengths are in bytes of 4 KiB blocks. */
	mc_craft_leaf_root(&inode, (const struct mc_xt[]){
		{ 1, 3, total - 3 }, { 10, 32768 + 2, 5000 } }, 2);
	assert_int_equal(mc_map(e->fs4k, 99, &inode, 0, 12 * 4096, r, 4, &n, NULL), 0);
	assert_int_equal(n, 4);
	mc_expect_rec(&r[0], 0, 4096, NULL_ADDR, F4_MAP_HOLE);
	mc_expect_rec(&r[1], 4096, 3 * 4096, (total - 3) * 4096, F4_MAP_MAPPED);
	mc_expect_rec(&r[2], 4 * 4096, 6 * 4096, NULL_ADDR, F4_MAP_HOLE);
	mc_expect_rec(&r[3], 10 * 4096, 2 * 4096, 5000 * 4096ULL, F4_MAP_UNWRITTEN);
	mc_check_vs_bmap(e->fs4k, 99, &inode, 0, 12 * 4096, 4);
}

int mc_run_bmap_inline_groups(void)
{
	const struct CMUnitTest bmap_tests[] = {
		cmocka_unit_test(test_bmap_direct),
		cmocka_unit_test(test_bmap_double),
		cmocka_unit_test(test_bmap_triple),
		cmocka_unit_test(test_bmap_4k),
		cmocka_unit_test(test_bmap_corrupt_inode),
		cmocka_unit_test_teardown(test_bmap_corrupt_disk, bmap_restore),
		cmocka_unit_test(test_bmap_double),
	};
	const struct CMUnitTest inl_tests[] = {
		cmocka_unit_test(test_inline_files),
		cmocka_unit_test(test_inline_fs_regular_file),
		cmocka_unit_test(test_ext4k_extent_at_block0),
		cmocka_unit_test(test_ext4k_addresses),
	};
	int failed = 0;

	failed += cmocka_run_group_tests_name("iomap: block maps", bmap_tests,
					      bmap_setup, bmap_teardown);
	failed += cmocka_run_group_tests_name("iomap: inline data, 4 KiB",
					      inl_tests, inl_setup, inl_teardown);
	return failed;
}
