/* Block-device and durability differences between Linux, FreeBSD and
 * macOS, kept out of the IO code. */
#ifndef F4_COMPAT_BLKDEV_H
#define F4_COMPAT_BLKDEV_H

#include <stdint.h>
#include <fcntl.h>

/* Linux: O_EXCL on a block device means an exclusive claim (EBUSY while
 * mounted). Elsewhere it has no such meaning and is left out. */
#ifdef __linux__
#define F4_BDEV_EXCL_FLAG O_EXCL
#else
#define F4_BDEV_EXCL_FLAG 0
#endif

/* Size in bytes of the block device open on fd; 0 or -errno. */
int f4_compat_blkdev_size(int fd, uint64_t *bytes);

/* Make written data durable on the medium; 0 or -errno. */
int f4_compat_datasync(int fd);

#endif
