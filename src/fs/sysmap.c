/* The system zone (ext4's block_validity): sorted, merged block ranges
 * of superblocks and descriptors (with the reserved GDT blocks), bitmaps,
 * inode tables and the journal. Built and checked once at mount,
 * read-only after: no lock needed to ask it. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "iomap/mapping.h"
#include "src/fs/errors.h"
#include "src/fs/fs.h"
#include "src/io/chan.h"
#include "src/fs/sysmap.h"

enum zone_kind { ZONE_SUPER, ZONE_BLOCK_BITMAP, ZONE_INODE_BITMAP,
		 ZONE_INODE_TABLE, ZONE_JOURNAL };

static const char *const kind_name[] = {
	[ZONE_SUPER] = "superblock or descriptors",
	[ZONE_BLOCK_BITMAP] = "block bitmap",
	[ZONE_INODE_BITMAP] = "inode bitmap",
	[ZONE_INODE_TABLE] = "inode table",
	[ZONE_JOURNAL] = "journal",
};

struct zone {
	uint64_t start, end;	/* [start, end) */
	uint32_t group;
	enum zone_kind kind;
};

struct f4_sysmap {
	struct zone *z;
	size_t n, cap;
};

static int zone_add(struct f4_sysmap *s, uint64_t start, uint64_t len,
		    enum zone_kind kind, uint32_t group)
{
	if (!len)
		return 0;
	if (s->n == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;
		struct zone *p = realloc(s->z, ncap * sizeof(*s->z));

		if (!p)
			return -ENOMEM;
		s->z = p;
		s->cap = ncap;
	}
	s->z[s->n++] = (struct zone){ start, start + len, group, kind };
	return 0;
}

static int cmp_zone(const void *a, const void *b)
{
	const struct zone *x = a, *y = b;

	return x->start < y->start ? -1 : x->start > y->start;
}

/* Superblock and descriptor copies of group g, as libext2fs reserves
 * them (old-style descriptors cut at the end of the filesystem). */
static int add_super(ext2_filsys fs, struct f4_sysmap *s, dgrp_t g)
{
	blk64_t super = 0, old_desc = 0, new_desc = 0, total;
	blk_t used = 0;
	uint64_t nold;
	int ret = 0;

	total = ext2fs_blocks_count(fs->super);
	nold = ext2fs_has_feature_meta_bg(fs->super) ?
	       fs->super->s_first_meta_bg :
	       (uint64_t)fs->desc_blocks + fs->super->s_reserved_gdt_blocks;
	ext2fs_super_and_bgd_loc2(fs, g, &super, &old_desc, &new_desc, &used);
	if (g == 0)	/* the boot block and the primary superblock */
		ret = zone_add(s, 0, fs->super->s_first_data_block + 1,
			       ZONE_SUPER, g);
	else if (super)
		ret = zone_add(s, super, 1, ZONE_SUPER, g);
	if (!ret && old_desc && old_desc < total)
		ret = zone_add(s, old_desc, nold < total - old_desc ?
			       nold : total - old_desc, ZONE_SUPER, g);
	if (!ret && new_desc)
		ret = zone_add(s, new_desc, 1, ZONE_SUPER, g);
	return ret;
}

/* Group g's bitmaps and inode table, which must lie in [first, last]. */
static int add_group(ext2_filsys fs, struct f4_sysmap *s, dgrp_t g,
		     const char **bad)
{
	uint64_t first = fs->super->s_first_data_block;
	uint64_t last = ext2fs_blocks_count(fs->super) - 1;
	uint64_t ipg = fs->inode_blocks_per_group;
	struct { uint64_t at, len; enum zone_kind kind; } m[3] = {
		{ ext2fs_block_bitmap_loc(fs, g), 1, ZONE_BLOCK_BITMAP },
		{ ext2fs_inode_bitmap_loc(fs, g), 1, ZONE_INODE_BITMAP },
		{ ext2fs_inode_table_loc(fs, g), ipg, ZONE_INODE_TABLE },
	};
	unsigned i;
	int ret = 0;

	if (!ext2fs_has_feature_flex_bg(fs->super)) {
		first = ext2fs_group_first_block2(fs, g);
		last = ext2fs_group_last_block2(fs, g);
	}
	for (i = 0; i < 3 && !ret; i++) {
		if (m[i].at < first || m[i].at > last ||
		    m[i].len - 1 > last - m[i].at) {
			*bad = "lies outside its group or the filesystem";
			return -EUCLEAN;
		}
		ret = zone_add(s, m[i].at, m[i].len, m[i].kind, g);
	}
	return ret;
}

static bool is_bitmap(const struct zone *z)
{
	return z->kind == ZONE_BLOCK_BITMAP || z->kind == ZONE_INODE_BITMAP;
}

/* May zones a and b share blocks? Superblock and descriptor copies may
 * (libext2fs marks them without checking either); so may bitmaps on a
 * read-only mount, which never reads them: generated read-only images
 * (RO_COMPAT_SHARED_BLOCKS) point every group at one shared bitmap. */
static bool may_share(const struct zone *a, const struct zone *b, bool ro)
{
	return (a->kind == ZONE_SUPER && b->kind == ZONE_SUPER) ||
	       (ro && is_bitmap(a) && is_bitmap(b));
}

/* Any other overlap that involves a bitmap or an inode table is
 * corruption. One sweep over the zones sorted by start, remembering the
 * zone reaching furthest so far. */
static const struct zone *find_overlap(const struct f4_sysmap *s, bool ro,
				       const struct zone **with)
{
	const struct zone *reach = NULL;
	size_t i;

	for (i = 0; i < s->n; i++) {
		const struct zone *z = &s->z[i];

		if (reach && z->start < reach->end && !may_share(z, reach, ro)) {
			*with = reach;
			return z;
		}
		if (!reach || z->end > reach->end)
			reach = z;
	}
	return NULL;
}

/* The journal's blocks, if its inode maps cleanly (else they are left
 * out: the journal is not ours to use anyway). */
static int add_journal(struct f4_fs *f4, struct f4_sysmap *s)
{
	ext2_filsys fs = f4->fs;
	struct ext2_inode_large ji;
	struct f4_map_file mf = { .fs = fs, .ino = fs->super->s_journal_inum,
				  .inode = &ji };
	struct f4_map_rec recs[16];
	uint64_t pos = 0, size, budget;
	unsigned n, i;

	if (!ext2fs_has_feature_journal(fs->super) || !mf.ino ||
	    mf.ino > fs->super->s_inodes_count ||
	    ext2fs_read_inode_full(fs, mf.ino, (struct ext2_inode *)&ji, sizeof(ji)))
		return 0;
	size = EXT2_I_SIZE(&ji);
	budget = f4_iomap_owned_blocks(&mf);
	while (pos < size && budget) {
		if (f4_iomap_map(&mf, pos, size - pos, recs, 16, &n) || !n)
			return 0;
		for (i = 0; i < n; i++) {
			uint64_t len = recs[i].len >> f4->blockbits;

			if (recs[i].type == F4_MAP_HOLE)
				continue;
			if (len > budget)
				return 0;
			budget -= len;
			if (zone_add(s, recs[i].addr >> f4->blockbits, len,
				     ZONE_JOURNAL, 0))
				return -ENOMEM;
		}
		if (recs[n - 1].off + recs[n - 1].len <= pos)
			return 0;
		pos = recs[n - 1].off + recs[n - 1].len;
	}
	return 0;
}

static void merge(struct f4_sysmap *s)
{
	size_t i, out = 0;

	qsort(s->z, s->n, sizeof(*s->z), cmp_zone);
	for (i = 0; i < s->n; i++) {
		if (out && s->z[i].start <= s->z[out - 1].end) {
			if (s->z[i].end > s->z[out - 1].end)
				s->z[out - 1].end = s->z[i].end;
		} else {
			s->z[out++] = s->z[i];
		}
	}
	s->n = out;
}

static int check_groups(struct f4_fs *f4, struct f4_sysmap *s, char *msg,
			size_t len)
{
	ext2_filsys fs = f4->fs;
	const struct zone *z, *with = NULL;
	const char *bad = NULL;
	dgrp_t g;
	int ret = 0;

	for (g = 0; !ret && g < fs->group_desc_count; g++)
		ret = add_super(fs, s, g);
	for (g = 0; !ret && g < fs->group_desc_count; g++) {
		ret = add_group(fs, s, g, &bad);
		if (ret == -EUCLEAN) {
			snprintf(msg, len, "cannot mount %s: corrupt group descriptors: a bitmap or the inode table of group %u %s; run e2fsck",
				 f4->dev.path, g, bad);
			return ret;
		}
	}
	if (ret)
		return ret;
	qsort(s->z, s->n, sizeof(*s->z), cmp_zone);
	/* -o noblock_validity (read-only only): no overlap check, as the
	 * kernel's option of that name. */
	if (!f4->rw && f4->noblock_validity)
		return 0;
	z = find_overlap(s, !f4->rw, &with);
	if (!z)
		return 0;
	if (z->kind == ZONE_SUPER)	/* name the bitmap or table */
		z = with;
	snprintf(msg, len, "cannot mount %s: corrupt group descriptors: the %s of group %u at block %llu overlaps other metadata; run e2fsck%s",
		 f4->dev.path, kind_name[z->kind], z->group,
		 (unsigned long long)z->start,
		 f4->rw ? "" : " (or mount with -o ro,noblock_validity if the image is made so)");
	return -EUCLEAN;
}

int f4_sysmap_build(struct f4_fs *f4, char *msg, size_t len)
{
	struct f4_sysmap *s = calloc(1, sizeof(*s));
	int ret = s ? check_groups(f4, s, msg, len) : -ENOMEM;

	if (!ret)
		ret = add_journal(f4, s);
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(msg, len, "out of memory");
		f4_sysmap_free(s);
		return ret;
	}
	merge(s);
	f4->sysmap = s;
	return 0;
}

void f4_sysmap_free(struct f4_sysmap *s)
{
	if (s)
		free(s->z);
	free(s);
}

bool f4_fs_is_meta(const struct f4_fs *f4, uint64_t blk, uint64_t n)
{
	const struct f4_sysmap *s = f4->sysmap;
	size_t lo = 0, hi;

	if (!s || !n)
		return false;
	/* The first zone ending after blk; overlap if it starts before
	 * the end of ours. */
	hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->z[mid].end <= blk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < s->n && s->z[lo].start < blk + n;
}

bool f4_fs_meta_hook(const void *ctx, uint64_t blk, uint64_t n)
{
	return f4_fs_is_meta(ctx, blk, n);
}
