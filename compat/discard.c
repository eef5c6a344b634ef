/* Owns the per-platform discard of image ranges (see discard.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__linux__)
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/sysmacros.h>
#endif

#include "compat/discard.h"

#if defined(__linux__)
/* A number from the device's queue in sysfs; partitions have theirs in
 * the parent device's directory. */
static int queue_value(int fd, const char *name, uint64_t *val)
{
	static const char *const where[] = { "queue", "../queue" };
	struct stat st;
	char path[128];
	unsigned long long v;
	size_t i;

	if (fstat(fd, &st) < 0)
		return -errno;
	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		FILE *f;
		int got;

		snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/%s/%s",
			 major(st.st_rdev), minor(st.st_rdev), where[i], name);
		f = fopen(path, "re");
		if (!f)
			continue;
		got = fscanf(f, "%llu", &v);
		fclose(f);
		if (got == 1) {
			*val = v;
			return 0;
		}
	}
	return -ENOENT;
}
#endif

int f4_compat_discard_granularity(int fd, bool is_bdev, uint64_t *bytes)
{
#if defined(__linux__)
	struct stat st;
	uint64_t max = 0;

	if (!is_bdev) {
		if (fstat(fd, &st) < 0)
			return -errno;
		*bytes = st.st_blksize > 0 ? (uint64_t)st.st_blksize : 512;
		return 0;
	}
	if (queue_value(fd, "discard_max_bytes", &max) || !max)
		return -EOPNOTSUPP;
	if (queue_value(fd, "discard_granularity", bytes))
		*bytes = 512;
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

int f4_compat_discard(int fd, bool is_bdev, uint64_t off, uint64_t len)
{
#if defined(__linux__)
	uint64_t range[2] = { off, len };

	if (is_bdev)
		return ioctl(fd, BLKDISCARD, range) < 0 ? -errno : 0;
	return fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			 (off_t)off, (off_t)len) < 0 ? -errno : 0;
#else
	return -EOPNOTSUPP;
#endif
}
