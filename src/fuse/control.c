/* Owns the control channel (see control.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "compat/mountinfo.h"
#include "src/base/log.h"
#include "src/fuse/control.h"
#include "src/mount/remount.h"

#ifdef __linux__
#include <sys/sysmacros.h>

struct f4_control {
	struct f4_fs *f4;
	int sock, stop[2];
	uid_t owner;
	pthread_t thread;
};

/* The socket's abstract name for the mount with device dev. */
static socklen_t address(dev_t dev, struct sockaddr_un *sa)
{
	int n;

	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
		     "fuse4fs-control/%u:%u", major(dev), minor(dev));
	return (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + (size_t)n);
}

/* Our mount's device number, from the mount table (a stat of the
 * mountpoint would be a request to ourselves). */
static int mount_dev(const char *mnt, dev_t *dev)
{
	FILE *f = f4_mountinfo_open();
	struct f4_mountinfo e;
	int found = 0;

	if (!f)
		return -errno;
	while (f4_mountinfo_next(f, &e)) {
		if (strcmp(e.type, "fuse.fuse4fs") == 0 && strcmp(e.point, mnt) == 0) {
			*dev = makedev(e.major, e.minor);	/* the last one is on top */
			found = 1;
		}
	}
	fclose(f);
	return found ? 0 : -ENOENT;
}

static void handle(struct f4_control *c, int fd)
{
	char req[64] = "", msg[512] = "", out[600];
	struct ucred cred;
	socklen_t clen = sizeof(cred);
	ssize_t n;
	int ret;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &clen) != 0 ||
	    (cred.uid != 0 && cred.uid != c->owner)) {
		ret = -EPERM;
		snprintf(msg, sizeof(msg), "only root and the user who mounted may do that");
	} else if ((n = read(fd, req, sizeof(req) - 1)) <= 0) {
		return;
	} else if (strcmp(req, "remount-ro\n") == 0) {
		ret = f4_mount_remount_ro(c->f4, msg, sizeof(msg));
		if (!ret)
			f4_info("%s: remounted read-only: the image is clean", c->f4->dev.path);
	} else if (strcmp(req, "remount-rw\n") == 0) {
		ret = f4_mount_remount_rw(c->f4, msg, sizeof(msg));
		if (!ret)
			f4_info("%s: remounted read-write", c->f4->dev.path);
	} else {
		ret = -EINVAL;
		snprintf(msg, sizeof(msg), "unknown request");
	}
	n = snprintf(out, sizeof(out), "%d %s\n", ret, msg);
	if (write(fd, out, (size_t)n) != n)
		f4_dbg("control: the client went away before the reply");
}

static void *control_main(void *arg)
{
	struct f4_control *c = arg;
	struct pollfd p[2] = { { .fd = c->sock, .events = POLLIN },
			       { .fd = c->stop[0], .events = POLLIN } };

	while (poll(p, 2, -1) >= 0 || errno == EINTR) {
		int fd;

		if (p[1].revents)
			break;
		if (!(p[0].revents & POLLIN))
			continue;
		fd = accept4(c->sock, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0)
			continue;
		handle(c, fd);
		close(fd);
	}
	return NULL;
}

struct f4_control *f4_control_start(struct f4_fs *f4, const char *mountpoint)
{
	struct f4_control *c = calloc(1, sizeof(*c));
	struct sockaddr_un sa;
	socklen_t salen;
	dev_t dev;

	if (!c || mount_dev(mountpoint, &dev))
		goto fail;
	c->f4 = f4;
	c->owner = getuid();
	c->stop[0] = c->stop[1] = -1;
	salen = address(dev, &sa);
	c->sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (c->sock < 0 || bind(c->sock, (struct sockaddr *)&sa, salen) != 0 ||
	    listen(c->sock, 4) != 0 || pipe2(c->stop, O_CLOEXEC) != 0 ||
	    pthread_create(&c->thread, NULL, control_main, c) != 0)
		goto fail_sock;
	return c;
fail_sock:
	f4_dbg("no control channel for %s: %s", mountpoint, strerror(errno));
	if (c->sock >= 0)
		close(c->sock);
	if (c->stop[0] >= 0) {
		close(c->stop[0]);
		close(c->stop[1]);
	}
fail:
	free(c);
	return NULL;
}

void f4_control_stop(struct f4_control *c)
{
	if (!c)
		return;
	if (write(c->stop[1], "x", 1) == 1)
		pthread_join(c->thread, NULL);
	close(c->sock);
	close(c->stop[0]);
	close(c->stop[1]);
	free(c);
}

int f4_control_call(const char *mountpoint, const char *cmd, char *msg,
		    size_t len)
{
	char reply[600] = "";
	struct sockaddr_un sa;
	struct stat st;
	socklen_t salen;
	ssize_t n;
	int fd, ret;

	if (stat(mountpoint, &st) != 0) {
		snprintf(msg, len, "%s: %s", mountpoint, strerror(errno));
		return -errno;
	}
	salen = address(st.st_dev, &sa);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, salen) != 0) {
		snprintf(msg, len, "no fuse4fs server answers for %s", mountpoint);
		if (fd >= 0)
			close(fd);
		return -ENOTCONN;
	}
	n = snprintf(reply, sizeof(reply), "%s\n", cmd);
	if (write(fd, reply, (size_t)n) != n ||
	    (shutdown(fd, SHUT_WR), n = read(fd, reply, sizeof(reply) - 1)) <= 0) {
		close(fd);
		snprintf(msg, len, "the fuse4fs server of %s did not answer", mountpoint);
		return -EIO;
	}
	close(fd);
	reply[n] = '\0';
	reply[strcspn(reply, "\n")] = '\0';
	ret = atoi(reply);
	snprintf(msg, len, "%s", strchr(reply, ' ') ? strchr(reply, ' ') + 1 : "");
	return ret;
}
#else
struct f4_control *f4_control_start(struct f4_fs *f4, const char *mountpoint)
{
	(void)f4;
	(void)mountpoint;
	return NULL;
}

void f4_control_stop(struct f4_control *c)
{
	(void)c;
}

int f4_control_call(const char *mountpoint, const char *cmd, char *msg,
		    size_t len)
{
	(void)cmd;
	snprintf(msg, len, "%s: remount is not supported on this system", mountpoint);
	return -EOPNOTSUPP;
}
#endif
