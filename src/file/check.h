/* Owns the checks every change to a file's data starts with (write,
 * fallocate): a writable filesystem, a regular file, not immutable. */
#ifndef F4_FILE_CHECK_H
#define F4_FILE_CHECK_H

#include "src/fs/fs.h"

/* 0, or why the data of inode may not change: -EROFS and the like from
 * f4_fs_writable, -EISDIR, not_regular for other non-regular files (each
 * operation answers that one as ext4 does), -EPERM if immutable. */
int f4_file_check_modifiable(const struct f4_fs *f4,
			     const struct ext2_inode_large *inode,
			     int not_regular);

#endif
