/* Owns write-side mapping changes (see edit.h). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>

#include "iomap/edit.h"
#include "iomap/errcode.h"

#define F4_EXT_INIT_MAX 32768u
#define F4_EXT_UNINIT_MAX 32767u

static int open_tree(ext2_filsys fs, ext2_ino_t ino,
		     struct ext2_inode_large *inode, ext2_extent_handle_t *h)
{
	return f4_errcode_to_errno(ext2fs_extent_open2(fs, ino,
					(struct ext2_inode *)inode, h));
}

/* Position h at lblk; *found says whether an extent covers it. With no
 * cover, the current extent is a neighbour (or there is none: -ENOENT). */
static int seek(ext2_extent_handle_t h, uint64_t lblk, bool *found,
		struct ext2fs_extent *cur)
{
	errcode_t err = ext2fs_extent_goto(h, lblk);

	*found = err == 0;
	if (err && err != EXT2_ET_EXTENT_NOT_FOUND)
		return f4_errcode_to_errno(err);
	err = ext2fs_extent_get(h, EXT2_EXTENT_CURRENT, cur);
	if (err == EXT2_ET_NO_CURRENT_NODE || err == EXT2_ET_EXTENT_NO_NEXT)
		return -ENOENT;
	return f4_errcode_to_errno(err);
}

static int insert_run(ext2_extent_handle_t h, uint64_t lblk, uint64_t pblk,
		      uint32_t len, uint32_t eflags)
{
	uint32_t max = eflags ? F4_EXT_UNINIT_MAX : F4_EXT_INIT_MAX;
	struct ext2fs_extent cur, e = { .e_pblk = pblk, .e_lblk = lblk,
					.e_len = len, .e_flags = eflags };
	bool found;
	int flags = 0, ret = seek(h, lblk, &found, &cur);

	if (ret && ret != -ENOENT)
		return ret;
	if (!ret && found)
		return -EEXIST;		/* not a hole: a caller bug */
	if (!ret && (cur.e_flags & EXT2_EXTENT_FLAGS_UNINIT) == eflags &&
	    cur.e_lblk + cur.e_len == lblk && cur.e_pblk + cur.e_len == pblk &&
	    cur.e_len + len <= max) {
		cur.e_len += len;	/* grow the extent that ends here */
		return f4_errcode_to_errno(ext2fs_extent_replace(h, 0, &cur));
	}
	if (!ret && cur.e_lblk < lblk)
		flags = EXT2_EXTENT_INSERT_AFTER;
	ret = f4_errcode_to_errno(ext2fs_extent_insert(h, flags, &e));
	if (!ret)
		ret = f4_errcode_to_errno(ext2fs_extent_fix_parents(h));
	return ret;
}

static int insert_extents(ext2_filsys fs, ext2_ino_t ino,
			  struct ext2_inode_large *inode, uint64_t lblk,
			  uint64_t pblk, uint64_t n, uint32_t eflags)
{
	uint32_t max = eflags ? F4_EXT_UNINIT_MAX : F4_EXT_INIT_MAX;
	ext2_extent_handle_t h = NULL;
	int ret = open_tree(fs, ino, inode, &h);

	while (!ret && n) {
		uint32_t len = n > max ? max : (uint32_t)n;

		ret = insert_run(h, lblk, pblk, len, eflags);
		lblk += len;
		pblk += len;
		n -= len;
	}
	if (h)
		ext2fs_extent_free(h);
	return ret;
}

static int insert_blockmap(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode_large *inode, uint64_t lblk,
			   uint64_t pblk, uint64_t n)
{
	uint64_t i;

	for (i = 0; i < n; i++) {
		blk64_t phys = pblk + i;
		errcode_t err = ext2fs_bmap2(fs, ino, (struct ext2_inode *)inode,
					     NULL, BMAP_SET | BMAP_ALLOC, lblk + i,
					     NULL, &phys);

		if (err) {
			/* All or nothing (an indirect block may find no
			 * room): the caller frees the whole run, so none of
			 * it may stay linked. The indirect blocks already
			 * added stay, empty, counted in i_blocks. */
			while (i--) {
				phys = 0;
				ext2fs_bmap2(fs, ino, (struct ext2_inode *)inode,
					     NULL, BMAP_SET, lblk + i, NULL, &phys);
			}
			return f4_errcode_to_errno(err);
		}
	}
	return 0;
}

int f4_iomap_insert(ext2_filsys fs, ext2_ino_t ino,
		    struct ext2_inode_large *inode, uint64_t lblk,
		    uint64_t pblk, uint64_t n)
{
	int ret;

	if (inode->i_flags & EXT4_EXTENTS_FL)
		ret = insert_extents(fs, ino, inode, lblk, pblk, n, 0);
	else
		ret = insert_blockmap(fs, ino, inode, lblk, pblk, n);
	if (!ret)
		ret = f4_errcode_to_errno(ext2fs_iblk_add_blocks(fs,
					(struct ext2_inode *)inode, n));
	return ret;
}

int f4_iomap_insert_unwritten(ext2_filsys fs, ext2_ino_t ino,
			      struct ext2_inode_large *inode, uint64_t lblk,
			      uint64_t pblk, uint64_t n)
{
	int ret;

	if (!(inode->i_flags & EXT4_EXTENTS_FL))
		return -EOPNOTSUPP;
	ret = insert_extents(fs, ino, inode, lblk, pblk, n,
			     EXT2_EXTENT_FLAGS_UNINIT);
	if (!ret)
		ret = f4_errcode_to_errno(ext2fs_iblk_add_blocks(fs,
					(struct ext2_inode *)inode, n));
	return ret;
}

/* Split the unwritten extent cur so that [a, b) becomes written. */
static int convert_piece(ext2_extent_handle_t h, struct ext2fs_extent cur,
			 uint64_t a, uint64_t b)
{
	uint64_t end = cur.e_lblk + cur.e_len;
	struct ext2fs_extent piece;
	errcode_t err = 0;

	if (a > cur.e_lblk) {		/* keep [start, a) unwritten */
		piece = cur;
		piece.e_len = (uint32_t)(a - cur.e_lblk);
		err = ext2fs_extent_replace(h, 0, &piece);
		cur.e_pblk += a - cur.e_lblk;
		cur.e_lblk = a;
		cur.e_len = (uint32_t)(end - a);
		if (!err)
			err = ext2fs_extent_insert(h, EXT2_EXTENT_INSERT_AFTER, &cur);
	}
	if (!err) {			/* [a, b) written */
		piece = cur;
		piece.e_len = (uint32_t)(b - a);
		piece.e_flags &= ~EXT2_EXTENT_FLAGS_UNINIT;
		err = ext2fs_extent_replace(h, 0, &piece);
	}
	if (!err && b < end) {		/* keep [b, end) unwritten */
		piece = cur;
		piece.e_pblk += b - a;
		piece.e_lblk = b;
		piece.e_len = (uint32_t)(end - b);
		err = ext2fs_extent_insert(h, EXT2_EXTENT_INSERT_AFTER, &piece);
	}
	if (!err)
		err = ext2fs_extent_fix_parents(h);
	return f4_errcode_to_errno(err);
}

int f4_iomap_convert(ext2_filsys fs, ext2_ino_t ino,
		     struct ext2_inode_large *inode, uint64_t lblk, uint64_t n)
{
	uint64_t end = lblk + n;
	ext2_extent_handle_t h = NULL;
	int ret;

	if (!(inode->i_flags & EXT4_EXTENTS_FL))
		return 0;
	ret = open_tree(fs, ino, inode, &h);
	while (!ret && lblk < end) {
		struct ext2fs_extent cur;
		uint64_t cur_end;
		bool found;

		ret = seek(h, lblk, &found, &cur);
		if (ret == -ENOENT) {
			ret = 0;
			break;
		}
		if (ret)
			break;
		if (!found) {
			/* A hole: skip to the next extent, if any. */
			if (cur.e_lblk > lblk) {
				lblk = cur.e_lblk;
				continue;
			}
			if (ext2fs_extent_get(h, EXT2_EXTENT_NEXT_LEAF, &cur) ||
			    cur.e_lblk <= lblk)
				break;
			lblk = cur.e_lblk;
			continue;
		}
		cur_end = cur.e_lblk + cur.e_len;
		if (cur.e_flags & EXT2_EXTENT_FLAGS_UNINIT)
			ret = convert_piece(h, cur, lblk,
					    cur_end < end ? cur_end : end);
		lblk = cur_end;
	}
	if (h)
		ext2fs_extent_free(h);
	return ret;
}
