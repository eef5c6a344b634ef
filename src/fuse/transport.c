/* Owns the session's own transport (see transport.h). libfuse reads one
 * request per read() and handles it on the same thread before reading
 * again (in both of its loops), so what a request asked for can be kept
 * in a thread-local variable until its handler runs. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <sys/uio.h>

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include "src/fuse/kproto.h"
#include "src/fuse/ops.h"
#include "src/fuse/transport.h"
#include "src/base/log.h"

#if defined(__linux__) && defined(HAVE_LINUX_FUSE_H)
#include <linux/fuse.h>

static __thread bool kill_suidgid;
/* The session, for the requests answered here (FUSE_STATX). */
static struct f4_session *session;
/* The INIT request's unique id, and whether the kernel offered v2. */
static uint64_t init_unique = UINT64_MAX;
static bool killpriv_offered;

bool f4_transport_kill_suidgid(void)
{
	return kill_suidgid;
}

static void note_request(const void *buf, size_t n)
{
	const struct fuse_in_header *in = buf;
	const char *arg = (const char *)buf + sizeof(*in);
	size_t argn = n - sizeof(*in);

	kill_suidgid = false;
	if (n < sizeof(*in))
		return;
	switch (in->opcode) {
	case FUSE_INIT:
		if (argn >= offsetof(struct fuse_init_in, flags) + sizeof(uint32_t)) {
			const struct fuse_init_in *ii = (const void *)arg;

			killpriv_offered = ii->flags & FUSE_HANDLE_KILLPRIV_V2;
			init_unique = in->unique;
		}
		break;
	case FUSE_WRITE:
		if (argn >= offsetof(struct fuse_write_in, write_flags) + sizeof(uint32_t))
			kill_suidgid = ((const struct fuse_write_in *)(const void *)arg)->write_flags &
				       FUSE_WRITE_KILL_SUIDGID;
		break;
	case FUSE_SETATTR:
		if (argn >= offsetof(struct fuse_setattr_in, valid) + sizeof(uint32_t))
			kill_suidgid = ((const struct fuse_setattr_in *)(const void *)arg)->valid &
				       FATTR_KILL_SUIDGID;
		break;
	}
}

/* FUSE_STATX, answered here: libfuse 3.14 would say ENOSYS, and the
 * kernel would never ask again. */
static void answer_statx(int fd, const struct fuse_in_header *in)
{
	struct fuse_out_header oh = { .unique = in->unique };
	struct f4_fuse_statx_out out;
	struct iovec iov[2] = { { &oh, sizeof(oh) }, { &out, sizeof(out) } };
	int ret = session ? f4_op_statx(session, in->nodeid, &out) : -ENOSYS;

	oh.error = ret;
	oh.len = (uint32_t)(sizeof(oh) + (ret ? 0 : sizeof(out)));
	if (writev(fd, iov, ret ? 1 : 2) < 0)
		f4_dbg("statx reply: %s", strerror(errno));
}

/* FUSE_SYNCFS (sync(2), syncfs(2); kernels send it to every FUSE
 * server from 7.4 on): everything durable, as fsync makes it. */
static void answer_syncfs(int fd, const struct fuse_in_header *in)
{
	struct fuse_out_header oh = { .len = sizeof(oh), .unique = in->unique };

	oh.error = session ? f4_op_syncfs(session) : -ENOSYS;
	if (write(fd, &oh, sizeof(oh)) < 0)
		f4_dbg("syncfs reply: %s", strerror(errno));
}

/* A request answered here instead of by libfuse? */
static bool answered_here(int fd, const void *buf, size_t n)
{
	const struct fuse_in_header *in = buf;

	if (n < sizeof(*in))
		return false;
	if (in->opcode == F4_FUSE_OP_STATX)
		answer_statx(fd, in);
	else if (in->opcode == F4_FUSE_OP_SYNCFS)
		answer_syncfs(fd, in);
	else
		return false;
	return true;
}

/* A socket in place of /dev/fuse (a test's fake kernel) ends with
 * end-of-file, or ECONNRESET when replies were left unread, where the
 * device says ENODEV: all mean the other side is gone, but libfuse ends
 * its loop cleanly on ENODEV only (EIO for a 0-byte read). */
static ssize_t io_read(int fd, void *buf, size_t len, void *userdata)
{
	ssize_t n;

	(void)userdata;
	do
		n = read(fd, buf, len);
	while (n > 0 && answered_here(fd, buf, (size_t)n));
	if (n > 0)
		note_request(buf, (size_t)n);
	else if ((n == 0 && len > 0) || (n < 0 && errno == ECONNRESET)) {
		errno = ENODEV;
		return -1;
	}
	return n;
}

/* The INIT reply: header, then struct fuse_init_out. */
static void amend_init_reply(struct iovec *iov, int count)
{
	const struct fuse_out_header *out = iov[0].iov_base;
	struct fuse_init_out *io;

	if (count < 2 || iov[0].iov_len < sizeof(*out) || out->error ||
	    out->unique != init_unique ||
	    iov[1].iov_len < offsetof(struct fuse_init_out, flags) + sizeof(uint32_t))
		return;
	init_unique = UINT64_MAX;
	if (!killpriv_offered)
		return;
	io = iov[1].iov_base;
	io->flags |= FUSE_HANDLE_KILLPRIV_V2;
	f4_dbg("init: FUSE_HANDLE_KILLPRIV_V2 negotiated");
}

static ssize_t io_writev(int fd, struct iovec *iov, int count, void *userdata)
{
	(void)userdata;
	if (init_unique != UINT64_MAX && count > 0)
		amend_init_reply(iov, count);
	return writev(fd, iov, count);
}

int f4_transport_install(struct fuse_session *se, struct f4_session *sess)
{
	static const struct fuse_custom_io io = {
		.read = io_read,
		.writev = io_writev,
	};

	session = sess;
	return fuse_session_custom_io(se, &io, fuse_session_fd(se));
}

#else	/* no FUSE protocol header: libfuse alone */

bool f4_transport_kill_suidgid(void)
{
	return false;
}

int f4_transport_install(struct fuse_session *se, struct f4_session *sess)
{
	(void)se;
	(void)sess;
	return -EOPNOTSUPP;
}

#endif
