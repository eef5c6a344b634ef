/* Owns inline data (inline_data feature): file bytes kept in the inode's
 * i_block (60 bytes) and its system.data xattr. Reads, writes that still
 * fit, truncation, and conversion to ordinary blocks when a file
 * outgrows the inode. Caller holds the big lock. */
#ifndef F4_FILE_INLINE_DATA_H
#define F4_FILE_INLINE_DATA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ext2fs/ext2fs.h>

#include "src/fs/fs.h"

/* Copy [off, off + size) of an inline file into buf; bytes past the
 * stored data read as zeros. */
int f4_inline_read(struct f4_fs *f4, ext2_ino_t ino,
		   struct ext2_inode_large *inode, uint64_t off, size_t size,
		   void *buf);

/* If the file is inline (or empty and may become inline) and the result
 * fits in the inode, do the write here and set *done. If it no longer
 * fits, convert the file to blocks (inode re-read) and leave *done false
 * for the block write path. */
int f4_inline_try_write(struct f4_fs *f4, ext2_ino_t ino,
			struct ext2_inode_large *inode, uint64_t off,
			const void *buf, size_t len, bool *done);

/* Set an inline file's size (shrinking drops bytes, growing adds zeros,
 * converting to blocks if it no longer fits: then *done stays false). */
int f4_inline_truncate(struct f4_fs *f4, ext2_ino_t ino,
		       struct ext2_inode_large *inode, uint64_t size,
		       bool *done);

/* Convert an inline file or directory to ordinary blocks; re-reads inode. */
int f4_inline_expand(struct f4_fs *f4, ext2_ino_t ino,
		     struct ext2_inode_large *inode);

#endif
