/* A jbd2 journal builder for the recovery unit tests (see jbuild.h). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <ext2fs/ext2fs.h>

#include "jbuild.h"
#include "src/journal/jformat.h"

static bool csum23(const struct jb *b)
{
	return b->version == 2 &&
	       (b->incompat & (F4_JF_INCOMPAT_CSUM_V2 | F4_JF_INCOMPAT_CSUM_V3));
}

static uint32_t seed(const struct jb *b)
{
	return ext2fs_crc32c_le(~0u, b->uuid, sizeof(b->uuid));
}

uint8_t *jb_blk(struct jb *b, uint32_t jblk)
{
	assert_true(jblk < b->nblocks);
	return b->mem + (size_t)jblk * b->bs;
}

void jb_init(struct jb *b, uint32_t bs, uint32_t nblocks, int version,
	     uint32_t compat, uint32_t incompat)
{
	unsigned i;

	memset(b, 0, sizeof(*b));
	b->bs = bs;
	b->nblocks = b->maxlen = nblocks;
	b->first = 1;
	b->version = version;
	b->compat = compat;
	b->incompat = incompat;
	b->bad_read = -1;
	for (i = 0; i < sizeof(b->uuid); i++)
		b->uuid[i] = (uint8_t)(0x51 + i * 13);
	b->mem = calloc(nblocks, bs);
	assert_non_null(b->mem);
	b->time = 1000;
	jb_place(b, 1, 1);
}

void jb_place(struct jb *b, uint32_t start, uint32_t seq)
{
	b->start = b->pos = start;
	b->seq0 = b->tid = seq;
	jb_write_sb(b);
}

void jb_free(struct jb *b)
{
	unsigned i;

	for (i = 0; i < b->n; i++)
		free(b->data[i]);
	free(b->mem);
}

void jb_write_sb(struct jb *b)
{
	uint8_t *sb = jb_blk(b, 0);
	uint32_t crc;

	memset(sb, 0, b->bs);
	f4_jput32(sb + F4_JH_MAGIC, F4_JMAGIC);
	f4_jput32(sb + F4_JH_TYPE, b->version == 1 ? F4_JB_SB_V1 : F4_JB_SB_V2);
	f4_jput32(sb + F4_JSB_BLOCKSIZE, b->bs);
	f4_jput32(sb + F4_JSB_MAXLEN, b->maxlen);
	f4_jput32(sb + F4_JSB_FIRST, b->first);
	f4_jput32(sb + F4_JSB_SEQUENCE, b->seq0);
	f4_jput32(sb + F4_JSB_START, b->start);
	f4_jput32(sb + F4_JSB_ERRNO, (uint32_t)b->jerrno);
	if (b->version == 1)
		return;
	f4_jput32(sb + F4_JSB_COMPAT, b->compat);
	f4_jput32(sb + F4_JSB_INCOMPAT, b->incompat);
	memcpy(sb + F4_JSB_UUID, b->uuid, sizeof(b->uuid));
	f4_jput32(sb + F4_JSB_NR_USERS, 1);
	f4_jput32(sb + F4_JSB_NUM_FC_BLKS, b->nfc);
	if (!csum23(b))
		return;
	sb[F4_JSB_CSUM_TYPE] = F4_JCSUM_CRC32C;
	crc = ext2fs_crc32c_le(~0u, sb, F4_JSB_SIZE);	/* field still 0 */
	f4_jput32(sb + F4_JSB_CHECKSUM, crc);
}

/* The log area ends before the fast-commit blocks. */
static uint32_t take(struct jb *b)
{
	uint32_t at = b->pos, last = b->maxlen;

	if (b->incompat & F4_JF_INCOMPAT_FAST_COMMIT)
		last -= b->nfc ? b->nfc : 256;
	if (++b->pos >= last)
		b->pos = b->first;
	return at;
}

static uint8_t *header(struct jb *b, uint32_t at, uint32_t type)
{
	uint8_t *p = jb_blk(b, at);

	memset(p, 0, b->bs);
	f4_jput32(p + F4_JH_MAGIC, F4_JMAGIC);
	f4_jput32(p + F4_JH_TYPE, type);
	f4_jput32(p + F4_JH_SEQ, b->tid);
	return p;
}

void jb_fix_tail(struct jb *b, uint32_t jblk)
{
	uint8_t *p = jb_blk(b, jblk);

	if (!csum23(b))
		return;
	f4_jput32(p + b->bs - 4, 0);
	f4_jput32(p + b->bs - 4, ext2fs_crc32c_le(seed(b), p, b->bs));
}

void jb_fix_commit(struct jb *b, uint32_t jblk)
{
	uint8_t *p = jb_blk(b, jblk);

	if (!csum23(b))
		return;
	f4_jput32(p + F4_JC_CHKSUM, 0);
	f4_jput32(p + F4_JC_CHKSUM, ext2fs_crc32c_le(seed(b), p, b->bs));
}

void jb_add(struct jb *b, uint64_t fsblk, const uint8_t *data)
{
	assert_true(b->n < JB_MAXTX);
	b->fsblk[b->n] = fsblk;
	b->data[b->n] = malloc(b->bs);
	assert_non_null(b->data[b->n]);
	memcpy(b->data[b->n++], data, b->bs);
}

void jb_revoke(struct jb *b, const uint64_t *blks, unsigned n)
{
	unsigned rl = b->incompat & F4_JF_INCOMPAT_64BIT ? 8 : 4, i = 0;
	uint32_t limit = b->bs - (csum23(b) ? 4 : 0);

	while (i < n) {
		uint32_t at = take(b), off = F4_JR_RECORDS;
		uint8_t *p = header(b, at, F4_JB_REVOKE);

		for (; i < n && off + rl <= limit; i++, off += rl) {
			if (rl == 8)
				f4_jput64(p + off, blks[i]);
			else
				f4_jput32(p + off, (uint32_t)blks[i]);
		}
		f4_jput32(p + F4_JR_COUNT, off);
		jb_fix_tail(b, at);
		b->last_revoke = at;
	}
}

static unsigned tag_size(const struct jb *b)
{
	unsigned sz = 12;

	if (b->version == 1)
		return 8;
	if (b->incompat & F4_JF_INCOMPAT_CSUM_V3)
		return 16;
	if (b->incompat & F4_JF_INCOMPAT_CSUM_V2)
		sz += 2;
	return b->incompat & F4_JF_INCOMPAT_64BIT ? sz : sz - 4;
}

/* The tag for block i of the open transaction; escapes its data. */
static void put_tag(struct jb *b, uint8_t *t, unsigned i, bool first)
{
	uint16_t flags = b->extra_flags;
	uint8_t seq[4];
	uint32_t crc;

	if (f4_jget32(b->data[i]) == F4_JMAGIC) {
		f4_jput32(b->data[i], 0);
		flags |= F4_JTF_ESCAPE;
	}
	if (!first && !b->no_same_uuid)
		flags |= F4_JTF_SAME_UUID;
	f4_jput32(t, (uint32_t)b->fsblk[i]);
	f4_jput16(t + 6, flags);
	if (b->version == 2 && (b->incompat & (F4_JF_INCOMPAT_64BIT |
					       F4_JF_INCOMPAT_CSUM_V3)))
		f4_jput32(t + 8, (uint32_t)(b->fsblk[i] >> 32));
	f4_jput32(seq, b->tid);
	crc = ext2fs_crc32c_le(ext2fs_crc32c_le(seed(b), seq, 4), b->data[i],
			       b->bs);
	if (csum23(b) && (b->incompat & F4_JF_INCOMPAT_CSUM_V3))
		f4_jput32(t + 12, crc);
	else if (csum23(b))
		f4_jput16(t + 4, (uint16_t)crc);
}

/* One descriptor and the data blocks its tags stand for, from block i
 * of the open transaction; returns the next block not written. */
static unsigned write_descriptor(struct jb *b, unsigned i, uint32_t *crc)
{
	uint32_t at = take(b), limit = b->bs - (csum23(b) ? 4 : 0);
	uint8_t *p = header(b, at, F4_JB_DESCRIPTOR);
	unsigned off = F4_JH_SIZE, ts = tag_size(b), k = i, j, lastoff = 0;

	for (; k < b->n; k++) {
		bool first = k == i;
		unsigned need = ts + ((first || b->no_same_uuid) ? 16 : 0);

		if (off + need > limit)
			break;
		put_tag(b, p + off, k, first);
		lastoff = off;
		off += need;	/* a uuid, when there is one, stays zero */
	}
	assert_true(k > i);
	f4_jput16(p + lastoff + 6, f4_jget16(p + lastoff + 6) | F4_JTF_LAST_TAG);
	jb_fix_tail(b, at);
	b->last_desc = at;
	*crc = ext2fs_crc32_be(*crc, p, b->bs);
	for (j = i; j < k; j++) {
		uint32_t d = take(b);

		memcpy(jb_blk(b, d), b->data[j], b->bs);
		*crc = ext2fs_crc32_be(*crc, b->data[j], b->bs);
		b->last_data[j] = d;
	}
	return k;
}

void jb_commit(struct jb *b, bool no_commit)
{
	uint32_t crc = ~0u, at;
	unsigned i = 0;
	uint8_t *p;

	while (i < b->n)
		i = write_descriptor(b, i, &crc);
	for (i = 0; i < b->n; i++)
		free(b->data[i]);
	b->n = 0;
	if (!no_commit) {
		at = take(b);
		p = header(b, at, F4_JB_COMMIT);
		f4_jput64(p + F4_JC_COMMIT_SEC, b->time++);
		if (b->version == 2 && (b->compat & F4_JF_COMPAT_CHECKSUM)) {
			p[F4_JC_CHKSUM_TYPE] = F4_JCSUM_CRC32;
			p[F4_JC_CHKSUM_SIZE] = F4_JCSUM_CRC32_SIZE;
			f4_jput32(p + F4_JC_CHKSUM, crc);
		}
		jb_fix_commit(b, at);
		b->last_commit = at;
	}
	b->tid++;
}

static int jb_read(void *ctx, uint64_t jblk, void *buf)
{
	struct jb *b = ctx;

	b->reads++;
	if (jblk >= b->nblocks)
		return -EINVAL;
	if ((int64_t)jblk == b->bad_read)
		return -EIO;
	memcpy(buf, b->mem + jblk * b->bs, b->bs);
	return 0;
}

struct f4_jdev jb_dev(struct jb *b)
{
	struct f4_jdev d = {
		.read = jb_read, .ctx = b, .blocksize = b->bs,
		.nblocks = b->nblocks,
	};

	return d;
}

void jb_pattern(const struct jb *b, uint8_t *buf, uint64_t fsblk,
		unsigned version)
{
	uint32_t i;

	for (i = 0; i < b->bs; i++)
		buf[i] = (uint8_t)(fsblk * 31 + version * 7 + i * 3 + (i >> 8));
}
