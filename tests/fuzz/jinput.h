/* The input of fuzz_journal: a jbd2 journal, most of it implied. A
 * 16-byte control header, then journal blocks (the last one padded with
 * zeros). The journal the engine sees is those blocks with `extra`
 * zero blocks inserted at block `hole`, so a small input can stand for a
 * journal of the 1024 blocks jbd2 requires, and a log that wraps around
 * keeps its two ends. Header (little-endian):
 *   0      flags: F4FZ_J_4K (4 KiB blocks, else 1 KiB), F4FZ_J_BADREAD
 *          (the read of block `byte 1` fails with EIO), F4FZ_J_BIGDEV
 *          (dev_blocks is shifted left by 20), F4FZ_J_FIX (with
 *          checksum v2/v3: the superblock checksum, descriptor and
 *          revoke tails and commit checksums of the input's blocks are
 *          recomputed before use, so mutations get past them)
 *   1      the block that fails to read, with F4FZ_J_BADREAD
 *   2..3   hole: input blocks before the inserted zeros (clamped)
 *   4..7   extra: zero blocks inserted (clamped)
 *   8..11  dev_blocks: the device size in filesystem blocks
 *   12..15 jstart: the filesystem block where the journal begins (its
 *          blocks are vetoed as replay targets) */
#ifndef F4_TESTS_FUZZ_JINPUT_H
#define F4_TESTS_FUZZ_JINPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/journal/recover.h"

#define F4FZ_JHDR 16
#define F4FZ_J_4K 0x1
#define F4FZ_J_BADREAD 0x2
#define F4FZ_J_BIGDEV 0x4
#define F4FZ_J_FIX 0x8
/* Journals past this many blocks cost time without finding more. */
#define F4FZ_JMAX_BLOCKS (1u << 18)

struct f4fz_journal {
	uint8_t *mem;		/* nin blocks of the input */
	uint32_t bs;
	uint64_t nin, hole, extra, nblocks;
	uint64_t dev_blocks, jstart;
	bool bad_read, bad_read_hit;
	uint64_t bad_blk;
	const uint8_t *sb0;	/* when set: block 0 reads this instead */
};

/* 0, or -1 when the input is too short to be a journal. */
int f4fz_journal_parse(const uint8_t *data, size_t size,
		       struct f4fz_journal *jn);
void f4fz_journal_free(struct f4fz_journal *jn);
/* The engine's view; a read outside the journal is a finding. */
struct f4_jdev f4fz_journal_dev(struct f4fz_journal *jn);

/* Writing an input: the header (flags: F4FZ_J_*). */
void f4fz_journal_header(uint8_t *hdr, uint8_t flags, uint64_t hole,
			 uint64_t extra, uint32_t dev_blocks, uint32_t jstart);

#endif
