/* Owns statfs: capacity as the kernel's ext4 reports it (overhead and
 * reserved blocks left out). */
#include "config.h"

#include <string.h>

#include "src/fs/fs.h"

/* Blocks the kernel does not count as capacity: superblocks, descriptors,
 * bitmaps and inode tables of every group, and the internal journal. */
static uint64_t overhead_blocks(ext2_filsys fs)
{
	uint64_t total = 0;
	dgrp_t g;

	for (g = 0; g < fs->group_desc_count; g++) {
		blk64_t super = 0, old_desc = 0, new_desc = 0;
		blk_t used = 0;

		ext2fs_super_and_bgd_loc2(fs, g, &super, &old_desc, &new_desc,
					  &used);
		total += used;
	}
	total += (uint64_t)fs->group_desc_count *
		 (2 + fs->inode_blocks_per_group);
	total += fs->super->s_first_data_block;
	if (ext2fs_has_feature_journal(fs->super) && fs->super->s_journal_inum) {
		struct ext2_inode ji;

		if (!ext2fs_read_inode(fs, fs->super->s_journal_inum, &ji))
			total += EXT2_I_SIZE(&ji) / fs->blocksize;
	}
	return total;
}

/* ext4 keeps 2% of the blocks (at most 4096 clusters) back from every
 * user when the filesystem uses extents, for metadata it may need later
 * (splitting extents, converting unwritten ones). */
static uint64_t reserved_for_metadata(ext2_filsys fs)
{
	uint64_t clusters;

	if (!ext2fs_has_feature_extents(fs->super))
		return 0;
	clusters = EXT2FS_B2C(fs, ext2fs_blocks_count(fs->super)) / 50;
	if (clusters > 4096)
		clusters = 4096;
	return EXT2FS_C2B(fs, clusters);
}

int f4_fs_statfs(struct f4_fs *f4, struct f4_statfs *st)
{
	struct ext2_super_block *sb;
	uint64_t reserved, overhead;

	f4_fs_lock(f4);
	sb = f4->fs->super;
	if (!f4->overhead)
		f4->overhead = sb->s_overhead_clusters ?
			EXT2FS_C2B(f4->fs, (uint64_t)sb->s_overhead_clusters) :
			overhead_blocks(f4->fs);
	overhead = f4->overhead;
	st->bsize = f4->blocksize;
	st->blocks = ext2fs_blocks_count(sb);
	st->blocks = st->blocks > overhead ? st->blocks - overhead : 0;
	st->bfree = ext2fs_free_blocks_count(sb);
	reserved = ext2fs_r_blocks_count(sb) + reserved_for_metadata(f4->fs);
	st->bavail = st->bfree > reserved ? st->bfree - reserved : 0;
	st->files = sb->s_inodes_count;
	st->ffree = sb->s_free_inodes_count;
	st->namemax = EXT2_NAME_LEN;
	memcpy(&st->fsid, sb->s_uuid, sizeof(st->fsid));
	f4_fs_unlock(f4);
	return 0;
}
