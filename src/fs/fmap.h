/* Owns the core's door into the mapping engine (see fmap.c). Callers hold
 * the big lock. */
#ifndef F4_FS_FMAP_H
#define F4_FS_FMAP_H

#include <stdint.h>
#include <ext2fs/ext2fs.h>

#include "iomap/mapping.h"
#include "src/fs/fs.h"

/* The mapping engine's view of a file of this mount, with the extent
 * checksum memo of the metadata cache (add is_meta where a map's blocks
 * are about to be freed or written), for callers that need the engine
 * itself (record counts, edits). */
struct f4_map_file f4_fs_map_file(struct f4_fs *f4, ext2_ino_t ino,
				  const struct ext2_inode_large *inode);

/* f4_iomap_map for ino: a malformed map is reported once as corruption
 * (func names the operation) and gives -EUCLEAN. */
int f4_fs_map(struct f4_fs *f4, ext2_ino_t ino,
	      const struct ext2_inode_large *inode, uint64_t pos, uint64_t len,
	      struct f4_map_rec *recs, unsigned max, unsigned *n,
	      const char *func);

/* f4_iomap_check for ino from from_lblk on, with the system zone: before
 * anything frees or rewrites what the map names. Corruption as above. */
int f4_fs_map_check(struct f4_fs *f4, ext2_ino_t ino,
		    const struct ext2_inode_large *inode, uint64_t from_lblk,
		    const char *func);

#endif
