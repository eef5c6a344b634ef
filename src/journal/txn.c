/* Owns transactions in the image's journal (see txn.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/base/log.h"
#include "src/io/chan.h"
#include "src/journal/jlog.h"
#include "src/journal/jmeta.h"
#include "src/journal/jset.h"
#include "src/journal/txn.h"

#define F4_TXN_DEFAULT_INTERVAL_S 5

struct f4_journal {
	struct f4_jlog log;
	struct f4_jmeta meta;
	struct f4_jset logged;	/* blocks with a copy in the log */
	struct f4_jfree *frees;	/* freed by the running transaction */
	size_t nfrees, capfrees;
	uint32_t tid;		/* the running transaction */
	uint32_t head;		/* next log block */
	uint32_t log_seq;	/* tid of the oldest transaction in the log */
	size_t max_blocks;	/* a transaction commits beyond this */
	unsigned interval;
	bool running;		/* f4_txn_begin done */
	bool aborted;
	struct f4_txn_stats st;
};

static int cmp_free(const void *a, const void *b)
{
	uint64_t x = ((const struct f4_jfree *)a)->blk;
	uint64_t y = ((const struct f4_jfree *)b)->blk;

	return x < y ? -1 : x > y;
}

/* Sorted, overlapping and touching ranges merged. */
static void sort_frees(struct f4_journal *j)
{
	size_t i, k = 0;

	if (!j->nfrees)
		return;
	qsort(j->frees, j->nfrees, sizeof(*j->frees), cmp_free);
	for (i = 1; i < j->nfrees; i++) {
		struct f4_jfree *p = &j->frees[k], *c = &j->frees[i];

		if (c->blk <= p->blk + p->n) {
			if (c->blk + c->n > p->blk + p->n)
				p->n = c->blk + c->n - p->blk;
		} else {
			j->frees[++k] = *c;
		}
	}
	j->nfrees = k + 1;
}

static bool in_frees(const struct f4_journal *j, uint64_t blk)
{
	size_t lo = 0, hi = j->nfrees;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (j->frees[mid].blk + j->frees[mid].n <= blk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < j->nfrees && j->frees[lo].blk <= blk;
}

static int add_rev(uint64_t **v, size_t *n, size_t *cap, uint64_t blk)
{
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		uint64_t *nv = realloc(*v, ncap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*n)++] = blk;
	return 0;
}

/* The freed blocks the log holds a copy of: a replay must skip those
 * copies (the blocks may hold file data by then). Walk whichever side
 * is smaller. */
static int collect_revokes(const struct f4_journal *j, uint64_t **out,
			   size_t *n)
{
	uint64_t total = 0, b;
	size_t i, cap = 0;
	int ret = 0;

	*out = NULL;
	*n = 0;
	for (i = 0; i < j->nfrees; i++)
		total += j->frees[i].n;
	if (total <= j->logged.cap) {
		for (i = 0; !ret && i < j->nfrees; i++)
			for (b = j->frees[i].blk; !ret && b < j->frees[i].blk + j->frees[i].n; b++)
				if (f4_jset_has(&j->logged, b))
					ret = add_rev(out, n, &cap, b);
		return ret;
	}
	for (i = 0; !ret && i < j->logged.cap; i++)
		if (j->logged.slot[i] && in_frees(j, j->logged.slot[i] - 1))
			ret = add_rev(out, n, &cap, j->logged.slot[i] - 1);
	return ret;
}

static int sync_dev(struct f4_fs *f4, struct f4_journal *j)
{
	j->st.flushes++;
	return f4_dev_sync(&f4->dev);
}

/* Committed blocks home and durable, then the log starts over. Only
 * between transactions: a pinned block's committed version may exist
 * only in the log. */
static int checkpoint(struct f4_fs *f4, struct f4_journal *j)
{
	struct f4_bcache_stats cs;
	int ret;

	f4_chan_stats(f4->fs->io, &cs);
	if (cs.pinned)
		return -EBUSY;
	ret = f4_chan_writeback(f4->fs->io);
	if (!ret)
		ret = sync_dev(f4, j);
	if (!ret)
		ret = f4_jlog_write_sb(&j->log, j->log.c.first, j->tid, 0);
	if (!ret)
		ret = sync_dev(f4, j);
	if (ret)
		return ret;
	j->head = j->log.c.first;
	j->log_seq = j->tid;
	f4_jset_clear(&j->logged);
	j->st.checkpoints++;
	return 0;
}

/* The running transaction as cache blocks: every pinned block, after
 * the groups and superblock it changed are brought in. */
static int gather(struct f4_fs *f4, struct f4_journal *j,
		  struct f4_bcache_ref **v, size_t *n)
{
	size_t i;
	int ret = f4_chan_pinned(f4->fs->io, v, n);

	for (i = 0; !ret && i < *n; i++)
		f4_jmeta_block_written(&j->meta, (*v)[i].blk);
	free(*v);
	*v = NULL;
	if (!ret)
		ret = f4_jmeta_flush(&j->meta, f4->fs, j->frees, j->nfrees);
	return ret ? ret : f4_chan_pinned(f4->fs->io, v, n);
}

static int write_txn(struct f4_fs *f4, struct f4_journal *j,
		     const struct f4_bcache_ref *v, size_t n,
		     const uint64_t *revs, size_t nrev, uint64_t need)
{
	struct f4_jrec *recs = malloc((n ? n : 1) * sizeof(*recs));
	uint32_t crc = 0;
	size_t i;
	int ret;

	if (!recs)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		recs[i] = (struct f4_jrec){ v[i].blk, v[i].data };
	ret = f4_jlog_write_body(&j->log, j->tid, j->head, recs, n, revs, nrev,
				 &crc);
	free(recs);
	/* Flush 1: the transaction's blocks, and the file data written
	 * before it (ordered data), are durable before its commit block. */
	if (!ret)
		ret = sync_dev(f4, j);
	if (!ret)
		ret = f4_jlog_write_commit(&j->log, j->tid,
					   j->head + (uint32_t)need - 1, crc);
	if (!ret)
		ret = sync_dev(f4, j);
	return ret;
}

/* The transaction is durable: its blocks may go home, its frees may be
 * reused, and the next one begins. */
static int committed(struct f4_fs *f4, struct f4_journal *j,
		     const struct f4_bcache_ref *v, size_t n, uint64_t need)
{
	size_t i;
	int ret = 0;

	for (i = 0; !ret && i < n; i++)
		ret = f4_jset_add(&j->logged, v[i].blk);
	f4_chan_unpin_all(f4->fs->io);
	for (i = 0; i < j->nfrees; i++)
		ext2fs_unmark_block_bitmap_range2(f4->fs->block_map,
						  j->frees[i].blk, j->frees[i].n);
	j->nfrees = 0;
	f4->frees_pending = 0;
	j->head += (uint32_t)need;
	j->tid++;
	j->st.commits++;
	j->st.blocks += n;
	return ret;
}

static int commit(struct f4_fs *f4, struct f4_journal *j, bool *did)
{
	struct f4_bcache_ref *v = NULL;
	uint64_t *revs = NULL, need;
	size_t n = 0, nrev = 0;
	int ret;

	*did = false;
	sort_frees(j);
	ret = gather(f4, j, &v, &n);
	if (!ret)
		ret = collect_revokes(j, &revs, &nrev);
	if (ret || (!n && !nrev))
		goto out;
	need = f4_jlog_blocks(&j->log, n, nrev);
	if (j->head + need > j->log.c.last) {
		f4_err("%s: a transaction of %zu blocks does not fit in the journal's %u free blocks",
		       f4->dev.path, n, j->log.c.last - j->head);
		ret = -ENOSPC;
		goto out;
	}
	ret = write_txn(f4, j, v, n, revs, nrev, need);
	if (!ret)
		ret = committed(f4, j, v, n, need);
	j->st.revokes += nrev;
	*did = !ret;
	/* Keep room for the next transaction: empty the log while nothing
	 * is pinned. */
	if (!ret && j->log.c.last - j->head < 2 * j->max_blocks)
		ret = checkpoint(f4, j);
out:
	free(v);
	free(revs);
	return ret;
}

static int commit_hook(struct f4_fs *f4, bool durable)
{
	struct f4_journal *j = f4->journal;
	bool did = false;
	int ret;

	if (j->aborted)
		return -EIO;
	if (f4_fs_in_handle())	/* would wait for itself */
		return -EDEADLK;
	f4_fs_handles_drain(f4);
	ret = commit(f4, j, &did);
	f4_fs_handles_resume(f4);
	if (ret) {
		f4_err("%s: the journal commit failed (%s); the filesystem is now read-only",
		       f4->dev.path, strerror(-ret));
		f4_txn_abort(f4, -EIO);
		return -EIO;
	}
	return durable && !did ? sync_dev(f4, j) : 0;
}

static bool full_hook(struct f4_fs *f4)
{
	struct f4_bcache_stats cs;

	f4_chan_stats(f4->fs->io, &cs);
	return !f4->journal->aborted &&
	       cs.pinned + f4_jmeta_blocks_due(&f4->journal->meta) >
		       f4->journal->max_blocks;
}

static void journal_free(struct f4_journal *j)
{
	f4_jlog_close(&j->log);
	f4_jmeta_free(&j->meta);
	f4_jset_free(&j->logged);
	free(j->frees);
	free(j);
}

int f4_txn_open(struct f4_fs *f4, unsigned commit_interval_s, char *msg,
		size_t len)
{
	struct f4_journal *j = calloc(1, sizeof(*j));
	int ret = j ? 0 : -ENOMEM;

	if (!ret)
		ret = f4_jlog_open(&j->log, f4->fs, &f4->dev, msg, len);
	if (!ret && f4_jget32(j->log.c.sb + F4_JH_TYPE) != F4_JB_SB_V2) {
		snprintf(msg, len, "the journal has a version 1 superblock, which fuse4fs cannot write (recreate it: tune2fs -O ^has_journal, then -j)");
		ret = -EOPNOTSUPP;
	}
	if (ret) {
		if (ret == -ENOMEM)
			snprintf(msg, len, "out of memory");
		if (j)
			journal_free(j);
		return ret;
	}
	j->tid = j->log.c.seq;
	j->log_seq = j->tid;
	j->head = j->log.c.first;
	j->max_blocks = (j->log.c.last - j->log.c.first) / 4;
	j->interval = commit_interval_s ? commit_interval_s :
					  F4_TXN_DEFAULT_INTERVAL_S;
	f4->journal = j;
	return 0;
}

int f4_txn_begin(struct f4_fs *f4, char *msg, size_t len)
{
	struct f4_journal *j = f4->journal;
	int ret = f4_jmeta_init(&j->meta, f4->fs);

	/* The log starts here: a replay finds our first transaction (or
	 * nothing, before it commits). jbd2 records revoke use so. */
	f4_jput32(j->log.c.sb + F4_JSB_INCOMPAT,
		  f4_jget32(j->log.c.sb + F4_JSB_INCOMPAT) | F4_JF_INCOMPAT_REVOKE);
	if (!ret)
		ret = f4_jlog_write_sb(&j->log, j->head, j->tid, 0);
	if (!ret)
		ret = sync_dev(f4, j);
	if (ret) {
		snprintf(msg, len, "cannot start the journal: %s", strerror(-ret));
		f4_txn_close(f4);
		return ret;
	}
	f4_chan_set_journaled(f4->fs->io, true);
	j->running = true;
	f4->journal_commit = commit_hook;
	f4->journal_full = full_hook;
	return 0;
}

void f4_txn_close(struct f4_fs *f4)
{
	if (!f4->journal)
		return;
	f4_chan_set_journaled(f4->fs->io, false);
	journal_free(f4->journal);
	f4->journal = NULL;
	f4->journal_commit = NULL;
	f4->journal_full = NULL;
}

int f4_txn_stop(struct f4_fs *f4)
{
	struct f4_journal *j = f4->journal;
	bool did;
	int ret;

	if (!j)
		return 0;
	if (!j->running || j->aborted) {
		f4_txn_close(f4);
		return -EIO;
	}
	ret = commit(f4, j, &did);
	if (!ret)
		ret = checkpoint(f4, j);
	if (!ret)	/* the log is empty: nothing to replay */
		ret = f4_jlog_write_sb(&j->log, 0, j->tid, 0);
	if (!ret)
		ret = sync_dev(f4, j);
	if (ret) {
		f4_err("%s: the last journal commit failed (%s); the next mount replays the journal",
		       f4->dev.path, strerror(-ret));
		f4_txn_abort(f4, -EIO);
		f4_txn_close(f4);
		return ret;
	}
	f4->fs->super->s_feature_incompat &= ~EXT3_FEATURE_INCOMPAT_RECOVER;
	f4_txn_close(f4);
	return 0;
}

void f4_txn_abort(struct f4_fs *f4, int err)
{
	struct f4_journal *j = f4->journal;

	if (!j || !j->running || j->aborted)
		return;
	j->aborted = true;
	__atomic_store_n(&f4->went_ro, true, __ATOMIC_RELAXED);
	/* Nothing uncommitted may reach the image; what was committed is
	 * in the log, which stays as it is. */
	f4_chan_drop_dirty(f4->fs->io);
	j->nfrees = 0;
	f4->frees_pending = 0;
	if (err && (f4_jlog_write_sb(&j->log, j->log.c.first, j->log_seq, err) ||
		    f4_dev_sync(&f4->dev)))
		f4_err("%s: cannot record the journal's abort", f4->dev.path);
}

void f4_txn_blocks_changed(struct f4_fs *f4, uint64_t blk, uint64_t n,
			   int inuse)
{
	struct f4_journal *j = f4->journal;

	if (!j || !j->running || j->aborted || !n)
		return;
	f4_jmeta_blocks_changed(&j->meta, f4->fs, blk, n);
	if (inuse > 0)
		return;
	if (j->nfrees == j->capfrees) {
		size_t ncap = j->capfrees ? j->capfrees * 2 : 64;
		struct f4_jfree *nv = realloc(j->frees, ncap * sizeof(*nv));

		if (!nv) {	/* cannot keep it from reuse: stop writing */
			f4_err("%s: out of memory in the journal", f4->dev.path);
			f4_txn_abort(f4, -ENOMEM);
			return;
		}
		j->frees = nv;
		j->capfrees = ncap;
	}
	j->frees[j->nfrees++] = (struct f4_jfree){ blk, n };
	f4->frees_pending += n;
	ext2fs_mark_block_bitmap_range2(f4->fs->block_map, blk, (unsigned)n);
}

unsigned f4_txn_interval(const struct f4_fs *f4)
{
	return f4->journal ? f4->journal->interval : F4_TXN_DEFAULT_INTERVAL_S;
}

bool f4_txn_wants_checkpoint(const struct f4_fs *f4)
{
	const struct f4_journal *j = f4->journal;

	return j && j->running && !j->aborted &&
	       j->head - j->log.c.first > (j->log.c.last - j->log.c.first) / 2;
}

int f4_txn_checkpoint(struct f4_fs *f4)
{
	struct f4_journal *j = f4->journal;
	bool did;
	int ret;

	if (!j || !j->running || j->aborted)
		return 0;
	f4_fs_handles_drain(f4);
	ret = commit(f4, j, &did);
	if (!ret && j->head != j->log.c.first)
		ret = checkpoint(f4, j);
	f4_fs_handles_resume(f4);
	if (ret)
		f4_txn_abort(f4, -EIO);
	return ret;
}

void f4_txn_get_stats(const struct f4_fs *f4, struct f4_txn_stats *st)
{
	memset(st, 0, sizeof(*st));
	if (!f4->journal)
		return;
	*st = f4->journal->st;
	st->tid = f4->journal->tid;
	st->head = f4->journal->head;
	st->first = f4->journal->log.c.first;
	st->last = f4->journal->log.c.last;
}
