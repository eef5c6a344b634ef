/* Owns changing a file's size (truncate up and down): freeing blocks past
 * the new end, zeroing the part of the last block beyond it, inline files,
 * EFBIG past the largest size the file's mapping can address. */
#ifndef F4_FILE_TRUNCATE_H
#define F4_FILE_TRUNCATE_H

#include <stdint.h>

#include "src/fs/fs.h"

/* Caller holds the inode's io_lock exclusively and the big lock, and has
 * read inode (updated and written here, times included). *zero_from and
 * *zero_len (possibly 0) name bytes the caller must zero on the device
 * after dropping the big lock (f4_file_zero_tail). */
int f4_truncate_locked(struct f4_fs *f4, ext2_ino_t ino,
		       struct ext2_inode_large *inode, uint64_t size,
		       uint64_t *zero_from, uint64_t *zero_len);

/* Free logical blocks [first, last] (inclusive; ~0ULL: to the end) of a
 * file after checking its whole map from first on: a hostile map must
 * not make us free inode tables or blocks of other files. Caller holds
 * the big lock; the in-core inode is updated (the caller writes it).
 * -EUCLEAN (reported as func) when the map is corrupt: nothing is freed
 * and e2fsck gets to it. */
int f4_punch_blocks(struct f4_fs *f4, ext2_ino_t ino,
		    struct ext2_inode_large *inode, uint64_t first,
		    uint64_t last, const char *func);

#endif
