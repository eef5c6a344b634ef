/* Owns freeing a range of a file's blocks. Extent trees and inline data
 * go to libext2fs's ext2fs_punch; indirect block maps are walked here,
 * because libext2fs 1.47.0 drops the mapping of the rest of an indirect
 * block when a punch ends inside it (data silently lost). Levels only go
 * down, so a hostile map cannot loop; every pointer is range-checked. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iomap/edit.h"
#include "iomap/engine.h"
#include "iomap/errcode.h"

struct punch_walk {
	ext2_filsys fs;
	uint64_t apb;		/* addresses per block */
	uint64_t first, last;	/* logical blocks, inclusive */
	uint64_t freed;		/* blocks released, for i_blocks */
};

static uint64_t span_of(const struct punch_walk *w, int level)
{
	uint64_t span = 1;

	while (level-- > 0)
		span *= w->apb;
	return span;
}

static void release(struct punch_walk *w, uint64_t blk)
{
	ext2fs_block_alloc_stats2(w->fs, blk, -1);
	w->freed++;
}

/* Punch the part of [first, last] under *ptr (level 0: a data block),
 * whose subtree starts at logical block base. */
static int punch_subtree(struct punch_walk *w, uint32_t *ptr, int level,
			 uint64_t base)
{
	uint64_t span = span_of(w, level), child_span, blk, i;
	uint32_t *buf;
	bool empty = true, changed = false;
	int ret = 0;

	blk = ext2fs_le32_to_cpu(*ptr);
	if (!blk || base > w->last || base + span - 1 < w->first)
		return 0;
	if (!f4_map_blocks_valid(w->fs, blk, 1))
		return -EUCLEAN;
	if (level == 0) {
		release(w, blk);
		*ptr = 0;
		return 0;
	}
	buf = malloc(w->fs->blocksize);
	if (!buf)
		return -ENOMEM;
	ret = f4_errcode_to_errno(io_channel_read_blk64(w->fs->io, blk, 1, buf));
	child_span = span / w->apb;
	for (i = 0; !ret && i < w->apb; i++) {
		uint32_t before = buf[i];

		ret = punch_subtree(w, &buf[i], level - 1, base + i * child_span);
		changed |= buf[i] != before;
		empty &= buf[i] == 0;
	}
	if (!ret && empty) {		/* nothing left under it */
		release(w, blk);
		*ptr = 0;
	} else if (!ret && changed) {
		ret = f4_errcode_to_errno(io_channel_write_blk64(w->fs->io, blk, 1,
								 buf));
	}
	free(buf);
	return ret;
}

static int punch_blockmap(ext2_filsys fs, struct ext2_inode_large *inode,
			  uint64_t first, uint64_t last)
{
	struct punch_walk w = { .fs = fs, .apb = fs->blocksize / 4,
				.first = first, .last = last };
	uint64_t base = EXT2_NDIR_BLOCKS;
	int level, ret = 0;
	unsigned i;

	for (i = 0; i < EXT2_NDIR_BLOCKS && !ret; i++)
		ret = punch_subtree(&w, &inode->i_block[i], 0, i);
	for (level = 1; level <= 3 && !ret; level++) {
		ret = punch_subtree(&w, &inode->i_block[EXT2_NDIR_BLOCKS + level - 1],
				    level, base);
		base += span_of(&w, level);
	}
	if (w.freed) {
		int sub = f4_errcode_to_errno(ext2fs_iblk_sub_blocks(fs,
					(struct ext2_inode *)inode, w.freed));

		ret = ret ? ret : sub;
	}
	return ret;
}

int f4_iomap_punch(ext2_filsys fs, ext2_ino_t ino,
		   struct ext2_inode_large *inode, uint64_t first, uint64_t last)
{
	if (first > last)
		return 0;
	if (inode->i_flags & (EXT4_EXTENTS_FL | EXT4_INLINE_DATA_FL))
		return f4_errcode_to_errno(ext2fs_punch(fs, ino,
				(struct ext2_inode *)inode, NULL, first, last));
	return punch_blockmap(fs, inode, first, last);
}
