/* Owns fuse4fs --unmount (see unmount.h). The image is found from the
 * mount table (the mount's source is the image path fuse4fs was given);
 * the server holds a lock on it until it exits, so taking that lock is
 * the sign that the image is complete. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <unistd.h>

#include "compat/lockholder.h"
#include "compat/mountinfo.h"
#include "src/base/log.h"
#include "src/cli/unmount.h"

/* The source of the topmost fuse4fs mount at mnt, or -ENOENT (-EINVAL:
 * something else is mounted there). */
static int find_source(const char *mnt, char *src, size_t len)
{
	FILE *f = f4_mountinfo_open();
	struct f4_mountinfo e;
	int ret = -ENOENT;

	if (!f)
		return -errno;
	while (f4_mountinfo_next(f, &e)) {
		if (strcmp(e.point, mnt) != 0)
			continue;
		ret = strcmp(e.type, "fuse.fuse4fs") == 0 ? 0 : -EINVAL;
		if (!ret)
			snprintf(src, len, "%s", e.source);
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

/* Is the server (found before detaching) still running? */
static bool server_alive(pid_t server)
{
	char path[64], comm[64] = "";
	FILE *f;

	if (!server || kill(server, 0) != 0)
		return false;
	snprintf(path, sizeof(path), "/proc/%d/comm", (int)server);
	f = fopen(path, "re");
	if (f && !fgets(comm, sizeof(comm), f))
		comm[0] = '\0';
	if (f)
		fclose(f);
	return strncmp(comm, "fuse4fs", 7) == 0;
}

/* Until the server's lock on the image is gone and the server has
 * exited (or wait_s passed). */
static int wait_for_server(int fd, pid_t server, unsigned wait_s)
{
	unsigned ms;

	for (ms = 0; ms <= wait_s * 1000u; ms += 50) {
		bool locked = flock(fd, LOCK_EX | LOCK_NB) != 0 && errno == EWOULDBLOCK;

		if (!locked)
			flock(fd, LOCK_UN);
		if (!locked && !server_alive(server))
			return 0;
		if (ms == 2000)
			f4_info("waiting for fuse4fs to finish writing the image");
		usleep(50 * 1000);
	}
	return -ETIMEDOUT;
}

int f4_cli_unmount(const char *mountpoint, unsigned wait_s, char *msg,
		   size_t len)
{
	char mnt[PATH_MAX], src[PATH_MAX], comm[64];
	pid_t server = 0;
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
	if (fd >= 0)	/* the server, to wait for its exit too */
		server = f4_compat_lock_holder(fd, comm, sizeof(comm));
	ret = detach(mnt);
	if (ret) {
		snprintf(msg, len, "cannot unmount %s: %s", mnt, strerror(-ret));
		goto out;
	}
	if (fd >= 0 && wait_for_server(fd, server, wait_s)) {
		snprintf(msg, len, "%s is unmounted, but its fuse4fs server still holds %s after %u s",
			 mnt, src, wait_s);
		ret = -ETIMEDOUT;
	}
out:
	if (fd >= 0)
		close(fd);
	return ret;
}
