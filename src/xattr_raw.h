/* Owns reading ext4's xattr entry tables (in the inode body and in the
 * xattr block) directly, for the one fact libext2fs's xattr API does not
 * tell: whether a value is kept in an EA inode. Bounds-checked: the
 * tables may be hostile. Caller holds the big lock. */
#ifndef F4_XATTR_RAW_H
#define F4_XATTR_RAW_H

#include <ext2fs/ext2fs.h>

#include "fs.h"

/* The EA inode holding the value of the attribute (index, suffix) of
 * ino, or 0 in *inum when the value is stored in place (or there is no
 * such attribute). */
int f4_xattr_raw_value_inum(struct f4_fs *f4, ext2_ino_t ino, int index,
			    const char *suffix, ext2_ino_t *inum);

#endif
