/* fuzz_journal: a (mutated) jbd2 journal through the recovery engine
 * (src/journal/recover.h) alone, without a filesystem: scan it against a
 * device size, veto targets, apply the plan onto a "device" that checks
 * every write, look every entry up, reset the journal superblock and
 * scan the result again. See jinput.h for the input format.
 *
 * Findings, besides the sanitizers: a read outside the journal, a write
 * at or past the device size or at a vetoed block, a plan not sorted by
 * block or naming a journal block outside the journal, an entry
 * f4_jplan_find does not find, and a journal whose reset superblock
 * does not scan again as empty. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jinput.h"
#include "src/journal/recover.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void finding(const char *what, unsigned long long a,
		    unsigned long long b)
{
	fprintf(stderr, "f4fz FINDING: %s (%llu, %llu)\n", what, a, b);
	abort();
}

/* The filesystem's view: a device of dev_blocks blocks where the journal
 * occupies [jstart, jstart + nblocks), which the replay must not write. */
struct fsdev {
	const struct f4fz_journal *jn;
	uint64_t last;		/* previous block written + 1; 0: none yet */
	uint64_t writes, sum;
};

static bool in_journal(void *ctx, uint64_t fsblk)
{
	const struct f4fz_journal *jn = ((struct fsdev *)ctx)->jn;

	return fsblk >= jn->jstart && fsblk - jn->jstart < jn->nblocks;
}

static int fs_write(void *ctx, uint64_t fsblk, const void *buf)
{
	struct fsdev *d = ctx;
	const uint8_t *b = buf;
	uint32_t i;

	if (fsblk >= d->jn->dev_blocks)
		finding("replay writes past the device", fsblk,
			d->jn->dev_blocks);
	if (in_journal(d, fsblk))
		finding("replay writes a vetoed block", fsblk, d->jn->jstart);
	if (d->last && fsblk < d->last)
		finding("replay writes out of order or twice", fsblk,
			d->last - 1);
	d->last = fsblk + 1;
	/* Every byte is read: ASan sees a short buffer. */
	for (i = 0; i < d->jn->bs; i++)
		d->sum = d->sum * 31 + b[i];
	d->writes++;
	return 0;
}

static void check_plan(const struct f4fz_journal *jn,
		       const struct f4_jplan *p)
{
	size_t i;

	if (p->n > jn->nblocks)
		finding("plan longer than the journal", p->n, jn->nblocks);
	if (!p->needs_replay && p->n)
		finding("plan without replay has entries", p->n, 0);
	for (i = 0; i < p->n; i++) {
		const struct f4_jplan_entry *e = &p->v[i];

		if (e->jblk == 0 || e->jblk >= jn->nblocks)
			finding("plan copies from outside the log", e->jblk,
				jn->nblocks);
		if (e->fsblk >= jn->dev_blocks)
			finding("plan targets past the device", e->fsblk,
				jn->dev_blocks);
		if (i && e->fsblk <= p->v[i - 1].fsblk)
			finding("plan not sorted", e->fsblk, p->v[i - 1].fsblk);
		if (f4_jplan_find(p, e->fsblk) != e)
			finding("f4_jplan_find misses an entry", e->fsblk, i);
		if ((i + 1 == p->n || p->v[i + 1].fsblk != e->fsblk + 1) &&
		    f4_jplan_find(p, e->fsblk + 1))
			finding("f4_jplan_find finds an absent block",
				e->fsblk + 1, i);
	}
	if (f4_jplan_find(p, UINT64_MAX) && (!p->n ||
					     p->v[p->n - 1].fsblk != UINT64_MAX))
		finding("f4_jplan_find finds block -1", p->n, 0);
}

/* After a replay the journal superblock says the log is empty: the same
 * journal with it must scan again, with nothing to replay. */
static void rescan(struct f4fz_journal *jn, const struct f4_jplan *p)
{
	struct f4_jdev dev = f4fz_journal_dev(jn);
	struct f4_jplan again;
	char msg[200];
	uint8_t *sb = malloc(jn->bs);
	int rc;

	if (!sb)
		abort();
	rc = f4_jrec_reset_sb(&dev, p, sb);
	if (rc)
		finding("reset_sb failed", (unsigned long long)-rc, 0);
	jn->sb0 = sb;
	rc = f4_jrec_scan(&dev, jn->dev_blocks, &again, msg, sizeof(msg));
	if (rc)
		fprintf(stderr, "rescan refused: %s\n", msg);
	if (rc || again.needs_replay || again.n)
		finding("a reset journal does not scan as empty",
			(unsigned long long)-rc, again.n);
	f4_jplan_free(&again);
	jn->sb0 = NULL;
	free(sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct f4fz_journal jn;
	struct f4_jdev dev;
	struct f4_jplan p;
	struct fsdev fsd = { .jn = &jn };
	char msg[200];
	int rc;

	if (f4fz_journal_parse(data, size, &jn))
		return 0;
	dev = f4fz_journal_dev(&jn);
	rc = f4_jrec_scan(&dev, jn.dev_blocks, &p, msg, sizeof(msg));
	if (getenv("F4FZ_VERBOSE"))
		fprintf(stderr, "scan: %d %s; %zu blocks, %u transactions, "
			"failed %d, mark_error %d (%s)\n", rc, msg, p.n,
			p.transactions, p.failed, p.mark_error, p.reason);
	if (rc == -EIO && !jn.bad_read_hit)
		finding("scan says EIO without a read error", 0, 0);
	if (rc && rc != -EIO && rc != -EUCLEAN && rc != -EINVAL)
		finding("scan returned an unexpected error",
			(unsigned long long)-rc, 0);
	if ((rc == -EUCLEAN || rc == -EINVAL) && !msg[0])
		finding("a refusal without a reason", (unsigned long long)-rc, 0);
	if (rc) {
		f4fz_journal_free(&jn);
		return 0;
	}
	check_plan(&jn, &p);
	rc = f4_jplan_check_targets(&p, in_journal, &fsd, msg, sizeof(msg));
	if (!rc) {
		rc = f4_jrec_apply(&dev, &p, fs_write, &fsd);
		if (rc && rc != -EIO)
			finding("apply failed", (unsigned long long)-rc, 0);
		if (!rc && fsd.writes != p.n)
			finding("apply wrote a different number of blocks",
				fsd.writes, p.n);
	}
	jn.bad_read = false;
	rescan(&jn, &p);
	f4_jplan_free(&p);
	f4fz_journal_free(&jn);
	return 0;
}
