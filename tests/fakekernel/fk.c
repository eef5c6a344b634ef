/* Owns the fake kernel's process and transport (see fk.h): starting
 * fuse4fs on one end of a SEQPACKET socketpair, framing requests,
 * receiving replies and notifications with a deadline, INIT, and ending
 * the session. The operation helpers are in fk_ops.c. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "fk.h"

/* A reply larger than this is a broken server, not a big read. */
#define FK_MAX_MSG (64u << 20)
/* Send buffers big enough for a 1 MiB request or reply and a few more. */
#define FK_WANT_SNDBUF (8 << 20)

const char *f4_fk_prog(void)
{
	static char path[4096];
	const char *p = getenv("F4_FUSE4FS");

	if (p && *p)
		return p;
	p = getenv("F4_TOP_BUILDDIR");
	if (!p || !*p)
		p = ".";
	snprintf(path, sizeof(path), "%s/fuse4fs", p);
	return path;
}

static int fk_timeout_ms(void)
{
	const char *t = getenv("F4_FK_TIMEOUT_MS");
	long v = t ? strtol(t, NULL, 10) : 0;

	return v > 0 && v < 3600000 ? (int)v : 30000;
}

/* In the child: the server's end without close-on-exec (ours has it),
 * stdout and stderr into the log, stdin from /dev/null. */
static void fk_exec(char **argv, int srv, int logfd)
{
	int null = open("/dev/null", O_RDONLY);

	if (fcntl(srv, F_SETFD, 0) != 0 || null < 0 || dup2(null, 0) < 0)
		_exit(127);
	if (logfd >= 0 && (dup2(logfd, 1) < 0 || dup2(logfd, 2) < 0))
		_exit(127);
	execv(argv[0], argv);
	fprintf(stderr, "fk: cannot run %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

static char **fk_argv(const char *image, const char *const *args, int srv)
{
	size_t n = 0, i = 0;
	char **argv;

	while (args && args[n])
		n++;
	argv = calloc(n + 6, sizeof(*argv));
	if (!argv)
		return NULL;
	argv[i++] = (char *)f4_fk_prog();
	argv[i++] = "-f";
	if (getenv("F4_FK_DEBUG"))	/* libfuse's request log, in the server's log */
		argv[i++] = "-d";
	for (size_t k = 0; k < n; k++)
		argv[i++] = (char *)args[k];
	argv[i++] = (char *)image;
	if (asprintf(&argv[i], "/dev/fd/%d", srv) < 0) {
		free(argv);
		return NULL;
	}
	return argv;
}

static int fk_spawn(struct f4_fk *fk, const char *image,
		    const char *const *args, int srv)
{
	int logfd = -1, ret = 0;
	char **argv = fk_argv(image, args, srv);

	if (!argv)
		return -ENOMEM;
	if (fk->log) {
		logfd = open(fk->log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (logfd < 0)
			ret = -errno;
	}
	if (!ret) {
		fk->pid = fork();
		if (fk->pid == 0)
			fk_exec(argv, srv, logfd);
		if (fk->pid < 0)
			ret = -errno;
	}
	if (logfd >= 0)
		close(logfd);
	for (char **a = argv; *a; a++)
		if (a[1] == NULL)
			free(*a);	/* the "/dev/fd/N" fk_argv made */
	free(argv);
	return ret;
}

/* A SEQPACKET message must fit in the sender's send buffer: make both
 * as big as allowed (root may force past net.core.wmem_max) so that
 * max_write-sized WRITEs and READ replies fit; *max: what now fits. */
static void fk_grow_buffers(const int sv[2], size_t *max)
{
	int want = FK_WANT_SNDBUF, got;
	socklen_t len = sizeof(got);

	*max = FK_MAX_MSG;
	for (int i = 0; i < 2; i++) {
		if (setsockopt(sv[i], SOL_SOCKET, SO_SNDBUFFORCE, &want, sizeof(want)))
			setsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &want, sizeof(want));
		if (getsockopt(sv[i], SOL_SOCKET, SO_SNDBUF, &got, &len) == 0 &&
		    got > 64 && (size_t)got - 64 < *max)
			*max = (size_t)got - 64;
	}
}

int f4_fk_start(struct f4_fk **fkp, const char *image,
		const char *const *args, const char *log)
{
	struct f4_fk *fk = calloc(1, sizeof(*fk));
	int sv[2], ret;

	if (!fk)
		return -ENOMEM;
	fk->fd = -1;
	fk->timeout_ms = fk_timeout_ms();
	fk->next_unique = 2;	/* even: the kernel's low bit marks interrupts */
	fk->pid_of_caller = (uint32_t)getpid();
	if (log && !(fk->log = strdup(log))) {
		free(fk);
		return -ENOMEM;
	}
	/* Orphans of the server become ours: f4_fk_stop sees leftovers. */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		ret = -errno;
		f4_fk_free(fk);
		return ret;
	}
	fk->fd = sv[0];
	fk_grow_buffers(sv, &fk->max_msg);
	ret = fk_spawn(fk, image, args, sv[1]);
	close(sv[1]);
	if (ret) {
		f4_fk_free(fk);
		return ret;
	}
	*fkp = fk;
	return 0;
}

int f4_fk_send(struct f4_fk *fk, uint32_t opcode, uint64_t nodeid,
	       const struct iovec *iov, int n, uint64_t *unique)
{
	struct fuse_in_header in = {
		.len = sizeof(in), .opcode = opcode, .unique = fk->next_unique,
		.nodeid = nodeid, .uid = fk->uid, .gid = fk->gid,
		.pid = fk->pid_of_caller,
	};
	struct iovec v[8] = { { &in, sizeof(in) } };
	struct msghdr mh = { .msg_iov = v, .msg_iovlen = (size_t)n + 1 };

	if (fk->fd < 0)
		return -EBADF;
	if (n < 0 || n > 7)
		return -EINVAL;
	for (int i = 0; i < n; i++) {
		v[i + 1] = iov[i];
		in.len += (uint32_t)iov[i].iov_len;
	}
	if (sendmsg(fk->fd, &mh, MSG_NOSIGNAL) != (ssize_t)in.len)
		return errno == EPIPE ? -ECONNRESET : -errno;
	fk->next_unique += 2;
	if (opcode < F4_FK_NOPS)
		fk->sent[opcode]++;
	else
		fk->sent_other++;
	if (opcode == FUSE_DESTROY)
		fk->destroyed = 1;
	if (unique)
		*unique = in.unique;
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* One message off the socket by DEADLINE, checked against the protocol. */
static int fk_recv(struct f4_fk *fk, int64_t deadline, struct f4_fk_reply *r)
{
	struct pollfd p = { .fd = fk->fd, .events = POLLIN };
	int64_t left = deadline - now_ms();
	ssize_t n;
	char *buf;

	if (left < 0 || poll(&p, 1, (int)left) == 0)
		return -ETIMEDOUT;
	n = recv(fk->fd, NULL, 0, MSG_PEEK | MSG_TRUNC);
	if (n <= 0)
		return n == 0 ? -ECONNRESET : -errno;
	if ((size_t)n < sizeof(r->hdr) || (size_t)n > FK_MAX_MSG)
		return -EBADMSG;
	buf = malloc((size_t)n);
	if (!buf)
		return -ENOMEM;
	if (recv(fk->fd, buf, (size_t)n, 0) != n) {
		free(buf);
		return -EBADMSG;
	}
	memcpy(&r->hdr, buf, sizeof(r->hdr));
	r->len = (size_t)n - sizeof(r->hdr);
	memmove(buf, buf + sizeof(r->hdr), r->len);
	r->data = buf;
	/* A reply's error is 0 or -errno; a notification's is its code. */
	if (r->hdr.len != (uint32_t)n ||
	    (r->hdr.unique && (r->hdr.error > 0 || r->hdr.error < -4095))) {
		f4_fk_reply_free(r);
		return -EBADMSG;
	}
	return 0;
}

static int fk_take_stash(struct f4_fk *fk, uint64_t unique, struct f4_fk_reply *r)
{
	for (unsigned i = 0; i < fk->stashed; i++) {
		if (fk->stash[i].hdr.unique != unique)
			continue;
		*r = fk->stash[i];
		fk->stash[i] = fk->stash[--fk->stashed];
		return 1;
	}
	return 0;
}

int f4_fk_wait(struct f4_fk *fk, uint64_t unique, struct f4_fk_reply *r)
{
	int64_t deadline = now_ms() + fk->timeout_ms;
	int ret;

	memset(r, 0, sizeof(*r));
	if (fk_take_stash(fk, unique, r))
		return 0;
	for (;;) {
		ret = fk_recv(fk, deadline, r);
		if (ret)
			return ret;
		if (r->hdr.unique == unique)
			return 0;
		if (r->hdr.unique == 0) {
			uint32_t code = (uint32_t)r->hdr.error;

			if (code < F4_FK_NNOTIFY)
				fk->notify[code]++;
			else
				fk->notify_other++;
		} else if (fk->stashed < F4_FK_NSTASH) {
			fk->stash[fk->stashed++] = *r;
			r->data = NULL;
		} else {
			f4_fk_reply_free(r);
			return -EBADMSG;	/* answers to nothing we sent */
		}
		f4_fk_reply_free(r);
	}
}

int f4_fk_call(struct f4_fk *fk, uint32_t opcode, uint64_t nodeid,
	       const struct iovec *iov, int n, struct f4_fk_reply *r)
{
	uint64_t unique;
	int ret = f4_fk_send(fk, opcode, nodeid, iov, n, &unique);

	memset(r, 0, sizeof(*r));
	return ret ? ret : f4_fk_wait(fk, unique, r);
}

void f4_fk_reply_free(struct f4_fk_reply *r)
{
	free(r->data);
	r->data = NULL;
	r->len = 0;
}

int f4_fk_init(struct f4_fk *fk, uint32_t major, uint32_t minor, uint64_t flags)
{
	struct fuse_init_in in = {
		.major = major, .minor = minor, .max_readahead = 1u << 20,
	};
	struct f4_fk_reply r;
	struct iovec v;
	int ret;

	if (flags >> 32)
		flags |= FUSE_INIT_EXT;
	in.flags = (uint32_t)flags;
	if (flags & FUSE_INIT_EXT)
		in.flags2 = (uint32_t)(flags >> 32);
	/* Kernels before 7.36 send the first four fields only. */
	v.iov_base = &in;
	v.iov_len = minor >= 36 ? sizeof(in) : offsetof(struct fuse_init_in, flags2);
	ret = f4_fk_call(fk, FUSE_INIT, 0, &v, 1, &r);
	if (ret)
		return ret;
	ret = r.hdr.error;
	if (!ret && r.len < 8)
		ret = -EBADMSG;
	if (!ret) {
		memset(&fk->init_out, 0, sizeof(fk->init_out));
		memcpy(&fk->init_out, r.data,
		       r.len < sizeof(fk->init_out) ? r.len : sizeof(fk->init_out));
		fk->init_flags = fk->init_out.flags;
		if (fk->init_out.flags & FUSE_INIT_EXT)
			fk->init_flags |= (uint64_t)fk->init_out.flags2 << 32;
	}
	f4_fk_reply_free(&r);
	return ret;
}

/* Wait for the server to exit by the deadline; kill it if it does not. */
static int fk_reap(struct f4_fk *fk, int *status)
{
	int64_t deadline = now_ms() + fk->timeout_ms;
	struct timespec tick = { 0, 10 * 1000 * 1000 };
	pid_t got;
	int st;

	while ((got = waitpid(fk->pid, status, WNOHANG)) == 0 && now_ms() < deadline)
		nanosleep(&tick, NULL);
	if (got == 0) {
		kill(fk->pid, SIGKILL);
		waitpid(fk->pid, status, 0);
	}
	fk->pid = 0;
	if (got == 0)
		return -ETIMEDOUT;
	if (got < 0)
		return -errno;
	/* Anything still ours now was left behind by the server. */
	while ((got = waitpid(-1, &st, WNOHANG)) > 0)
		;
	return got == 0 ? -ECHILD : 0;
}

static int fk_close_and_reap(struct f4_fk *fk, int *status)
{
	if (fk->fd >= 0)
		close(fk->fd);
	fk->fd = -1;
	return fk_reap(fk, status);
}

int f4_fk_stop(struct f4_fk *fk, int *status)
{
	int ret = fk->destroyed || fk->fd < 0 ? 0 : f4_fk_destroy(fk);
	int rr = fk_close_and_reap(fk, status);

	return rr ? rr : ret;
}

int f4_fk_abort(struct f4_fk *fk, int *status)
{
	return fk_close_and_reap(fk, status);
}

void f4_fk_free(struct f4_fk *fk)
{
	int st;

	if (!fk)
		return;
	if (fk->fd >= 0)
		close(fk->fd);
	if (fk->pid > 0) {
		kill(fk->pid, SIGKILL);
		waitpid(fk->pid, &st, 0);
	}
	for (unsigned i = 0; i < fk->stashed; i++)
		f4_fk_reply_free(&fk->stash[i]);
	free(fk->log);
	free(fk);
}
