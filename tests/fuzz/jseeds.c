/* Seeds for fuzz_journal: well-formed journals written with the unit
 * tests' journal builder (tests/unit/jbuild.h), one file per format and
 * shape, in the input format of jinput.h: every superblock version, tag
 * format and checksum variant (none, v1 crc32_be, v2, v3; 32/64-bit; a
 * uuid after every tag), async commits, revoke blocks, escaped data,
 * transactions of two descriptors, a log that wraps around, tids that
 * wrap, an uncommitted tail, s_errno set, a fast-commit area. Those
 * with checksum v2/v3 come twice: as written, and with F4FZ_J_FIX.
 *
 * usage: jseeds OUTDIR */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "jinput.h"
#include "src/journal/jformat.h"
#include "tests/unit/jbuild.h"

#define NJ 1024u
#define DEV_BLOCKS 8192u

/* A journal format: superblock version, feature words, block size. */
struct fmt {
	char name[48];
	uint32_t bs;
	int version;
	uint32_t compat, incompat;
	bool no_same_uuid;
};

/* The formats, from their parts: the four checksum schemes (none, v1's
 * crc32_be, v2, v3), each with 32-bit tags in 1 KiB blocks and 64-bit
 * ones in 4 KiB blocks; async commits, and a uuid after every tag, on
 * the last two; and a v1 superblock. Returns how many. */
static size_t formats(struct fmt *v)
{
	static const struct {
		const char *name;
		uint32_t compat, incompat;
	} csum[] = {
		{ "plain", 0, 0 },
		{ "crc32", F4_JF_COMPAT_CHECKSUM, 0 },
		{ "csum2", 0, F4_JF_INCOMPAT_CSUM_V2 },
		{ "csum3", 0, F4_JF_INCOMPAT_CSUM_V3 },
	};
	size_t n = 0, i;
	unsigned w;

	for (i = 0; i < sizeof(csum) / sizeof(csum[0]); i++) {
		for (w = 0; w < 4; w++) {
			struct fmt *f = &v[n++];
			bool wide = w & 1;

			memset(f, 0, sizeof(*f));
			f->bs = wide ? 4096 : 1024;
			f->version = 2;
			f->compat = csum[i].compat;
			f->incompat = csum[i].incompat | F4_JF_INCOMPAT_REVOKE |
				      (wide ? F4_JF_INCOMPAT_64BIT : 0);
			if (w & 2)
				f->incompat |= F4_JF_INCOMPAT_ASYNC_COMMIT;
			f->no_same_uuid = w == 2;
			snprintf(f->name, sizeof(f->name), "%s%s%s%s",
				 csum[i].name, wide ? "-64-4k" : "",
				 w & 2 ? "-async" : "", w == 2 ? "-uuids" : "");
		}
	}
	memset(&v[n], 0, sizeof(v[n]));
	v[n].bs = 1024;
	v[n].version = 1;
	snprintf(v[n].name, sizeof(v[n].name), "sbv1");
	return n + 1;
}

static void add_v(struct jb *b, uint64_t fsblk, unsigned version)
{
	uint8_t *buf = malloc(b->bs);

	if (!buf)
		abort();
	jb_pattern(b, buf, fsblk, version);
	if (fsblk % 7 == 3)	/* data that begins with the magic: escaped */
		f4_jput32(buf, F4_JMAGIC);
	jb_add(b, fsblk, buf);
	free(buf);
}

/* Some transactions: overwrites of the same blocks, a revoke, one of
 * two descriptors (64 blocks), and an uncommitted tail when asked. */
static void transactions(struct jb *b, bool tail)
{
	uint64_t rev[] = { 20, 21, 999 };
	unsigned i;

	for (i = 0; i < 4; i++)
		add_v(b, 10 + i, 1);
	add_v(b, 20, 1);
	add_v(b, 21, 1);
	jb_commit(b, false);
	jb_revoke(b, rev, 3);
	add_v(b, 11, 2);
	add_v(b, 21, 2);
	jb_commit(b, false);
	for (i = 0; i < JB_MAXTX; i++)
		add_v(b, 100 + i * 3, 3);
	jb_commit(b, false);
	add_v(b, 10, 4);
	jb_commit(b, false);
	if (tail) {
		add_v(b, 12, 5);
		jb_commit(b, true);
	}
}

/* The input: the longest run of zero blocks becomes the hole. */
static void emit(const char *dir, const char *name, struct jb *b,
		 uint8_t flags, uint32_t jstart)
{
	uint64_t best = 0, blen = 0, run = 0, i;
	uint8_t hdr[F4FZ_JHDR];
	char path[4096];
	FILE *f;

	for (i = 0; i <= b->nblocks; i++) {
		const uint8_t *p = i < b->nblocks ? jb_blk(b, (uint32_t)i) : NULL;
		uint32_t k = 0;

		while (p && k < b->bs && !p[k])
			k++;
		if (p && k == b->bs) {
			run++;
			continue;
		}
		if (run > blen) {
			blen = run;
			best = i - run;
		}
		run = 0;
	}
	if (b->bs == 4096)
		flags |= F4FZ_J_4K;
	f4fz_journal_header(hdr, flags, best, blen, DEV_BLOCKS, jstart);
	snprintf(path, sizeof(path), "%s/%s.jnl", dir, name);
	f = fopen(path, "wb");
	if (!f || fwrite(hdr, sizeof(hdr), 1, f) != 1 ||
	    (best && fwrite(b->mem, b->bs, best, f) != best) ||
	    (b->nblocks > best + blen &&
	     fwrite(b->mem + (best + blen) * b->bs, b->bs,
		    b->nblocks - best - blen, f) != b->nblocks - best - blen) ||
	    fclose(f)) {
		perror(path);
		exit(1);
	}
}

static void shape(const char *dir, const struct fmt *fm, const char *what)
{
	char name[128];
	struct jb b;
	uint32_t nj = NJ;

	if (!strcmp(what, "fc"))
		nj += 64;
	jb_init(&b, fm->bs, nj, fm->version, fm->compat,
		fm->incompat | (!strcmp(what, "fc") ?
				F4_JF_INCOMPAT_FAST_COMMIT : 0));
	b.no_same_uuid = fm->no_same_uuid;
	if (!strcmp(what, "fc"))
		b.nfc = 64;
	if (!strcmp(what, "errno"))
		b.jerrno = -5;
	if (!strcmp(what, "wrap"))
		jb_place(&b, NJ - 40, 7);
	else if (!strcmp(what, "tidwrap"))
		jb_place(&b, 5, 0xfffffffeu);
	else
		jb_place(&b, 1, 1);
	transactions(&b, !strcmp(what, "tail"));
	if (!strcmp(what, "fc")) {	/* a fast-commit head tag, then junk */
		uint8_t *p = jb_blk(&b, NJ + 1);

		p[0] = 0x9;
		p[8] = (uint8_t)b.tid;
		memset(p + 16, 0xa5, 64);
	}
	snprintf(name, sizeof(name), "%.48s-%.16s", fm->name, what);
	emit(dir, name, &b, 0, 50000);
	/* With v2/v3 checksums: the same, checksums fixed up on input. */
	if (fm->incompat & (F4_JF_INCOMPAT_CSUM_V2 | F4_JF_INCOMPAT_CSUM_V3)) {
		strcat(name, "-fix");
		emit(dir, name, &b, F4FZ_J_FIX, 50000);
	}
	jb_free(&b);
}

int main(int argc, char **argv)
{
	static const char *const shapes[] = {
		"log", "tail", "wrap", "tidwrap", "errno", "fc",
	};
	struct fmt fmts[20];
	size_t i, k, n = formats(fmts);

	if (argc != 2) {
		fprintf(stderr, "usage: jseeds OUTDIR\n");
		return 2;
	}
	for (i = 0; i < n; i++)
		for (k = 0; k < sizeof(shapes) / sizeof(shapes[0]); k++)
			if (fmts[i].version == 2 || strcmp(shapes[k], "fc"))
				shape(argv[1], &fmts[i], shapes[k]);
	return 0;
}
