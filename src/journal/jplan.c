/* Owns building the replay plan (f4_jrec_scan): the superblock checks,
 * the scan and revoke passes, then one entry per filesystem block with
 * its newest committed, unrevoked copy whose tag checksum holds. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/journal/jint.h"

struct cand {
	struct f4_jplan_entry e;
	size_t ord;		/* position in the log */
};

static int cmp_cand(const void *a, const void *b)
{
	const struct cand *x = a, *y = b;

	if (x->e.fsblk != y->e.fsblk)
		return x->e.fsblk < y->e.fsblk ? -1 : 1;
	return x->ord < y->ord ? -1 : x->ord > y->ord;
}

/* Tags of committed transactions come first in the log. */
static size_t committed(const struct f4_jscan *s)
{
	size_t n = 0;

	while (n < s->ntags && f4_tid_gt(s->end, s->tags[n].tid))
		n++;
	return n;
}

/* A target past the device, or block 0 of a 1 KiB-block filesystem
 * (the boot block: its superblock is block 1, so jbd2 never logs block
 * 0 there; with larger blocks block 0 holds the superblock and is
 * logged), means a corrupt descriptor. */
static int check_bounds(const struct f4_jctx *c, const struct f4_jscan *s,
			size_t ntags, uint64_t dev_blocks, char *msg,
			size_t msglen)
{
	size_t i;

	for (i = 0; i < ntags; i++) {
		uint64_t b = s->tags[i].fsblk;

		if (b >= dev_blocks || (b == 0 && c->bs == 1024))
			return f4_jrefuse(msg, msglen, "journal transaction %u"
					  " logs block %llu, outside the "
					  "filesystem (%llu blocks)",
					  s->tags[i].tid,
					  (unsigned long long)b,
					  (unsigned long long)dev_blocks);
	}
	return 0;
}

/* A copy whose tag checksum fails is left out (an older copy of the same
 * block still replays) and fails the recovery. */
static int tag_good(const struct f4_jctx *c, const struct f4_jtag *t,
		    uint8_t *buf, struct f4_jplan *p)
{
	int rc;

	if (!c->csum23)
		return 1;
	rc = f4_jread(c, t->jblk, buf);
	if (rc)
		return rc;
	if (f4_jcsum_tag_ok(c, t, buf))
		return 1;
	if (!p->failed)
		snprintf(p->reason, sizeof(p->reason), "journal block %u (fs "
			 "block %llu, transaction %u) fails its checksum",
			 t->jblk, (unsigned long long)t->fsblk, t->tid);
	p->failed = true;
	p->bad_tags++;
	return 0;
}

/* Sort by block then log position and keep the last copy of each. */
static int keep_newest(struct cand *v, size_t n, struct f4_jplan *p)
{
	size_t i, k = 0;

	qsort(v, n, sizeof(*v), cmp_cand);
	p->v = malloc((n ? n : 1) * sizeof(*p->v));
	if (!p->v)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		if (i + 1 < n && v[i + 1].e.fsblk == v[i].e.fsblk)
			continue;
		p->v[k++] = v[i].e;
	}
	p->n = k;
	return 0;
}

static int build(const struct f4_jctx *c, const struct f4_jscan *s,
		 size_t ntags, const bool *revoked, struct f4_jplan *p)
{
	struct cand *v = malloc((ntags ? ntags : 1) * sizeof(*v));
	uint8_t *buf = malloc(c->bs);
	size_t i, n = 0;
	int rc = v && buf ? 0 : -ENOMEM;

	for (i = 0; !rc && i < ntags; i++) {
		const struct f4_jtag *t = &s->tags[i];

		if (revoked[i]) {
			p->revoke_hits++;
			continue;
		}
		rc = tag_good(c, t, buf, p);
		if (rc == 1) {
			v[n].e.fsblk = t->fsblk;
			v[n].e.jblk = t->jblk;
			v[n].e.escaped = t->flags & F4_JTF_ESCAPE;
			v[n++].ord = i;
		}
		rc = rc < 0 ? rc : 0;
	}
	if (!rc)
		rc = keep_newest(v, n, p);
	free(v);
	free(buf);
	return rc;
}

static void plan_head(const struct f4_jctx *c, struct f4_jplan *p)
{
	memset(p, 0, sizeof(*p));
	p->first_seq = p->next_seq = c->seq;
	p->needs_replay = c->start != 0;
	p->jsb_errno = c->jerrno;
	p->fc_first = c->fc_first;
	p->fc_count = c->fc_count;
	p->compat = c->compat;
	p->incompat = c->incompat;
	if (c->jerrno) {
		p->mark_error = true;
		snprintf(p->reason, sizeof(p->reason), "journal superblock "
			 "records error %d", c->jerrno);
	}
}

static void plan_end(const struct f4_jscan *s, struct f4_jplan *p)
{
	p->next_seq = s->end;
	p->transactions = s->end - p->first_seq;
	if (!s->has_failed_commit)
		return;
	p->mark_error = true;
	p->has_failed_commit = true;
	p->failed_commit = s->failed_commit;
	snprintf(p->reason, sizeof(p->reason), "journal transaction %u is "
		 "corrupt: %s", s->failed_commit, s->note);
}

int f4_jrec_scan(const struct f4_jdev *j, uint64_t dev_blocks,
		 struct f4_jplan *out, char *msg, size_t msglen)
{
	struct f4_jctx c;
	struct f4_jscan s;
	bool *revoked = NULL;
	size_t ntags;
	int rc;

	memset(out, 0, sizeof(*out));
	if (msg && msglen)
		msg[0] = '\0';
	rc = f4_jsb_load(&c, j, msg, msglen);
	if (rc)
		return rc;
	plan_head(&c, out);
	if (!c.start)
		return 0;
	rc = f4_jscan_run(&c, &s, msg, msglen);
	if (rc)
		return rc;
	plan_end(&s, out);
	ntags = committed(&s);
	rc = check_bounds(&c, &s, ntags, dev_blocks, msg, msglen);
	if (!rc) {
		revoked = calloc(ntags ? ntags : 1, sizeof(*revoked));
		rc = revoked ? f4_jrevoke_run(&c, &s, ntags, revoked, msg,
					      msglen) : -ENOMEM;
	}
	if (!rc)
		rc = build(&c, &s, ntags, revoked, out);
	free(revoked);
	f4_jscan_free(&s);
	if (rc)
		f4_jplan_free(out);
	return rc;
}
