/* Owns the mapping side of block map <-> extent conversion (see
 * migrate.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iomap/errcode.h"
#include "iomap/migrate.h"

#define F4_EXT_INIT_MAX 32768u

struct walk {
	struct f4_iomap_runs *r;
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

static int add_block(struct f4_iomap_runs *r, uint64_t lblk, uint64_t pblk)
{
	struct f4_iomap_run *last = r->n ? &r->v[r->n - 1] : NULL;

	if (last && last->lblk + last->len == lblk &&
	    last->pblk + last->len == pblk && last->len < F4_EXT_INIT_MAX) {
		last->len++;
		return 0;
	}
	if (grow((void **)&r->v, &r->cap, r->n, sizeof(*r->v)))
		return -ENOMEM;
	r->v[r->n++] = (struct f4_iomap_run){ lblk, pblk, 1 };
	return 0;
}

static int walk_block(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t blockcnt,
		      blk64_t ref_blk, int ref_offset, void *priv)
{
	struct walk *w = priv;
	struct f4_iomap_runs *r = w->r;

	(void)ref_blk;
	(void)ref_offset;
	if (*blocknr < fs->super->s_first_data_block ||
	    *blocknr >= ext2fs_blocks_count(fs->super)) {
		w->err = -EUCLEAN;
		return BLOCK_ABORT;
	}
	if (blockcnt >= 0)
		w->err = add_block(r, (uint64_t)blockcnt, *blocknr);
	else if (!grow((void **)&r->meta, &r->cap_meta, r->nmeta,
		       sizeof(*r->meta)))
		r->meta[r->nmeta++] = *blocknr;
	else
		w->err = -ENOMEM;
	return w->err ? BLOCK_ABORT : 0;
}

int f4_iomap_blockmap_runs(ext2_filsys fs, ext2_ino_t ino,
			   struct f4_iomap_runs *r)
{
	struct walk w = { .r = r };
	errcode_t err;

	memset(r, 0, sizeof(*r));
	err = ext2fs_block_iterate3(fs, ino, BLOCK_FLAG_READ_ONLY, NULL,
				    walk_block, &w);
	return w.err ? w.err : f4_errcode_to_errno(err);
}

void f4_iomap_runs_free(struct f4_iomap_runs *r)
{
	free(r->v);
	free(r->meta);
	memset(r, 0, sizeof(*r));
}

/* Nodes counted half full (splits while appending); the inode itself
 * holds 4 entries. */
uint64_t f4_iomap_tree_blocks(ext2_filsys fs, uint64_t n)
{
	uint64_t per = (fs->blocksize - 12) / 12 / 2, total = 0;

	while (n > 4) {
		n = (n + per - 1) / per;
		total += n;
	}
	return total;
}

/* The tree blocks of a (partly built) extent tree: every index entry
 * names one. */
static void free_tree_blocks(ext2_filsys fs, ext2_extent_handle_t h)
{
	struct ext2fs_extent e;
	errcode_t err = ext2fs_extent_get(h, EXT2_EXTENT_ROOT, &e);

	while (!err) {
		if (!(e.e_flags & EXT2_EXTENT_FLAGS_LEAF))
			ext2fs_block_alloc_stats_range(fs, e.e_pblk, 1, -1);
		err = ext2fs_extent_get(h, EXT2_EXTENT_NEXT, &e);
	}
}

int f4_iomap_build_extents(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode_large *inode,
			   const struct f4_iomap_runs *r)
{
	ext2_extent_handle_t h;
	errcode_t err;
	size_t i;

	memset(inode->i_block, 0, sizeof(inode->i_block));
	err = ext2fs_extent_open2(fs, ino, (struct ext2_inode *)inode, &h);
	if (err)
		return f4_errcode_to_errno(err);
	for (i = 0; !err && i < r->n; i++) {
		struct ext2fs_extent e = { .e_pblk = r->v[i].pblk,
					   .e_lblk = r->v[i].lblk,
					   .e_len = r->v[i].len };

		err = ext2fs_extent_insert(h, EXT2_EXTENT_INSERT_AFTER, &e);
		if (!err)
			err = ext2fs_extent_fix_parents(h);
	}
	if (err)
		free_tree_blocks(fs, h);
	ext2fs_extent_free(h);
	return f4_errcode_to_errno(err);
}

int f4_iomap_extents_to_blockmap(struct ext2_inode_large *inode,
				 const char **what)
{
	struct ext3_extent_header *eh = (void *)inode->i_block;
	struct ext3_extent *ex = (void *)(eh + 1);
	uint32_t blocks[EXT2_N_BLOCKS] = { 0 };
	uint32_t start, len, i;
	uint64_t pblk;

	if (ext2fs_extent_header_verify(eh, sizeof(inode->i_block))) {
		*what = "bad extent header";
		return -EUCLEAN;
	}
	if (ext2fs_le16_to_cpu(eh->eh_depth) != 0 ||
	    ext2fs_le16_to_cpu(eh->eh_entries) > 1)
		return -EOPNOTSUPP;
	if (eh->eh_entries) {
		/* An unwritten extent has a length above 32768 and so ends
		 * past the direct blocks, as in ext4. */
		start = ext2fs_le32_to_cpu(ex->ee_block);
		len = ext2fs_le16_to_cpu(ex->ee_len);
		pblk = ext2fs_le32_to_cpu(ex->ee_start) |
		       (uint64_t)ext2fs_le16_to_cpu(ex->ee_start_hi) << 32;
		if (!len) {
			*what = "empty extent";
			return -EUCLEAN;
		}
		if (start >= EXT2_NDIR_BLOCKS || len > EXT2_NDIR_BLOCKS - start)
			return -EOPNOTSUPP;
		for (i = 0; i < len; i++)
			blocks[start + i] = (uint32_t)(pblk + i);
	}
	inode->i_flags &= ~EXT4_EXTENTS_FL;
	memcpy(inode->i_block, blocks, sizeof(blocks));
	return 0;
}
