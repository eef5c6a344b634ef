/* Owns the scan pass: walking the log from s_start, transaction by
 * transaction, to find where it ends (the first transaction not to
 * replay) and whether the filesystem must be marked as having errors;
 * on the way it lists every descriptor tag and every revoke block with
 * its transaction. The walk takes each log block once and refuses a log
 * longer than the log area, so it always ends; the lists hold at most
 * one element per block taken. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/journal/jint.h"

struct walk {
	const struct f4_jctx *c;
	struct f4_jscan *s;
	uint32_t pos;		/* next log block */
	uint64_t steps, ring;	/* blocks taken, blocks in the log area */
	uint32_t tid;		/* the transaction expected next */
	bool have_end;		/* s->end is set */
	bool need_time;		/* a descriptor or revoke failed its csum */
	uint64_t last_time;	/* commit time of the previous transaction */
	uint32_t crc;		/* v1: running crc32_be of the transaction */
	size_t tagcap, revcap;
	uint8_t *buf, *dbuf;
	char *msg;
	size_t msglen;
};

/* The next block of the log area, wrapping from last back to first. */
static int take(struct walk *w, uint32_t *jblk)
{
	if (w->steps >= w->ring)
		return f4_jrefuse(w->msg, w->msglen, "journal log runs longer "
				  "than the journal (%llu blocks)",
				  (unsigned long long)w->ring);
	w->steps++;
	*jblk = w->pos++;
	if (w->pos >= w->c->last)
		w->pos = w->c->first;
	return 0;
}

/* Room for element n of an array that never holds more elements than
 * there are blocks in the log area. */
static int grow(void **v, size_t *cap, size_t n, size_t elsize,
		uint64_t ring)
{
	size_t nc = *cap ? *cap * 2 : 64;
	void *p;

	if (n < *cap)
		return 0;
	if (nc > ring)
		nc = (size_t)ring;
	if (nc <= n)
		return -EOVERFLOW;
	p = realloc(*v, nc * elsize);
	if (!p)
		return -ENOMEM;
	*v = p;
	*cap = nc;
	return 0;
}

static void end_here(struct walk *w, const char *why)
{
	if (w->have_end)
		return;
	w->have_end = true;
	w->s->end = w->tid;
	if (why)
		snprintf(w->s->note, sizeof(w->s->note), "%s in transaction "
			 "%u", why, w->tid);
}

static int crc_block(struct walk *w, uint32_t jblk)
{
	int rc = f4_jread(w->c, jblk, w->dbuf);

	if (!rc)
		w->crc = f4_jcsum_crc32_be(w->crc, w->dbuf, w->c->bs);
	return rc;
}

static void read_tag(const struct f4_jctx *c, const uint8_t *p,
		     struct f4_jtag *t)
{
	t->flags = f4_jget16(p + F4_JT_FLAGS);
	t->fsblk = f4_jget32(p + F4_JT_BLOCKNR);
	if (c->is64)
		t->fsblk |= (uint64_t)f4_jget32(p + F4_JT_BLOCKNR_HI) << 32;
	t->csum = c->csum3 ? f4_jget32(p + F4_JT_CSUM32) :
			     f4_jget16(p + F4_JT_CSUM16);
}

/* A descriptor: one log block per tag follows it. With checksum v1 the
 * descriptor and its data blocks feed the transaction's crc32_be. */
static int scan_descriptor(struct walk *w)
{
	const struct f4_jctx *c = w->c;
	size_t off = F4_JH_SIZE, size = c->bs - c->tail;
	struct f4_jscan *s = w->s;
	bool crc;
	int rc;

	/* Perhaps a stale block left by a lazily initialised journal: the
	 * next commit block decides. */
	if (!f4_jcsum_tail_ok(c, w->buf))
		w->need_time = true;
	crc = c->v1csum && !w->need_time && !w->have_end;
	if (crc)
		w->crc = f4_jcsum_crc32_be(w->crc, w->buf, c->bs);
	while (off + c->tag_bytes <= size) {
		struct f4_jtag t;

		read_tag(c, w->buf + off, &t);
		t.tid = w->tid;
		rc = take(w, &t.jblk);
		if (!rc && crc)
			rc = crc_block(w, t.jblk);
		if (!rc)
			rc = grow((void **)&s->tags, &w->tagcap, s->ntags,
				  sizeof(t), w->ring);
		if (rc)
			return rc;
		s->tags[s->ntags++] = t;
		off += c->tag_bytes;
		if (!(t.flags & F4_JTF_SAME_UUID))
			off += F4_JT_UUID_SIZE;
		if (t.flags & F4_JTF_LAST_TAG)
			break;
	}
	return 0;
}

/* v1: the crc32_be over the transaction's descriptors and data blocks,
 * or a commit that says it carries none. */
static bool v1_ok(const uint8_t *b, uint32_t crc)
{
	uint8_t type = b[F4_JC_CHKSUM_TYPE], size = b[F4_JC_CHKSUM_SIZE];
	uint32_t found = f4_jget32(b + F4_JC_CHKSUM);

	if (type == F4_JCSUM_CRC32 && size == F4_JCSUM_CRC32_SIZE)
		return found == crc;
	return type == 0 && size == 0 && found == 0;
}

static int failed_commit(struct walk *w, uint32_t tid)
{
	w->s->has_failed_commit = true;
	w->s->failed_commit = tid;
	return 1;
}

/* A commit block: 0 to go on with the next transaction, 1 when the log
 * ends here, -EUCLEAN to refuse the journal. */
static int scan_commit(struct walk *w)
{
	const struct f4_jctx *c = w->c;
	uint64_t t = f4_jget64(w->buf + F4_JC_COMMIT_SEC);
	bool bad = false;

	if (w->need_time) {
		/* An older commit time: stale blocks of an earlier use of
		 * the journal, the log ended before them. */
		if (t < w->last_time)
			return end_here(w, "stale blocks"), 1;
		return f4_jrefuse(w->msg, w->msglen, "journal transaction %u "
				  "has a descriptor or revoke block that fails "
				  "its checksum", w->tid);
	}
	if (c->v1csum) {
		if (w->have_end)	/* a commit after a bad async one */
			return failed_commit(w, w->s->end);
		bad = !v1_ok(w->buf, w->crc);
		if (!bad)
			w->crc = ~0u;
	}
	if (!bad && !f4_jcsum_commit_ok(c, w->buf))
		bad = true;
	if (bad) {
		if (t < w->last_time)
			return end_here(w, "stale commit block"), 1;
		end_here(w, "commit block checksum mismatch");
		/* An async commit may have been torn by the crash; a sync
		 * one was written after its transaction, so it is corrupt. */
		if (!c->async)
			return failed_commit(w, w->tid);
	}
	w->last_time = t;
	w->tid++;
	return 0;
}

static int scan_revoke(struct walk *w, uint32_t at)
{
	struct f4_jscan *s = w->s;
	int rc;

	if (!f4_jcsum_tail_ok(w->c, w->buf))
		w->need_time = true;
	rc = grow((void **)&s->revs, &w->revcap, s->nrevs, sizeof(*s->revs),
		  w->ring);
	if (rc)
		return rc;
	s->revs[s->nrevs].jblk = at;
	s->revs[s->nrevs++].tid = w->tid;
	return 0;
}

/* One block where a descriptor, commit or revoke block may be: 1 when
 * the log ends there. */
static int scan_one(struct walk *w)
{
	uint32_t at = 0;
	int rc = take(w, &at);

	if (!rc)
		rc = f4_jread(w->c, at, w->buf);
	if (rc)
		return rc;
	if (f4_jget32(w->buf + F4_JH_MAGIC) != F4_JMAGIC ||
	    f4_jget32(w->buf + F4_JH_SEQ) != w->tid)
		return 1;
	switch (f4_jget32(w->buf + F4_JH_TYPE)) {
	case F4_JB_DESCRIPTOR:
		return scan_descriptor(w);
	case F4_JB_COMMIT:
		return scan_commit(w);
	case F4_JB_REVOKE:
		return scan_revoke(w, at);
	default:
		return 1;
	}
}

int f4_jscan_run(const struct f4_jctx *c, struct f4_jscan *s, char *msg,
		 size_t msglen)
{
	struct walk w = {
		.c = c, .s = s, .pos = c->start, .ring = c->last - c->first,
		.tid = c->seq, .crc = ~0u, .msg = msg, .msglen = msglen,
	};
	int rc;

	memset(s, 0, sizeof(*s));
	w.buf = malloc(c->bs);
	w.dbuf = malloc(c->bs);
	rc = w.buf && w.dbuf ? 0 : -ENOMEM;
	while (!rc)
		rc = scan_one(&w);
	free(w.buf);
	free(w.dbuf);
	if (rc < 0) {
		f4_jscan_free(s);
		return rc;
	}
	end_here(&w, NULL);
	return 0;
}

void f4_jscan_free(struct f4_jscan *s)
{
	free(s->tags);
	free(s->revs);
	s->tags = NULL;
	s->revs = NULL;
	s->ntags = s->nrevs = 0;
}
