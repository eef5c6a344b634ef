/* Owns the input format of fuzz_journal (see jinput.h): parsing it into
 * a journal in memory and reading that journal as the engine does. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ext2fs/ext2fs.h>

#include "jinput.h"
#include "src/journal/jformat.h"

static uint32_t le32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put_le32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
}

/* crc32c(seed, blk) with the 4 bytes at `at` zeroed, stored there. */
static void put_csum(uint8_t *blk, uint32_t bs, uint32_t seed, size_t at)
{
	f4_jput32(blk + at, 0);
	f4_jput32(blk + at, ext2fs_crc32c_le(seed, blk, bs));
}

/* F4FZ_J_FIX: make the input's checksums (but the data tags') right. */
static void fix_csums(struct f4fz_journal *jn)
{
	uint8_t *sb = jn->mem;
	uint32_t seed, incompat = f4_jget32(sb + F4_JSB_INCOMPAT);
	uint64_t i;

	if (f4_jget32(sb + F4_JH_TYPE) != F4_JB_SB_V2 ||
	    !(incompat & (F4_JF_INCOMPAT_CSUM_V2 | F4_JF_INCOMPAT_CSUM_V3)))
		return;
	put_csum(sb, F4_JSB_SIZE, ~0u, F4_JSB_CHECKSUM);
	seed = ext2fs_crc32c_le(~0u, sb + F4_JSB_UUID, 16);
	for (i = 1; i < jn->nin; i++) {
		uint8_t *b = jn->mem + i * jn->bs;

		if (f4_jget32(b + F4_JH_MAGIC) != F4_JMAGIC)
			continue;
		switch (f4_jget32(b + F4_JH_TYPE)) {
		case F4_JB_DESCRIPTOR:
		case F4_JB_REVOKE:
			put_csum(b, jn->bs, seed, jn->bs - F4_JTAIL_SIZE);
			break;
		case F4_JB_COMMIT:
			put_csum(b, jn->bs, seed, F4_JC_CHKSUM);
			break;
		}
	}
}

int f4fz_journal_parse(const uint8_t *data, size_t size,
		       struct f4fz_journal *jn)
{
	uint8_t flags;

	memset(jn, 0, sizeof(*jn));
	if (size <= F4FZ_JHDR)
		return -1;
	flags = data[0];
	jn->bs = flags & F4FZ_J_4K ? 4096 : 1024;
	jn->nin = (size - F4FZ_JHDR + jn->bs - 1) / jn->bs;
	jn->hole = (uint64_t)data[2] | (uint64_t)data[3] << 8;
	if (jn->hole > jn->nin)
		jn->hole = jn->nin;
	jn->extra = le32(data + 4);
	if (jn->nin + jn->extra > F4FZ_JMAX_BLOCKS)
		jn->extra = jn->nin >= F4FZ_JMAX_BLOCKS ? 0 :
			    F4FZ_JMAX_BLOCKS - jn->nin;
	jn->nblocks = jn->nin + jn->extra;
	jn->dev_blocks = le32(data + 8);
	if (flags & F4FZ_J_BIGDEV)
		jn->dev_blocks <<= 20;
	jn->jstart = le32(data + 12);
	jn->bad_read = flags & F4FZ_J_BADREAD;
	jn->bad_blk = data[1];
	jn->mem = calloc(jn->nin, jn->bs);
	if (!jn->mem)
		abort();
	memcpy(jn->mem, data + F4FZ_JHDR, size - F4FZ_JHDR);
	if (flags & F4FZ_J_FIX)
		fix_csums(jn);
	return 0;
}

void f4fz_journal_free(struct f4fz_journal *jn)
{
	free(jn->mem);
	jn->mem = NULL;
}

static int jn_read(void *ctx, uint64_t jblk, void *buf)
{
	struct f4fz_journal *jn = ctx;

	if (jblk >= jn->nblocks) {
		fprintf(stderr, "f4fz FINDING: journal read of block %llu, "
			"the journal has %llu\n", (unsigned long long)jblk,
			(unsigned long long)jn->nblocks);
		abort();
	}
	if (jn->bad_read && jblk == jn->bad_blk) {
		jn->bad_read_hit = true;
		return -EIO;
	}
	if (jblk == 0 && jn->sb0)
		memcpy(buf, jn->sb0, jn->bs);
	else if (jblk < jn->hole)
		memcpy(buf, jn->mem + jblk * jn->bs, jn->bs);
	else if (jblk < jn->hole + jn->extra)
		memset(buf, 0, jn->bs);
	else
		memcpy(buf, jn->mem + (jblk - jn->extra) * jn->bs, jn->bs);
	return 0;
}

struct f4_jdev f4fz_journal_dev(struct f4fz_journal *jn)
{
	struct f4_jdev d = {
		.read = jn_read, .ctx = jn, .blocksize = jn->bs,
		.nblocks = jn->nblocks,
	};

	return d;
}

void f4fz_journal_header(uint8_t *hdr, uint8_t flags, uint64_t hole,
			 uint64_t extra, uint32_t dev_blocks, uint32_t jstart)
{
	memset(hdr, 0, F4FZ_JHDR);
	hdr[0] = flags;
	hdr[2] = (uint8_t)hole;
	hdr[3] = (uint8_t)(hole >> 8);
	put_le32(hdr + 4, (uint32_t)extra);
	put_le32(hdr + 8, dev_blocks);
	put_le32(hdr + 12, jstart);
}
