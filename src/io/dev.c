/* Owns the image file descriptor: open, lock, size, bounded IO. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compat/blkdev.h"
#include "compat/kmount.h"
#include "compat/lockholder.h"
#include "src/base/log.h"
#include "src/io/dev.h"
#include "src/io/wlog.h"
#include "src/io/overlay.h"

/* "/dev/fd/N" names a descriptor we inherited: use it as it is, so the
 * server never needs path access to the image. */
static int inherited_fd(const char *path)
{
	char *end;
	long n;

	if (strncmp(path, "/dev/fd/", 8) != 0)
		return -1;
	errno = 0;
	n = strtol(path + 8, &end, 10);
	if (errno || *end || end == path + 8 || n < 0 || n > 65535)
		return -1;
	return (int)n;
}

static int open_image(const char *path, bool rw)
{
	int fd = inherited_fd(path);
	int flags = (rw ? O_RDWR : O_RDONLY) | O_CLOEXEC;
	struct stat st;

	if (fd < 0) {
		/* A block device opened for writing is claimed exclusively,
		 * so neither the kernel nor a second server can mount it. */
		if (rw && stat(path, &st) == 0 && S_ISBLK(st.st_mode))
			flags |= F4_BDEV_EXCL_FLAG;
		return open(path, flags);
	}
	flags = fcntl(fd, F_GETFL);
	if (flags < 0)
		return -1;
	if (rw && (flags & O_ACCMODE) == O_RDONLY) {
		errno = EROFS;
		return -1;
	}
	return dup(fd);	/* own copy; the caller's descriptor stays theirs */
}

/* How long a mount waits for another fuse4fs to let go of the image:
 * fusermount3 -u returns before the server has written its last changes
 * and exited, so an immediate remount finds it still there. */
#define F4_LOCK_WAIT_MS 10000
#define F4_LOCK_POLL_MS 50

static int lock_image(struct f4_dev *dev, char *msg, size_t msglen)
{
	int how = (dev->rw ? LOCK_EX : LOCK_SH) | LOCK_NB, waited;
	char comm[64] = "", mnt[1024];
	pid_t holder = 0;
	bool server;

	for (waited = 0;; waited += F4_LOCK_POLL_MS) {
		if (flock(dev->fd, how) == 0)
			return 0;
		if (errno != EWOULDBLOCK)
			return 0;	/* no flock here (NFS without locks): go on */
		/* A fuse4fs, a daemon whose parent took the lock, or one
		 * that let go a moment ago (nobody found): wait. */
		holder = f4_compat_lock_holder(dev->fd, comm, sizeof(comm));
		server = !holder || !comm[0] || strcmp(comm, "fuse4fs") == 0;
		if (server && f4_compat_fuse4fs_mount(dev->fd, mnt, sizeof(mnt))) {
			snprintf(msg, msglen, "%s is in use by the fuse4fs mount at %s; unmount it first (fuse4fs --unmount %s waits until the image is complete)",
				 dev->path, mnt, mnt);
			return -EBUSY;
		}
		if (!server || waited >= F4_LOCK_WAIT_MS)
			break;
		if (!waited)
			f4_info("%s: waiting for the fuse4fs server that holds it to finish",
				dev->path);
		usleep(F4_LOCK_POLL_MS * 1000);
	}
	if (holder && server)
		snprintf(msg, msglen, "%s is in use by %s (a fuse4fs server); unmount it first (fuse4fs --unmount MOUNTPOINT waits until the image is complete)",
			 dev->path, dev->rw ? "another mount" : "a read-write mount");
	else if (holder)
		snprintf(msg, msglen, "%s is in use by %s (%s, pid %d holds a lock on it)",
			 dev->path, dev->rw ? "another mount" : "a read-write mount",
			 comm, (int)holder);
	else
		snprintf(msg, msglen, "%s is in use by %s", dev->path,
			 dev->rw ? "another mount" : "a read-write mount");
	return -EBUSY;
}

static int size_window(struct f4_dev *dev, uint64_t total, char *msg,
		       size_t msglen)
{
	if (total == 0) {
		snprintf(msg, msglen, "%s is empty", dev->path);
		return -EINVAL;
	}
	if (dev->offset >= total) {
		snprintf(msg, msglen, "offset=%llu is beyond the end of %s (%llu bytes)",
			 (unsigned long long)dev->offset, dev->path,
			 (unsigned long long)total);
		return -EINVAL;
	}
	dev->size = total - dev->offset;
	return 0;
}

int f4_dev_open(struct f4_dev *dev, const char *path, uint64_t offset, bool rw,
		char *msg, size_t msglen)
{
	struct stat st;
	uint64_t total;
	int ret;

	memset(dev, 0, sizeof(*dev));
	dev->fd = -1;
	dev->rw = rw;
	dev->offset = offset;
	dev->path = strdup(path);
	if (!dev->path)
		return -ENOMEM;
	dev->fd = open_image(path, rw);
	if (dev->fd < 0) {
		ret = -errno;
		if (errno == EBUSY)
			snprintf(msg, msglen, "%s is in use (mounted or opened exclusively elsewhere)",
				 path);
		else
			snprintf(msg, msglen, "cannot open %s%s: %s", path,
				 rw ? " read-write" : "", strerror(errno));
		goto fail;
	}
	if (fstat(dev->fd, &st) < 0) {
		ret = -errno;
		snprintf(msg, msglen, "cannot stat %s: %s", path, strerror(errno));
		goto fail;
	}
	if (S_ISBLK(st.st_mode)) {
		dev->is_bdev = true;
		ret = f4_compat_blkdev_size(dev->fd, &total);
		if (ret) {
			snprintf(msg, msglen, "cannot get the size of %s: %s",
				 path, strerror(-ret));
			goto fail;
		}
	} else if (S_ISREG(st.st_mode)) {
		total = (uint64_t)st.st_size;
	} else {
		ret = -EINVAL;
		snprintf(msg, msglen, "%s is not a regular file or block device", path);
		goto fail;
	}
	ret = size_window(dev, total, msg, msglen);
	if (!ret)
		ret = lock_image(dev, msg, msglen);
	if (!ret && rw)
		ret = f4_wlog_open_env(&dev->wlog, msg, msglen);
	if (ret)
		goto fail;
	return 0;
fail:
	f4_dev_close(dev);
	return ret;
}

void f4_dev_close(struct f4_dev *dev)
{
	if (dev->fd >= 0)
		close(dev->fd);
	dev->fd = -1;
	f4_overlay_destroy(dev->ovl);
	dev->ovl = NULL;
	f4_wlog_close(dev->wlog);
	dev->wlog = NULL;
	free(dev->path);
	dev->path = NULL;
}

bool f4_dev_takes_writes(const struct f4_dev *dev)
{
	return dev->rw || (dev->ovl && f4_overlay_takes_writes(dev->ovl));
}

bool f4_dev_range_ok(const struct f4_dev *dev, uint64_t off, uint64_t len)
{
	return off <= dev->size && len <= dev->size - off;
}

/* Moves all of [off, off+len) through pread or pwrite, retrying short
 * transfers and EINTR; hitting the end of the image is -EIO. */
static int dev_xfer(const struct f4_dev *dev, bool write, char *p, size_t len,
		    uint64_t off)
{
	if (!f4_dev_range_ok(dev, off, len))
		return -EIO;
	while (len) {
		off_t pos = (off_t)(dev->offset + off);
		ssize_t n = write ? pwrite(dev->fd, p, len, pos) :
				    pread(dev->fd, p, len, pos);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		p += n;
		off += (uint64_t)n;
		len -= (size_t)n;
	}
	return 0;
}

int f4_dev_pread_base(const void *dev, void *buf, size_t len, uint64_t off)
{
	return dev_xfer(dev, false, buf, len, off);
}

int f4_dev_pread(const struct f4_dev *dev, void *buf, size_t len, uint64_t off)
{
	int ret = dev_xfer(dev, false, buf, len, off);

	return ret || !dev->ovl ? ret : f4_overlay_read(dev->ovl, buf, len, off);
}

struct logged_write {
	const struct f4_dev *dev;
	const void *buf;
	size_t len;
	uint64_t off;
};

static int do_logged_write(void *ctx)
{
	const struct logged_write *x = ctx;

	return dev_xfer(x->dev, true, (char *)x->buf, x->len, x->off);
}

int f4_dev_pwrite(const struct f4_dev *dev, const void *buf, size_t len,
		  uint64_t off)
{
	if (!f4_dev_takes_writes(dev))
		return -EROFS;
	if (!f4_dev_range_ok(dev, off, len))
		return -EIO;
	if (dev->ovl) {
		int ret = f4_overlay_write(dev->ovl, buf, len, off);

		if (ret)
			return ret < 0 ? ret : 0;
	}
	if (dev->wlog) {
		struct logged_write x = { dev, buf, len, off };

		return f4_wlog_write(dev->wlog, do_logged_write, &x, buf, len, off);
	}
	/* dev_xfer only reads the buffer of a write. */
	return dev_xfer(dev, true, (char *)buf, len, off);
}

static int do_logged_sync(void *ctx)
{
	const struct f4_dev *dev = ctx;

	return f4_compat_datasync(dev->fd);
}

int f4_dev_sync(const struct f4_dev *dev)
{
	if (dev->wlog)
		return f4_wlog_flush(dev->wlog, do_logged_sync, (void *)dev);
	return f4_compat_datasync(dev->fd);
}
