/* Owns file data on the read side: read through the mapping engine and
 * the data executor, and SEEK_DATA/SEEK_HOLE. The big lock is held only
 * while mapping; the IO itself runs without it. */
#ifndef F4_FILE_READ_H
#define F4_FILE_READ_H

#include <stddef.h>
#include <stdint.h>

#include "src/fs/fs.h"

/* May ino be opened as a file with these open(2) flags? */
int f4_file_open_check(struct f4_fs *f4, ext2_ino_t ino, int flags);

/* Read up to size bytes at off; *got is short only at end of file. */
int f4_file_read(struct f4_fs *f4, ext2_ino_t ino, uint64_t off, size_t size,
		 void *buf, size_t *got);

/* whence is SEEK_DATA or SEEK_HOLE; -ENXIO past the end. */
int f4_file_seek(struct f4_fs *f4, ext2_ino_t ino, uint64_t off, int whence,
		 uint64_t *result);

#endif
