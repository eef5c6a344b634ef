/* Owns name lookup in a directory: the htree index where the directory
 * has one (falling back to a linear scan if the index is damaged), inline
 * directories, and linear directories. Caller holds the lock. */
#ifndef F4_DIR_NAMEI_H
#define F4_DIR_NAMEI_H

#include <stddef.h>
#include <stdint.h>
#include <ext2fs/ext2fs.h>

#include "src/fs/fs.h"

/* 0 with *ino set, -ENOENT, -ENOTDIR, -ENAMETOOLONG, -EUCLEAN, -EIO. */
int f4_namei(struct f4_fs *f4, ext2_ino_t dir,
	     const struct ext2_inode_large *dinode, const char *name,
	     size_t len, ext2_ino_t *ino);

/* The same, also saying which directory block holds the entry (0 for
 * inline directories). */
int f4_namei_at(struct f4_fs *f4, ext2_ino_t dir,
		const struct ext2_inode_large *dinode, const char *name,
		size_t len, ext2_ino_t *ino, uint64_t *lblk);

#endif
