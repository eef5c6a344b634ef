/* Owns the journal superblock checks: what makes jbd2 refuse a journal
 * before looking at the log (docs/journal-recovery.md, "refuse" rows),
 * and the geometry the passes use. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/journal/jint.h"

int f4_jrefuse(char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (msg && msglen)
		vsnprintf(msg, msglen, fmt, ap);
	va_end(ap);
	return -EUCLEAN;
}

int f4_jread(const struct f4_jctx *c, uint64_t jblk, void *buf)
{
	if (jblk >= c->j->nblocks)
		return -EUCLEAN;
	return c->j->read(c->j->ctx, jblk, buf);
}

static bool pow2_bs(uint32_t bs)
{
	return bs >= 1024 && bs <= 65536 && (bs & (bs - 1)) == 0;
}

/* Feature words of a v2 superblock (a v1 one has none) and the checks
 * on their combinations and on the superblock checksum. */
static int load_features(struct f4_jctx *c, char *msg, size_t msglen)
{
	const uint8_t *sb = c->sb;
	uint32_t ro;

	if (f4_jget32(sb + F4_JH_TYPE) == F4_JB_SB_V1)
		return 0;
	c->compat = f4_jget32(sb + F4_JSB_COMPAT);
	c->incompat = f4_jget32(sb + F4_JSB_INCOMPAT);
	ro = f4_jget32(sb + F4_JSB_RO_COMPAT);
	if ((c->incompat & ~F4_JF_KNOWN_INCOMPAT) ||
	    (ro & ~F4_JF_KNOWN_RO_COMPAT))
		return f4_jrefuse(msg, msglen,
			      "journal has unknown features (incompat 0x%x, "
			      "ro_compat 0x%x)", c->incompat, ro);
	c->csum3 = c->incompat & F4_JF_INCOMPAT_CSUM_V3;
	c->csum23 = c->csum3 || (c->incompat & F4_JF_INCOMPAT_CSUM_V2);
	c->v1csum = c->compat & F4_JF_COMPAT_CHECKSUM;
	if (c->csum3 && (c->incompat & F4_JF_INCOMPAT_CSUM_V2))
		return f4_jrefuse(msg, msglen,
			      "journal has both checksum v2 and v3");
	if (c->csum23 && c->v1csum)
		return f4_jrefuse(msg, msglen,
			      "journal has both checksum v1 and v2/v3");
	if (c->csum23 && sb[F4_JSB_CSUM_TYPE] != F4_JCSUM_CRC32C)
		return f4_jrefuse(msg, msglen, "journal checksum type %u unknown",
			      sb[F4_JSB_CSUM_TYPE]);
	if (c->csum23 && f4_jcsum_sb(sb) != f4_jget32(sb + F4_JSB_CHECKSUM))
		return f4_jrefuse(msg, msglen, "journal superblock checksum "
			      "mismatch");
	c->is64 = c->incompat & F4_JF_INCOMPAT_64BIT;
	c->async = c->incompat & F4_JF_INCOMPAT_ASYNC_COMMIT;
	if (c->csum23)
		c->seed = f4_jcsum_seed(sb + F4_JSB_UUID);
	return 0;
}

static uint32_t tag_bytes(const struct f4_jctx *c)
{
	uint32_t sz = 12;

	if (c->csum3)
		return 16;
	if (c->incompat & F4_JF_INCOMPAT_CSUM_V2)
		sz += 2;
	return c->is64 ? sz : sz - 4;
}

/* s_maxlen, s_first, s_start and the fast-commit area against the
 * journal's real length. */
static int load_geometry(struct f4_jctx *c, char *msg, size_t msglen)
{
	const uint8_t *sb = c->sb;
	uint32_t maxlen = f4_jget32(sb + F4_JSB_MAXLEN), nfc = 0;

	if (maxlen > c->j->nblocks)
		return f4_jrefuse(msg, msglen, "journal superblock claims %u "
			      "blocks, the journal has %llu", maxlen,
			      (unsigned long long)c->j->nblocks);
	if (c->incompat & F4_JF_INCOMPAT_FAST_COMMIT) {
		nfc = f4_jget32(sb + F4_JSB_NUM_FC_BLKS);
		if (!nfc)
			nfc = F4_JFC_DEFAULT_BLKS;
	}
	if (maxlen < F4_JMIN_BLOCKS || maxlen - F4_JMIN_BLOCKS < nfc)
		return f4_jrefuse(msg, msglen, "journal too short: %u blocks, %u "
			      "of them fast-commit", maxlen, nfc);
	c->first = f4_jget32(sb + F4_JSB_FIRST);
	c->last = maxlen - nfc;
	if (c->first == 0 || c->first >= c->last)
		return f4_jrefuse(msg, msglen, "journal log area [%u, %u) is "
			      "invalid", c->first, c->last);
	c->seq = f4_jget32(sb + F4_JSB_SEQUENCE);
	c->start = f4_jget32(sb + F4_JSB_START);
	if (c->start && (c->start < c->first || c->start >= c->last))
		return f4_jrefuse(msg, msglen, "journal log start %u outside the "
			      "log area [%u, %u)", c->start, c->first,
			      c->last);
	if (nfc) {	/* jbd2 uses [last + 1, maxlen) */
		c->fc_first = (uint64_t)c->last + 1;
		c->fc_count = maxlen - c->fc_first;
	}
	return 0;
}

int f4_jsb_load(struct f4_jctx *c, const struct f4_jdev *j, char *msg,
		size_t msglen)
{
	uint8_t *blk;
	uint32_t type;
	int rc;

	memset(c, 0, sizeof(*c));
	c->j = j;
	c->bs = j->blocksize;
	if (!j->read || !pow2_bs(c->bs) || j->nblocks < 2) {
		f4_jrefuse(msg, msglen, "journal of %llu blocks of %u bytes "
			   "cannot be read", (unsigned long long)j->nblocks, c->bs);
		return -EINVAL;
	}
	blk = malloc(c->bs);
	if (!blk)
		return -ENOMEM;
	rc = f4_jread(c, 0, blk);
	memcpy(c->sb, blk, F4_JSB_SIZE);
	free(blk);
	if (rc)
		return rc;
	type = f4_jget32(c->sb + F4_JH_TYPE);
	if (f4_jget32(c->sb + F4_JH_MAGIC) != F4_JMAGIC)
		return f4_jrefuse(msg, msglen, "no journal superblock (bad magic)");
	if (type != F4_JB_SB_V1 && type != F4_JB_SB_V2)
		return f4_jrefuse(msg, msglen, "journal superblock type %u unknown",
			      type);
	if (f4_jget32(c->sb + F4_JSB_BLOCKSIZE) != c->bs)
		return f4_jrefuse(msg, msglen, "journal block size %u is not the "
			      "filesystem's %u",
			      f4_jget32(c->sb + F4_JSB_BLOCKSIZE), c->bs);
	rc = load_features(c, msg, msglen);
	if (!rc)
		rc = load_geometry(c, msg, msglen);
	c->tag_bytes = tag_bytes(c);
	c->tail = c->csum23 ? F4_JTAIL_SIZE : 0;
	c->jerrno = (int32_t)f4_jget32(c->sb + F4_JSB_ERRNO);
	return rc;
}
