/* Owns the state every operation shares: the big lock (and its
 * statistics), whether the mount may still write, handles, and sending
 * metadata changes towards the image (commit or writeback). */
#include "config.h"

#include <errno.h>
#include <time.h>

#include "src/fs/fs.h"
#include "src/io/chan.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Set in the loader thread: its f4_fs_lock does not wait for itself. */
static __thread bool is_loader;

void f4_fs_set_loader_thread(void)
{
	is_loader = true;
}

void f4_fs_lock(struct f4_fs *f4)
{
	pthread_mutex_lock(&f4->lock);
	while (f4->loading && !is_loader)
		pthread_cond_wait(&f4->loaded, &f4->lock);
	f4->lock_taken_ns = now_ns();
	f4->lock_stats.acquisitions++;
}

/* Handles this thread holds. */
static __thread unsigned my_handles;

void f4_fs_unlock(struct f4_fs *f4)
{
	uint64_t held;

	/* A transaction grown past its share of the journal or the cache
	 * commits at the end of the operation that filled it. */
	if (f4->journal_full && !my_handles && !f4->went_ro &&
	    f4->journal_full(f4))
		f4->journal_commit(f4, false);
	held = now_ns() - f4->lock_taken_ns;

	f4->lock_stats.total_hold_ns += held;
	if (held > f4->lock_stats.max_hold_ns)
		f4->lock_stats.max_hold_ns = held;
	pthread_mutex_unlock(&f4->lock);
}

int f4_fs_writable(const struct f4_fs *f4)
{
	return f4->rw && !__atomic_load_n(&f4->went_ro, __ATOMIC_RELAXED) &&
	       !__atomic_load_n(&f4->remounted_ro, __ATOMIC_RELAXED) ? 0 : -EROFS;
}

int f4_fs_commit(struct f4_fs *f4, bool durable)
{
	bool journaled;
	int ret = 0;

	f4_fs_lock(f4);
	journaled = f4->journal_commit != NULL;
	if (f4->remounted_ro)	/* everything was written then */
		ret = 0, durable = false;
	else if (f4->went_ro)	/* a mount that stopped writing stays stopped */
		ret = -EROFS;
	else if (journaled)
		ret = f4->journal_commit(f4, durable);
	else
		ret = f4_chan_writeback(f4->fs->io);
	f4_fs_unlock(f4);
	/* What was not committed when the mount stopped writing is lost:
	 * an fsync must not say otherwise. */
	if (ret == -EROFS)
		return durable ? -EIO : 0;
	/* Without a journal the flush runs without the lock. */
	return !ret && durable && !journaled ? f4_dev_sync(&f4->dev) : ret;
}

int f4_fs_dirsync(struct f4_fs *f4, int ret)
{
	return !ret && f4->dirsync ? f4_fs_commit(f4, true) : ret;
}

void f4_fs_handle_gate(struct f4_fs *f4)
{
	while (f4->commit_waiting && !my_handles)
		pthread_cond_wait(&f4->handles_cv, &f4->lock);
}

void f4_fs_handle_start(struct f4_fs *f4)
{
	f4->handles++;
	my_handles++;
}

void f4_fs_handle_stop(struct f4_fs *f4)
{
	my_handles--;
	if (--f4->handles == 0 && f4->commit_waiting)
		pthread_cond_broadcast(&f4->handles_cv);
}

void f4_fs_handles_drain(struct f4_fs *f4)
{
	f4->commit_waiting = true;
	while (f4->handles)
		pthread_cond_wait(&f4->handles_cv, &f4->lock);
}

void f4_fs_handles_resume(struct f4_fs *f4)
{
	f4->commit_waiting = false;
	pthread_cond_broadcast(&f4->handles_cv);
}

bool f4_fs_in_handle(void)
{
	return my_handles != 0;
}
