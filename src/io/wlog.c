/* Owns the write log of power-cut tests (see wlog.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "src/io/wlog.h"

struct f4_wlog {
	int fd;
	pthread_mutex_t lock;
};

int f4_wlog_open_env(struct f4_wlog **out, char *msg, size_t len)
{
	const char *path = getenv(F4_WLOG_ENV);
	struct f4_wlog *w;

	*out = NULL;
	if (!path || !*path)
		return 0;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (w->fd < 0) {
		int ret = -errno;

		snprintf(msg, len, "%s=%s: %s", F4_WLOG_ENV, path, strerror(errno));
		free(w);
		return ret;
	}
	pthread_mutex_init(&w->lock, NULL);
	*out = w;
	return 0;
}

void f4_wlog_close(struct f4_wlog *w)
{
	if (!w)
		return;
	close(w->fd);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

/* A record the log cannot take makes the test's log unusable: say so
 * loudly (the checker then finds the log cut short). */
static void append(struct f4_wlog *w, uint32_t type, const void *buf,
		   size_t len, uint64_t off)
{
	struct f4_wlog_rec r = { F4_WLOG_MAGIC, type, off, len };
	struct iovec iov[2] = { { &r, sizeof(r) }, { (void *)buf, len } };
	size_t want = sizeof(r) + len;
	ssize_t n = writev(w->fd, iov, buf ? 2 : 1);

	if (n < 0 || (size_t)n != (buf ? want : sizeof(r)))
		fprintf(stderr, "fuse4fs: %s: cannot append to the write log\n",
			F4_WLOG_ENV);
}

int f4_wlog_write(struct f4_wlog *w, int (*fn)(void *ctx), void *ctx,
		  const void *buf, size_t len, uint64_t off)
{
	int ret;

	pthread_mutex_lock(&w->lock);
	ret = fn(ctx);
	if (!ret)
		append(w, F4_WLOG_WRITE, buf, len, off);
	pthread_mutex_unlock(&w->lock);
	return ret;
}

int f4_wlog_flush(struct f4_wlog *w, int (*fn)(void *ctx), void *ctx)
{
	int ret;

	pthread_mutex_lock(&w->lock);
	ret = fn(ctx);
	if (!ret)
		append(w, F4_WLOG_FLUSH, NULL, 0, 0);
	pthread_mutex_unlock(&w->lock);
	return ret;
}
