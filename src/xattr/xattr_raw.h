/* Owns reading ext4's xattr entry tables (in the inode body and in the
 * xattr block) directly, for what libext2fs's xattr API does not tell:
 * whether a value is kept in an EA inode, how many blocks such values
 * charge to the inode that refers to them, and whether the xattr block
 * still holds anything. Bounds-checked: the
 * tables may be hostile. Also the reference counts of EA inodes, which
 * libext2fs's API does not let us adjust. Caller holds the big lock. */
#ifndef F4_XATTR_XATTR_RAW_H
#define F4_XATTR_XATTR_RAW_H

#include <stdbool.h>
#include <stdint.h>
#include <ext2fs/ext2fs.h>

#include "src/fs/fs.h"

struct f4_xattr_raw {
	/* In: the attribute to look for (index < 0: none). */
	int index;
	const char *suffix;
	/* Out: its EA inode (0: stored in place, or no such attribute). */
	ext2_ino_t inum;
	/* Out: ext4 charges every value kept in an EA inode to the inode
	 * referring to it, in whole clusters (i_blocks and quota): the sum,
	 * in filesystem blocks. */
	uint64_t ea_blocks;
	/* Out: the xattr block (0: none), how many entries it holds and how
	 * many inodes share it. */
	blk64_t block;
	unsigned block_entries;
	uint32_t block_refcount;
	/* In: collect the EA inodes values refer to (the caller frees
	 * inums): the first n_body from the inode body, then n_block from
	 * the block. */
	bool want_inums;
	ext2_ino_t *inums;
	unsigned n_body, n_block;
};

int f4_xattr_raw_scan(struct f4_fs *f4, ext2_ino_t ino, struct f4_xattr_raw *r);

/* Add delta (1 or -1) to the reference count of the EA inode inum, which
 * holds a value of owner's; the last reference frees it (its blocks
 * after a check of its map). A number that is not an EA inode in use is
 * corruption. */
int f4_xattr_ea_ref(struct f4_fs *f4, ext2_ino_t owner, ext2_ino_t inum,
		    int delta);

/* libext2fs frees an EA inode's blocks with ext2fs_punch, unchecked,
 * when it drops the last reference: check the map of inum first. */
int f4_xattr_ea_check(struct f4_fs *f4, ext2_ino_t owner, ext2_ino_t inum);

#endif
