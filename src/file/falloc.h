/* Owns fallocate: preallocation (unwritten extents, with or without
 * FALLOC_FL_KEEP_SIZE), FALLOC_FL_PUNCH_HOLE and FALLOC_FL_ZERO_RANGE,
 * with ext4's answers: EOPNOTSUPP for preallocation on indirect-mapped
 * files and for the modes ext4 cannot do here, nothing to do for a hole
 * punched past the end of file. */
#ifndef F4_FILE_FALLOC_H
#define F4_FILE_FALLOC_H

#include <stdint.h>

#include "src/fs/fs.h"
#include "src/fs/perm.h"

/* mode uses the FALLOC_FL_* values of <linux/falloc.h>. */
int f4_file_fallocate(struct f4_fs *f4, const struct f4_cred *cred,
		      ext2_ino_t ino, int mode, uint64_t off, uint64_t len);

#endif
