/* Owns writing the log: one transaction at a time, in the jbd2 format
 * the kernel and our recovery replay (jformat.h) — revoke blocks, then
 * descriptor blocks each followed by the copies they tag (escaped when
 * a copy begins with the journal magic), then, once the caller has made
 * all of that durable, the commit block; and the journal superblock.
 * Tags, tails and the commit block carry the checksums the journal's
 * features call for (v1 crc32_be, v2/v3 crc32c). The log never wraps
 * here: the caller checkpoints and starts again at the log's first
 * block when a transaction does not fit before its end. */
#ifndef F4_JOURNAL_JLOG_H
#define F4_JOURNAL_JLOG_H

#include <stddef.h>
#include <stdint.h>
#include <ext2fs/ext2fs.h>

#include "src/io/dev.h"
#include "src/journal/jint.h"
#include "src/journal/jmap.h"

struct f4_jlog {
	const struct f4_dev *dev;
	struct f4_jmap map;
	struct f4_jdev jd;
	struct f4_jctx c;	/* geometry, features, checksum seed */
	uint8_t *dbuf;		/* one descriptor and its copies */
	size_t dcap;		/* blocks dbuf holds */
};

/* A block of the transaction: where it belongs and its contents. */
struct f4_jrec {
	uint64_t fsblk;
	const void *data;
};

/* Find, map and check the journal of fs (internal journals only). 0 or
 * -errno with a one-line reason in msg. */
int f4_jlog_open(struct f4_jlog *l, ext2_filsys fs, const struct f4_dev *dev,
		 char *msg, size_t len);
void f4_jlog_close(struct f4_jlog *l);

/* Log blocks a transaction of n copies and nrev revoke records takes,
 * its commit block included. */
uint64_t f4_jlog_blocks(const struct f4_jlog *l, size_t n, size_t nrev);

/* Write all of transaction tid but its commit block, from log block at
 * on (the caller checked that f4_jlog_blocks fits before c.last). *crc
 * carries the v1 checksum to the commit block. */
int f4_jlog_write_body(struct f4_jlog *l, uint32_t tid, uint32_t at,
		       const struct f4_jrec *v, size_t n, const uint64_t *revs,
		       size_t nrev, uint32_t *crc);

/* The commit block of transaction tid at log block at. */
int f4_jlog_write_commit(struct f4_jlog *l, uint32_t tid, uint32_t at,
			 uint32_t crc);

/* The journal superblock with s_start (0: log empty), s_sequence and
 * s_errno set (no sync). */
int f4_jlog_write_sb(struct f4_jlog *l, uint32_t start, uint32_t seq,
		     int32_t err);

#endif
