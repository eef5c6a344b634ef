/* Shared by the fast-commit parser and applier (not for users of fc.h):
 * the on-disk format of the fast-commit area and the parsed form. Every
 * field of the area is little-endian (unlike the jbd2 log). */
#ifndef F4_JOURNAL_FCINT_H
#define F4_JOURNAL_FCINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <ext2fs/ext2fs.h>

#include "src/journal/recover.h"

/* Tags: a record is le16 tag, le16 length, then `length` value bytes. */
enum {
	F4_FC_ADD_RANGE = 1,	/* ino, ext4_extent (12 bytes) */
	F4_FC_DEL_RANGE = 2,	/* ino, lblk, len */
	F4_FC_CREAT = 3,	/* parent ino, ino, name */
	F4_FC_LINK = 4,		/* same */
	F4_FC_UNLINK = 5,	/* same */
	F4_FC_INODE = 6,	/* ino, raw on-disk inode */
	F4_FC_PAD = 7,		/* anything */
	F4_FC_TAIL = 8,		/* tid, crc32c */
	F4_FC_HEAD = 9,		/* features, tid */
};

#define F4_FC_TL_SIZE 4
#define F4_FC_ADD_RANGE_SIZE 16
#define F4_FC_DEL_RANGE_SIZE 12
#define F4_FC_DENTRY_SIZE 8	/* before the name */
#define F4_FC_INODE_HDR 4	/* before the raw inode */
#define F4_FC_TAIL_SIZE 8	/* minimum; the tail pads its block */
#define F4_FC_HEAD_SIZE 8
#define F4_FC_NAME_MAX 255
#define F4_FC_GOOD_OLD_INODE 128
/* HEAD feature bits this replay knows: none (as the kernel). */
#define F4_FC_KNOWN_FEATURES 0u

struct f4_fc_tlv {
	uint16_t tag, len;
	const uint8_t *val;	/* len bytes inside the area buffer */
};

/* The valid part of the area: every tag up to the last good tail. */
struct f4_fc_area {
	uint8_t *buf;		/* the blocks read, contiguous */
	struct f4_fc_tlv *v;
	size_t n;
	unsigned commits;	/* good tails */
	char why[128];		/* how the scan ended */
};

/* Scan the area (see docs/journal-recovery.md): 0 with the valid tags in
 * *a (n may be 0; why says why), -EUCLEAN with a reason in msg where the
 * kernel fails the recovery, -EIO, -ENOMEM. Free with f4_fc_area_free
 * whatever the result. */
int f4_fc_parse(const struct f4_jdev *j, const struct f4_jplan *p,
		unsigned inode_size, struct f4_fc_area *a, char *msg,
		size_t msglen);
void f4_fc_area_free(struct f4_fc_area *a);
const char *f4_fc_tag_name(unsigned tag);

/* The replay of parsed tags onto fs (fc_apply.c, fc_inode.c,
 * fc_dirent.c). */
struct f4_fc_stats;
struct fc_ctx {
	ext2_filsys fs;
	struct f4_fc_stats *st;
	ext2_ino_t *mod;	/* inodes whose blocks are re-marked at the end */
	size_t nmod, capmod;
	ext2fs_block_bitmap sys;	/* metadata: never a data block */
	const struct f4_fc_area *a;	/* its ADD_RANGE targets: never */
	char *msg;			/* allocated for tree blocks */
	size_t msglen;
	blk64_t counted;		/* scratch of the i_blocks count */
};

/* Blocks of an inode, for the bitmap passes: every tree block, and the
 * data blocks below logical block lend. */
typedef void (*f4_fc_blk_fn)(struct fc_ctx *c, blk64_t blk, blk64_t n,
			     bool data);
int f4_fc_walk(struct fc_ctx *c, ext2_ino_t ino, struct ext2_inode *in,
	       blk64_t lend, f4_fc_blk_fn fn);
/* ext4_iget's test, for a replay: an inode that exists (number in
 * range, not a reserved one but the root, readable, linked, a known
 * type). */
bool f4_fc_iget(struct fc_ctx *c, ext2_ino_t ino, struct ext2_inode *in);
bool f4_fc_inode_ok(const struct ext2_inode *in);
int f4_fc_record(struct fc_ctx *c, ext2_ino_t ino);
void f4_fc_mark_inode_used(struct fc_ctx *c, ext2_ino_t ino, bool dir);
int f4_fc_fail(struct fc_ctx *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int f4_fc_err(struct fc_ctx *c, errcode_t err, const char *what);

int f4_fc_do_inode(struct fc_ctx *c, const struct f4_fc_tlv *t);
int f4_fc_precheck_inode(struct fc_ctx *c, const struct f4_fc_tlv *t);
int f4_fc_do_dirent(struct fc_ctx *c, const struct f4_fc_tlv *t);

static inline uint16_t f4_fc_le16(const uint8_t *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static inline uint32_t f4_fc_le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

#endif
