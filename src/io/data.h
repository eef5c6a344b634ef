/* Owns the data executor interface: moving file data between buffers and
 * the device once the mapping engine has said where it lives. Two
 * implementations: pread/pwrite (portable, always built) and io_uring. */
#ifndef F4_IO_DATA_H
#define F4_IO_DATA_H

#include <stddef.h>
#include <stdint.h>

#include "src/io/dev.h"

/* One contiguous transfer: dev_off is relative to the filesystem start. */
struct f4_io_vec {
	uint64_t dev_off;
	void *buf;
	size_t len;
};

struct f4_data_io;

struct f4_data_io_ops {
	const char *name;
	/* Perform all transfers (in any order, possibly concurrently);
	 * 0 when every one completed in full, else the first -errno. */
	int (*readv)(struct f4_data_io *dio, const struct f4_io_vec *vecs,
		     unsigned n);
	int (*writev)(struct f4_data_io *dio, const struct f4_io_vec *vecs,
		      unsigned n);
	void (*destroy)(struct f4_data_io *dio);
};

struct f4_data_io {
	const struct f4_data_io_ops *ops;
	const struct f4_dev *dev;
};

int f4_data_io_pread_create(const struct f4_dev *dev, struct f4_data_io **out);

/* io_uring; -errno (e.g. -ENOSYS, -EPERM) when the kernel refuses it, or
 * -EOPNOTSUPP when built without liburing. */
int f4_data_io_uring_create(const struct f4_dev *dev, struct f4_data_io **out);

/* The pread/pwrite transfers, usable by any executor as a fallback. */
int f4_data_readv_pread(struct f4_data_io *dio, const struct f4_io_vec *vecs,
			unsigned n);
int f4_data_writev_pread(struct f4_data_io *dio, const struct f4_io_vec *vecs,
			 unsigned n);

static inline int f4_data_readv(struct f4_data_io *dio,
				const struct f4_io_vec *vecs, unsigned n)
{
	return dio->ops->readv(dio, vecs, n);
}

static inline int f4_data_writev(struct f4_data_io *dio,
				 const struct f4_io_vec *vecs, unsigned n)
{
	return dio->ops->writev(dio, vecs, n);
}

static inline void f4_data_io_destroy(struct f4_data_io *dio)
{
	if (dio)
		dio->ops->destroy(dio);
}

#endif
