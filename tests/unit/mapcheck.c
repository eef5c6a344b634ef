/* Owns the mapping-engine test oracle: calling f4_iomap_map and checking
 * each record, building the expected records block by block from
 * ext2fs_bmap2 (merged by the rule mapping.h documents), and crafting
 * extent trees in an in-memory inode. Used by test_iomap*.c. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "mapcheck.h"
#include "testimg.h"

#include "src/fs/errors.h"

/* ---------------------------------------------------------------------
 * Calling the engine and checking what it returns
 */

int mc_map(ext2_filsys fs, ext2_ino_t ino,
	   const struct ext2_inode_large *inode, uint64_t pos,
	   uint64_t len, struct f4_map_rec *recs, unsigned max,
	   unsigned *n, struct f4_map_file *mf_out)
{
	struct f4_map_file mf = { .fs = fs, .ino = ino, .inode = inode };
	int ret;

	*n = 12345;
	ret = f4_iomap_map(&mf, pos, len, recs, max, n);
	assert_true(*n <= max);
	if (ret != -EUCLEAN)
		assert_null(mf.corrupt_what);
	if (mf_out)
		*mf_out = mf;
	return ret;
}

void mc_expect_rec(const struct f4_map_rec *r, uint64_t off, uint64_t len,
		   uint64_t addr, uint16_t type)
{
	if (r->off != off || r->len != len || r->addr != addr ||
	    r->type != type)
		print_error("record {off %llu len %llu addr %llu type %u}, expected {off %llu len %llu addr %llu type %u}\n",
			    (unsigned long long)r->off, (unsigned long long)r->len,
			    (unsigned long long)r->addr, r->type,
			    (unsigned long long)off, (unsigned long long)len,
			    (unsigned long long)addr, type);
	assert_int_equal(r->off, off);
	assert_int_equal(r->len, len);
	assert_int_equal(r->addr, addr);
	assert_int_equal(r->type, type);
	assert_int_equal(r->flags, 0);
}

/* Append one block to an expected-record list, merging by the rule the
 * engine documents: same type, file-contiguous and (except holes)
 * device-contiguous. */
static void oracle_add(struct f4_map_rec *recs, unsigned *n, unsigned max,
		       uint64_t off, uint64_t bsize, uint64_t addr,
		       uint16_t type)
{
	struct f4_map_rec *prev = *n ? &recs[*n - 1] : NULL;

	if (prev && prev->type == type && prev->off + prev->len == off &&
	    (type == F4_MAP_HOLE || prev->addr + prev->len == addr)) {
		prev->len += bsize;
		return;
	}
	assert_true(*n < max);
	recs[(*n)++] = (struct f4_map_rec){ .off = off, .len = bsize,
					    .addr = addr, .type = type };
}

/* What libext2fs says logical block lblk is. */
static void bmap_block(ext2_filsys fs, ext2_ino_t ino,
		       const struct ext2_inode_large *inode, uint64_t lblk,
		       uint64_t *addr, uint16_t *type)
{
	struct ext2_inode_large copy = *inode;
	blk64_t pblk = 0;
	int flags = 0;
	errcode_t err;

	err = ext2fs_bmap2(fs, ino, (struct ext2_inode *)&copy, NULL, 0, lblk,
			   &flags, &pblk);
	if (err == EXT2_ET_BAD_BLOCK_NUM || err == EXT2_ET_FILE_TOO_BIG)
		pblk = 0;	/* beyond what a block map addresses */
	else
		assert_int_equal(err, 0);
	if (!pblk) {
		*addr = NULL_ADDR;
		*type = F4_MAP_HOLE;
	} else {
		*addr = (uint64_t)pblk * fs->blocksize;
		*type = (flags & BMAP_RET_UNINIT) ? F4_MAP_UNWRITTEN
						  : F4_MAP_MAPPED;
	}
}

/*
 * Map [pos, pos + len) with room for max records and compare with the
 * records built block by block from ext2fs_bmap2. The expected list is
 * cut to max records, as the engine must cover a prefix then.
 */
void mc_check_vs_bmap(ext2_filsys fs, ext2_ino_t ino,
		      const struct ext2_inode_large *inode, uint64_t pos,
		      uint64_t len, unsigned max)
{
	uint64_t bs = fs->blocksize;
	uint64_t first = pos / bs, end = (pos + len + bs - 1) / bs, b;
	unsigned cap = (unsigned)(end - first) + 1, n, ne = 0, i;
	struct f4_map_rec *got = calloc(max, sizeof(*got));
	struct f4_map_rec *exp = calloc(cap, sizeof(*exp));

	assert_non_null(got);
	assert_non_null(exp);
	for (b = first; b < end; b++) {
		uint64_t addr;
		uint16_t type;

		bmap_block(fs, ino, inode, b, &addr, &type);
		oracle_add(exp, &ne, cap, b * bs, bs, addr, type);
	}
	assert_int_equal(mc_map(fs, ino, inode, pos, len, got, max, &n, NULL), 0);
	if (ne > max)
		ne = max;
	if (n != ne)
		print_error("inode %u [%llu, +%llu): %u records, libext2fs says %u\n",
			    ino, (unsigned long long)pos,
			    (unsigned long long)len, n, ne);
	assert_int_equal(n, ne);
	for (i = 0; i < n; i++)
		mc_expect_rec(&got[i], exp[i].off, exp[i].len, exp[i].addr,
			   exp[i].type);
	free(got);
	free(exp);
}

/* Map with a small array again and again from where the last batch
 * ended; the concatenation, re-merged, must equal one big mapping. */
void mc_check_batches(ext2_filsys fs, ext2_ino_t ino,
		      const struct ext2_inode_large *inode, uint64_t pos,
		      uint64_t len, unsigned batch)
{
	unsigned full_max = 8192, nfull, nall = 0, n, i, rounds = 0;
	struct f4_map_rec *full = calloc(full_max, sizeof(*full));
	struct f4_map_rec *all = calloc(full_max, sizeof(*all));
	struct f4_map_rec *part = calloc(batch, sizeof(*part));
	uint64_t cur = pos, end = pos + len;

	assert_true(full && all && part);
	assert_int_equal(mc_map(fs, ino, inode, pos, len, full, full_max, &nfull,
			     NULL), 0);
	assert_true(nfull < full_max);
	while (cur < end) {
		assert_int_equal(mc_map(fs, ino, inode, cur, end - cur, part, batch,
				     &n, NULL), 0);
		assert_true(n >= 1);
		/* Each batch starts where the last one ended. */
		if (rounds)
			assert_int_equal(part[0].off, cur);
		else
			assert_true(part[0].off <= cur);
		for (i = 0; i < n; i++) {
			struct f4_map_rec *prev = nall ? &all[nall - 1] : NULL;

			if (prev && prev->type == part[i].type &&
			    prev->off + prev->len == part[i].off &&
			    (part[i].type == F4_MAP_HOLE ||
			     prev->addr + prev->len == part[i].addr)) {
				prev->len += part[i].len;
				continue;
			}
			assert_true(nall < full_max);
			all[nall++] = part[i];
		}
		cur = part[n - 1].off + part[n - 1].len;
		assert_true(++rounds < 100000);
	}
	assert_int_equal(nall, nfull);
	for (i = 0; i < nfull; i++)
		mc_expect_rec(&all[i], full[i].off, full[i].len, full[i].addr,
			   full[i].type);
	free(full);
	free(all);
	free(part);
}

uint64_t mc_pblk(ext2_filsys fs, ext2_ino_t ino, uint64_t lblk)
{
	struct ext2_inode_large inode;
	uint64_t addr;
	uint16_t type;

	f4t_read_inode(fs, ino, &inode);
	bmap_block(fs, ino, &inode, lblk, &addr, &type);
	assert_int_not_equal(type, F4_MAP_HOLE);
	return addr / fs->blocksize;
}

/* ---------------------------------------------------------------------
 * Crafting extent trees in an in-memory inode
 */

void mc_craft_leaf_root(struct ext2_inode_large *inode, const struct mc_xt *x,
			unsigned n)
{
	struct ext3_extent_header *eh = (void *)inode->i_block;
	struct ext3_extent *ex = (void *)(eh + 1);
	unsigned i;

	assert_true(n <= 4);
	memset(inode, 0, sizeof(*inode));
	inode->i_mode = S_IFREG | 0644;
	inode->i_links_count = 1;
	inode->i_flags = EXT4_EXTENTS_FL;
	eh->eh_magic = ext2fs_cpu_to_le16(EXT3_EXT_MAGIC);
	eh->eh_max = ext2fs_cpu_to_le16(4);
	eh->eh_entries = ext2fs_cpu_to_le16((uint16_t)n);
	eh->eh_depth = 0;
	for (i = 0; i < n; i++) {
		ex[i].ee_block = ext2fs_cpu_to_le32(x[i].lblk);
		ex[i].ee_len = ext2fs_cpu_to_le16(x[i].len);
		ex[i].ee_start = ext2fs_cpu_to_le32((uint32_t)x[i].pblk);
		ex[i].ee_start_hi = ext2fs_cpu_to_le16((uint16_t)(x[i].pblk >> 32));
	}
}

struct ext3_extent_header *mc_root_hdr(struct ext2_inode_large *inode)
{
	return (struct ext3_extent_header *)inode->i_block;
}

struct ext3_extent_idx *mc_root_idx(struct ext2_inode_large *inode)
{
	return (struct ext3_extent_idx *)(mc_root_hdr(inode) + 1);
}

uint64_t mc_idx_leaf(const struct ext3_extent_idx *ix)
{
	return ext2fs_le32_to_cpu(ix->ei_leaf) |
	       ((uint64_t)ext2fs_le16_to_cpu(ix->ei_leaf_hi) << 32);
}

void mc_expect_corrupt(ext2_filsys fs, ext2_ino_t ino,
		       const struct ext2_inode_large *inode, uint64_t pos,
		       uint64_t len, const char *what, uint64_t blk)
{
	struct f4_map_rec recs[64];
	struct f4_map_file mf;
	unsigned n;
	int ret = mc_map(fs, ino, inode, pos, len, recs, 64, &n, &mf);

	if (ret != -EUCLEAN) {
		unsigned i;

		print_error("expected -EUCLEAN (%s), got %d with %u records:\n",
			    what, ret, n);
		for (i = 0; !ret && i < n && i < 3; i++)
			print_error("  {off %llu len %llu addr %llu type %u}\n",
				    (unsigned long long)recs[i].off,
				    (unsigned long long)recs[i].len,
				    (unsigned long long)recs[i].addr,
				    recs[i].type);
	}
	assert_int_equal(ret, -EUCLEAN);
	assert_non_null(mf.corrupt_what);
	assert_string_equal(mf.corrupt_what, what);
	assert_int_equal(mf.corrupt_blk, blk);
}
