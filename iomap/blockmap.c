/* Owns the indirect block-map mapper (ext2/ext3 files): direct, single,
 * double and triple indirect pointers -> mapping records. Levels only go
 * down, so a hostile map cannot loop; every pointer is range-checked. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "iomap/engine.h"
#include "iomap/errcode.h"

#define F4_BMAP_LEVELS 3

struct bmap_walk {
	struct f4_map_file *file;
	struct f4_map_out *out;
	uint64_t apb;			/* addresses per block */
	uint64_t end;
	uint64_t cur;
	uint32_t *buf[F4_BMAP_LEVELS];	/* one indirect block per level */
	uint64_t buf_blk[F4_BMAP_LEVELS];
};

/* Returns 0, 1 when the record array is full, or -errno. */
static int emit(struct bmap_walk *w, uint64_t count, uint64_t pblk)
{
	uint16_t type = pblk ? F4_MAP_MAPPED : F4_MAP_HOLE;

	if (pblk && !f4_map_blocks_valid(w->file->fs, pblk, 1))
		return f4_map_corrupt(w->file, "block pointer out of range", pblk);
	if (!f4_map_emit(w->out, w->cur, count, pblk, type))
		return 1;
	w->cur += count;
	return 0;
}

static uint64_t span_of(const struct bmap_walk *w, int level)
{
	uint64_t span = 1;

	while (level-- > 0)
		span *= w->apb;
	return span;
}

static int load(struct bmap_walk *w, int level, uint64_t blk)
{
	ext2_filsys fs = w->file->fs;
	errcode_t err;

	if (w->buf_blk[level - 1] == blk)
		return 0;
	if (!f4_map_blocks_valid(fs, blk, 1))
		return f4_map_corrupt(w->file, "indirect block out of range", blk);
	/* Checked before frees: an indirect block inside the inode tables
	 * would be freed with the file. */
	if (w->file->is_meta && w->file->is_meta(w->file->meta_ctx, blk, 1))
		return f4_map_corrupt(w->file, "indirect block is filesystem metadata", blk);
	err = io_channel_read_blk64(fs->io, blk, 1, w->buf[level - 1]);
	if (err) {
		w->buf_blk[level - 1] = 0;
		return f4_errcode_to_errno(err);
	}
	w->buf_blk[level - 1] = blk;
	return 0;
}

/* Map the part of [cur, end) inside the subtree under ptr at level
 * (0 = ptr is a data block) whose first logical block is base. */
static int map_subtree(struct bmap_walk *w, uint64_t ptr, int level,
		       uint64_t base)
{
	uint64_t span = span_of(w, level);
	uint64_t stop = base + span < w->end ? base + span : w->end;
	uint64_t child_span, i;
	int ret;

	if (ptr == 0 || level == 0)
		return emit(w, stop - w->cur, ptr);
	ret = load(w, level, ptr);
	if (ret)
		return ret;
	child_span = span / w->apb;
	for (i = (w->cur - base) / child_span; i < w->apb && w->cur < w->end; i++) {
		uint64_t child = ext2fs_le32_to_cpu(w->buf[level - 1][i]);

		ret = map_subtree(w, child, level - 1, base + i * child_span);
		if (ret)
			return ret;
	}
	return 0;
}

int f4_blockmap_map(struct f4_map_file *file, uint64_t lblk, uint64_t end,
		    struct f4_map_out *out)
{
	const uint32_t *ib = file->inode->i_block;
	struct bmap_walk w = {
		.file = file, .out = out, .end = end, .cur = lblk,
		.apb = file->fs->blocksize / 4,
	};
	uint64_t base = EXT2_NDIR_BLOCKS;
	int level, ret = 0;

	for (level = 0; level < F4_BMAP_LEVELS; level++) {
		w.buf[level] = malloc(file->fs->blocksize);
		if (!w.buf[level]) {
			ret = -ENOMEM;
			goto out;
		}
	}
	while (w.cur < end && w.cur < EXT2_NDIR_BLOCKS) {
		ret = emit(&w, 1, ext2fs_le32_to_cpu(ib[w.cur]));
		if (ret)
			goto out;
	}
	for (level = 1; level <= F4_BMAP_LEVELS && w.cur < end; level++) {
		uint64_t span = span_of(&w, level);

		if (w.cur < base + span) {
			ret = map_subtree(&w, ext2fs_le32_to_cpu(
						ib[EXT2_NDIR_BLOCKS + level - 1]),
					  level, base);
			if (ret)
				goto out;
		}
		base += span;
	}
	if (w.cur < end)	/* beyond what a block map can address */
		ret = emit(&w, end - w.cur, 0);
out:
	for (level = 0; level < F4_BMAP_LEVELS; level++)
		free(w.buf[level]);
	return ret > 0 ? 0 : ret;
}
