/* Owns file writes: allocation under the big lock, the data moved without
 * it, then the mapping committed (new blocks linked in, unwritten extents
 * converted, size and times updated). Newly allocated blocks are linked
 * into the file only after their data is written, and partial blocks of
 * new space are zero-filled, so a crash never exposes stale blocks. */
#ifndef F4_WRITE_H
#define F4_WRITE_H

#include <stddef.h>
#include <stdint.h>

#include "src/fs/fs.h"
#include "src/fs/perm.h"

/* Write len bytes at off. *written may be short when the filesystem is
 * nearly full (like ext4, as much as fits is written); 0 bytes is
 * -ENOSPC. */
int f4_file_write(struct f4_fs *f4, const struct f4_cred *cred, ext2_ino_t ino,
		  uint64_t off, const void *buf, size_t len, size_t *written);

/* Zero [off, off + len) of the file's existing written blocks on the
 * device (no allocation). Caller holds the inode's io_lock exclusively,
 * not the big lock. */
int f4_file_zero_tail(struct f4_fs *f4, ext2_ino_t ino, uint64_t off,
		      uint64_t len);

#endif
