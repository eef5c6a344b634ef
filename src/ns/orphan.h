/* Owns the lifetime end of inodes: the on-disk orphan list (inodes whose
 * last name is gone while the kernel still holds them open or looked up,
 * so a crash does not leak them), freeing an inode's blocks, xattrs and
 * number, and processing a list left behind by a crash at mount. Caller
 * holds the big lock on a writable mount. */
#ifndef F4_NS_ORPHAN_H
#define F4_NS_ORPHAN_H

#include <ext2fs/ext2fs.h>

#include "src/fs/fs.h"

/* Put ino on the orphan list (the caller writes the inode afterwards). */
void f4_orphan_add(struct f4_fs *f4, ext2_ino_t ino,
		   struct ext2_inode_large *inode);

/* Free an inode whose link count is 0: its blocks, xattrs and number;
 * takes it off the orphan list first if it is on it. */
int f4_inode_release(struct f4_fs *f4, ext2_ino_t ino);

/* Finish what a crash interrupted: free or truncate every inode on the
 * orphan list, then empty it. */
int f4_orphan_cleanup(struct f4_fs *f4);

#endif
