/* Owns the inline-data mapper: a file whose bytes live in the inode
 * (i_block plus the system.data xattr) is one INLINE record, then hole. */
#include "config.h"

#include <errno.h>

#include "iomap/engine.h"

int f4_inline_map(struct f4_map_file *file, uint64_t pos, uint64_t len,
		  struct f4_map_out *out)
{
	uint64_t size = EXT2_I_SIZE(file->inode);
	uint64_t end = len > UINT64_MAX - pos ? UINT64_MAX : pos + len;

	if (pos < size) {
		out->recs[out->n++] = (struct f4_map_rec){
			.off = 0, .len = size, .addr = F4_MAP_NULL_ADDR,
			.type = F4_MAP_INLINE,
		};
	}
	if (end > size && out->n < out->max) {
		uint64_t from = pos > size ? pos : size;

		out->recs[out->n++] = (struct f4_map_rec){
			.off = from, .len = end - from, .addr = F4_MAP_NULL_ADDR,
			.type = F4_MAP_HOLE,
		};
	}
	return 0;
}
