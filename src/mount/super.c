/* Owns the checks of the raw superblock before libext2fs sizes anything
 * from it (geometry, features, journal state), and of the settings a
 * read-write mount depends on. */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "src/base/log.h"
#include "src/fs/errors.h"
#include "src/mount/features.h"
#include "src/mount/super.h"

/* Group 0 must hold the superblock, the descriptors and the reserved
 * GDT blocks (libext2fs marks them in bitmaps sized by the block count,
 * complaining on stderr when they do not fit). blocks > first data
 * block; without meta_bg, where the descriptors follow the superblock. */
static bool too_small(const struct ext2_super_block *sb, uint64_t blocks)
{
	uint64_t bpg = sb->s_blocks_per_group, groups, per, need;
	unsigned dsz = 32;

	if (!bpg || (sb->s_feature_incompat & EXT2_FEATURE_INCOMPAT_META_BG))
		return false;	/* libext2fs refuses, or another layout */
	if ((sb->s_feature_incompat & EXT4_FEATURE_INCOMPAT_64BIT) &&
	    sb->s_desc_size >= 32)
		dsz = sb->s_desc_size;
	per = ((uint64_t)EXT2_MIN_BLOCK_SIZE << sb->s_log_block_size) / dsz;
	if (!per)
		return false;	/* libext2fs refuses the descriptor size */
	groups = (blocks - sb->s_first_data_block + bpg - 1) / bpg;
	need = (uint64_t)sb->s_first_data_block + 1 + (groups + per - 1) / per +
	       sb->s_reserved_gdt_blocks;
	return need > blocks;
}

/* As the kernel: a block size out of range, a first inode below 11, a
 * first data block other than mke2fs's, or a filesystem larger than its
 * device, is refused before libext2fs sizes anything from the superblock
 * (it would read, and a rw mount write, past the end). */
static int check_geometry(struct f4_fs *f4, const struct ext2_super_block *sb,
			  char *msg, size_t len)
{
	uint64_t blocks = sb->s_blocks_count;

	if (sb->s_log_block_size > EXT2_MAX_BLOCK_LOG_SIZE - EXT2_MIN_BLOCK_LOG_SIZE) {
		snprintf(msg, len, "cannot mount %s: bad block size (log %u)",
			 f4->dev.path, sb->s_log_block_size);
		return -1;
	}
	/* ext4 refuses this too; libext2fs would allocate inode 0 (its
	 * search for a free inode starts at s_first_ino). */
	if (sb->s_rev_level >= EXT2_DYNAMIC_REV &&
	    sb->s_first_ino < EXT2_GOOD_OLD_FIRST_INO) {
		snprintf(msg, len, "cannot mount %s: invalid first inode %u",
			 f4->dev.path, sb->s_first_ino);
		return -1;
	}
	/* Block 1 with 1 KiB blocks (the superblock fills block 1), else 0
	 * (as e2fsck wants it; libext2fs sizes its bitmaps from it). */
	if (sb->s_first_data_block !=
	    (sb->s_log_block_size == 0 &&
	     !(sb->s_feature_ro_compat & EXT4_FEATURE_RO_COMPAT_BIGALLOC) ? 1u : 0u)) {
		snprintf(msg, len, "cannot mount %s: bad geometry: first data block %u",
			 f4->dev.path, sb->s_first_data_block);
		return -1;
	}
	if (sb->s_feature_incompat & EXT4_FEATURE_INCOMPAT_64BIT)
		blocks |= (uint64_t)sb->s_blocks_count_hi << 32;
	if (blocks <= sb->s_first_data_block || too_small(sb, blocks)) {
		snprintf(msg, len, "cannot mount %s: bad geometry: %llu blocks cannot hold the superblock and group descriptors",
			 f4->dev.path, (unsigned long long)blocks);
		return -1;
	}
	if (blocks > f4->dev.size >> (EXT2_MIN_BLOCK_LOG_SIZE + sb->s_log_block_size)) {
		snprintf(msg, len, "cannot mount %s: bad geometry: %llu blocks of %u bytes do not fit in %llu bytes",
			 f4->dev.path, (unsigned long long)blocks,
			 EXT2_MIN_BLOCK_SIZE << sb->s_log_block_size,
			 (unsigned long long)f4->dev.size);
		return -1;
	}
	return 0;
}

/* Read the primary superblock ourselves, so that a non-ext image and
 * unsupported features get a precise message before libext2fs runs. */
int f4_super_precheck(struct f4_fs *f4, const struct f4_conf *conf,
		      bool *rw, bool *replay, char *msg, size_t len)
{
	struct ext2_super_block sb;
	char why[256];

	if (f4_dev_pread(&f4->dev, &sb, sizeof(sb), SUPERBLOCK_OFFSET) ||
	    ext2fs_le16_to_cpu(sb.s_magic) != EXT2_SUPER_MAGIC) {
		snprintf(msg, len, "%s does not contain an ext2/ext3/ext4 filesystem%s",
			 f4->dev.path, conf->offset ? " at that offset" : "");
		return -EINVAL;
	}
#ifdef WORDS_BIGENDIAN
	ext2fs_swap_super(&sb);
#endif
	if (sb.s_feature_incompat & EXT3_FEATURE_INCOMPAT_JOURNAL_DEV) {
		snprintf(msg, len, "%s is an external journal device, not a filesystem",
			 f4->dev.path);
		return -EINVAL;
	}
	if (check_geometry(f4, &sb, msg, len))
		return -EUCLEAN;
	switch (f4_features_check(&sb, *rw, why, sizeof(why))) {
	case F4_FEATURES_REFUSE:
		snprintf(msg, len, "cannot mount %s: %s", f4->dev.path, why);
		return -EOPNOTSUPP;
	case F4_FEATURES_READ_ONLY:
		f4_warn("%s: %s", f4->dev.path, why);
		*rw = false;
		break;
	case F4_FEATURES_OK:
		break;
	}
	if ((sb.s_feature_incompat & EXT3_FEATURE_INCOMPAT_RECOVER) &&
	    (sb.s_feature_compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL) && replay) {
		if (conf->norecovery && *rw) {
			snprintf(msg, len, "%s: -o norecovery needs -o ro (the journal needs recovery)",
				 f4->dev.path);
			return -EINVAL;
		}
		*replay = !conf->norecovery;
	}
	return 0;
}

/* libext2fs 1.47.0 gives an inode without extra fields
 * s_want_extra_isize bytes of them when it writes its xattrs, with a
 * memset of that many bytes into the inode buffer, unchecked: a hostile
 * value overflows the heap. e2fsck calls such a value corrupt (ext4
 * clamps it); refuse to write with it. */
int f4_super_check_extra_isize(struct f4_fs *f4, char *msg, size_t len)
{
	const struct ext2_super_block *sb = f4->fs->super;
	unsigned room = EXT2_INODE_SIZE(sb) > EXT2_GOOD_OLD_INODE_SIZE ?
			EXT2_INODE_SIZE(sb) - EXT2_GOOD_OLD_INODE_SIZE : 0;

	if (sb->s_want_extra_isize <= room && !(sb->s_want_extra_isize & 3) &&
	    sb->s_min_extra_isize <= room && !(sb->s_min_extra_isize & 3))
		return 0;
	snprintf(msg, len, "cannot mount %s read-write: invalid extra inode size (want %u, min %u, room %u); run e2fsck (or mount read-only)",
		 f4->dev.path, sb->s_want_extra_isize, sb->s_min_extra_isize, room);
	return -1;
}
