/* Shared between the recovery passes (not for users of recover.h): the
 * journal geometry read from a checked superblock, the scan state and
 * the checksum helpers. */
#ifndef F4_JOURNAL_JINT_H
#define F4_JOURNAL_JINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/journal/jformat.h"
#include "src/journal/recover.h"

/* What a checked journal superblock says. */
struct f4_jctx {
	const struct f4_jdev *j;
	uint32_t bs;
	uint32_t first, last;	/* the log area is [first, last) */
	uint32_t seq, start;
	int32_t jerrno;
	uint32_t compat, incompat;	/* 0 for a v1 superblock */
	bool v1csum;		/* COMPAT_CHECKSUM: crc32_be in commits */
	bool csum23;		/* CSUM_V2 or CSUM_V3 */
	bool csum3, is64, async;
	uint32_t tag_bytes;
	uint32_t tail;		/* F4_JTAIL_SIZE with csum23, else 0 */
	uint32_t seed;		/* crc32c(~0, journal uuid) */
	uint64_t fc_first, fc_count;
	uint8_t sb[F4_JSB_SIZE];
};

/* One tag of a descriptor block, in log order. */
struct f4_jtag {
	uint64_t fsblk;
	uint32_t jblk;		/* journal block of the copy */
	uint32_t tid;
	uint32_t csum;		/* as stored: 16 bits (v2) or 32 (v3) */
	uint16_t flags;
};

/* A revoke block of the log. */
struct f4_jrevblk {
	uint32_t jblk;
	uint32_t tid;
};

/* What the scan pass found. Arrays hold at most one element per block
 * of the log area. */
struct f4_jscan {
	struct f4_jtag *tags;
	size_t ntags;
	struct f4_jrevblk *revs;
	size_t nrevs;
	uint32_t end;		/* first tid not to replay */
	bool has_failed_commit;
	uint32_t failed_commit;
	char note[120];		/* why the log ended early, if it did */
};

int f4_jsb_load(struct f4_jctx *c, const struct f4_jdev *j, char *msg,
		size_t msglen);
int f4_jscan_run(const struct f4_jctx *c, struct f4_jscan *s, char *msg,
		 size_t msglen);
void f4_jscan_free(struct f4_jscan *s);
/* Revoke pass: revoked[i] tells whether tag i (of the first ntags, all
 * committed) is cancelled by a revoke record of the same or a later
 * committed transaction. */
int f4_jrevoke_run(const struct f4_jctx *c, const struct f4_jscan *s,
		   size_t ntags, bool *revoked, char *msg, size_t msglen);

uint32_t f4_jcsum_seed(const uint8_t *uuid);
uint32_t f4_jcsum_sb(const uint8_t *sb);
bool f4_jcsum_tail_ok(const struct f4_jctx *c, const uint8_t *blk);
bool f4_jcsum_commit_ok(const struct f4_jctx *c, const uint8_t *blk);
bool f4_jcsum_tag_ok(const struct f4_jctx *c, const struct f4_jtag *t,
		     const uint8_t *data);
uint32_t f4_jcsum_crc32_be(uint32_t crc, const uint8_t *buf, size_t len);

/* Put a one-line reason into msg; returns -EUCLEAN. */
int f4_jrefuse(char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Read journal block jblk (checked against the journal length). */
int f4_jread(const struct f4_jctx *c, uint64_t jblk, void *buf);

#endif
