/* Built instead of src/io/data_uring.c when liburing is absent (or
 * configure --without-liburing): the pread executor serves alone. */
#include "config.h"

#include <errno.h>

#include "src/io/data.h"

int f4_data_io_uring_create(const struct f4_dev *dev, struct f4_data_io **out)
{
	return -EOPNOTSUPP;
}
