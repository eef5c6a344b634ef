/* Owns f4_fc_replay: the scan, the checks made before anything is
 * written, the tags applied in log order (ADD_RANGE and DEL_RANGE here,
 * INODE in fc_inode.c, entries in fc_dirent.c), then what the kernel
 * recomputes at the end: every block of the inodes the fast commits
 * touched marked in use, the groups' and the superblock's free counts. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ext2fs/ext2fs.h>

#include "src/journal/fc.h"
#include "src/journal/fcint.h"

#define FC_INIT_MAX_LEN 32768u	/* longer ee_len: unwritten, len - this */

/* The tree blocks libext2fs allocates while mapping must not take a
 * block an ADD_RANGE of the area names (the kernel's replay allocator
 * excludes them the same way). One replay at a time per process. */
static struct fc_ctx *alloc_ctx;

static bool excluded(struct fc_ctx *c, blk64_t b)
{
	size_t i;

	for (i = 0; i < c->a->n; i++) {
		const struct f4_fc_tlv *t = &c->a->v[i];
		uint64_t p;
		unsigned len;

		if (t->tag != F4_FC_ADD_RANGE)
			continue;
		p = (uint64_t)f4_fc_le16(t->val + 10) << 32 |
		    f4_fc_le32(t->val + 12);
		len = f4_fc_le16(t->val + 8);
		len = len > FC_INIT_MAX_LEN ? len - FC_INIT_MAX_LEN : len;
		if (b >= p && b - p < len)
			return true;
	}
	return false;
}

static errcode_t alloc_block(ext2_filsys fs, blk64_t goal, blk64_t *ret)
{
	blk64_t b = goal, n = ext2fs_blocks_count(fs->super);
	errcode_t err;

	for (;;) {
		err = ext2fs_new_block2(fs, b, fs->block_map, ret);
		if (err || !excluded(alloc_ctx, *ret))
			return err;
		/* Each turn moves past one block: ends within a lap. */
		if (!n--)
			return EXT2_ET_BLOCK_ALLOC_FAIL;
		b = *ret + 1;
	}
}

/* A data range must lie inside the filesystem, off its metadata. */
static bool range_ok(struct fc_ctx *c, uint64_t p, uint64_t len)
{
	uint64_t total = ext2fs_blocks_count(c->fs->super);

	return p >= c->fs->super->s_first_data_block && p < total &&
	       len <= total - p &&
	       ext2fs_test_block_bitmap_range2(c->sys, p, len);
}

static int map_one(struct fc_ctx *c, ext2_ino_t ino, struct ext2_inode *in,
		   blk64_t lblk, blk64_t want, bool unwritten)
{
	blk64_t old = 0;
	int rflags = 0;
	errcode_t err;

	err = ext2fs_bmap2(c->fs, ino, in, NULL, 0, lblk, &rflags, &old);
	if (err)
		return f4_fc_err(c, err, "reading a block map");
	if (old == want && !(rflags & BMAP_RET_UNINIT) == !unwritten)
		return 0;
	/* Remapped: the old block is free unless an inode still maps it
	 * at the end (then it is marked again). */
	if (old && old != want && range_ok(c, old, 1))
		ext2fs_unmark_block_bitmap2(c->fs->block_map, old);
	err = ext2fs_bmap2(c->fs, ino, in, NULL,
			   BMAP_SET | (unwritten ? BMAP_UNINIT : 0), lblk, NULL,
			   &want);
	if (err)
		return f4_fc_err(c, err, "mapping a block");
	c->st->blocks_mapped++;
	return 0;
}

static int do_add_range(struct fc_ctx *c, const struct f4_fc_tlv *t)
{
	ext2_ino_t ino = f4_fc_le32(t->val);
	uint32_t lblk = f4_fc_le32(t->val + 4);
	unsigned len = f4_fc_le16(t->val + 8);
	uint64_t p = (uint64_t)f4_fc_le16(t->val + 10) << 32 |
		     f4_fc_le32(t->val + 12);
	bool unwritten = len > FC_INIT_MAX_LEN;
	struct ext2_inode in;
	unsigned i;
	int rc;

	len = unwritten ? len - FC_INIT_MAX_LEN : len;
	/* Block-mapped inodes: the kernel's replay inserts extents only. */
	if (!f4_fc_iget(c, ino, &in) || !(in.i_flags & EXT4_EXTENTS_FL) ||
	    (uint64_t)lblk + len > 0xFFFFFFFFull || !range_ok(c, p, len)) {
		c->st->ops_skipped++;
		return 0;
	}
	rc = f4_fc_record(c, ino);
	for (i = 0; !rc && i < len; i++)
		rc = map_one(c, ino, &in, lblk + i, p + i, unwritten);
	if (!rc)
		c->st->ops_applied++;
	return rc;
}

static int do_del_range(struct fc_ctx *c, const struct f4_fc_tlv *t)
{
	ext2_ino_t ino = f4_fc_le32(t->val);
	uint32_t lblk = f4_fc_le32(t->val + 4), len = f4_fc_le32(t->val + 8);
	uint64_t end = (uint64_t)lblk + len - 1;
	struct ext2_inode in;
	errcode_t err;
	int rc;

	if (!f4_fc_iget(c, ino, &in) || !(in.i_flags & EXT4_EXTENTS_FL)) {
		c->st->ops_skipped++;
		return 0;
	}
	rc = f4_fc_record(c, ino);
	if (rc || !len)
		return rc;
	/* ext2fs_punch frees what it unmaps (the counts are recomputed at
	 * the end). */
	err = ext2fs_punch(c->fs, ino, &in, NULL, lblk,
			   end > 0xFFFFFFFFull ? 0xFFFFFFFFull : end);
	if (err)
		return f4_fc_err(c, err, "unmapping a range");
	c->st->blocks_unmapped += len;
	c->st->ops_applied++;
	return 0;
}

static int apply_tag(struct fc_ctx *c, const struct f4_fc_tlv *t)
{
	switch (t->tag) {
	case F4_FC_ADD_RANGE:
		return do_add_range(c, t);
	case F4_FC_DEL_RANGE:
		return do_del_range(c, t);
	case F4_FC_INODE:
		return f4_fc_do_inode(c, t);
	case F4_FC_CREAT:
	case F4_FC_LINK:
	case F4_FC_UNLINK:
		return f4_fc_do_dirent(c, t);
	}
	return 0;	/* HEAD, PAD, TAIL */
}

static void mark_blk(struct fc_ctx *c, blk64_t blk, blk64_t n, bool data)
{
	(void)data;
	if (range_ok(c, blk, n))
		ext2fs_mark_block_bitmap_range2(c->fs->block_map, blk, n);
}

/* Free blocks of group g, counted in the bitmap run by run. */
static blk64_t group_free(ext2_filsys fs, dgrp_t g)
{
	blk64_t b = ext2fs_group_first_block2(fs, g);
	blk64_t end = ext2fs_group_last_block2(fs, g), z, s, n = 0;

	while (b <= end) {
		if (ext2fs_find_first_zero_block_bitmap2(fs->block_map, b, end,
							 &z))
			break;
		if (ext2fs_find_first_set_block_bitmap2(fs->block_map, z, end,
							&s))
			return n + end - z + 1;
		n += s - z;
		b = s;
	}
	return n;
}

/* ext4_fc_set_bitmaps_and_counters, then the counts the kernel derives
 * from the group descriptors at mount. */
static void finish(struct fc_ctx *c)
{
	ext2_filsys fs = c->fs;
	blk64_t fb = 0;
	uint64_t fi = 0;
	struct ext2_inode in;
	dgrp_t g;
	size_t i;

	for (i = 0; i < c->nmod; i++)
		if (f4_fc_iget(c, c->mod[i], &in) &&
		    !(in.i_flags & EXT4_INLINE_DATA_FL))
			f4_fc_walk(c, c->mod[i], &in, ~(blk64_t)0, mark_blk);
	for (g = 0; g < fs->group_desc_count; g++) {
		blk64_t n = group_free(fs, g);

		if (n != ext2fs_bg_free_blocks_count(fs, g)) {
			ext2fs_bg_free_blocks_count_set(fs, g, n);
			ext2fs_bg_flags_clear(fs, g, EXT2_BG_BLOCK_UNINIT);
			ext2fs_group_desc_csum_set(fs, g);
		}
		fb += n;
		fi += ext2fs_bg_free_inodes_count(fs, g);
	}
	ext2fs_free_blocks_count_set(fs->super, fb);
	fs->super->s_free_inodes_count = (uint32_t)fi;
	ext2fs_mark_super_dirty(fs);
	ext2fs_mark_bb_dirty(fs);
	ext2fs_mark_ib_dirty(fs);
}

/* The metadata map (superblocks, descriptors, bitmaps, inode tables). */
static int load_sys(struct fc_ctx *c)
{
	ext2_filsys fs = c->fs;
	errcode_t err;
	dgrp_t g;

	err = ext2fs_allocate_block_bitmap(fs, "fc system zone", &c->sys);
	if (err)
		return f4_fc_err(c, err, "allocating a bitmap");
	for (g = 0; g < fs->group_desc_count; g++) {
		ext2fs_reserve_super_and_bgd(fs, g, c->sys);
		ext2fs_mark_block_bitmap2(c->sys, ext2fs_block_bitmap_loc(fs, g));
		ext2fs_mark_block_bitmap2(c->sys, ext2fs_inode_bitmap_loc(fs, g));
		ext2fs_mark_block_bitmap_range2(c->sys,
			ext2fs_inode_table_loc(fs, g), fs->inode_blocks_per_group);
	}
	return 0;
}

static int run(struct fc_ctx *c)
{
	errcode_t (*old)(ext2_filsys, blk64_t, blk64_t *) = NULL;
	size_t i;
	int rc = 0;

	for (i = 0; i < c->a->n && !rc; i++)
		if (c->a->v[i].tag == F4_FC_INODE)
			rc = f4_fc_precheck_inode(c, &c->a->v[i]);
	if (rc)
		return rc;
	if (ext2fs_has_feature_bigalloc(c->fs->super))
		return f4_fc_fail(c, "fast commit: replay on bigalloc is not "
				  "supported");
	if (!c->fs->block_map || !c->fs->inode_map) {
		errcode_t err = ext2fs_read_bitmaps(c->fs);

		if (err)
			return f4_fc_err(c, err, "reading the bitmaps");
	}
	rc = load_sys(c);
	alloc_ctx = c;
	ext2fs_set_alloc_block_callback(c->fs, alloc_block, &old);
	for (i = 0; i < c->a->n && !rc; i++)
		rc = apply_tag(c, &c->a->v[i]);
	ext2fs_set_alloc_block_callback(c->fs, old, NULL);
	alloc_ctx = NULL;
	if (!rc)
		finish(c);
	return rc;
}

int f4_fc_replay(ext2_filsys fs, const struct f4_jdev *j,
		 const struct f4_jplan *p, struct f4_fc_stats *st, char *msg,
		 size_t msglen)
{
	struct f4_fc_area a;
	struct fc_ctx c = { .fs = fs, .st = st, .a = &a, .msg = msg,
			    .msglen = msglen };
	int rc;

	memset(st, 0, sizeof(*st));
	rc = f4_fc_parse(j, p, EXT2_INODE_SIZE(fs->super), &a, msg, msglen);
	if (!rc && a.n) {
		st->tags = (unsigned)a.n;
		st->commits = a.commits;
		rc = run(&c);
	}
	if (!rc && msg && msglen)
		snprintf(msg, msglen, "%s", a.why);
	if (c.sys)
		ext2fs_free_block_bitmap(c.sys);
	free(c.mod);
	f4_fc_area_free(&a);
	return rc;
}
