/* A jbd2 journal builder for the recovery unit tests: writes journals
 * into memory the way jbd2 lays them out (superblock v1/v2, revoke
 * blocks, descriptors with every tag format, escaped data, commit blocks
 * with every checksum variant, wrap-around), computing every checksum
 * with its own code (not the engine's), and records where each block
 * went so tests can damage exactly one. */
#ifndef F4_TESTS_UNIT_JBUILD_H
#define F4_TESTS_UNIT_JBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/journal/recover.h"

#define JB_MAXTX 64		/* blocks in one transaction */

struct jb {
	uint8_t *mem;		/* nblocks * bs */
	uint32_t bs, nblocks;
	uint32_t maxlen, first, nfc;	/* nfc: s_num_fc_blks as stored */
	int version;		/* superblock v1 or v2 */
	uint32_t compat, incompat;
	uint8_t uuid[16];
	uint32_t seq0, start;	/* s_sequence, s_start */
	int32_t jerrno;
	bool no_same_uuid;	/* a uuid after every tag */
	uint16_t extra_flags;	/* or'ed into every tag (DELETED...) */
	/* Where the writer is. */
	uint32_t pos, tid;
	uint64_t time;
	/* The open transaction: blocks not yet written. */
	uint64_t fsblk[JB_MAXTX];
	uint8_t *data[JB_MAXTX];
	unsigned n;
	/* Where the last transaction's blocks went. */
	uint32_t last_desc, last_commit, last_revoke;
	uint32_t last_data[JB_MAXTX];
	/* Read side: a block that fails to read, and how many reads. */
	int64_t bad_read;
	unsigned reads;
};

/* A fresh journal of nblocks blocks (maxlen = nblocks, first = 1),
 * superblock v2 unless version 1; nfc fast-commit blocks (with
 * FAST_COMMIT in incompat). The log starts at block `start` with
 * transaction seq. */
void jb_init(struct jb *b, uint32_t bs, uint32_t nblocks, int version,
	     uint32_t compat, uint32_t incompat);
void jb_place(struct jb *b, uint32_t start, uint32_t seq);
void jb_free(struct jb *b);
/* Write the superblock (after any field change). */
void jb_write_sb(struct jb *b);

/* Add a block to the open transaction (data: bs bytes, copied). */
void jb_add(struct jb *b, uint64_t fsblk, const uint8_t *data);
/* Write a revoke block for these blocks into the open transaction. */
void jb_revoke(struct jb *b, const uint64_t *blks, unsigned n);
/* Write descriptor(s) and data of the open transaction, and its commit
 * block unless no_commit; the next transaction gets the next tid. */
void jb_commit(struct jb *b, bool no_commit);

/* The journal as the engine reads it. */
struct f4_jdev jb_dev(struct jb *b);

/* Fill buf (bs bytes) with a pattern of its own for (fsblk, version). */
void jb_pattern(const struct jb *b, uint8_t *buf, uint64_t fsblk,
		unsigned version);
/* Recompute the tail checksum of a descriptor/revoke block, or the
 * checksum of a commit block, after a test changed it. */
void jb_fix_tail(struct jb *b, uint32_t jblk);
void jb_fix_commit(struct jb *b, uint32_t jblk);
uint8_t *jb_blk(struct jb *b, uint32_t jblk);

#endif
