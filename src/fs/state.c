/* Owns the state every operation shares: the big lock (and its
 * statistics), whether the mount may still write, and writing cached
 * metadata back. */
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

void f4_fs_unlock(struct f4_fs *f4)
{
	uint64_t held = now_ns() - f4->lock_taken_ns;

	f4->lock_stats.total_hold_ns += held;
	if (held > f4->lock_stats.max_hold_ns)
		f4->lock_stats.max_hold_ns = held;
	pthread_mutex_unlock(&f4->lock);
}

int f4_fs_writable(const struct f4_fs *f4)
{
	return f4->rw && !__atomic_load_n(&f4->went_ro, __ATOMIC_RELAXED) ?
		0 : -EROFS;
}

int f4_fs_writeback(struct f4_fs *f4)
{
	int ret = 0;

	f4_fs_lock(f4);
	if (!f4->went_ro)	/* a mount that stopped writing stays stopped */
		ret = f4_chan_writeback(f4->fs->io);
	f4_fs_unlock(f4);
	return ret;
}
