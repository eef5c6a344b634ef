/* Owns durability: fsync and fsyncdir. */
#ifndef F4_FILE_FSYNC_H
#define F4_FILE_FSYNC_H

#include "src/fs/fs.h"

/* Make everything written so far durable on the image. File data went
 * to the image when it was written (the data executors); the metadata
 * waits in the running transaction (src/journal/txn.h), which commits:
 * two device flushes, the data and the transaction's blocks before its
 * commit block — the file's name and every other change made before
 * come with it. Without a journal, every dirty cached block is written
 * in place and the device flushed (the bitmaps, descriptors and
 * superblock libext2fs keeps in memory reach the image at unmount). The
 * transaction is the mount's, not the file's: ino and datasync change
 * nothing. */
int f4_file_fsync(struct f4_fs *f4, ext2_ino_t ino, int datasync);

#endif
