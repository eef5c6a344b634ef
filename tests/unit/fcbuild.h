/* A fast-commit area builder for the unit tests: lays records out the
 * way ext4 writes them (a record never crosses a block: the block is
 * closed with a PAD record first; a TAIL pads its block to the end),
 * with its own crc32c code path (libext2fs's crc, not the engine's
 * scan), into an in-memory "journal" read through an f4_jdev. */
#ifndef F4_TESTS_UNIT_FCBUILD_H
#define F4_TESTS_UNIT_FCBUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/journal/recover.h"

struct fcb {
	uint8_t *mem;		/* nblocks * bs; the area starts at block 1 */
	uint32_t bs, nblocks;
	size_t pos;		/* bytes written into the area */
	uint32_t crc;		/* since the last tail */
	int64_t bad_read;	/* journal block whose read fails, or -1 */
	struct f4_jdev dev;
	struct f4_jplan plan;	/* needs_replay, fc area, next_seq = tid */
};

void fcb_init(struct fcb *b, uint32_t bs, uint32_t fc_blocks, uint32_t tid);
void fcb_free(struct fcb *b);
/* A raw record (tag, value), as ext4's writer places it. */
void fcb_rec(struct fcb *b, uint16_t tag, const void *val, uint16_t len);
void fcb_head(struct fcb *b, uint32_t features, uint32_t tid);
void fcb_tail(struct fcb *b, uint32_t tid);
void fcb_add_range(struct fcb *b, uint32_t ino, uint32_t lblk, uint16_t len,
		   uint64_t pblk);
void fcb_del_range(struct fcb *b, uint32_t ino, uint32_t lblk, uint32_t len);
void fcb_dentry(struct fcb *b, uint16_t tag, uint32_t parent, uint32_t ino,
		const char *name);
void fcb_inode(struct fcb *b, uint32_t ino, const void *raw, uint16_t len);
/* Byte offset in mem of the area's byte `pos` (to damage it). */
uint8_t *fcb_at(struct fcb *b, size_t pos);

#endif
