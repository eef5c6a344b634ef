/* Owns the per-platform direct IO and range sync (see direct.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "compat/blkdev.h"
#include "compat/direct.h"

int f4_compat_reopen_direct(int fd)
{
#if defined(__linux__)
	char path[64];
	int dfd;

	/* The magic link reopens exactly what fd names, whatever its
	 * path (or an inherited descriptor without one). */
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	dfd = open(path, O_RDONLY | O_DIRECT | O_CLOEXEC);
	return dfd < 0 ? -errno : dfd;
#else
	(void)fd;
	return -EOPNOTSUPP;
#endif
}

int f4_compat_sync_range(int fd, uint64_t off, uint64_t len)
{
#if defined(__linux__)
	if (sync_file_range(fd, (off64_t)off, (off64_t)len,
			    SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
				    SYNC_FILE_RANGE_WAIT_AFTER) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL && errno != ESPIPE)
		return -errno;
#else
	(void)off;
	(void)len;
#endif
	return f4_compat_datasync(fd);
}
