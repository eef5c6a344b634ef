/* Owns block-map <-> extent conversion (see migrate.h): the policy; the
 * mapping changes themselves are iomap/migrate.c's. */
#include "config.h"

#include <errno.h>

#include "iomap/migrate.h"
#include "src/fs/alloc.h"
#include "src/fs/errors.h"
#include "src/inode/inode.h"
#include "src/inode/migrate.h"

static int convert(struct f4_fs *f4, ext2_ino_t ino,
		   struct ext2_inode_large *inode, const struct f4_iomap_runs *r)
{
	struct ext2_inode_large saved = *inode;
	size_t i;
	int ret = f4_alloc_check(f4, NULL, f4_iomap_tree_blocks(f4->fs, r->n));

	if (!ret)
		ret = f4_iomap_build_extents(f4->fs, ino, inode, r);
	if (ret == -EUCLEAN)
		ret = f4_fs_corrupt(f4, ino, 0, "migrate", "extent tree");
	if (ret) {
		/* Back to the block map, which was never touched. */
		*inode = saved;
		f4_inode_write(f4, ino, inode);
		return ret;
	}
	for (i = 0; i < r->nmeta; i++)
		f4_free_blocks(f4, r->meta[i], 1);
	ext2fs_iblk_sub_blocks(f4->fs, (struct ext2_inode *)inode, r->nmeta);
	return f4_inode_write(f4, ino, inode);
}

int f4_migrate_to_extents(struct f4_fs *f4, ext2_ino_t ino,
			  struct ext2_inode_large *inode)
{
	struct f4_iomap_runs r;
	int ret;

	if (!ext2fs_has_feature_extents(f4->fs->super) ||
	    (inode->i_flags & (EXT4_EXTENTS_FL | EXT4_INLINE_DATA_FL)))
		return -EINVAL;
	ret = f4_iomap_blockmap_runs(f4->fs, ino, &r);
	if (ret == -EUCLEAN)
		ret = f4_fs_corrupt(f4, ino, 0, "migrate",
				    "block map names a block outside the filesystem");
	else if (!ret)
		ret = convert(f4, ino, inode, &r);
	f4_iomap_runs_free(&r);
	return ret;
}

int f4_migrate_to_blockmap(struct f4_fs *f4, ext2_ino_t ino,
			   struct ext2_inode_large *inode)
{
	const char *what = NULL;
	int ret;

	if (!ext2fs_has_feature_extents(f4->fs->super) ||
	    !(inode->i_flags & EXT4_EXTENTS_FL))
		return -EINVAL;
	if (ext2fs_has_feature_bigalloc(f4->fs->super) ||
	    ext2fs_blocks_count(f4->fs->super) > UINT32_MAX)
		return -EOPNOTSUPP;
	ret = f4_iomap_extents_to_blockmap(inode, &what);
	if (ret == -EUCLEAN)
		return f4_fs_corrupt(f4, ino, 0, "migrate", what);
	return ret ? ret : f4_inode_write(f4, ino, inode);
}
