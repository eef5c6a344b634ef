/* Owns durability and server-side copies: fsync/fsyncdir, and
 * copy_file_range done inside the server (the data never passes through
 * the kernel's page cache). */
#ifndef F4_SYNC_H
#define F4_SYNC_H

#include <stddef.h>
#include <stdint.h>

#include "src/fs/fs.h"
#include "src/fs/perm.h"

/* Make everything written so far for ino durable on the image. File
 * data and inodes are written through at once, so this is one flush of
 * the image, without rewriting superblock, descriptors and bitmaps. */
int f4_file_fsync(struct f4_fs *f4, ext2_ino_t ino, int datasync);

/* Copy len bytes from (in, off_in) to (out, off_out); *copied may be
 * short at the source's end of file. */
int f4_file_copy_range(struct f4_fs *f4, const struct f4_cred *cred,
		       ext2_ino_t in, uint64_t off_in, ext2_ino_t out,
		       uint64_t off_out, size_t len, size_t *copied);

#endif
