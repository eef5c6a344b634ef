/* Owns the in-memory metadata of a transaction (see jmeta.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iomap/errcode.h"
#include "src/journal/jmeta.h"

static int cmp_itab(const void *a, const void *b)
{
	uint64_t x = ((const struct f4_itab *)a)->start;
	uint64_t y = ((const struct f4_itab *)b)->start;

	return x < y ? -1 : x > y;
}

int f4_jmeta_init(struct f4_jmeta *m, ext2_filsys fs)
{
	dgrp_t g;

	memset(m, 0, sizeof(*m));
	m->ngroups = fs->group_desc_count;
	m->dirty = calloc((m->ngroups + 7) / 8, 1);
	m->itab = calloc(m->ngroups, sizeof(*m->itab));
	m->desc_bytes = (size_t)fs->desc_blocks * fs->blocksize;
	m->desc_snap = malloc(m->desc_bytes);
	m->buf = malloc(fs->blocksize);
	if (!m->dirty || !m->itab || !m->desc_snap || !m->buf) {
		f4_jmeta_free(m);
		return -ENOMEM;
	}
	for (g = 0; g < m->ngroups; g++)
		m->itab[g] = (struct f4_itab){ ext2fs_inode_table_loc(fs, g), g };
	qsort(m->itab, m->ngroups, sizeof(*m->itab), cmp_itab);
	m->itab_blocks = fs->inode_blocks_per_group;
	memcpy(m->desc_snap, fs->group_desc, m->desc_bytes);
	m->sb_snap = *fs->super;
	return 0;
}

void f4_jmeta_free(struct f4_jmeta *m)
{
	free(m->dirty);
	free(m->itab);
	free(m->desc_snap);
	free(m->buf);
	memset(m, 0, sizeof(*m));
}

static void mark(struct f4_jmeta *m, dgrp_t g)
{
	uint8_t bit = (uint8_t)(1u << (g % 8));

	if (g < m->ngroups && !(m->dirty[g / 8] & bit)) {
		m->dirty[g / 8] |= bit;
		m->ndirty++;
	}
}

static bool is_dirty(const struct f4_jmeta *m, dgrp_t g)
{
	return m->dirty[g / 8] & (1u << (g % 8));
}

void f4_jmeta_blocks_changed(struct f4_jmeta *m, ext2_filsys fs,
			     uint64_t blk, uint64_t n)
{
	dgrp_t g, last;

	if (!n || blk >= ext2fs_blocks_count(fs->super))
		return;
	g = ext2fs_group_of_blk2(fs, blk);
	last = ext2fs_group_of_blk2(fs, blk + n - 1);
	for (; g <= last && g < m->ngroups; g++)
		mark(m, g);
}

void f4_jmeta_block_written(struct f4_jmeta *m, uint64_t blk)
{
	size_t lo = 0, hi = m->ngroups;

	/* The last table starting at or before blk. */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->itab[mid].start <= blk)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo && blk - m->itab[lo - 1].start < m->itab_blocks)
		mark(m, m->itab[lo - 1].g);
}

/* Groups whose descriptor changed since the last commit. */
static void mark_changed_descs(struct f4_jmeta *m, ext2_filsys fs)
{
	size_t dsz = EXT2_DESC_SIZE(fs->super);
	const char *now = (const char *)fs->group_desc, *then = m->desc_snap;
	dgrp_t g;

	for (g = 0; g < m->ngroups; g++)
		if (memcmp(now + (size_t)g * dsz, then + (size_t)g * dsz, dsz))
			mark(m, g);
}

static int write_blk(ext2_filsys fs, uint64_t blk, const void *data)
{
	return f4_errcode_to_errno(io_channel_write_blk64(fs->io, blk, 1, data));
}

/* Clear the pending frees that fall in [first, first + nbits) clusters
 * of buf (bit i = cluster first + i). */
static void clear_frees(ext2_filsys fs, uint8_t *buf, uint64_t first,
			uint64_t nbits, const struct f4_jfree *f, size_t nf)
{
	size_t i;

	for (i = 0; i < nf; i++) {
		uint64_t a = EXT2FS_B2C(fs, f[i].blk);
		uint64_t b = EXT2FS_B2C(fs, f[i].blk + f[i].n - 1) + 1, c;

		if (b <= first || a >= first + nbits)
			continue;
		for (c = a < first ? first : a; c < b && c < first + nbits; c++)
			ext2fs_clear_bit64(c - first, buf);
	}
}

static int write_block_bitmap(struct f4_jmeta *m, ext2_filsys fs, dgrp_t g,
			      const struct f4_jfree *f, size_t nf)
{
	uint32_t nbytes = EXT2_CLUSTERS_PER_GROUP(fs->super) / 8;
	uint64_t first = EXT2FS_B2C(fs, fs->super->s_first_data_block) +
			 (uint64_t)g * (nbytes << 3);
	uint64_t blk = ext2fs_block_bitmap_loc(fs, g), nbits, j;
	errcode_t err;

	if (ext2fs_has_group_desc_csum(fs) &&
	    ext2fs_bg_flags_test(fs, g, EXT2_BG_BLOCK_UNINIT))
		return 0;
	memset(m->buf, 0xff, fs->blocksize);
	err = ext2fs_get_block_bitmap_range2(fs->block_map, first, nbytes << 3,
					     m->buf);
	if (err)
		return f4_errcode_to_errno(err);
	clear_frees(fs, m->buf, first, nbytes << 3, f, nf);
	if (g == fs->group_desc_count - 1) {	/* pad the last group */
		nbits = EXT2FS_NUM_B2C(fs, (ext2fs_blocks_count(fs->super) -
					    fs->super->s_first_data_block) %
					   EXT2_BLOCKS_PER_GROUP(fs->super));
		for (j = nbits; nbits && j < (uint64_t)fs->blocksize * 8; j++)
			ext2fs_set_bit64(j, m->buf);
	}
	err = ext2fs_block_bitmap_csum_set(fs, g, (char *)m->buf, (int)nbytes);
	if (err)
		return f4_errcode_to_errno(err);
	return blk && blk < ext2fs_blocks_count(fs->super) ?
	       write_blk(fs, blk, m->buf) : 0;
}

static int write_inode_bitmap(struct f4_jmeta *m, ext2_filsys fs, dgrp_t g)
{
	uint32_t nbytes = EXT2_INODES_PER_GROUP(fs->super) / 8;
	uint64_t first = 1 + (uint64_t)g * (nbytes << 3);
	uint64_t blk = ext2fs_inode_bitmap_loc(fs, g);
	errcode_t err;

	if (ext2fs_has_group_desc_csum(fs) &&
	    ext2fs_bg_flags_test(fs, g, EXT2_BG_INODE_UNINIT))
		return 0;
	memset(m->buf, 0xff, fs->blocksize);
	err = ext2fs_get_inode_bitmap_range2(fs->inode_map, first, nbytes << 3,
					     m->buf);
	if (!err)
		err = ext2fs_inode_bitmap_csum_set(fs, g, (char *)m->buf, (int)nbytes);
	if (err)
		return f4_errcode_to_errno(err);
	return blk && blk < ext2fs_blocks_count(fs->super) ?
	       write_blk(fs, blk, m->buf) : 0;
}

/* The descriptor blocks holding dirty groups. */
static int write_descs(struct f4_jmeta *m, ext2_filsys fs)
{
	dgrp_t per = EXT2_DESC_PER_BLOCK(fs->super), i;
	int ret = 0;

	for (i = 0; !ret && i < fs->desc_blocks; i++) {
		dgrp_t g, end = (i + 1) * per < m->ngroups ? (i + 1) * per : m->ngroups;
		bool any = false;

		for (g = i * per; g < end && !any; g++)
			any = is_dirty(m, g);
		if (any)
			ret = write_blk(fs, ext2fs_descriptor_block_loc2(fs,
					fs->super->s_first_data_block, i),
					(const char *)fs->group_desc +
					(size_t)i * fs->blocksize);
	}
	return ret;
}

/* The primary superblock, inside the block that holds it. */
static int write_super(struct f4_jmeta *m, ext2_filsys fs)
{
	uint64_t blk = fs->blocksize == 1024 ? 1 : 0;
	size_t at = fs->blocksize == 1024 ? 0 : SUPERBLOCK_OFFSET;
	struct ext2_super_block sb = *fs->super;
	errcode_t err;

	if (!memcmp(&sb, &m->sb_snap, sizeof(sb)))
		return 0;
	err = io_channel_read_blk64(fs->io, blk, 1, m->buf);
	if (err)
		return f4_errcode_to_errno(err);
	sb.s_block_group_nr = 0;
	ext2fs_superblock_csum_set(fs, &sb);
	memcpy(m->buf + at, &sb, SUPERBLOCK_SIZE);
	m->sb_snap = *fs->super;
	return write_blk(fs, blk, m->buf);
}

int f4_jmeta_flush(struct f4_jmeta *m, ext2_filsys fs,
		   const struct f4_jfree *frees, size_t nfrees)
{
	dgrp_t g;
	int ret = 0;

	mark_changed_descs(m, fs);
	for (g = 0; !ret && g < m->ngroups; g++) {
		if (!is_dirty(m, g))
			continue;
		ret = write_block_bitmap(m, fs, g, frees, nfrees);
		if (!ret)
			ret = write_inode_bitmap(m, fs, g);
		if (!ret)
			ext2fs_group_desc_csum_set(fs, g);
	}
	if (!ret)
		ret = write_descs(m, fs);
	if (!ret)
		ret = write_super(m, fs);
	if (ret)
		return ret;
	memcpy(m->desc_snap, fs->group_desc, m->desc_bytes);
	memset(m->dirty, 0, (m->ngroups + 7) / 8);
	m->ndirty = 0;
	return 0;
}
