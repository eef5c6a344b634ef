/* Owns the portable data executor: one pread/pwrite per transfer. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "src/io/data.h"

static int pread_xfer(struct f4_data_io *dio, const struct f4_io_vec *vecs,
		      unsigned n, bool write)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		const struct f4_io_vec *v = &vecs[i];
		int ret = write ? f4_dev_pwrite(dio->dev, v->buf, v->len, v->dev_off) :
				  f4_dev_pread(dio->dev, v->buf, v->len, v->dev_off);

		if (ret)
			return ret;
	}
	return 0;
}

int f4_data_readv_pread(struct f4_data_io *dio, const struct f4_io_vec *vecs,
			unsigned n)
{
	return pread_xfer(dio, vecs, n, false);
}

int f4_data_writev_pread(struct f4_data_io *dio, const struct f4_io_vec *vecs,
			 unsigned n)
{
	return pread_xfer(dio, vecs, n, true);
}

static void pread_destroy(struct f4_data_io *dio)
{
	free(dio);
}

static const struct f4_data_io_ops pread_ops = {
	.name = "pread",
	.readv = f4_data_readv_pread,
	.writev = f4_data_writev_pread,
	.destroy = pread_destroy,
};

int f4_data_io_pread_create(const struct f4_dev *dev, struct f4_data_io **out)
{
	struct f4_data_io *dio = calloc(1, sizeof(*dio));

	if (!dio)
		return -ENOMEM;
	dio->ops = &pread_ops;
	dio->dev = dev;
	*out = dio;
	return 0;
}
