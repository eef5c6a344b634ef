/* Owns the background writer: every few seconds (commit=, 5 by
 * default) the running transaction commits, and the log is emptied
 * once it is half full (journaled filesystems); or dirty metadata is
 * written back in place (unjournaled ones). A crash loses at most that
 * much. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include "src/base/log.h"
#include "src/journal/txn.h"
#include "src/mount/flusher.h"

struct f4_flusher {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;		/* protected by lock */
};

static void checkpoint_if_half_full(struct f4_fs *f4)
{
	f4_fs_lock(f4);
	if (!f4->went_ro && f4_txn_wants_checkpoint(f4))
		f4_txn_checkpoint(f4);
	f4_fs_unlock(f4);
}

static void *flusher_main(void *arg)
{
	struct f4_fs *f4 = arg;
	struct f4_flusher *fl = f4->flusher;

	pthread_mutex_lock(&fl->lock);
	while (!fl->stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += f4_txn_interval(f4);
		pthread_cond_timedwait(&fl->wake, &fl->lock, &until);
		if (fl->stop)
			break;
		pthread_mutex_unlock(&fl->lock);
		if (f4_fs_commit(f4, false))
			f4_err("%s: writing metadata back failed", f4->dev.path);
		checkpoint_if_half_full(f4);
		pthread_mutex_lock(&fl->lock);
	}
	pthread_mutex_unlock(&fl->lock);
	return NULL;
}

int f4_flusher_start(struct f4_fs *f4)
{
	struct f4_flusher *fl;

	if (!f4->rw || f4->flusher)
		return 0;
	fl = calloc(1, sizeof(*fl));
	if (!fl)
		return -ENOMEM;
	pthread_mutex_init(&fl->lock, NULL);
	pthread_cond_init(&fl->wake, NULL);
	f4->flusher = fl;
	if (pthread_create(&fl->thread, NULL, flusher_main, f4)) {
		f4->flusher = NULL;
		free(fl);
		return -EAGAIN;
	}
	return 0;
}

void f4_flusher_stop(struct f4_fs *f4)
{
	struct f4_flusher *fl = f4->flusher;

	if (!fl)
		return;
	pthread_mutex_lock(&fl->lock);
	fl->stop = true;
	pthread_cond_signal(&fl->wake);
	pthread_mutex_unlock(&fl->lock);
	pthread_join(fl->thread, NULL);
	pthread_cond_destroy(&fl->wake);
	pthread_mutex_destroy(&fl->lock);
	free(fl);
	f4->flusher = NULL;
}
