/* Owns space accounting and allocation for writes: ext4's rules for who
 * may use the reserved blocks (so ENOSPC comes where the kernel's ext4
 * would give it), block allocation near a goal, freeing, and inode
 * allocation. Caller holds the big lock; a rw mount has its bitmaps. */
#ifndef F4_FS_ALLOC_H
#define F4_FS_ALLOC_H

#include <stdbool.h>
#include <stdint.h>
#include <ext2fs/ext2fs.h>

#include "src/fs/fs.h"
#include "src/fs/perm.h"

/* May cred allocate n more blocks? 0 or -ENOSPC. Root and the
 * superblock's resuid/resgid may dip into the reserved blocks; nobody
 * into ext4's 2% metadata reserve. */
int f4_alloc_check(struct f4_fs *f4, const struct f4_cred *cred, uint64_t n);

/* f4_alloc_check at the start of an operation, before it changed
 * anything: when only blocks freed by the running transaction would
 * make room, the transaction commits (they become free) and the check
 * runs again. */
int f4_alloc_check_start(struct f4_fs *f4, const struct f4_cred *cred,
			 uint64_t n);

/* How many blocks cred may still allocate (blocks freed by the running
 * transaction are not yet). */
uint64_t f4_alloc_avail(struct f4_fs *f4, const struct f4_cred *cred);

/* Allocate between 1 and n contiguous blocks, as near goal as possible.
 * 0 with pblk and got set, or -ENOSPC. */
int f4_alloc_blocks(struct f4_fs *f4, uint64_t goal, uint64_t n,
		    uint64_t *pblk, uint64_t *got);

void f4_free_blocks(struct f4_fs *f4, uint64_t pblk, uint64_t n);

/* The block goal for logical block lblk of an inode. */
uint64_t f4_alloc_goal(struct f4_fs *f4, ext2_ino_t ino,
		       struct ext2_inode_large *inode, uint64_t lblk);

/* Allocate an inode number for a new inode of mode in directory dir.
 * -ENOSPC when none is left. */
int f4_alloc_inode(struct f4_fs *f4, ext2_ino_t dir, uint16_t mode,
		   ext2_ino_t *ino);

/* Give an inode number back (the inode itself is already cleared). */
void f4_free_inode(struct f4_fs *f4, ext2_ino_t ino, bool is_dir);

#endif
