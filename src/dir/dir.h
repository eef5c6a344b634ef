/* Owns reading directories: walking a directory's blocks (or its inline
 * data), validating every entry, and handing live entries to a callback.
 * Used by readdir snapshots and by name lookup. Caller holds the lock. */
#ifndef F4_DIR_DIR_H
#define F4_DIR_DIR_H

#include <stdint.h>
#include <ext2fs/ext2fs.h>

#include "src/fs/fs.h"

struct f4_dirent {
	ext2_ino_t ino;
	uint8_t ftype;		/* EXT2_FT_*, EXT2_FT_UNKNOWN without filetype */
	uint8_t name_len;
	const char *name;	/* not NUL-terminated */
	uint64_t lblk;		/* directory block holding it (0 if inline) */
};

/* Return 0 to go on, 1 to stop (the walk then returns 1), or -errno. */
typedef int (*f4_dirent_fn)(const struct f4_dirent *de, void *priv);

/* Every live entry of the directory, "." and ".." included. */
int f4_dir_walk(struct f4_fs *f4, ext2_ino_t dir,
		const struct ext2_inode_large *inode, f4_dirent_fn fn,
		void *priv);

/* Entries of one directory block (logical block lblk). */
int f4_dir_walk_block(struct f4_fs *f4, ext2_ino_t dir,
		      const struct ext2_inode_large *inode, uint64_t lblk,
		      f4_dirent_fn fn, void *priv);

/* Read logical block lblk of a directory into buf (blocksize bytes),
 * checksum verified. -ENOENT for a hole. */
int f4_dir_read_block(struct f4_fs *f4, ext2_ino_t dir,
		      const struct ext2_inode_large *inode, uint64_t lblk,
		      void *buf);

/* DT_* value for an entry's type byte, or DT_UNKNOWN. */
unsigned char f4_ftype_to_dtype(uint8_t ftype);
/* DT_* value for an inode mode. */
unsigned char f4_mode_to_dtype(uint16_t mode);

#endif
