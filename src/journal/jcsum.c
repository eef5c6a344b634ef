/* Owns the journal's checksums: the v2/v3 crc32c family (superblock,
 * descriptor and revoke tails, commit blocks, data-block tags) and the
 * v1 transaction crc32_be. Every block checksum is taken over the whole
 * block with its own checksum field read as zero. */
#include "config.h"

#include <ext2fs/ext2fs.h>

#include "src/journal/jint.h"

static const uint8_t zero4[4];

/* crc32c over buf[0, len) with the 4 bytes at hole taken as zero. */
static uint32_t crc32c_hole(uint32_t crc, const uint8_t *buf, size_t len,
			    size_t hole)
{
	crc = ext2fs_crc32c_le(crc, buf, hole);
	crc = ext2fs_crc32c_le(crc, zero4, sizeof(zero4));
	return ext2fs_crc32c_le(crc, buf + hole + 4, len - hole - 4);
}

/* The v2/v3 seed is the JOURNAL superblock's uuid (for an internal
 * journal mke2fs copies the filesystem's, but the journal's is what
 * counts). */
uint32_t f4_jcsum_seed(const uint8_t *uuid)
{
	return ext2fs_crc32c_le(~0u, uuid, 16);
}

/* The superblock's own checksum is not seeded by the uuid. */
uint32_t f4_jcsum_sb(const uint8_t *sb)
{
	return crc32c_hole(~0u, sb, F4_JSB_SIZE, F4_JSB_CHECKSUM);
}

bool f4_jcsum_tail_ok(const struct f4_jctx *c, const uint8_t *blk)
{
	size_t at = c->bs - F4_JTAIL_SIZE;

	if (!c->csum23)
		return true;
	return crc32c_hole(c->seed, blk, c->bs, at) == f4_jget32(blk + at);
}

bool f4_jcsum_commit_ok(const struct f4_jctx *c, const uint8_t *blk)
{
	if (!c->csum23)
		return true;
	return crc32c_hole(c->seed, blk, c->bs, F4_JC_CHKSUM) ==
	       f4_jget32(blk + F4_JC_CHKSUM);
}

/* crc32c(seed, be32 tid, the block as stored in the journal, escaped);
 * v2 tags keep its low 16 bits. */
bool f4_jcsum_tag_ok(const struct f4_jctx *c, const struct f4_jtag *t,
		     const uint8_t *data)
{
	uint8_t seq[4];
	uint32_t crc;

	if (!c->csum23)
		return true;
	f4_jput32(seq, t->tid);
	crc = ext2fs_crc32c_le(c->seed, seq, sizeof(seq));
	crc = ext2fs_crc32c_le(crc, data, c->bs);
	if (c->csum3)
		return crc == t->csum;
	return (crc & 0xffffu) == t->csum;
}

uint32_t f4_jcsum_crc32_be(uint32_t crc, const uint8_t *buf, size_t len)
{
	return ext2fs_crc32_be(crc, buf, len);
}
