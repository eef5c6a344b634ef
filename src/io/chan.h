/* Owns the libext2fs io_manager that carries metadata IO to the image
 * through struct f4_dev (so offset= and the bounds checks apply to every
 * byte libext2fs touches). ext2fs_open2 only passes a name to the manager,
 * so the device travels inside it: see f4_chan_name(). */
#ifndef F4_IO_CHAN_H
#define F4_IO_CHAN_H

#include <stddef.h>
#include <ext2fs/ext2fs.h>

#include "dev.h"

io_manager f4_chan_manager(void);

/* Writes the name to hand to ext2fs_open2 for this device. */
void f4_chan_name(const struct f4_dev *dev, char *buf, size_t len);

#endif
