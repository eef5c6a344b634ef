/* Owns converting a file between block-map (indirect) and extent mapping,
 * what ext4 does when the extents flag is toggled with FS_IOC_SETFLAGS,
 * with ext4's limits and errors: EINVAL when the filesystem has no
 * extents feature or the inode already has the wanted form (or inline
 * data); EOPNOTSUPP for a conversion back that a block map cannot
 * express simply (more than one extent, an extent past the 12 direct
 * blocks or unwritten, a tree with index blocks, bigalloc, more than
 * 2^32 blocks). Data blocks never move.
 *
 * Caller holds the inode's io_lock exclusively and the big lock, has
 * checked f4_fs_writable() and written inode (whose in-core copy is
 * updated and written here). On failure the inode keeps its old
 * mapping. */
#ifndef F4_INODE_MIGRATE_H
#define F4_INODE_MIGRATE_H

#include "src/fs/fs.h"

int f4_migrate_to_extents(struct f4_fs *f4, ext2_ino_t ino,
			  struct ext2_inode_large *inode);

int f4_migrate_to_blockmap(struct f4_fs *f4, ext2_ino_t ino,
			   struct ext2_inode_large *inode);

#endif
