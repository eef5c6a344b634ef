/* Owns the INODE tag of a fast commit and the per-inode helpers the
 * other tags share: the kernel's "does this inode exist" test, walking an
 * inode's blocks, the list of inodes whose blocks are marked in use at
 * the end, and marking an inode in use. The INODE tag writes the logged
 * raw inode over the one in the inode table, keeping the on-disk block
 * map (the fast commit carries the map as ADD_RANGE/DEL_RANGE tags), and
 * recomputes i_blocks from the map, as the kernel does. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ext2fs/ext2fs.h>

#include "src/journal/fc.h"
#include "src/journal/fcint.h"

/* Offsets inside the raw on-disk inode. */
#define RAW_I_BLOCK 40		/* i_block[15], the map or inline data */
#define RAW_I_GENERATION 100	/* first byte after i_block */
#define EXT_MAGIC 0xF30Au
#define WALK_MAX (1u << 24)	/* extents visited per walk */

int f4_fc_fail(struct fc_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (c->msg && c->msglen)
		vsnprintf(c->msg, c->msglen, fmt, ap);
	va_end(ap);
	return -EUCLEAN;
}

int f4_fc_err(struct fc_ctx *c, errcode_t err, const char *what)
{
	if (err == EXT2_ET_NO_MEMORY)
		return -ENOMEM;
	if (err == EXT2_ET_SHORT_READ || err == EXT2_ET_SHORT_WRITE)
		return -EIO;
	return f4_fc_fail(c, "fast commit: %s: %s", what, error_message(err));
}

bool f4_fc_inode_ok(const struct ext2_inode *in)
{
	switch (in->i_mode & 0170000) {
	case 0100000: case 0040000: case 0120000: case 0020000:
	case 0060000: case 0010000: case 0140000:
		return in->i_links_count != 0;
	}
	return false;
}

bool f4_fc_iget(struct fc_ctx *c, ext2_ino_t ino, struct ext2_inode *in)
{
	ext2_filsys fs = c->fs;
	errcode_t err;

	if (ino < 1 || ino > fs->super->s_inodes_count)
		return false;
	if (ino < EXT2_FIRST_INO(fs->super) && ino != EXT2_ROOT_INO)
		return false;
	err = ext2fs_read_inode(fs, ino, in);
	return !err && f4_fc_inode_ok(in);
}

int f4_fc_record(struct fc_ctx *c, ext2_ino_t ino)
{
	size_t i;

	for (i = 0; i < c->nmod; i++)
		if (c->mod[i] == ino)
			return 0;
	if (c->nmod == c->capmod) {
		/* At most one per tag of the area: bounded by it. */
		size_t ncap = c->capmod ? c->capmod * 2 : 32;
		ext2_ino_t *v = realloc(c->mod, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->mod = v;
		c->capmod = ncap;
	}
	c->mod[c->nmod++] = ino;
	c->st->inodes++;
	return 0;
}

/* ext4_mark_inode_used: set the bit (and the group's counts) once. */
void f4_fc_mark_inode_used(struct fc_ctx *c, ext2_ino_t ino, bool dir)
{
	if (!ext2fs_test_inode_bitmap2(c->fs->inode_map, ino))
		ext2fs_inode_alloc_stats2(c->fs, ino, +1, dir);
}

int f4_fc_walk(struct fc_ctx *c, ext2_ino_t ino, struct ext2_inode *in,
	       blk64_t lend, f4_fc_blk_fn fn)
{
	ext2_extent_handle_t h;
	struct ext2fs_extent e;
	errcode_t err;
	unsigned steps = 0;
	int op = EXT2_EXTENT_ROOT;

	if (!(in->i_flags & EXT4_EXTENTS_FL))
		return 0;
	err = ext2fs_extent_open2(c->fs, ino, in, &h);
	if (err)
		return 0;	/* a map libext2fs cannot read: nothing to mark */
	while (steps++ < WALK_MAX) {
		err = ext2fs_extent_get(h, op, &e);
		op = EXT2_EXTENT_NEXT;
		if (err)
			break;
		if (e.e_flags & EXT2_EXTENT_FLAGS_SECOND_VISIT)
			continue;
		if (!(e.e_flags & EXT2_EXTENT_FLAGS_LEAF)) {
			fn(c, e.e_pblk, 1, false);
			continue;
		}
		if (e.e_lblk >= lend)
			continue;
		fn(c, e.e_pblk, e.e_len < lend - e.e_lblk ? e.e_len :
		   lend - e.e_lblk, true);
	}
	ext2fs_extent_free(h);
	return 0;
}

static void count_blk(struct fc_ctx *c, blk64_t blk, blk64_t n, bool data)
{
	(void)blk;
	(void)data;
	c->counted += n;
}

static void clear_blk(struct fc_ctx *c, blk64_t blk, blk64_t n, bool data)
{
	(void)data;
	if (blk >= c->fs->super->s_first_data_block &&
	    blk < ext2fs_blocks_count(c->fs->super) &&
	    n <= ext2fs_blocks_count(c->fs->super) - blk)
		ext2fs_unmark_block_bitmap_range2(c->fs->block_map, blk, n);
}

/* i_blocks from the map: mapped blocks and tree blocks (the kernel's
 * count), plus the xattr block, which the kernel leaves out and e2fsck
 * counts. */
static void set_iblocks(struct fc_ctx *c, ext2_ino_t ino,
			struct ext2_inode *in)
{
	if (!(in->i_flags & EXT4_EXTENTS_FL))
		return;	/* the kernel counts extent maps only */
	c->counted = 0;
	f4_fc_walk(c, ino, in, ~(blk64_t)0, count_blk);
	if (ext2fs_file_acl_block(c->fs, in))
		c->counted++;
	ext2fs_iblk_set(c->fs, in, c->counted);
}

/* What the kernel fails on once the raw inode is written: the tag is
 * refused before anything is applied. */
int f4_fc_precheck_inode(struct fc_ctx *c, const struct f4_fc_tlv *t)
{
	ext2_ino_t ino = f4_fc_le32(t->val);
	struct ext2_inode raw;

	if (ino < EXT2_ROOT_INO || ino > c->fs->super->s_inodes_count)
		return 0;	/* the kernel skips it: no inode to write */
	memcpy(&raw, t->val + F4_FC_INODE_HDR, sizeof(raw));
	if ((ino < EXT2_FIRST_INO(c->fs->super) && ino != EXT2_ROOT_INO) ||
	    !f4_fc_inode_ok(&raw))
		return f4_fc_fail(c, "fast commit: INODE tag for inode %u "
				  "(mode 0%o, %u links) that the kernel cannot "
				  "load after writing it", ino, raw.i_mode,
				  raw.i_links_count);
	return 0;
}

/* The logged inode over the on-disk one, but i_block stays (unless the
 * inode holds inline data, or claims extents over a map that is none). */
static void merge_raw(uint8_t *disk, const uint8_t *fc, unsigned len)
{
	struct ext2_inode *in = (struct ext2_inode *)disk;

	memcpy(disk, fc, RAW_I_BLOCK);
	memcpy(disk + RAW_I_GENERATION, fc + RAW_I_GENERATION,
	       len - RAW_I_GENERATION);
	if (in->i_flags & EXT4_INLINE_DATA_FL) {
		memcpy(disk + RAW_I_BLOCK, fc + RAW_I_BLOCK,
		       RAW_I_GENERATION - RAW_I_BLOCK);
	} else if ((in->i_flags & EXT4_EXTENTS_FL) &&
		   f4_fc_le16(disk + RAW_I_BLOCK) != EXT_MAGIC) {
		/* An empty tree: magic, 0 entries, room for 4, depth 0. */
		memset(disk + RAW_I_BLOCK, 0, RAW_I_GENERATION - RAW_I_BLOCK);
		disk[RAW_I_BLOCK] = EXT_MAGIC & 0xff;
		disk[RAW_I_BLOCK + 1] = EXT_MAGIC >> 8;
		disk[RAW_I_BLOCK + 4] = 4;
	}
}

/* Raw inode bytes are the on-disk little-endian layout: libext2fs hands
 * them over unswapped on the little-endian hosts fuse4fs runs on. */
static int write_logged(struct fc_ctx *c, ext2_ino_t ino,
			const struct f4_fc_tlv *t, uint8_t *buf, unsigned isz)
{
	unsigned len = t->len - F4_FC_INODE_HDR;
	int flags = c->fs->flags;
	errcode_t err;

	c->fs->flags |= EXT2_FLAG_IGNORE_CSUM_ERRORS;
	err = ext2fs_read_inode_full(c->fs, ino, (struct ext2_inode *)buf, isz);
	c->fs->flags = flags;
	if (err)
		return f4_fc_err(c, err, "reading an inode");
	merge_raw(buf, t->val + F4_FC_INODE_HDR, len);
	set_iblocks(c, ino, (struct ext2_inode *)buf);
	err = ext2fs_write_inode_full(c->fs, ino, (struct ext2_inode *)buf, isz);
	return err ? f4_fc_err(c, err, "writing an inode") : 0;
}

int f4_fc_do_inode(struct fc_ctx *c, const struct f4_fc_tlv *t)
{
	ext2_ino_t ino = f4_fc_le32(t->val);
	unsigned isz = EXT2_INODE_SIZE(c->fs->super);
	struct ext2_inode old;
	uint8_t *buf;
	int rc;

	if (ino < EXT2_ROOT_INO || ino > c->fs->super->s_inodes_count) {
		c->st->ops_skipped++;
		return 0;
	}
	/* The blocks it maps now are freed; those it still maps at the end
	 * of the replay are marked again (f4_fc_apply). */
	if (f4_fc_iget(c, ino, &old) && !(old.i_flags & EXT4_INLINE_DATA_FL))
		f4_fc_walk(c, ino, &old, EXT2_I_SIZE(&old) /
			   c->fs->blocksize, clear_blk);
	rc = f4_fc_record(c, ino);
	if (rc)
		return rc;
	buf = calloc(1, isz);
	if (!buf)
		return -ENOMEM;
	rc = write_logged(c, ino, t, buf, isz);
	if (!rc)
		f4_fc_mark_inode_used(c, ino, LINUX_S_ISDIR(
			((struct ext2_inode *)buf)->i_mode));
	free(buf);
	if (!rc)
		c->st->ops_applied++;
	return rc;
}
