/* Owns fuse4fs --unmount (see unmount.h). The image is found from the
 * mount table (the mount's source is the image path fuse4fs was given);
 * the server holds a lock on it until it exits, so taking that lock is
 * the sign that the image is complete. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "src/base/log.h"
#include "src/cli/unmount.h"

/* The mount table escapes blanks, newlines and backslashes as \ooo. */
static void unescape(char *s)
{
	char *d = s;

	for (; *s; s++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '7' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*d++ = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 + (s[3] - '0'));
			s += 3;
		} else {
			*d++ = *s;
		}
	}
	*d = '\0';
}

/* The source of the topmost fuse4fs mount at mnt, or -ENOENT. */
static int find_source(const char *mnt, char *src, size_t len)
{
	char line[8192], point[PATH_MAX], type[64], source[PATH_MAX];
	int ret = -ENOENT;
	FILE *f = fopen("/proc/self/mountinfo", "re");

	if (!f)
		return -errno;
	while (fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - ");

		if (!sep || sscanf(line, "%*s %*s %*s %*s %4095s", point) != 1 ||
		    sscanf(sep + 3, "%63s %4095s", type, source) != 2)
			continue;
		unescape(point);
		if (strcmp(point, mnt) != 0)
			continue;
		ret = strcmp(type, "fuse.fuse4fs") == 0 ? 0 : -EINVAL;
		if (!ret) {
			unescape(source);
			snprintf(src, len, "%s", source);
		}
	}
	fclose(f);
	return ret;
}

/* umount2 for root, fusermount3 -u for everyone else. */
static int detach(const char *mnt)
{
	pid_t pid;
	int st;

	if (geteuid() == 0)
		return umount2(mnt, 0) == 0 ? 0 : -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		execlp("fusermount3", "fusermount3", "-u", mnt, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? 0 : -EBUSY;
}

/* Until the server's lock on the image is gone (or wait_s passed). */
static int wait_for_server(int fd, unsigned wait_s)
{
	unsigned ms;

	for (ms = 0; ms <= wait_s * 1000u; ms += 50) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
			flock(fd, LOCK_UN);
			return 0;
		}
		if (errno != EWOULDBLOCK)
			return 0;	/* no locks here: nothing to wait on */
		if (ms == 2000)
			f4_info("waiting for fuse4fs to finish writing the image");
		usleep(50 * 1000);
	}
	return -ETIMEDOUT;
}

int f4_cli_unmount(const char *mountpoint, unsigned wait_s, char *msg,
		   size_t len)
{
	char mnt[PATH_MAX], src[PATH_MAX];
	int fd = -1, ret;

	if (!realpath(mountpoint, mnt)) {
		snprintf(msg, len, "%s: %s", mountpoint, strerror(errno));
		return -errno;
	}
	ret = find_source(mnt, src, sizeof(src));
	if (ret) {
		snprintf(msg, len, "%s is not a fuse4fs mount", mnt);
		return ret == -ENOENT ? -EINVAL : ret;
	}
	/* Open the image before detaching: afterwards the server may be
	 * the only one who knew where it is (a /dev/fd/N image has no
	 * path to wait on). */
	if (strncmp(src, "/dev/fd/", 8) != 0)
		fd = open(src, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		f4_warn("%s: cannot open the image %s to wait for it (%s); unmounting without waiting",
			mnt, src, strncmp(src, "/dev/fd/", 8) ? strerror(errno) : "an inherited descriptor");
	ret = detach(mnt);
	if (ret) {
		snprintf(msg, len, "cannot unmount %s: %s", mnt, strerror(-ret));
		goto out;
	}
	if (fd >= 0 && wait_for_server(fd, wait_s)) {
		snprintf(msg, len, "%s is unmounted, but its fuse4fs server still holds %s after %u s",
			 mnt, src, wait_s);
		ret = -ETIMEDOUT;
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}
