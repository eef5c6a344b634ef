/* Owns changes to a file's block mapping on the write path: mapping
 * freshly allocated blocks into a hole, and converting unwritten extents
 * to written once their data is on disk. The caller holds the big lock,
 * owns the in-core inode (updated in place: i_block, i_blocks) and writes
 * it afterwards. Tree blocks these functions need come from libext2fs's
 * allocator (the caller's bitmaps). */
#ifndef F4_IOMAP_EDIT_H
#define F4_IOMAP_EDIT_H

#include <stdint.h>
#include <ext2fs/ext2fs.h>

/* Map n blocks starting at pblk into [lblk, lblk + n), which must be a
 * hole; merges with a physically contiguous written extent before it.
 * Returns 0 or -errno (-ENOSPC when a tree block cannot be allocated,
 * -EUCLEAN for a malformed map). */
int f4_iomap_insert(ext2_filsys fs, ext2_ino_t ino,
		    struct ext2_inode_large *inode, uint64_t lblk,
		    uint64_t pblk, uint64_t n);

/* The same for preallocation: the blocks are mapped unwritten (they read
 * as zeros until written). Extent-mapped files only. */
int f4_iomap_insert_unwritten(ext2_filsys fs, ext2_ino_t ino,
			      struct ext2_inode_large *inode, uint64_t lblk,
			      uint64_t pblk, uint64_t n);

/* Mark [lblk, lblk + n) written; parts already written or holes are left
 * alone. Extent-mapped files only. */
int f4_iomap_convert(ext2_filsys fs, ext2_ino_t ino,
		     struct ext2_inode_large *inode, uint64_t lblk, uint64_t n);

/* Free logical blocks [first, last] (inclusive; last may be ~0ULL) of a
 * file, with the mapping blocks that become empty, and take them off
 * i_blocks. -EUCLEAN for a malformed map (check it first with
 * f4_iomap_check: this frees what the map names). */
int f4_iomap_punch(ext2_filsys fs, ext2_ino_t ino,
		   struct ext2_inode_large *inode, uint64_t first, uint64_t last);

#endif
