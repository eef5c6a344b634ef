/* Owns orphans and inode release (see orphan.h). The list is ext4's
 * classic one: s_last_orphan is the head, each orphan's i_dtime holds the
 * next inode number. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "iomap/mapping.h"
#include "src/fs/alloc.h"
#include "src/fs/errors.h"
#include "src/inode/inode.h"
#include "src/base/log.h"
#include "src/ns/orphan.h"
#include "src/file/truncate.h"
#include "src/xattr/xattr.h"

void f4_orphan_add(struct f4_fs *f4, ext2_ino_t ino,
		   struct ext2_inode_large *inode)
{
	inode->i_dtime = f4->fs->super->s_last_orphan;
	f4->fs->super->s_last_orphan = ino;
	ext2fs_mark_super_dirty(f4->fs);
}

static bool on_list(const struct f4_fs *f4, ext2_ino_t next)
{
	return next != 0 && next <= f4->fs->super->s_inodes_count;
}

/* Unlink ino from the list; a chain longer than the inode count or
 * pointing outside the table is corruption. */
static int orphan_remove(struct f4_fs *f4, ext2_ino_t ino, uint32_t next)
{
	struct ext2_super_block *sb = f4->fs->super;
	ext2_ino_t cur = sb->s_last_orphan;
	uint32_t steps;
	int ret;

	if (cur == ino) {
		sb->s_last_orphan = next;
		ext2fs_mark_super_dirty(f4->fs);
		return 0;
	}
	for (steps = 0; on_list(f4, cur) && steps < sb->s_inodes_count; steps++) {
		struct ext2_inode_large prev;

		ret = f4_inode_read(f4, cur, &prev);
		if (ret)
			return ret;
		if (prev.i_dtime == ino) {
			prev.i_dtime = next;
			return f4_inode_write(f4, cur, &prev);
		}
		cur = prev.i_dtime;
	}
	return 0;	/* not on the list: nothing to do */
}

static bool owns_blocks(const struct f4_fs *f4, const struct ext2_inode_large *inode)
{
	uint64_t ea = ext2fs_file_acl_block(f4->fs, (struct ext2_inode *)inode) ?
			      EXT2_CLUSTER_SIZE(f4->fs->super) >> 9 : 0;

	if (inode->i_flags & EXT4_INLINE_DATA_FL)
		return false;
	if (S_ISREG(inode->i_mode) || S_ISDIR(inode->i_mode))
		return true;
	/* Fast symlinks and device numbers live in i_block: not blocks. */
	return S_ISLNK(inode->i_mode) &&
	       ext2fs_get_stat_i_blocks(f4->fs, (struct ext2_inode *)inode) > ea;
}

static int free_contents(struct f4_fs *f4, ext2_ino_t ino,
			 struct ext2_inode_large *inode, uint64_t from_blk)
{
	if (!owns_blocks(f4, inode))
		return 0;
	/* A corrupt map (e.g. an orphan left in the image) is left for
	 * e2fsck rather than freeing what it names. */
	return f4_punch_blocks(f4, ino, inode, from_blk, ~0ULL, "release_blocks");
}

int f4_inode_release(struct f4_fs *f4, ext2_ino_t ino)
{
	struct ext2_inode_large inode;
	int ret = f4_inode_read(f4, ino, &inode);

	if (ret)
		return ret;
	if (inode.i_links_count)
		return 0;		/* linked again meanwhile: keep */
	ret = orphan_remove(f4, ino, inode.i_dtime);
	if (!ret)
		ret = free_contents(f4, ino, &inode, 0);
	if (!ret)
		ret = f4_xattr_release_locked(f4, ino);
	if (ret)
		return ret;
	ret = f4_inode_read(f4, ino, &inode);	/* punch and xattrs wrote it */
	if (ret)
		return ret;
	inode.i_dtime = (uint32_t)f4_time_now().tv_sec;
	ret = f4_inode_write(f4, ino, &inode);
	if (!ret)
		f4_free_inode(f4, ino, S_ISDIR(inode.i_mode));
	return ret;
}

/* An orphan that still has links was being truncated: finish that. */
static int finish_truncate(struct f4_fs *f4, ext2_ino_t ino,
			   struct ext2_inode_large *inode)
{
	uint64_t keep = (EXT2_I_SIZE(inode) + f4->blocksize - 1) >> f4->blockbits;
	int ret = free_contents(f4, ino, inode, keep);

	/* The punch left the map in *inode (an indirect map's pointers
	 * exist nowhere else): write that copy, as truncate does. */
	if (!ret) {
		inode->i_dtime = 0;
		ret = f4_inode_write(f4, ino, inode);
	}
	return ret;
}

int f4_orphan_cleanup(struct f4_fs *f4)
{
	struct ext2_super_block *sb = f4->fs->super;
	uint32_t steps, done = 0;
	int ret = 0;

	for (steps = 0; on_list(f4, sb->s_last_orphan) && steps < sb->s_inodes_count;
	     steps++) {
		ext2_ino_t ino = sb->s_last_orphan;
		struct ext2_inode_large inode;

		if (!f4_inode_nameable(f4, ino) ||
		    !ext2fs_test_inode_bitmap2(f4->fs->inode_map, ino)) {
			ret = f4_fs_corrupt(f4, ino, 0, "orphan_cleanup",
					    "orphan list names a free or reserved inode");
			break;
		}
		ret = f4_inode_read(f4, ino, &inode);
		if (ret)
			break;
		sb->s_last_orphan = inode.i_dtime;
		ext2fs_mark_super_dirty(f4->fs);
		ret = inode.i_links_count ? finish_truncate(f4, ino, &inode) :
					    f4_inode_release(f4, ino);
		if (ret)
			break;
		done++;
	}
	if (!ret && on_list(f4, sb->s_last_orphan))
		ret = f4_fs_corrupt(f4, sb->s_last_orphan, 0, "orphan_cleanup",
				    "orphan list loops");
	if (ret) {
		/* Leave the rest for e2fsck rather than guess. */
		sb->s_last_orphan = 0;
		ext2fs_mark_super_dirty(f4->fs);
	}
	if (done)
		f4_info("processed %u orphan inode%s left by an earlier crash",
			done, done == 1 ? "" : "s");
	return ret;
}
