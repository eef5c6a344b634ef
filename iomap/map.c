/* Owns the dispatch from a file to its mapper and the record emitter. */
#include "config.h"

#include <errno.h>

#include "iomap/engine.h"

/* Largest logical block an ext4 file can address (2^32 blocks). */
#define F4_MAX_LBLK (1ULL << 32)

bool f4_map_emit(struct f4_map_out *out, uint64_t lblk, uint64_t count,
		 uint64_t pblk, uint16_t type)
{
	uint64_t off = lblk << out->blockbits;
	uint64_t len = count << out->blockbits;
	uint64_t addr = type == F4_MAP_HOLE ? F4_MAP_NULL_ADDR
					    : pblk << out->blockbits;
	struct f4_map_rec *prev;

	if (!count)
		return out->n < out->max;
	prev = out->n ? &out->recs[out->n - 1] : NULL;
	if (prev && prev->type == type && prev->off + prev->len == off &&
	    (type == F4_MAP_HOLE || prev->addr + prev->len == addr)) {
		prev->len += len;
		return true;
	}
	if (out->n >= out->max)
		return false;
	out->recs[out->n++] = (struct f4_map_rec){
		.off = off, .len = len, .addr = addr, .type = type,
	};
	return true;
}

int f4_map_corrupt(struct f4_map_file *file, const char *what, uint64_t blk)
{
	file->corrupt_what = what;
	file->corrupt_blk = blk;
	return -EUCLEAN;
}

/* The first data block holds the primary superblock: no file maps it. */
bool f4_map_blocks_valid(ext2_filsys fs, uint64_t pblk, uint64_t count)
{
	uint64_t first = fs->super->s_first_data_block;
	uint64_t total = ext2fs_blocks_count(fs->super);

	return pblk > first && pblk < total && count <= total - pblk;
}

int f4_iomap_is_inline(const struct f4_map_file *file)
{
	return (file->inode->i_flags & EXT4_INLINE_DATA_FL) != 0;
}

unsigned f4_iomap_max_recs(const struct f4_map_file *file, uint64_t len)
{
	uint64_t blocks = len >> EXT2_BLOCK_SIZE_BITS(file->fs->super);

	/* One record per block at worst, plus partial blocks at both ends. */
	return blocks > 4096 ? 4096 : (unsigned)blocks + 2;
}

int f4_iomap_map(struct f4_map_file *file, uint64_t pos, uint64_t len,
		 struct f4_map_rec *recs, unsigned max, unsigned *nrecs)
{
	struct f4_map_out out = {
		.recs = recs, .max = max,
		.blockbits = EXT2_BLOCK_SIZE_BITS(file->fs->super),
	};
	uint64_t bsize = 1ULL << out.blockbits;
	uint64_t lblk, end, end_byte;
	int ret;

	*nrecs = 0;
	file->corrupt_what = NULL;
	if (!max)
		return -EINVAL;
	if (!len)
		return 0;
	if (f4_iomap_is_inline(file)) {
		ret = f4_inline_map(file, pos, len, &out);
		*nrecs = out.n;
		return ret;
	}
	end_byte = len > UINT64_MAX - pos ? UINT64_MAX : pos + len;
	lblk = pos >> out.blockbits;
	end = (end_byte >> out.blockbits) + ((end_byte & (bsize - 1)) != 0);
	if (end > (UINT64_MAX >> out.blockbits))	/* byte offsets must fit */
		end = UINT64_MAX >> out.blockbits;
	ret = 0;
	if (lblk < F4_MAX_LBLK) {
		uint64_t stop = end < F4_MAX_LBLK ? end : F4_MAX_LBLK;

		if (file->inode->i_flags & EXT4_EXTENTS_FL)
			ret = f4_extent_map(file, lblk, stop, &out);
		else
			ret = f4_blockmap_map(file, lblk, stop, &out);
		lblk = stop;
	}
	/* Nothing is mapped past the last addressable block. */
	if (!ret && lblk < end &&
	    (!out.n || out.recs[out.n - 1].off + out.recs[out.n - 1].len ==
			       lblk << out.blockbits))
		f4_map_emit(&out, lblk, end - lblk, 0, F4_MAP_HOLE);
	*nrecs = out.n;
	return ret;
}

#define F4_CHECK_BATCH 64

uint64_t f4_iomap_owned_blocks(const struct f4_map_file *file)
{
	ext2_filsys fs = file->fs;
	uint64_t owned = ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)file->inode) >>
			 (EXT2_BLOCK_SIZE_BITS(fs->super) - 9);

	/* i_blocks counts 512-byte units (whole clusters with bigalloc)
	 * of everything the inode owns: no sound map names more, and no
	 * inode owns more than the filesystem has. */
	return owned < ext2fs_blocks_count(fs->super) ? owned :
		ext2fs_blocks_count(fs->super);
}

int f4_iomap_check(struct f4_map_file *file, uint64_t from_lblk)
{
	ext2_filsys fs = file->fs;
	unsigned bits = EXT2_BLOCK_SIZE_BITS(fs->super);
	struct f4_map_rec recs[F4_CHECK_BATCH];
	uint64_t pos, limit = F4_MAX_LBLK << bits, mapped = 0, owned;
	unsigned n, i;
	int ret;

	if (f4_iomap_is_inline(file) || from_lblk >= F4_MAX_LBLK)
		return 0;
	owned = f4_iomap_owned_blocks(file);
	for (pos = from_lblk << bits; pos < limit; ) {
		ret = f4_iomap_map(file, pos, limit - pos, recs, F4_CHECK_BATCH, &n);
		if (ret)
			return ret;
		if (!n || recs[n - 1].off + recs[n - 1].len <= pos)
			return f4_map_corrupt(file, "block map makes no progress", 0);
		for (i = 0; i < n; i++) {
			if (recs[i].type == F4_MAP_HOLE)
				continue;
			mapped += recs[i].len >> bits;
			if (mapped > owned)
				return f4_map_corrupt(file,
					"block map names more blocks than the inode owns", 0);
			if (file->is_meta &&
			    file->is_meta(file->meta_ctx, recs[i].addr >> bits,
					  recs[i].len >> bits))
				return f4_map_corrupt(file,
					"block map names filesystem metadata",
					recs[i].addr >> bits);
		}
		pos = recs[n - 1].off + recs[n - 1].len;
	}
	return 0;
}
