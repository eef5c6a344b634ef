/* Owns the io_uring data executor: every transfer of a request is
 * submitted at once (several extents of one read go to the device in
 * parallel) and the request waits for all of them; a single transfer
 * goes through pread/pwrite. Rings are per thread,
 * created on first use, so FUSE worker threads never share one. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <liburing.h>

#include "src/io/data.h"

#define F4_URING_DEPTH 64

struct ring {
	struct io_uring ring;
	struct ring *next;
};

struct uring_io {
	struct f4_data_io base;
	pthread_key_t key;
	pthread_mutex_t lock;	/* protects rings */
	struct ring *rings;	/* all rings, freed at destroy */
};

static struct io_uring *thread_ring(struct uring_io *u)
{
	struct ring *r = pthread_getspecific(u->key);

	if (r)
		return &r->ring;
	r = calloc(1, sizeof(*r));
	if (!r)
		return NULL;
	if (io_uring_queue_init(F4_URING_DEPTH, &r->ring, 0) < 0) {
		free(r);
		return NULL;
	}
	pthread_setspecific(u->key, r);
	pthread_mutex_lock(&u->lock);
	r->next = u->rings;
	u->rings = r;
	pthread_mutex_unlock(&u->lock);
	return &r->ring;
}

/* Progress of one transfer: short transfers are resubmitted. */
struct xfer {
	const struct f4_io_vec *v;
	size_t done;
};

static void prep(struct io_uring_sqe *sqe, int fd, bool write, struct xfer *x,
		 uint64_t base)
{
	char *buf = (char *)x->v->buf + x->done;
	unsigned len = (unsigned)(x->v->len - x->done);
	uint64_t off = base + x->v->dev_off + x->done;

	if (write)
		io_uring_prep_write(sqe, fd, buf, len, off);
	else
		io_uring_prep_read(sqe, fd, buf, len, off);
	io_uring_sqe_set_data(sqe, x);
}

/* Submit up to the ring's depth, wait for those, repeat. */
static int run(struct f4_data_io *dio, const struct f4_io_vec *vecs,
	       unsigned n, bool write)
{
	struct uring_io *u = (struct uring_io *)dio;
	struct io_uring *ring = thread_ring(u);
	struct xfer *x;
	unsigned next = 0, inflight = 0, i;
	int ret = 0;

	for (i = 0; i < n; i++)
		if (!f4_dev_range_ok(dio->dev, vecs[i].dev_off, vecs[i].len))
			return -EIO;
	if (write && !dio->dev->rw)
		return -EROFS;
	/* One transfer gains nothing from a ring, and costs a hand-off
	 * to an io-wq worker where the host file cannot take it without
	 * blocking (buffered writes): plain pread/pwrite then. */
	if (!ring || n == 1)
		return write ? f4_data_writev_pread(dio, vecs, n) :
			       f4_data_readv_pread(dio, vecs, n);
	x = calloc(n ? n : 1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		x[i].v = &vecs[i];
	while ((next < n || inflight) && !ret) {
		struct io_uring_cqe *cqe;
		struct io_uring_sqe *sqe;

		while (next < n && (sqe = io_uring_get_sqe(ring))) {
			prep(sqe, dio->dev->fd, write, &x[next++], dio->dev->offset);
			inflight++;
		}
		ret = io_uring_submit_and_wait(ring, 1);
		if (ret < 0)
			break;
		ret = 0;
		while (inflight && io_uring_peek_cqe(ring, &cqe) == 0) {
			struct xfer *t = io_uring_cqe_get_data(cqe);
			int res = cqe->res;

			io_uring_cqe_seen(ring, cqe);
			inflight--;
			if (res == -EAGAIN || res == -EINTR)
				res = 0;	/* try again below */
			else if (res <= 0)
				ret = res ? res : -EIO;	/* 0: past the end */
			t->done += res > 0 ? (size_t)res : 0;
			if (!ret && t->done < t->v->len) {
				sqe = io_uring_get_sqe(ring);
				if (!sqe) {
					ret = -EBUSY;
					break;
				}
				prep(sqe, dio->dev->fd, write, t, dio->dev->offset);
				inflight++;
			}
		}
	}
	/* Never leave completions of ours behind in the ring. */
	while (inflight) {
		struct io_uring_cqe *cqe;

		if (io_uring_wait_cqe(ring, &cqe) < 0)
			break;
		io_uring_cqe_seen(ring, cqe);
		inflight--;
	}
	free(x);
	return ret;
}

static int uring_readv(struct f4_data_io *dio, const struct f4_io_vec *vecs,
		       unsigned n)
{
	return run(dio, vecs, n, false);
}

static int uring_writev(struct f4_data_io *dio, const struct f4_io_vec *vecs,
			unsigned n)
{
	return run(dio, vecs, n, true);
}

static void uring_destroy(struct f4_data_io *dio)
{
	struct uring_io *u = (struct uring_io *)dio;
	struct ring *r = u->rings, *next;

	for (; r; r = next) {
		next = r->next;
		io_uring_queue_exit(&r->ring);
		free(r);
	}
	pthread_key_delete(u->key);
	pthread_mutex_destroy(&u->lock);
	free(u);
}

static const struct f4_data_io_ops uring_ops = {
	.name = "io_uring",
	.readv = uring_readv,
	.writev = uring_writev,
	.destroy = uring_destroy,
};

int f4_data_io_uring_create(const struct f4_dev *dev, struct f4_data_io **out)
{
	struct uring_io *u = calloc(1, sizeof(*u));
	struct io_uring probe;
	int ret;

	if (!u)
		return -ENOMEM;
	/* Refused (old kernel, seccomp, io_uring_disabled)? Say so now. */
	ret = io_uring_queue_init(2, &probe, 0);
	if (ret < 0) {
		free(u);
		return ret;
	}
	io_uring_queue_exit(&probe);
	if (pthread_key_create(&u->key, NULL)) {
		free(u);
		return -ENOMEM;
	}
	pthread_mutex_init(&u->lock, NULL);
	u->base.ops = &uring_ops;
	u->base.dev = dev;
	*out = &u->base;
	return 0;
}
