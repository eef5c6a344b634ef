/* Owns the unit tests' fast-commit area builder (see fcbuild.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <ext2fs/ext2fs.h>

#include "fcbuild.h"

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static int rd(void *ctx, uint64_t jblk, void *buf)
{
	struct fcb *b = ctx;

	if ((int64_t)jblk == b->bad_read || jblk >= b->nblocks)
		return -EIO;
	memcpy(buf, b->mem + jblk * b->bs, b->bs);
	return 0;
}

void fcb_init(struct fcb *b, uint32_t bs, uint32_t fc_blocks, uint32_t tid)
{
	memset(b, 0, sizeof(*b));
	b->bs = bs;
	b->nblocks = fc_blocks + 1;
	b->mem = calloc(b->nblocks, bs);
	b->bad_read = -1;
	b->dev = (struct f4_jdev){ rd, b, bs, b->nblocks };
	b->plan.needs_replay = true;
	b->plan.fc_first = 1;
	b->plan.fc_count = fc_blocks;
	b->plan.next_seq = tid;
}

void fcb_free(struct fcb *b)
{
	free(b->mem);
}

uint8_t *fcb_at(struct fcb *b, size_t pos)
{
	return b->mem + b->bs + pos;
}

/* Write bytes at the cursor, into the running crc. */
static void emit(struct fcb *b, const void *p, size_t n)
{
	memcpy(fcb_at(b, b->pos), p, n);
	b->crc = ext2fs_crc32c_le(b->crc, p, n);
	b->pos += n;
}

/* Room for a record of n bytes in this block, keeping 4 for a PAD; else
 * the block is closed with a PAD covering the rest. */
static void reserve(struct fcb *b, size_t n)
{
	size_t off = b->pos % b->bs, rest = b->bs - off - 4;
	uint8_t tl[4];

	if (n <= rest)
		return;
	put16(tl, 7);
	put16(tl + 2, (uint16_t)rest);
	emit(b, tl, 4);
	memset(fcb_at(b, b->pos), 0, rest);
	b->crc = ext2fs_crc32c_le(b->crc, fcb_at(b, b->pos), rest);
	b->pos += rest;
}

void fcb_rec(struct fcb *b, uint16_t tag, const void *val, uint16_t len)
{
	uint8_t tl[4];

	reserve(b, 4u + len);
	put16(tl, tag);
	put16(tl + 2, len);
	emit(b, tl, 4);
	emit(b, val, len);
}

void fcb_head(struct fcb *b, uint32_t features, uint32_t tid)
{
	uint8_t v[8];

	put32(v, features);
	put32(v + 4, tid);
	fcb_rec(b, 9, v, 8);
}

/* The tail takes the rest of its block: its length says so. */
void fcb_tail(struct fcb *b, uint32_t tid)
{
	uint8_t tl[8], crc[4];
	size_t end;

	reserve(b, 12);
	end = (b->pos / b->bs + 1) * b->bs;
	put16(tl, 8);
	put16(tl + 2, (uint16_t)(end - b->pos - 4));
	put32(tl + 4, tid);
	emit(b, tl, 8);
	put32(crc, b->crc);
	memcpy(fcb_at(b, b->pos), crc, 4);
	b->pos = end;
	b->crc = 0;
}

void fcb_add_range(struct fcb *b, uint32_t ino, uint32_t lblk, uint16_t len,
		   uint64_t pblk)
{
	uint8_t v[16];

	put32(v, ino);
	put32(v + 4, lblk);
	put16(v + 8, len);
	put16(v + 10, (uint16_t)(pblk >> 32));
	put32(v + 12, (uint32_t)pblk);
	fcb_rec(b, 1, v, 16);
}

void fcb_del_range(struct fcb *b, uint32_t ino, uint32_t lblk, uint32_t len)
{
	uint8_t v[12];

	put32(v, ino);
	put32(v + 4, lblk);
	put32(v + 8, len);
	fcb_rec(b, 2, v, 12);
}

void fcb_dentry(struct fcb *b, uint16_t tag, uint32_t parent, uint32_t ino,
		const char *name)
{
	uint8_t v[8 + 255];
	size_t n = strlen(name);

	put32(v, parent);
	put32(v + 4, ino);
	memcpy(v + 8, name, n);
	fcb_rec(b, tag, v, (uint16_t)(8 + n));
}

void fcb_inode(struct fcb *b, uint32_t ino, const void *raw, uint16_t len)
{
	uint8_t v[4 + 1024];

	put32(v, ino);
	memcpy(v + 4, raw, len);
	fcb_rec(b, 6, v, (uint16_t)(4 + len));
}
