/* Owns writing the log (see jlog.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "src/journal/jlog.h"

static int jlog_read(void *ctx, uint64_t jblk, void *buf)
{
	const struct f4_jlog *l = ctx;

	return f4_dev_pread(l->dev, buf, l->c.bs ? l->c.bs : l->map.bsize,
			    f4_jmap_addr(&l->map, jblk));
}

/* Write count log blocks from buf at journal block jblk, one write per
 * stretch that is contiguous on the device. */
static int write_jblocks(const struct f4_jlog *l, uint64_t jblk,
			 const uint8_t *buf, uint64_t count)
{
	while (count) {
		uint64_t run = f4_jmap_run(&l->map, jblk);
		int ret;

		if (run > count)
			run = count;
		ret = f4_dev_pwrite(l->dev, buf, run * l->c.bs,
				    f4_jmap_addr(&l->map, jblk));
		if (ret)
			return ret;
		jblk += run;
		buf += run * l->c.bs;
		count -= run;
	}
	return 0;
}

static void put_header(uint8_t *b, uint32_t type, uint32_t tid)
{
	f4_jput32(b + F4_JH_MAGIC, F4_JMAGIC);
	f4_jput32(b + F4_JH_TYPE, type);
	f4_jput32(b + F4_JH_SEQ, tid);
}

/* The v2/v3 tail: crc32c(seed, the block with the tail as zero). */
static void put_tail(const struct f4_jlog *l, uint8_t *b)
{
	size_t at = l->c.bs - F4_JTAIL_SIZE;

	if (!l->c.csum23)
		return;
	f4_jput32(b + at, 0);
	f4_jput32(b + at, ext2fs_crc32c_le(l->c.seed, b, l->c.bs));
}

static size_t revoke_per_block(const struct f4_jlog *l)
{
	return (l->c.bs - F4_JR_RECORDS - l->c.tail) / (l->c.is64 ? 8 : 4);
}

/* Tags one descriptor holds: the first carries the uuid. */
static size_t tags_per_desc(const struct f4_jlog *l)
{
	size_t room = l->c.bs - F4_JH_SIZE - l->c.tail - F4_JT_UUID_SIZE;

	return room / l->c.tag_bytes;
}

uint64_t f4_jlog_blocks(const struct f4_jlog *l, size_t n, size_t nrev)
{
	size_t per = tags_per_desc(l), rper = revoke_per_block(l);

	return (nrev + rper - 1) / rper + (n + per - 1) / per + n + 1;
}

int f4_jlog_open(struct f4_jlog *l, ext2_filsys fs, const struct f4_dev *dev,
		 char *msg, size_t len)
{
	int ret;

	memset(l, 0, sizeof(*l));
	l->dev = dev;
	if (fs->super->s_journal_dev || !fs->super->s_journal_inum) {
		snprintf(msg, len, "the journal is on an external device, which fuse4fs cannot write");
		return -EOPNOTSUPP;
	}
	ret = f4_jmap_build(fs, dev, &l->map, msg, len);
	if (ret)
		return ret;
	l->jd = (struct f4_jdev){ .read = jlog_read, .ctx = l,
				  .blocksize = fs->blocksize,
				  .nblocks = l->map.nblocks };
	ret = f4_jsb_load(&l->c, &l->jd, msg, len);
	if (!ret && l->c.start) {
		snprintf(msg, len, "the journal still needs recovery");
		ret = -EUCLEAN;
	}
	if (ret)
		return ret;
	l->dcap = tags_per_desc(l) + 1;
	l->dbuf = malloc(l->dcap * l->c.bs);
	return l->dbuf ? 0 : -ENOMEM;
}

void f4_jlog_close(struct f4_jlog *l)
{
	f4_jmap_free(&l->map);
	free(l->dbuf);
	l->dbuf = NULL;
}

static int write_revokes(struct f4_jlog *l, uint32_t tid, uint32_t *at,
			 const uint64_t *revs, size_t nrev)
{
	size_t rper = revoke_per_block(l), rsz = l->c.is64 ? 8 : 4;
	uint8_t *b = l->dbuf;

	while (nrev) {
		size_t k = nrev < rper ? nrev : rper, i;
		int ret;

		memset(b, 0, l->c.bs);
		put_header(b, F4_JB_REVOKE, tid);
		f4_jput32(b + F4_JR_COUNT, (uint32_t)(F4_JR_RECORDS + k * rsz));
		for (i = 0; i < k; i++) {
			uint8_t *r = b + F4_JR_RECORDS + i * rsz;

			if (l->c.is64)
				f4_jput64(r, revs[i]);
			else
				f4_jput32(r, (uint32_t)revs[i]);
		}
		put_tail(l, b);
		ret = write_jblocks(l, *at, b, 1);
		if (ret)
			return ret;
		(*at)++;
		revs += k;
		nrev -= k;
	}
	return 0;
}

/* One tag for the copy now at data (already escaped). */
static void put_tag(const struct f4_jlog *l, uint8_t *t, uint32_t tid,
		    uint64_t fsblk, uint16_t flags, const uint8_t *data)
{
	uint8_t seq[4];
	uint32_t crc;

	memset(t, 0, l->c.tag_bytes);
	f4_jput32(t + F4_JT_BLOCKNR, (uint32_t)fsblk);
	if (l->c.is64 || l->c.csum3)
		f4_jput32(t + F4_JT_BLOCKNR_HI, l->c.is64 ? (uint32_t)(fsblk >> 32) : 0);
	f4_jput16(t + F4_JT_FLAGS, flags);
	if (!l->c.csum23)
		return;
	f4_jput32(seq, tid);
	crc = ext2fs_crc32c_le(l->c.seed, seq, sizeof(seq));
	crc = ext2fs_crc32c_le(crc, data, l->c.bs);
	if (l->c.csum3)
		f4_jput32(t + F4_JT_CSUM32, crc);
	else
		f4_jput16(t + F4_JT_CSUM16, (uint16_t)crc);
}

/* One descriptor and the k copies it tags, written as one stretch. */
static int write_group(struct f4_jlog *l, uint32_t tid, uint32_t *at,
		       const struct f4_jrec *v, size_t k, uint32_t *crc)
{
	uint8_t *d = l->dbuf, *t = d + F4_JH_SIZE;
	size_t i;
	int ret;

	memset(d, 0, l->c.bs);
	put_header(d, F4_JB_DESCRIPTOR, tid);
	for (i = 0; i < k; i++) {
		uint8_t *copy = d + (i + 1) * l->c.bs;
		uint16_t flags = 0;

		memcpy(copy, v[i].data, l->c.bs);
		if (f4_jget32(copy) == F4_JMAGIC) {
			f4_jput32(copy, 0);
			flags |= F4_JTF_ESCAPE;
		}
		if (i)
			flags |= F4_JTF_SAME_UUID;
		if (i == k - 1)
			flags |= F4_JTF_LAST_TAG;
		put_tag(l, t, tid, v[i].fsblk, flags, copy);
		t += l->c.tag_bytes;
		if (!i) {
			memcpy(t, l->c.sb + F4_JSB_UUID, F4_JT_UUID_SIZE);
			t += F4_JT_UUID_SIZE;
		}
	}
	put_tail(l, d);
	if (l->c.v1csum)
		*crc = ext2fs_crc32_be(*crc, d, (k + 1) * l->c.bs);
	ret = write_jblocks(l, *at, d, k + 1);
	if (!ret)
		*at += (uint32_t)(k + 1);
	return ret;
}

int f4_jlog_write_body(struct f4_jlog *l, uint32_t tid, uint32_t at,
		       const struct f4_jrec *v, size_t n, const uint64_t *revs,
		       size_t nrev, uint32_t *crc)
{
	size_t per = tags_per_desc(l);
	int ret = write_revokes(l, tid, &at, revs, nrev);

	*crc = ~0u;
	while (!ret && n) {
		size_t k = n < per ? n : per;

		ret = write_group(l, tid, &at, v, k, crc);
		v += k;
		n -= k;
	}
	return ret;
}

int f4_jlog_write_commit(struct f4_jlog *l, uint32_t tid, uint32_t at,
			 uint32_t crc)
{
	uint8_t *b = l->dbuf;
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	memset(b, 0, l->c.bs);
	put_header(b, F4_JB_COMMIT, tid);
	if (l->c.v1csum) {
		b[F4_JC_CHKSUM_TYPE] = F4_JCSUM_CRC32;
		b[F4_JC_CHKSUM_SIZE] = F4_JCSUM_CRC32_SIZE;
		f4_jput32(b + F4_JC_CHKSUM, crc);
	}
	f4_jput64(b + F4_JC_COMMIT_SEC, (uint64_t)now.tv_sec);
	f4_jput32(b + F4_JC_COMMIT_NSEC, (uint32_t)now.tv_nsec);
	if (l->c.csum23)
		f4_jput32(b + F4_JC_CHKSUM, ext2fs_crc32c_le(l->c.seed, b, l->c.bs));
	return write_jblocks(l, at, b, 1);
}

int f4_jlog_write_sb(struct f4_jlog *l, uint32_t start, uint32_t seq,
		     int32_t err)
{
	uint8_t *b = l->dbuf;
	int ret = jlog_read(l, 0, b);

	if (ret)
		return ret;
	memcpy(b + F4_JSB_INCOMPAT, l->c.sb + F4_JSB_INCOMPAT, 4);
	f4_jput32(b + F4_JSB_START, start);
	f4_jput32(b + F4_JSB_SEQUENCE, seq);
	f4_jput32(b + F4_JSB_ERRNO, (uint32_t)err);
	if (l->c.csum23)
		f4_jput32(b + F4_JSB_CHECKSUM, f4_jcsum_sb(b));
	ret = write_jblocks(l, 0, b, 1);
	if (!ret)
		memcpy(l->c.sb, b, F4_JSB_SIZE);
	return ret;
}
