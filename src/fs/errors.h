/* Owns error translation (libext2fs errcode_t -> -errno) and the policy for
 * detected corruption: log once per object, record it in the superblock
 * error fields as ext4 does, then continue, go read-only or stop, as the
 * errors= setting says. */
#ifndef F4_FS_ERRORS_H
#define F4_FS_ERRORS_H

#include <stdint.h>
#include <ext2fs/ext2fs.h>

#include "compat/errno_compat.h"
#include "iomap/errcode.h"
#include "src/fs/fs.h"



/* Parse "continue", "remount-ro", "panic"; -EINVAL otherwise. */
int f4_errors_parse(const char *s, enum f4_errors_policy *out);

/* Report detected corruption of an object (ino and/or block may be 0).
 * Caller holds the big lock. Returns -EUCLEAN for convenient returns. */
int f4_fs_corrupt(struct f4_fs *f4, ext2_ino_t ino, uint64_t blk,
		  const char *func, const char *what);

/* Convert a libext2fs failure; corruption-class codes are reported. */
int f4_fs_errcode(struct f4_fs *f4, ext2_ino_t ino, errcode_t err,
		  const char *func);

#endif
