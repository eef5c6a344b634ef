/* Owns changes to directory contents: adding an entry (growing the
 * directory, turning a full one-block directory into an htree index as
 * ext4 does, converting an inline directory to blocks), removing one,
 * pointing an existing name at another inode, rewriting "..", and the
 * emptiness test. Caller holds the big lock and has checked that the
 * mount is writable; names are NUL-terminated and at most 255 bytes. */
#ifndef F4_DIR_DIREDIT_H
#define F4_DIR_DIREDIT_H

#include <stdint.h>
#include <ext2fs/ext2fs.h>

#include "src/fs/fs.h"

/* EXT2_FT_* for an inode mode. */
int f4_mode_to_ftype(uint16_t mode);

/* Add name -> ino; -ENOSPC when the directory cannot grow. */
int f4_dir_add(struct f4_fs *f4, ext2_ino_t dir, const char *name,
	       ext2_ino_t ino, uint16_t mode);

/* Remove name (which must exist). */
int f4_dir_remove(struct f4_fs *f4, ext2_ino_t dir, const char *name);

/* Point the existing entry name at ino (type from mode). */
int f4_dir_retarget(struct f4_fs *f4, ext2_ino_t dir, const char *name,
		    ext2_ino_t ino, uint16_t mode);

/* Make dir's ".." point at parent. */
int f4_dir_set_parent(struct f4_fs *f4, ext2_ino_t dir, ext2_ino_t parent);

/* 1 if dir holds nothing but "." and "..", 0 if not, or -errno. */
int f4_dir_is_empty(struct f4_fs *f4, ext2_ino_t dir,
		    const struct ext2_inode_large *inode);

/* Turn a full one-block directory into an htree index (dxbuild.c). */
int f4_dx_make_index(struct f4_fs *f4, ext2_ino_t dir);

#endif
