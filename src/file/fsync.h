/* Owns durability: fsync and fsyncdir. */
#ifndef F4_FILE_FSYNC_H
#define F4_FILE_FSYNC_H

#include "src/fs/fs.h"

/* Make everything written so far durable on the image. File data went
 * to the image when it was written (the data executors); the metadata
 * libext2fs wrote waits in the metadata cache (src/io/bcache.h). So:
 * every dirty cached block is written back (f4_fs_writeback, under the
 * big lock), then the image is flushed without the lock. The cache is
 * the mount's, not the file's: ino and datasync change nothing. The
 * superblock, group descriptors and bitmaps, which libext2fs keeps in
 * memory, are not rewritten here: they reach the image at unmount. */
int f4_file_fsync(struct f4_fs *f4, ext2_ino_t ino, int datasync);

#endif
