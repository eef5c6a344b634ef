/* Unit tests for the jbd2 recovery engine (src/journal/recover.h) on
 * journals built in memory (jbuild.h): every tag format and checksum
 * variant, escaping, wrap-around of the log and of tids, revoke rules,
 * and one test per row of the damage table in docs/journal-recovery.md
 * (end of log / mark error / fail / refuse), plus hostile journals. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>
#include <ext2fs/ext2fs.h>

#include "jbuild.h"
#include "src/journal/jformat.h"
#include "src/journal/recover.h"

#define DEV_BLOCKS (1ull << 20)
#define DEV_BIG (1ull << 40)
#define NJ 1024u		/* journal blocks: the smallest jbd2 takes */
#define REV F4_JF_INCOMPAT_REVOKE
#define B64 F4_JF_INCOMPAT_64BIT
#define V2 F4_JF_INCOMPAT_CSUM_V2
#define V3 F4_JF_INCOMPAT_CSUM_V3
#define ASYNC F4_JF_INCOMPAT_ASYNC_COMMIT
#define V1 F4_JF_COMPAT_CHECKSUM

struct fmt {
	const char *name;
	uint32_t bs;
	int version;
	uint32_t compat, incompat;
	bool no_same_uuid;
};

static const struct fmt fmts[] = {
	{ "sb v1, 8-byte tags", 1024, 1, 0, 0, false },
	{ "v2, 8-byte tags", 1024, 2, 0, REV, false },
	{ "v2 64bit, 12-byte tags", 4096, 2, 0, REV | B64, false },
	{ "checksum v1", 1024, 2, V1, REV, false },
	{ "checksum v1 64bit async", 4096, 2, V1, REV | B64 | ASYNC, false },
	{ "csum v2, 10-byte tags", 1024, 2, 0, REV | V2, false },
	{ "csum v2 64bit, 14-byte tags", 4096, 2, 0, REV | V2 | B64, false },
	{ "csum v3 32-bit", 1024, 2, 0, REV | V3, false },
	{ "csum v3 64bit", 4096, 2, 0, REV | V3 | B64, false },
	{ "csum v3 64bit, uuid per tag", 1024, 2, 0, REV | V3 | B64, true },
	{ "csum v2, uuid per tag", 2048, 2, 0, REV | V2 | B64, true },
};

static void init_fmt(struct jb *b, const struct fmt *f)
{
	jb_init(b, f->bs, NJ, f->version, f->compat, f->incompat);
	b->no_same_uuid = f->no_same_uuid;
	jb_write_sb(b);
}

static void add_v(struct jb *b, uint64_t fsblk, unsigned version)
{
	uint8_t *buf = malloc(b->bs);

	assert_non_null(buf);
	jb_pattern(b, buf, fsblk, version);
	jb_add(b, fsblk, buf);
	free(buf);
}

static int scan_dev(struct jb *b, uint64_t dev, struct f4_jplan *p,
		    char *msg)
{
	struct f4_jdev d = jb_dev(b);

	return f4_jrec_scan(&d, dev, p, msg, 200);
}

/* Scan must succeed. */
static void scan_ok(struct jb *b, struct f4_jplan *p)
{
	char msg[200];
	int rc = scan_dev(b, DEV_BIG, p, msg);

	if (rc)
		print_error("scan: %d %s\n", rc, msg);
	assert_int_equal(rc, 0);
}

/* Scan must refuse the journal with a reason. */
static void scan_refused(struct jb *b, int want)
{
	struct f4_jplan p;
	char msg[200];

	assert_int_equal(scan_dev(b, DEV_BIG, &p, msg), want);
	assert_true(strlen(msg) > 0);
	assert_null(p.v);
}

/* The plan replays this version of fsblk. */
static void expect_v(struct jb *b, const struct f4_jplan *p, uint64_t fsblk,
		     unsigned version)
{
	const struct f4_jplan_entry *e = f4_jplan_find(p, fsblk);
	struct f4_jdev d = jb_dev(b);
	uint8_t *want = malloc(b->bs), *got = malloc(b->bs);

	assert_non_null(e);
	jb_pattern(b, want, fsblk, version);
	assert_int_equal(f4_jrec_read_block(&d, e, got), 0);
	assert_memory_equal(got, want, b->bs);
	free(want);
	free(got);
}

/* A journal whose first transaction logs version 1 of block 10. */
static void start_log(struct jb *b, uint32_t bs, uint32_t compat,
		      uint32_t incompat)
{
	jb_init(b, bs, NJ, 2, compat, incompat);
	add_v(b, 10, 1);
	jb_commit(b, false);
}

/* Log version `version` of fsblk and end the transaction (with its
 * commit block unless torn). */
static void tx(struct jb *b, uint64_t fsblk, unsigned version, bool torn)
{
	add_v(b, fsblk, version);
	jb_commit(b, torn);
}

/* The log must end cleanly after `transactions` transactions. */
static void expect_end(struct jb *b, uint32_t transactions)
{
	struct f4_jplan p;

	scan_ok(b, &p);
	assert_int_equal(p.transactions, transactions);
	assert_int_equal(p.next_seq, b->seq0 + transactions);
	assert_false(p.mark_error);
	assert_false(p.failed);
	f4_jplan_free(&p);
	jb_free(b);
}

static void test_formats(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(fmts) / sizeof(fmts[0]); i++) {
		const struct fmt *f = &fmts[i];
		bool big = f->version == 2 && (f->incompat & B64);
		struct f4_jplan p;
		struct jb b;
		uint8_t *esc;

		print_message("format: %s\n", f->name);
		init_fmt(&b, f);
		esc = calloc(1, f->bs);
		jb_pattern(&b, esc, 20, 1);
		f4_jput32(esc, F4_JMAGIC);	/* must be escaped */
		add_v(&b, 10, 1);
		add_v(&b, 11, 1);
		jb_add(&b, 20, esc);
		jb_commit(&b, false);
		add_v(&b, 10, 2);
		add_v(&b, 12, 2);
		if (big)
			add_v(&b, 0x100000005ull, 2);
		jb_commit(&b, false);
		scan_ok(&b, &p);
		assert_true(p.needs_replay);
		assert_int_equal(p.transactions, 2);
		assert_int_equal(p.first_seq, 1);
		assert_int_equal(p.next_seq, 3);
		assert_false(p.failed);
		assert_false(p.mark_error);
		assert_int_equal(p.n, big ? 5 : 4);
		expect_v(&b, &p, 10, 2);
		expect_v(&b, &p, 11, 1);
		expect_v(&b, &p, 12, 2);
		if (big)
			expect_v(&b, &p, 0x100000005ull, 2);
		{
			struct f4_jdev d = jb_dev(&b);
			uint8_t *got = malloc(f->bs);

			assert_true(f4_jplan_find(&p, 20)->escaped);
			f4_jrec_read_block(&d, f4_jplan_find(&p, 20), got);
			assert_memory_equal(got, esc, f->bs);
			free(got);
		}
		assert_null(f4_jplan_find(&p, 13));
		f4_jplan_free(&p);
		free(esc);
		jb_free(&b);
	}
}

static void test_clean_journal(void **state)
{
	struct f4_jplan p;
	struct jb b;

	start_log(&b, 1024, 0, REV);
	b.start = 0;		/* a clean unmount: the log is empty */
	b.seq0 = 7;
	jb_write_sb(&b);
	scan_ok(&b, &p);
	assert_false(p.needs_replay);
	assert_int_equal(p.n, 0);
	assert_int_equal(p.next_seq, 7);
	f4_jplan_free(&p);
	jb_free(&b);
}

/* More blocks than one descriptor holds; the log wraps at the end of the
 * journal back to s_first. */
static void test_many_tags_and_wrap(void **state)
{
	struct f4_jplan p;
	struct jb b;
	unsigned i;

	jb_init(&b, 1024, NJ, 2, 0, REV | V3);
	jb_place(&b, NJ - 20, 50);
	for (i = 0; i < JB_MAXTX; i++)
		add_v(&b, 100 + i, 1);
	jb_commit(&b, false);
	assert_true(b.pos < 100);	/* it did wrap */
	tx(&b, 100, 2, false);
	scan_ok(&b, &p);
	assert_int_equal(p.n, JB_MAXTX);
	expect_v(&b, &p, 100, 2);
	for (i = 1; i < JB_MAXTX; i++)
		expect_v(&b, &p, 100 + i, 1);
	assert_int_equal(p.next_seq, 52);
	f4_jplan_free(&p);
	jb_free(&b);
}

/* With fast commits the log wraps before the fast-commit area, which is
 * [maxlen - nfc + 1, maxlen). */
static void test_fast_commit_wrap(void **state)
{
	struct f4_jplan p;
	struct jb b;

	jb_init(&b, 1024, NJ + 64, 2, 0, REV | V3 | F4_JF_INCOMPAT_FAST_COMMIT);
	b.nfc = 64;
	jb_place(&b, NJ - 2, 9);
	add_v(&b, 30, 1);
	tx(&b, 31, 1, false);
	assert_int_equal(b.last_commit, 2);	/* wrapped at maxlen - 64 */
	scan_ok(&b, &p);
	assert_int_equal(p.n, 2);
	expect_v(&b, &p, 31, 1);
	assert_int_equal(p.fc_first, NJ + 1);
	assert_int_equal(p.fc_count, 63);
	f4_jplan_free(&p);
	/* s_num_fc_blks 0 means 256 */
	b.nfc = 0;
	b.maxlen = b.nblocks = NJ + 64;
	jb_write_sb(&b);
	scan_refused(&b, -EUCLEAN);	/* 1088 - 256 < 1024 */
	jb_free(&b);
}

static void test_tid_wrap(void **state)
{
	uint64_t r = 40;
	struct f4_jplan p;
	struct jb b;

	jb_init(&b, 1024, NJ, 2, 0, REV | V2);
	jb_place(&b, 5, 0xfffffffeu);
	add_v(&b, 40, 1);
	tx(&b, 41, 1, false);		/* 0xfffffffe */
	tx(&b, 42, 1, false);		/* 0xffffffff */
	jb_revoke(&b, &r, 1);		/* 0: revokes 40 of before the wrap */
	jb_commit(&b, false);
	scan_ok(&b, &p);
	assert_int_equal(p.transactions, 3);
	assert_int_equal(p.next_seq, 1);
	assert_null(f4_jplan_find(&p, 40));
	expect_v(&b, &p, 41, 1);
	expect_v(&b, &p, 42, 1);
	f4_jplan_free(&p);
	jb_free(&b);
}

/* Revoke in T cancels copies in transactions <= T, not later ones; a
 * revoke of an uncommitted transaction does nothing. */
static void test_revoke_rules(void **state)
{
	uint64_t r10 = 10, r11 = 11, r12 = 12, r13 = 13;
	struct f4_jplan p;
	struct jb b;

	jb_init(&b, 4096, NJ, 2, 0, REV | B64 | V3);
	add_v(&b, 10, 1);
	add_v(&b, 11, 1);
	add_v(&b, 12, 1);
	tx(&b, 13, 1, false);		/* T1 */
	jb_revoke(&b, &r10, 1);		/* T2: 10 gone */
	jb_revoke(&b, &r11, 1);
	add_v(&b, 11, 3);		/* ... 11 logged again after */
	jb_commit(&b, false);
	add_v(&b, 11, 4);		/* T3 is after the revoke: kept */
	add_v(&b, 14, 4);
	jb_revoke(&b, &r13, 1);		/* same transaction as nothing */
	jb_revoke(&b, &r12, 1);
	jb_commit(&b, false);
	add_v(&b, 12, 5);		/* T4 logs and revokes 12 itself */
	jb_revoke(&b, &r12, 1);
	jb_commit(&b, false);
	jb_revoke(&b, &r11, 1);		/* T5 never commits */
	jb_commit(&b, true);
	scan_ok(&b, &p);
	assert_int_equal(p.transactions, 4);
	assert_null(f4_jplan_find(&p, 10));
	expect_v(&b, &p, 11, 4);
	assert_null(f4_jplan_find(&p, 12));
	assert_null(f4_jplan_find(&p, 13));
	expect_v(&b, &p, 14, 4);
	assert_int_equal(p.n, 2);
	assert_true(p.revoke_hits >= 4);
	f4_jplan_free(&p);
	jb_free(&b);
}

/* 64-bit revoke records name blocks past 2^32. */
static void test_revoke_64(void **state)
{
	uint64_t r[2] = { 0x200000010ull, 0x10 };
	struct f4_jplan p;
	struct jb b;

	jb_init(&b, 1024, NJ, 2, 0, REV | B64);
	add_v(&b, 0x200000010ull, 1);
	add_v(&b, 0x10, 1);
	tx(&b, 0x300000010ull, 1, false);
	jb_revoke(&b, &r[0], 1);
	jb_commit(&b, false);
	scan_ok(&b, &p);
	assert_null(f4_jplan_find(&p, 0x200000010ull));
	expect_v(&b, &p, 0x10, 1);	/* the low half alone is not revoked */
	expect_v(&b, &p, 0x300000010ull, 1);
	f4_jplan_free(&p);
	(void)r[1];
	jb_free(&b);
}

/* Row: missing commit block (crash before it) ends the log. */
static void test_torn_commit(void **state)
{
	struct f4_jplan p;
	struct jb b;

	start_log(&b, 1024, 0, REV | V3);
	add_v(&b, 10, 2);
	tx(&b, 11, 2, true);
	scan_ok(&b, &p);
	assert_int_equal(p.transactions, 1);
	assert_int_equal(p.next_seq, 2);
	expect_v(&b, &p, 10, 1);
	assert_null(f4_jplan_find(&p, 11));
	assert_false(p.mark_error);
	assert_false(p.failed);
	f4_jplan_free(&p);
	jb_free(&b);
}

/* Row: a block without the magic (garbage, or a torn write) where the
 * next descriptor or commit should be ends the log. */
static void test_not_a_journal_block(void **state)
{
	struct f4_jplan p;
	struct jb b;

	start_log(&b, 1024, 0, REV);
	tx(&b, 11, 2, false);
	memset(jb_blk(&b, b.last_desc), 0xa5, 1024);
	scan_ok(&b, &p);
	assert_int_equal(p.transactions, 1);
	assert_int_equal(p.n, 1);
	f4_jplan_free(&p);
	/* a torn commit block (its first bytes lost) */
	start_log(&b, 1024, 0, REV);
	memset(jb_blk(&b, b.last_commit), 0, 512);
	scan_ok(&b, &p);
	assert_int_equal(p.transactions, 0);
	assert_int_equal(p.n, 0);
	assert_false(p.mark_error);
	f4_jplan_free(&p);
	jb_free(&b);
}

/* Row: a block of the right magic but another sequence (a gap, or the
 * previous use of the journal) ends the log; so does a block type that
 * is not descriptor, commit or revoke. */
static void test_sequence_gap_and_unknown_type(void **state)
{
	struct f4_jplan p;
	struct jb b;

	start_log(&b, 1024, 0, REV | V3);
	b.tid++;			/* T3 written where T2 should be */
	tx(&b, 11, 1, false);
	scan_ok(&b, &p);
	assert_int_equal(p.transactions, 1);
	assert_int_equal(p.next_seq, 2);
	assert_null(f4_jplan_find(&p, 11));
	assert_false(p.mark_error);
	f4_jplan_free(&p);
	jb_free(&b);

	start_log(&b, 1024, 0, REV | V3);
	tx(&b, 11, 1, false);
	f4_jput32(jb_blk(&b, b.last_desc) + F4_JH_TYPE, F4_JB_SB_V2);
	expect_end(&b, 1);
}

/* Row: a sync commit block failing its checksum ends the log before its
 * transaction and marks the filesystem as having errors. */
static void test_bad_commit_middle(void **state)
{
	static const uint32_t variants[][2] = {
		{ 0, REV | V3 }, { 0, REV | V2 | B64 }, { V1, REV },
	};
	size_t i;

	for (i = 0; i < 3; i++) {
		struct f4_jplan p;
		struct jb b;

		start_log(&b, 1024, variants[i][0], variants[i][1]);
		add_v(&b, 10, 2);
		tx(&b, 11, 2, false);
		if (variants[i][0])	/* v1: damage a data block */
			jb_blk(&b, b.last_data[1])[7] ^= 1;
		else
			jb_blk(&b, b.last_commit)[F4_JC_CHKSUM] ^= 1;
		tx(&b, 12, 3, false);
		scan_ok(&b, &p);
		assert_int_equal(p.transactions, 1);
		assert_int_equal(p.next_seq, 2);
		assert_true(p.mark_error);
		assert_true(p.has_failed_commit);
		assert_int_equal(p.failed_commit, 2);
		expect_v(&b, &p, 10, 1);
		assert_null(f4_jplan_find(&p, 11));
		assert_null(f4_jplan_find(&p, 12));
		assert_true(strlen(p.reason) > 0);
		f4_jplan_free(&p);
		jb_free(&b);
	}
}

/* Row: an async commit failing its checksum ends the log quietly (the
 * crash may have torn it)... unless (checksum v1) a later commit block
 * follows, which proves corruption: mark error. */
static void test_async_bad_commit(void **state)
{
	struct f4_jplan p;
	struct jb b;

	start_log(&b, 1024, 0, REV | V3 | ASYNC);
	tx(&b, 11, 2, false);
	jb_blk(&b, b.last_commit)[F4_JC_CHKSUM] ^= 1;
	tx(&b, 12, 3, false);
	scan_ok(&b, &p);
	assert_int_equal(p.transactions, 1);
	assert_false(p.mark_error);
	assert_null(f4_jplan_find(&p, 11));
	f4_jplan_free(&p);
	jb_free(&b);

	start_log(&b, 1024, V1, REV | ASYNC);
	tx(&b, 11, 2, false);
	jb_blk(&b, b.last_data[0])[9] ^= 1;
	scan_ok(&b, &p);		/* last transaction: just torn */
	assert_int_equal(p.transactions, 1);
	assert_false(p.mark_error);
	f4_jplan_free(&p);
	tx(&b, 12, 3, false);
	scan_ok(&b, &p);		/* a commit after it: corrupt */
	assert_int_equal(p.transactions, 1);
	assert_true(p.mark_error);
	assert_int_equal(p.failed_commit, 2);
	f4_jplan_free(&p);
	jb_free(&b);
}

/* Row: a commit failing its checksum but older than the previous one is
 * a stale block of an earlier use of the journal: end of log, no error. */
static void test_stale_commit(void **state)
{
	struct jb b;

	start_log(&b, 1024, 0, REV | V3);
	b.time = 10;			/* earlier than T1's */
	tx(&b, 11, 2, false);
	jb_blk(&b, b.last_commit)[F4_JC_CHKSUM] ^= 1;
	expect_end(&b, 1);
}

/* Row: a data block failing its tag checksum is skipped (an older copy
 * still replays) and the recovery fails. */
static void test_bad_data_tag(void **state)
{
	static const uint32_t variants[] = { REV | V3, REV | V2, REV | V3 | B64 };
	size_t i;

	for (i = 0; i < 3; i++) {
		struct f4_jplan p;
		struct jb b;

		start_log(&b, 1024, 0, variants[i]);
		add_v(&b, 10, 2);
		tx(&b, 11, 2, false);
		jb_blk(&b, b.last_data[0])[100] ^= 0x10;
		scan_ok(&b, &p);
		assert_int_equal(p.transactions, 2);
		assert_true(p.failed);
		assert_int_equal(p.bad_tags, 1);
		expect_v(&b, &p, 10, 1);
		expect_v(&b, &p, 11, 2);
		assert_true(strlen(p.reason) > 0);
		f4_jplan_free(&p);
		jb_free(&b);
	}
}

/* Row: a descriptor or revoke block failing its checksum, in a
 * transaction whose commit block follows (newer): refuse. */
static void test_bad_descriptor_or_revoke(void **state)
{
	uint64_t r = 10;
	int which;

	for (which = 0; which < 2; which++) {
		struct jb b;

		start_log(&b, 1024, 0, REV | V3);
		if (which)
			jb_revoke(&b, &r, 1);
		tx(&b, 11, 2, false);
		jb_blk(&b, which ? b.last_revoke : b.last_desc)[40] ^= 1;
		scan_refused(&b, -EUCLEAN);
		jb_free(&b);
	}
}

/* Row: the same, but the commit that follows is older than the previous
 * transaction's: stale blocks, end of log. Without a commit at all: the
 * uncommitted tail of the log, end of log. */
static void test_bad_descriptor_stale_or_uncommitted(void **state)
{
	struct f4_jplan p;
	struct jb b;

	start_log(&b, 1024, 0, REV | V3);
	b.time = 5;
	tx(&b, 11, 2, false);
	jb_blk(&b, b.last_desc)[40] ^= 1;
	expect_end(&b, 1);

	start_log(&b, 1024, 0, REV | V3);
	tx(&b, 11, 2, true);
	jb_blk(&b, b.last_desc)[40] ^= 1;
	scan_ok(&b, &p);
	assert_int_equal(p.transactions, 1);
	f4_jplan_free(&p);
	jb_free(&b);
}

/* Row: the journal superblock records an error: replay, mark error. */
static void test_jsb_errno(void **state)
{
	struct f4_jplan p;
	struct jb b;

	jb_init(&b, 1024, NJ, 2, 0, REV | V3);
	b.jerrno = -5;
	jb_write_sb(&b);
	tx(&b, 10, 1, false);
	scan_ok(&b, &p);
	assert_true(p.mark_error);
	assert_int_equal(p.jsb_errno, -5);
	assert_int_equal(p.n, 1);
	f4_jplan_free(&p);
	jb_free(&b);
}

/* Rows: a bad journal superblock refuses the journal. */
static void test_bad_superblock(void **state)
{
	struct jb b;
	int i;

	for (i = 0; i < 15; i++) {
		start_log(&b, 1024, 0, REV | V3);
		switch (i) {
		case 0: f4_jput32(jb_blk(&b, 0), 0x12345678); break;
		case 1: f4_jput32(jb_blk(&b, 0) + F4_JSB_BLOCKSIZE, 4096);
			jb_fix_tail(&b, 0); break;
		case 2: b.maxlen = NJ + 1; jb_write_sb(&b); break;
		case 3: b.first = 0; jb_write_sb(&b); break;
		case 4: b.first = NJ; jb_write_sb(&b); break;
		case 5: b.incompat |= 0x100; jb_write_sb(&b); break;
		case 6: b.incompat |= V2; jb_write_sb(&b); break;
		case 7: b.compat |= V1; jb_write_sb(&b); break;
		case 8: jb_blk(&b, 0)[F4_JSB_UUID] ^= 1; break;
		case 9: jb_blk(&b, 0)[F4_JSB_CSUM_TYPE] = F4_JCSUM_CRC32;
			break;
		case 10: f4_jput32(jb_blk(&b, 0) + F4_JH_TYPE, 7); break;
		case 11: b.maxlen = b.nblocks = 1000; jb_write_sb(&b); break;
		case 12: b.incompat |= F4_JF_INCOMPAT_FAST_COMMIT;
			b.nfc = 10; jb_write_sb(&b); break; /* 1024-10 < 1024 */
		case 13: b.start = NJ; jb_write_sb(&b); break;
		case 14: f4_jput32(jb_blk(&b, 0) + F4_JH_TYPE,
				   F4_JB_DESCRIPTOR); break;
		}
		print_message("superblock damage %d\n", i);
		scan_refused(&b, -EUCLEAN);
		jb_free(&b);
	}
}

/* A v1 superblock has no features, whatever its v2 fields hold. */
static void test_v1_ignores_features(void **state)
{
	struct f4_jplan p;
	struct jb b;

	jb_init(&b, 1024, NJ, 1, 0, 0);
	tx(&b, 10, 1, false);
	f4_jput32(jb_blk(&b, 0) + F4_JSB_INCOMPAT, 0xffffffffu);
	scan_ok(&b, &p);
	assert_int_equal(p.incompat, 0);
	expect_v(&b, &p, 10, 1);
	f4_jplan_free(&p);
	jb_free(&b);
}

/* Rows: a committed tag naming a block past the device, or block 0 of a
 * 1 KiB-block filesystem: refuse. Block 0 of a 4 KiB one is the
 * superblock's and replays. */
static void test_targets(void **state)
{
	struct f4_jplan p;
	char msg[200];
	struct jb b;

	jb_init(&b, 1024, NJ, 2, 0, REV | V3);
	add_v(&b, 10, 1);
	tx(&b, 5000, 1, false);
	assert_int_equal(scan_dev(&b, 5000, &p, msg), -EUCLEAN);
	assert_non_null(strstr(msg, "5000"));
	assert_int_equal(scan_dev(&b, 5001, &p, msg), 0);
	f4_jplan_free(&p);
	jb_free(&b);

	jb_init(&b, 1024, NJ, 2, 0, REV);
	tx(&b, 0, 1, false);
	scan_refused(&b, -EUCLEAN);
	jb_free(&b);

	jb_init(&b, 4096, NJ, 2, 0, REV);
	tx(&b, 0, 1, false);
	scan_ok(&b, &p);
	expect_v(&b, &p, 0, 1);
	f4_jplan_free(&p);
	jb_free(&b);
}

/* Past the end of an uncommitted transaction nothing is checked. */
static void test_uncommitted_target_ignored(void **state)
{
	struct f4_jplan p;
	struct jb b;

	start_log(&b, 1024, 0, REV);
	tx(&b, 0xffffffffu, 1, true);
	assert_int_equal(scan_dev(&b, 100, &p, (char[200]){ 0 }), 0);
	assert_int_equal(p.n, 1);
	f4_jplan_free(&p);
	jb_free(&b);
}

static void fill_descriptors(struct jb *b)
{
	uint32_t i;

	for (i = b->first; i < b->maxlen; i++) {
		uint8_t *d = jb_blk(b, i);

		memset(d, 0, b->bs);
		f4_jput32(d + F4_JH_MAGIC, F4_JMAGIC);
		f4_jput32(d + F4_JH_TYPE, F4_JB_DESCRIPTOR);
		f4_jput32(d + F4_JH_SEQ, b->seq0);
		/* one 8-byte tag, then a uuid: the tag for block i + 1 */
		f4_jput32(d + F4_JH_SIZE, 7);
		f4_jput16(d + F4_JH_SIZE + 6, F4_JTF_LAST_TAG);
	}
}

/* Row: a transaction that never ends (every block a descriptor of the
 * same tid) or claims more blocks than the journal has: refuse, and the
 * scan stops after one lap of the log. */
static void test_log_longer_than_journal(void **state)
{
	struct jb b;

	jb_init(&b, 1024, NJ, 2, 0, REV);
	fill_descriptors(&b);
	scan_refused(&b, -EUCLEAN);
	assert_true(b.reads <= NJ + 2);
	jb_free(&b);
}

/* Row: r_count larger than the block (less its tail): refuse. */
static void test_revoke_count(void **state)
{
	uint64_t r = 10;
	struct jb b;

	start_log(&b, 1024, 0, REV | V3);
	jb_revoke(&b, &r, 1);
	jb_commit(&b, false);
	f4_jput32(jb_blk(&b, b.last_revoke) + F4_JR_COUNT, 1022);
	jb_fix_tail(&b, b.last_revoke);
	scan_refused(&b, -EINVAL);
	jb_free(&b);
}

/* A revoke storm: every record of many full revoke blocks; the plan is
 * right and the table holds only the tags' targets (bounded memory is by
 * construction; here: the answer and the time stay sane). */
static void test_revoke_storm(void **state)
{
	const unsigned n = 900 * 1024;
	uint64_t *r = malloc(n * sizeof(*r));
	struct f4_jplan p;
	struct jb b;
	unsigned i;

	assert_non_null(r);
	for (i = 0; i < n; i++)
		r[i] = 1000 + (uint64_t)i * 7;
	r[n - 1] = 11;
	jb_init(&b, 4096, NJ, 2, 0, REV | V3);
	add_v(&b, 10, 1);
	tx(&b, 11, 1, false);
	jb_revoke(&b, r, n);
	jb_commit(&b, false);
	scan_ok(&b, &p);
	assert_int_equal(p.n, 1);
	expect_v(&b, &p, 10, 1);
	f4_jplan_free(&p);
	jb_free(&b);
	free(r);
}

static void test_io_error(void **state)
{
	struct f4_jplan p;
	char msg[200];
	struct jb b;

	start_log(&b, 1024, 0, REV | V3);
	b.bad_read = b.last_data[0];
	assert_int_equal(scan_dev(&b, DEV_BLOCKS, &p, msg), -EIO);
	b.bad_read = b.last_commit;
	assert_int_equal(scan_dev(&b, DEV_BLOCKS, &p, msg), -EIO);
	b.bad_read = 0;
	assert_int_equal(scan_dev(&b, DEV_BLOCKS, &p, msg), -EIO);
	jb_free(&b);
}

/* DELETED is historical: tags carrying it replay like others. */
static void test_deleted_flag(void **state)
{
	struct f4_jplan p;
	struct jb b;

	jb_init(&b, 1024, NJ, 2, 0, REV | V3);
	b.extra_flags = F4_JTF_DELETED;
	add_v(&b, 10, 1);
	tx(&b, 11, 1, false);
	scan_ok(&b, &p);
	expect_v(&b, &p, 11, 1);
	f4_jplan_free(&p);
	jb_free(&b);
}

struct wlog {
	uint64_t blk[8];
	uint8_t first[8];
	unsigned n;
};

static int record_write(void *ctx, uint64_t fsblk, const void *buf)
{
	struct wlog *w = ctx;

	if (w->n >= 8)
		return -ENOSPC;
	w->first[w->n] = *(const uint8_t *)buf;
	w->blk[w->n++] = fsblk;
	return 0;
}

static bool forbid_11(void *ctx, uint64_t fsblk)
{
	return fsblk == *(uint64_t *)ctx;
}

static void test_apply_reset_targets(void **state)
{
	uint64_t no = 11, no2 = 99;
	struct wlog w = { .n = 0 };
	struct f4_jplan p;
	struct f4_jdev d;
	char msg[200];
	uint8_t *sb = malloc(1024), want[1024];
	struct jb b;

	jb_init(&b, 1024, NJ, 2, 0, REV | V3);
	b.jerrno = -30;
	jb_place(&b, 3, 77);
	add_v(&b, 12, 1);
	tx(&b, 11, 1, false);
	scan_ok(&b, &p);
	d = jb_dev(&b);
	assert_int_equal(f4_jrec_apply(&d, &p, record_write, &w), 0);
	assert_int_equal(w.n, 2);
	assert_int_equal(w.blk[0], 11);		/* in block order */
	assert_int_equal(w.blk[1], 12);
	jb_pattern(&b, want, 11, 1);	/* first byte only */
	assert_int_equal(w.first[0], want[0]);
	assert_int_equal(f4_jrec_reset_sb(&d, &p, sb), 0);
	assert_int_equal(f4_jget32(sb + F4_JSB_START), 0);
	assert_int_equal(f4_jget32(sb + F4_JSB_SEQUENCE), 79);
	assert_int_equal(f4_jget32(sb + F4_JSB_ERRNO), 0);
	{
		uint32_t stored = f4_jget32(sb + F4_JSB_CHECKSUM);

		f4_jput32(sb + F4_JSB_CHECKSUM, 0);
		assert_int_equal(ext2fs_crc32c_le(~0u, sb, 1024), stored);
	}
	assert_int_equal(f4_jplan_check_targets(&p, forbid_11, &no, msg,
						sizeof(msg)), -EUCLEAN);
	assert_non_null(strstr(msg, "11"));
	assert_int_equal(f4_jplan_check_targets(&p, forbid_11, &no2, msg,
						sizeof(msg)), 0);
	f4_jplan_free(&p);
	free(sb);
	jb_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_formats),
		cmocka_unit_test(test_clean_journal),
		cmocka_unit_test(test_many_tags_and_wrap),
		cmocka_unit_test(test_fast_commit_wrap),
		cmocka_unit_test(test_tid_wrap),
		cmocka_unit_test(test_revoke_rules),
		cmocka_unit_test(test_revoke_64),
		cmocka_unit_test(test_torn_commit),
		cmocka_unit_test(test_not_a_journal_block),
		cmocka_unit_test(test_sequence_gap_and_unknown_type),
		cmocka_unit_test(test_bad_commit_middle),
		cmocka_unit_test(test_async_bad_commit),
		cmocka_unit_test(test_stale_commit),
		cmocka_unit_test(test_bad_data_tag),
		cmocka_unit_test(test_bad_descriptor_or_revoke),
		cmocka_unit_test(test_bad_descriptor_stale_or_uncommitted),
		cmocka_unit_test(test_jsb_errno),
		cmocka_unit_test(test_bad_superblock),
		cmocka_unit_test(test_v1_ignores_features),
		cmocka_unit_test(test_targets),
		cmocka_unit_test(test_uncommitted_target_ignored),
		cmocka_unit_test(test_log_longer_than_journal),
		cmocka_unit_test(test_revoke_count),
		cmocka_unit_test(test_revoke_storm),
		cmocka_unit_test(test_io_error),
		cmocka_unit_test(test_deleted_flag),
		cmocka_unit_test(test_apply_reset_targets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
