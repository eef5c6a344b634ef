/* Owns the on-disk format of a jbd2 journal (the log ext3/ext4 keep in
 * the journal inode), written from the published format facts: every
 * multi-byte field is big-endian; the offsets below are byte offsets
 * inside one journal block. Nothing here reads or writes: the recovery
 * engine (recover.h) and the unit tests' journal builder share these
 * definitions and the two byte-order helpers. */
#ifndef F4_JOURNAL_JFORMAT_H
#define F4_JOURNAL_JFORMAT_H

#include <stdint.h>

#define F4_JMAGIC 0xC03B3998u

/* h_blocktype of the common 12-byte header. */
enum {
	F4_JB_DESCRIPTOR = 1,
	F4_JB_COMMIT = 2,
	F4_JB_SB_V1 = 3,
	F4_JB_SB_V2 = 4,
	F4_JB_REVOKE = 5,
};

/* Common header of every metadata block (superblock, descriptor,
 * commit, revoke). */
#define F4_JH_MAGIC 0x0
#define F4_JH_TYPE 0x4
#define F4_JH_SEQ 0x8
#define F4_JH_SIZE 12

/* Journal superblock (block 0 of the journal, 1024 bytes used). The
 * fields from s_feature_compat on exist only in a v2 superblock; a v1
 * journal has no features at all, whatever those bytes hold. */
#define F4_JSB_BLOCKSIZE 0x0C
#define F4_JSB_MAXLEN 0x10	/* blocks in the journal, superblock included */
#define F4_JSB_FIRST 0x14	/* first block of the log area */
#define F4_JSB_SEQUENCE 0x18	/* tid of the oldest transaction in the log */
#define F4_JSB_START 0x1C	/* block of that transaction; 0: log empty */
#define F4_JSB_ERRNO 0x20	/* signed: set when the journal was aborted */
#define F4_JSB_COMPAT 0x24
#define F4_JSB_INCOMPAT 0x28
#define F4_JSB_RO_COMPAT 0x2C
#define F4_JSB_UUID 0x30	/* 16 bytes; seeds the v2/v3 checksums */
#define F4_JSB_NR_USERS 0x40
#define F4_JSB_DYNSUPER 0x44
#define F4_JSB_MAX_TRANS 0x48
#define F4_JSB_MAX_TRANS_DATA 0x4C
#define F4_JSB_CSUM_TYPE 0x50	/* one byte */
#define F4_JSB_NUM_FC_BLKS 0x54	/* 0 with FAST_COMMIT means 256 */
#define F4_JSB_HEAD 0x58	/* newer kernels: log head at clean unmount */
#define F4_JSB_CHECKSUM 0xFC	/* crc32c(~0, these 1024 bytes, field 0) */
#define F4_JSB_USERS 0x100	/* 48 * 16 bytes of uuids */
#define F4_JSB_SIZE 1024

#define F4_JFC_DEFAULT_BLKS 256u
/* A journal (less its fast-commit area) shorter than this is refused. */
#define F4_JMIN_BLOCKS 1024u

/* Feature words. */
#define F4_JF_COMPAT_CHECKSUM 0x1u	/* "v1": crc32_be in the commit */
#define F4_JF_INCOMPAT_REVOKE 0x1u
#define F4_JF_INCOMPAT_64BIT 0x2u
#define F4_JF_INCOMPAT_ASYNC_COMMIT 0x4u
#define F4_JF_INCOMPAT_CSUM_V2 0x8u
#define F4_JF_INCOMPAT_CSUM_V3 0x10u
#define F4_JF_INCOMPAT_FAST_COMMIT 0x20u
#define F4_JF_KNOWN_COMPAT F4_JF_COMPAT_CHECKSUM
#define F4_JF_KNOWN_INCOMPAT                                                  \
	(F4_JF_INCOMPAT_REVOKE | F4_JF_INCOMPAT_64BIT |                        \
	 F4_JF_INCOMPAT_ASYNC_COMMIT | F4_JF_INCOMPAT_CSUM_V2 |                \
	 F4_JF_INCOMPAT_CSUM_V3 | F4_JF_INCOMPAT_FAST_COMMIT)
#define F4_JF_KNOWN_RO_COMPAT 0u

/* s_checksum_type and the commit block's h_chksum_type. */
#define F4_JCSUM_CRC32 1
#define F4_JCSUM_MD5 2
#define F4_JCSUM_SHA1 3
#define F4_JCSUM_CRC32C 4
#define F4_JCSUM_CRC32_SIZE 4

/* Descriptor block: the header, then tags, each followed by a 16-byte
 * uuid unless it carries SAME_UUID; with CSUM_V2/V3 the last 4 bytes of
 * the block are the tail checksum. Every tag stands for the next log
 * block, in order. Tag layouts (offsets inside the tag):
 *   all:  t_blocknr be32 at 0; the flags are the be16 at 6 (tag3 has a
 *         be32 t_flags at 4 whose low half is that same be16)
 *   v2:   t_checksum be16 at 4 (low 16 bits of the crc32c)
 *   64bit (and always in tag3): t_blocknr_high be32 at 8
 *   v3:   t_checksum be32 at 12
 * Sizes: 8 (32-bit), 12 (64bit), 10 / 14 (CSUM_V2, 32-bit / 64bit: the
 * v2 tag is 2 bytes longer than its fields), 16 (CSUM_V3, either). */
#define F4_JT_BLOCKNR 0
#define F4_JT_CSUM16 4
#define F4_JT_FLAGS 6
#define F4_JT_BLOCKNR_HI 8
#define F4_JT_CSUM32 12
#define F4_JT_UUID_SIZE 16

#define F4_JTF_ESCAPE 0x1u	/* data began with the magic: stored as 0 */
#define F4_JTF_SAME_UUID 0x2u	/* no uuid follows this tag */
#define F4_JTF_DELETED 0x4u	/* historical; recovery ignores it */
#define F4_JTF_LAST_TAG 0x8u

/* Tail of descriptor and revoke blocks with CSUM_V2/V3. */
#define F4_JTAIL_SIZE 4

/* Commit block. */
#define F4_JC_CHKSUM_TYPE 0x0C	/* one byte */
#define F4_JC_CHKSUM_SIZE 0x0D	/* one byte */
#define F4_JC_CHKSUM 0x10	/* h_chksum[0] of eight be32 */
#define F4_JC_COMMIT_SEC 0x30	/* be64 */
#define F4_JC_COMMIT_NSEC 0x38	/* be32 */

/* Revoke block: the header, r_count (bytes used, header included), then
 * be32 block numbers, or be64 with 64BIT. */
#define F4_JR_COUNT 0x0C
#define F4_JR_RECORDS 0x10

static inline uint32_t f4_jget32(const void *p)
{
	const uint8_t *b = p;

	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
	       (uint32_t)b[2] << 8 | b[3];
}

static inline uint16_t f4_jget16(const void *p)
{
	const uint8_t *b = p;

	return (uint16_t)(b[0] << 8 | b[1]);
}

static inline uint64_t f4_jget64(const void *p)
{
	const uint8_t *b = p;

	return (uint64_t)f4_jget32(b) << 32 | f4_jget32(b + 4);
}

static inline void f4_jput32(void *p, uint32_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static inline void f4_jput16(void *p, uint16_t v)
{
	uint8_t *b = p;

	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static inline void f4_jput64(void *p, uint64_t v)
{
	f4_jput32(p, (uint32_t)(v >> 32));
	f4_jput32((uint8_t *)p + 4, (uint32_t)v);
}

/* Transaction ids wrap: a is after b when the signed difference is
 * positive. */
static inline int f4_tid_gt(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) > 0;
}

static inline int f4_tid_geq(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) >= 0;
}

#endif
