/* Internal to iomap/: the record emitter shared by the extent-tree,
 * block-map and inline mappers. */
#ifndef F4_IOMAP_ENGINE_H
#define F4_IOMAP_ENGINE_H

#include <stdbool.h>

#include "iomap/mapping.h"

struct f4_map_out {
	struct f4_map_rec *recs;
	unsigned max;
	unsigned n;
	unsigned blockbits;
};

/* Append count blocks at lblk (pblk 0 for holes), merging with the previous
 * record when file- and device-contiguous. Returns false once full. */
bool f4_map_emit(struct f4_map_out *out, uint64_t lblk, uint64_t count,
		 uint64_t pblk, uint16_t type);

/* Record a malformed map and return -EUCLEAN. */
int f4_map_corrupt(struct f4_map_file *file, const char *what, uint64_t blk);

/* Is pblk..pblk+count-1 inside the filesystem's data area? */
bool f4_map_blocks_valid(ext2_filsys fs, uint64_t pblk, uint64_t count);

int f4_extent_map(struct f4_map_file *file, uint64_t lblk, uint64_t end,
		  struct f4_map_out *out);
int f4_blockmap_map(struct f4_map_file *file, uint64_t lblk, uint64_t end,
		    struct f4_map_out *out);
int f4_inline_map(struct f4_map_file *file, uint64_t pos, uint64_t len,
		  struct f4_map_out *out);

#endif
