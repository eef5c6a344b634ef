/* Owns block-map <-> extent conversion (see migrate.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/fs/alloc.h"
#include "src/fs/errors.h"
#include "src/inode/inode.h"
#include "src/inode/migrate.h"

#define F4_EXT_INIT_MAX 32768u

/* A file's mapping read from its block map: data runs and the indirect
 * blocks holding them. */
struct bmap_walk {
	struct f4_fs *f4;
	struct run {
		uint64_t lblk, pblk;
		uint32_t len;
	} *runs;
	size_t nruns, cap_runs;
	uint64_t *meta;
	size_t nmeta, cap_meta;
	int err;
};

static int grow(void **arr, size_t *cap, size_t n, size_t size)
{
	void *p;

	if (n < *cap)
		return 0;
	p = realloc(*arr, (*cap ? *cap * 2 : 16) * size);
	if (!p)
		return -ENOMEM;
	*arr = p;
	*cap = *cap ? *cap * 2 : 16;
	return 0;
}

static int add_block(struct bmap_walk *w, uint64_t lblk, uint64_t pblk)
{
	struct run *last = w->nruns ? &w->runs[w->nruns - 1] : NULL;

	if (last && last->lblk + last->len == lblk &&
	    last->pblk + last->len == pblk && last->len < F4_EXT_INIT_MAX) {
		last->len++;
		return 0;
	}
	if (grow((void **)&w->runs, &w->cap_runs, w->nruns, sizeof(*w->runs)))
		return -ENOMEM;
	w->runs[w->nruns++] = (struct run){ lblk, pblk, 1 };
	return 0;
}

static int walk_block(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t blockcnt,
		      blk64_t ref_blk, int ref_offset, void *priv)
{
	struct bmap_walk *w = priv;

	if (*blocknr < fs->super->s_first_data_block ||
	    *blocknr >= ext2fs_blocks_count(fs->super)) {
		w->err = -EUCLEAN;
		return BLOCK_ABORT;
	}
	if (blockcnt >= 0)
		w->err = add_block(w, (uint64_t)blockcnt, *blocknr);
	else if (!grow((void **)&w->meta, &w->cap_meta, w->nmeta,
		       sizeof(*w->meta)))
		w->meta[w->nmeta++] = *blocknr;
	else
		w->err = -ENOMEM;
	return w->err ? BLOCK_ABORT : 0;
}

/* Tree blocks that n extents may need, counting nodes as half full
 * (splits while appending) so that the space check errs on the safe
 * side; the inode itself holds 4 entries. */
static uint64_t tree_blocks(const struct f4_fs *f4, uint64_t n)
{
	uint64_t per = (f4->blocksize - 12) / 12 / 2, total = 0;

	while (n > 4) {
		n = (n + per - 1) / per;
		total += n;
	}
	return total;
}

/* The tree blocks of a (partly built) extent tree: every index entry
 * names one. */
static void free_tree_blocks(struct f4_fs *f4, ext2_extent_handle_t h)
{
	struct ext2fs_extent e;
	errcode_t err = ext2fs_extent_get(h, EXT2_EXTENT_ROOT, &e);

	while (!err) {
		if (!(e.e_flags & EXT2_EXTENT_FLAGS_LEAF))
			f4_free_blocks(f4, e.e_pblk, 1);
		err = ext2fs_extent_get(h, EXT2_EXTENT_NEXT, &e);
	}
}

static int build_tree(struct f4_fs *f4, ext2_ino_t ino,
		      struct ext2_inode_large *inode, const struct bmap_walk *w)
{
	ext2_extent_handle_t h;
	errcode_t err;
	size_t i;

	memset(inode->i_block, 0, sizeof(inode->i_block));
	err = ext2fs_extent_open2(f4->fs, ino, (struct ext2_inode *)inode, &h);
	if (err)
		return f4_fs_errcode(f4, ino, err, "migrate");
	for (i = 0; !err && i < w->nruns; i++) {
		struct ext2fs_extent e = { .e_pblk = w->runs[i].pblk,
					   .e_lblk = w->runs[i].lblk,
					   .e_len = w->runs[i].len };

		err = ext2fs_extent_insert(h, EXT2_EXTENT_INSERT_AFTER, &e);
		if (!err)
			err = ext2fs_extent_fix_parents(h);
	}
	if (err)
		free_tree_blocks(f4, h);
	ext2fs_extent_free(h);
	return err ? f4_fs_errcode(f4, ino, err, "migrate") : 0;
}

static int convert(struct f4_fs *f4, ext2_ino_t ino,
		   struct ext2_inode_large *inode, const struct bmap_walk *w)
{
	struct ext2_inode_large saved = *inode;
	size_t i;
	int ret = f4_alloc_check(f4, NULL, tree_blocks(f4, w->nruns));

	if (!ret)
		ret = build_tree(f4, ino, inode, w);
	if (ret) {
		/* Back to the block map, which was never touched. */
		*inode = saved;
		f4_inode_write(f4, ino, inode);
		return ret;
	}
	for (i = 0; i < w->nmeta; i++)
		f4_free_blocks(f4, w->meta[i], 1);
	ext2fs_iblk_sub_blocks(f4->fs, (struct ext2_inode *)inode, w->nmeta);
	return f4_inode_write(f4, ino, inode);
}

int f4_migrate_to_extents(struct f4_fs *f4, ext2_ino_t ino,
			  struct ext2_inode_large *inode)
{
	struct bmap_walk w = { .f4 = f4 };
	errcode_t err;
	int ret;

	if (!ext2fs_has_feature_extents(f4->fs->super) ||
	    (inode->i_flags & (EXT4_EXTENTS_FL | EXT4_INLINE_DATA_FL)))
		return -EINVAL;
	err = ext2fs_block_iterate3(f4->fs, ino, BLOCK_FLAG_READ_ONLY, NULL,
				    walk_block, &w);
	if (w.err == -EUCLEAN)
		ret = f4_fs_corrupt(f4, ino, 0, "migrate",
				    "block map names a block outside the filesystem");
	else if (w.err)
		ret = w.err;
	else if (err)
		ret = f4_fs_errcode(f4, ino, err, "migrate");
	else
		ret = convert(f4, ino, inode, &w);
	free(w.runs);
	free(w.meta);
	return ret;
}

int f4_migrate_to_blockmap(struct f4_fs *f4, ext2_ino_t ino,
			   struct ext2_inode_large *inode)
{
	struct ext3_extent_header *eh = (void *)inode->i_block;
	struct ext3_extent *ex = (void *)(eh + 1);
	uint32_t blocks[EXT2_N_BLOCKS] = { 0 };
	uint32_t start, len, i;
	uint64_t pblk;

	if (!ext2fs_has_feature_extents(f4->fs->super) ||
	    !(inode->i_flags & EXT4_EXTENTS_FL))
		return -EINVAL;
	if (ext2fs_has_feature_bigalloc(f4->fs->super))
		return -EOPNOTSUPP;
	if (ext2fs_extent_header_verify(eh, sizeof(inode->i_block)))
		return f4_fs_corrupt(f4, ino, 0, "migrate", "bad extent header");
	if (ext2fs_blocks_count(f4->fs->super) > UINT32_MAX ||
	    ext2fs_le16_to_cpu(eh->eh_depth) != 0 ||
	    ext2fs_le16_to_cpu(eh->eh_entries) > 1)
		return -EOPNOTSUPP;
	if (eh->eh_entries) {
		/* An unwritten extent has a length above 32768 and so ends
		 * past the direct blocks, as in ext4. */
		start = ext2fs_le32_to_cpu(ex->ee_block);
		len = ext2fs_le16_to_cpu(ex->ee_len);
		pblk = ext2fs_le32_to_cpu(ex->ee_start) |
		       (uint64_t)ext2fs_le16_to_cpu(ex->ee_start_hi) << 32;
		if (!len)
			return f4_fs_corrupt(f4, ino, 0, "migrate", "empty extent");
		if (start >= EXT2_NDIR_BLOCKS || len > EXT2_NDIR_BLOCKS - start)
			return -EOPNOTSUPP;
		for (i = 0; i < len; i++)
			blocks[start + i] = (uint32_t)(pblk + i);
	}
	inode->i_flags &= ~EXT4_EXTENTS_FL;
	memcpy(inode->i_block, blocks, sizeof(blocks));
	return f4_inode_write(f4, ino, inode);
}
