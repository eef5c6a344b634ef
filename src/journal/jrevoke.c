/* Owns the revoke pass. A revoke record for block B in transaction R
 * cancels every copy of B logged in a transaction T with T <= R (tids
 * compared with wrap-around), the same transaction included; copies
 * logged after R are replayed. Only records of committed transactions
 * count. The table keeps, per block, the newest revoking transaction,
 * and only for blocks that some committed tag targets: a revoke storm
 * then costs no more memory than the tags, which the journal's length
 * bounds. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/journal/jint.h"

struct rtable {
	uint64_t *blk;		/* distinct tag targets, sorted */
	uint32_t *tid;		/* newest revoking transaction */
	bool *has;
	size_t n;
};

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static long find(const struct rtable *t, uint64_t blk)
{
	size_t lo = 0, hi = t->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (t->blk[mid] == blk)
			return (long)mid;
		if (t->blk[mid] < blk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int table_init(struct rtable *t, const struct f4_jscan *s,
		      size_t ntags)
{
	size_t i, n = 0, cnt = ntags ? ntags : 1;

	t->blk = malloc(cnt * sizeof(*t->blk));
	t->tid = calloc(cnt, sizeof(*t->tid));
	t->has = calloc(cnt, sizeof(*t->has));
	if (!t->blk || !t->tid || !t->has)
		return -ENOMEM;
	for (i = 0; i < ntags; i++)
		t->blk[i] = s->tags[i].fsblk;
	qsort(t->blk, ntags, sizeof(*t->blk), cmp_u64);
	for (i = 0; i < ntags; i++)
		if (!n || t->blk[n - 1] != t->blk[i])
			t->blk[n++] = t->blk[i];
	t->n = n;
	return 0;
}

static void table_free(struct rtable *t)
{
	free(t->blk);
	free(t->tid);
	free(t->has);
}

/* The records of one revoke block: r_count is the number of bytes used,
 * header included, and must fit in front of the checksum tail. */
static int read_records(const struct f4_jctx *c, struct rtable *t,
			const uint8_t *b, uint32_t tid, uint32_t jblk,
			char *msg, size_t msglen)
{
	uint32_t count = f4_jget32(b + F4_JR_COUNT);
	size_t off, rl = c->is64 ? 8 : 4;

	if (count > c->bs - c->tail) {
		f4_jrefuse(msg, msglen, "journal revoke block %u claims %u "
			   "bytes", jblk, count);
		return -EINVAL;
	}
	for (off = F4_JR_RECORDS; off + rl <= count; off += rl) {
		uint64_t blk = rl == 8 ? f4_jget64(b + off) :
					 f4_jget32(b + off);
		long i = find(t, blk);

		if (i < 0)
			continue;
		if (!t->has[i] || f4_tid_gt(tid, t->tid[i]))
			t->tid[i] = tid;
		t->has[i] = true;
	}
	return 0;
}

int f4_jrevoke_run(const struct f4_jctx *c, const struct f4_jscan *s,
		   size_t ntags, bool *revoked, char *msg, size_t msglen)
{
	struct rtable t = { 0 };
	uint8_t *b = malloc(c->bs);
	size_t i;
	int rc = b ? table_init(&t, s, ntags) : -ENOMEM;

	for (i = 0; !rc && i < s->nrevs; i++) {
		if (!f4_tid_gt(s->end, s->revs[i].tid))
			break;	/* in log order: the rest is uncommitted */
		rc = f4_jread(c, s->revs[i].jblk, b);
		if (!rc)
			rc = read_records(c, &t, b, s->revs[i].tid,
					  s->revs[i].jblk, msg, msglen);
	}
	for (i = 0; !rc && i < ntags; i++) {
		long k = find(&t, s->tags[i].fsblk);

		revoked[i] = k >= 0 && t.has[k] &&
			     f4_tid_geq(t.tid[k], s->tags[i].tid);
	}
	table_free(&t);
	free(b);
	return rc;
}
