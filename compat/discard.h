/* Discarding unused space of the image: a hole punched into an image file
 * (which makes it sparser) or a discard request to a block device. Linux
 * only for now; elsewhere both report EOPNOTSUPP. */
#ifndef F4_COMPAT_DISCARD_H
#define F4_COMPAT_DISCARD_H

#include <stdbool.h>
#include <stdint.h>

/* The smallest range worth discarding on fd, in bytes: the block size of
 * the filesystem holding an image file, the discard granularity of a
 * block device. 0 or -errno; -EOPNOTSUPP when the device cannot discard
 * at all. */
int f4_compat_discard_granularity(int fd, bool is_bdev, uint64_t *bytes);

/* Discard [off, off + len) of fd (absolute offsets): its contents become
 * zeros (a file keeps its size). 0 or -errno. */
int f4_compat_discard(int fd, bool is_bdev, uint64_t off, uint64_t len);

#endif
