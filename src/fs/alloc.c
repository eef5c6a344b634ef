/* Owns allocation and ext4's reserved-space rules (see alloc.h). */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "src/fs/alloc.h"
#include "src/fs/errors.h"
#include "src/fs/idmap.h"

/* ext4 holds back 2% of the clusters (at most 4096) from everyone, for
 * metadata it may need later. */
static uint64_t metadata_reserve(ext2_filsys fs)
{
	uint64_t clusters;

	if (!ext2fs_has_feature_extents(fs->super))
		return 0;
	clusters = EXT2FS_B2C(fs, ext2fs_blocks_count(fs->super)) / 50;
	return EXT2FS_C2B(fs, clusters > 4096 ? 4096 : clusters);
}

/* resuid and resgid are on-disk ids; the caller's are the ids seen. */
static bool may_use_reserved(const struct f4_fs *f4, const struct f4_cred *cred)
{
	const struct ext2_super_block *sb = f4->fs->super;

	if (!cred || cred->uid == 0)
		return true;
	return cred->uid == f4_idmap_show(&f4->idmap.uid, sb->s_def_resuid) ||
	       (sb->s_def_resgid != 0 &&
		f4_cred_in_group(cred, f4_idmap_show(&f4->idmap.gid, sb->s_def_resgid)));
}

uint64_t f4_alloc_avail(struct f4_fs *f4, const struct f4_cred *cred)
{
	ext2_filsys fs = f4->fs;
	uint64_t free_blocks = ext2fs_free_blocks_count(fs->super);
	uint64_t keep = metadata_reserve(fs) + f4->frees_pending;

	if (!may_use_reserved(f4, cred))
		keep += ext2fs_r_blocks_count(fs->super);
	return free_blocks > keep ? free_blocks - keep : 0;
}

int f4_alloc_check(struct f4_fs *f4, const struct f4_cred *cred, uint64_t n)
{
	return n <= f4_alloc_avail(f4, cred) ? 0 : -ENOSPC;
}

int f4_alloc_check_start(struct f4_fs *f4, const struct f4_cred *cred,
			 uint64_t n)
{
	int ret = f4_alloc_check(f4, cred, n);

	/* As ext4 retries an allocation after forcing a commit. */
	if (ret && f4->frees_pending && f4->journal_commit &&
	    !f4_fs_in_handle() && f4->journal_commit(f4, false) == 0)
		ret = f4_alloc_check(f4, cred, n);
	return ret;
}

int f4_alloc_blocks(struct f4_fs *f4, uint64_t goal, uint64_t n,
		    uint64_t *pblk, uint64_t *got)
{
	ext2_filsys fs = f4->fs;
	blk64_t start = 0, len = 0;
	errcode_t err;

	if (goal < fs->super->s_first_data_block ||
	    goal >= ext2fs_blocks_count(fs->super))
		goal = fs->super->s_first_data_block;
	err = ext2fs_new_range(fs, 0, goal, n, NULL, &start, &len);
	if (err == EXT2_ET_BLOCK_ALLOC_FAIL && goal != fs->super->s_first_data_block)
		err = ext2fs_new_range(fs, 0, fs->super->s_first_data_block, n,
				       NULL, &start, &len);
	if (err)
		return err == EXT2_ET_BLOCK_ALLOC_FAIL ? -ENOSPC :
			     f4_fs_errcode(f4, 0, err, "alloc_blocks");
	if (len > n)
		len = n;
	ext2fs_block_alloc_stats_range(fs, start, len, +1);
	*pblk = start;
	*got = len;
	return 0;
}

void f4_free_blocks(struct f4_fs *f4, uint64_t pblk, uint64_t n)
{
	ext2fs_block_alloc_stats_range(f4->fs, pblk, n, -1);
}

uint64_t f4_alloc_goal(struct f4_fs *f4, ext2_ino_t ino,
		       struct ext2_inode_large *inode, uint64_t lblk)
{
	return ext2fs_find_inode_goal(f4->fs, ino, (struct ext2_inode *)inode,
				      lblk);
}

int f4_alloc_inode(struct f4_fs *f4, ext2_ino_t dir, uint16_t mode,
		   ext2_ino_t *ino)
{
	errcode_t err = ext2fs_new_inode(f4->fs, dir, mode, NULL, ino);

	if (err == EXT2_ET_INODE_ALLOC_FAIL)
		return -ENOSPC;
	if (err)
		return f4_fs_errcode(f4, dir, err, "alloc_inode");
	ext2fs_inode_alloc_stats2(f4->fs, *ino, +1, S_ISDIR(mode));
	return 0;
}

void f4_free_inode(struct f4_fs *f4, ext2_ino_t ino, bool is_dir)
{
	ext2fs_inode_alloc_stats2(f4->fs, ino, -1, is_dir);
}
