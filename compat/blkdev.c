/* Owns the per-platform block-device size query and data sync. */
#include "config.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/fs.h>
#elif defined(__FreeBSD__)
#include <sys/disk.h>
#elif defined(__APPLE__)
#include <sys/disk.h>
#endif

#include "compat/blkdev.h"

int f4_compat_blkdev_size(int fd, uint64_t *bytes)
{
#if defined(__linux__)
	if (ioctl(fd, BLKGETSIZE64, bytes) < 0)
		return -errno;
	return 0;
#elif defined(__FreeBSD__)
	off_t size;

	if (ioctl(fd, DIOCGMEDIASIZE, &size) < 0)
		return -errno;
	*bytes = (uint64_t)size;
	return 0;
#elif defined(__APPLE__)
	uint64_t count;
	uint32_t bsize;

	if (ioctl(fd, DKIOCGETBLOCKCOUNT, &count) < 0 ||
	    ioctl(fd, DKIOCGETBLOCKSIZE, &bsize) < 0)
		return -errno;
	*bytes = count * bsize;
	return 0;
#else
	off_t end = lseek(fd, 0, SEEK_END);

	if (end < 0)
		return -errno;
	*bytes = (uint64_t)end;
	return 0;
#endif
}

int f4_compat_datasync(int fd)
{
#if defined(__APPLE__)
	/* fsync does not reach the medium on macOS; F_FULLFSYNC does. */
	if (fcntl(fd, F_FULLFSYNC) == 0)
		return 0;
	return fsync(fd) < 0 ? -errno : 0;
#else
	return fdatasync(fd) < 0 ? -errno : 0;
#endif
}
