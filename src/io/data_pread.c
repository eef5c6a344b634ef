/* Owns the portable data executor: one pread/pwrite per transfer. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "data.h"

int f4_data_readv_pread(struct f4_data_io *dio, const struct f4_io_vec *vecs,
			unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		int ret = f4_dev_pread(dio->dev, vecs[i].buf, vecs[i].len,
				       vecs[i].dev_off);
		if (ret)
			return ret;
	}
	return 0;
}

int f4_data_writev_pread(struct f4_data_io *dio, const struct f4_io_vec *vecs,
			 unsigned n)
{
	unsigned i;

	for (i = 0; i < n; i++) {
		int ret = f4_dev_pwrite(dio->dev, vecs[i].buf, vecs[i].len,
					vecs[i].dev_off);
		if (ret)
			return ret;
	}
	return 0;
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
