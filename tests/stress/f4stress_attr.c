/* f4stress_attr.c - attribute operations: user.* xattrs with the
 * XATTR_CREATE/XATTR_REPLACE rules, chmod, and utimensat with nanosecond
 * timestamps (checked at the file system's timestamp granularity). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "f4stress.h"

static int xa_find(const struct node *n, const char *name)
{
	for (int i = 0; i < n->nxa; i++)
		if (!strcmp(n->xa[i].name, name))
			return i;
	return -1;
}

static void xa_set(struct node *n, const char *name, const uint8_t *val,
		   size_t len)
{
	int i = xa_find(n, name);

	if (i < 0) {
		n->xa = realloc(n->xa, (size_t)(n->nxa + 1) * sizeof(*n->xa));
		if (!n->xa) {
			perror("f4stress: realloc");
			exit(2);
		}
		i = n->nxa++;
		n->xa[i].name = f4s_xstrdup(name);
	} else {
		free(n->xa[i].val);
	}
	n->xa[i].val = f4s_xmalloc(len);
	memcpy(n->xa[i].val, val, len);
	n->xa[i].len = len;
}

static void xa_del(struct node *n, int i)
{
	free(n->xa[i].name);
	free(n->xa[i].val);
	n->xa[i] = n->xa[--n->nxa];
}

/* Path-or-fd xattr calls: an orphan is reached through its fd. */
struct xtarget {
	const char *path;
	int fd;
};

static int x_set(const struct xtarget *t, const char *name, const void *v,
		 size_t len, int flags)
{
	return t->path ? lsetxattr(t->path, name, v, len, flags) :
		fsetxattr(t->fd, name, v, len, flags);
}

static ssize_t x_get(const struct xtarget *t, const char *name, void *v,
		     size_t len)
{
	return t->path ? lgetxattr(t->path, name, v, len) :
		fgetxattr(t->fd, name, v, len);
}

static int x_remove(const struct xtarget *t, const char *name)
{
	return t->path ? lremovexattr(t->path, name) :
		fremovexattr(t->fd, name);
}

static void gen_xname(struct wk *w, struct node *n, char *name)
{
	if (n->nxa && f4s_pct(w, 50)) {
		strcpy(name, n->xa[f4s_rnd(w, (uint64_t)n->nxa)].name);
		return;
	}
	size_t len = f4s_pct(w, 95) ? 1 + f4s_rnd(w, 20) :
		21 + f4s_rnd(w, F4S_NAME_MAX - 5 - 20);

	memcpy(name, "user.", 5);
	for (size_t i = 0; i < len; i++)
		name[5 + i] = (char)('a' + f4s_rnd(w, 26));
	name[5 + len] = 0;
}

static size_t gen_xlen(struct wk *w)
{
	int r = (int)f4s_rnd(w, 100);

	if (r < 60)
		return f4s_rnd(w, 65);
	if (r < 90)
		return 65 + f4s_rnd(w, 336);
	return 401 + f4s_rnd(w, 1100);
}

/* After setxattr failed for lack of space: the attribute holds either its
 * old value (or is still absent) or the new value.  Adopt what is there. */
static void xattr_reconcile(struct wk *w, struct node *n,
			    const struct xtarget *t, const char *name,
			    const uint8_t *val, size_t len)
{
	int i = xa_find(n, name);
	ssize_t r = x_get(t, name, w->b2, 65536);

	if (r < 0 && errno == ENODATA && i < 0)
		return;
	if (r < 0)
		f4s_fail(w, "getxattr after failed setxattr: %s",
			 f4s_ename(errno));
	if (i >= 0 && (size_t)r == n->xa[i].len &&
	    !memcmp(w->b2, n->xa[i].val, (size_t)r))
		return;
	if ((size_t)r == len && !memcmp(w->b2, val, len)) {
		xa_set(n, name, val, len);
		return;
	}
	f4s_fail(w, "after failed setxattr, %s holds neither the old nor the "
		 "new value", name);
}

static void xattr_setop(struct wk *w, struct node *n, const struct xtarget *t,
			const char *name)
{
	int flags = (int)f4s_rnd(w, 4), i = xa_find(n, name), r, err;
	size_t len = gen_xlen(w);

	flags = flags < 2 ? 0 : flags == 2 ? XATTR_CREATE : XATTR_REPLACE;
	f4s_pattern(w, w->b1, len);
	f4s_desc(w, "setxattr%s n%d %s (%zu bytes)",
		 flags == XATTR_CREATE ? "(CREATE)" :
		 flags == XATTR_REPLACE ? "(REPLACE)" : "", n->id, name, len);
	r = x_set(t, name, w->b1, len, flags);
	err = errno;
	if (flags == XATTR_CREATE && i >= 0) {
		if (!r || err != EEXIST)
			f4s_fail(w, "setxattr(XATTR_CREATE) of an existing "
				 "xattr: %s, expected EEXIST",
				 r ? f4s_ename(err) : "succeeded");
		f4s_expected_err(w);
	} else if (flags == XATTR_REPLACE && i < 0) {
		if (!r || err != ENODATA)
			f4s_fail(w, "setxattr(XATTR_REPLACE) of a missing "
				 "xattr: %s, expected ENODATA",
				 r ? f4s_ename(err) : "succeeded");
		f4s_expected_err(w);
	} else if (!r) {
		xa_set(n, name, w->b1, len);
	} else if (err == ENOSPC || err == E2BIG || err == EDQUOT) {
		f4s_enospc(w);
		xattr_reconcile(w, n, t, name, w->b1, len);
	} else {
		f4s_fail(w, "setxattr failed: %s", f4s_ename(err));
	}
	f4s_desc(w, " -> %s", r ? f4s_ename(err) : "ok");
}

static void xattr_getop(struct wk *w, struct node *n, const struct xtarget *t,
			const char *name)
{
	int i = xa_find(n, name);
	size_t want = i >= 0 ? n->xa[i].len : 0;
	int small = i >= 0 && want > 1 && f4s_pct(w, 10);
	ssize_t r;

	f4s_desc(w, "getxattr n%d %s%s", n->id, name,
		 small ? " (buffer too small)" : "");
	r = x_get(t, name, w->b2, small ? want - 1 : 65536);
	if (i < 0) {
		if (r >= 0 || errno != ENODATA)
			f4s_fail(w, "getxattr of a missing xattr: %s, expected "
				 "ENODATA", r >= 0 ? "succeeded" :
				 f4s_ename(errno));
		f4s_expected_err(w);
	} else if (small) {
		if (r >= 0 || errno != ERANGE)
			f4s_fail(w, "getxattr into a small buffer: %s, "
				 "expected ERANGE", r >= 0 ? "succeeded" :
				 f4s_ename(errno));
		f4s_expected_err(w);
	} else if (r < 0) {
		f4s_fail(w, "getxattr failed: %s", f4s_ename(errno));
	} else if ((size_t)r != want || memcmp(w->b2, n->xa[i].val, want)) {
		f4s_fail(w, "getxattr returned %zd bytes that differ from the "
			 "expected %zu", r, want);
	}
	/* the size query must agree too */
	if (i >= 0 && x_get(t, name, NULL, 0) != (ssize_t)want)
		f4s_fail(w, "getxattr size query disagrees with %zu", want);
	f4s_desc(w, " -> ok");
}

static void xattr_removeop(struct wk *w, struct node *n,
			   const struct xtarget *t, const char *name)
{
	int i = xa_find(n, name), r;

	f4s_desc(w, "removexattr n%d %s", n->id, name);
	r = x_remove(t, name);
	if (i < 0) {
		if (!r || errno != ENODATA)
			f4s_fail(w, "removexattr of a missing xattr: %s, "
				 "expected ENODATA",
				 r ? f4s_ename(errno) : "succeeded");
		f4s_expected_err(w);
	} else if (r) {
		f4s_fail(w, "removexattr failed: %s", f4s_ename(errno));
	} else {
		xa_del(n, i);
	}
	f4s_desc(w, " -> %s", r ? f4s_ename(errno) : "ok");
}

/* user.* xattrs are for regular files and directories only: on symlinks
 * and special files setting one is EPERM and reading one ENODATA. */
static void xattr_special(struct wk *w, struct node *n, const char *path)
{
	char name[16] = "user.x";
	int r = lsetxattr(path, name, "v", 1, 0);

	f4s_desc(w, "setxattr/getxattr user.x on n%d (a %s)", n->id,
		 n->type == T_LNK ? "symlink" : "special file");
	if (!r || errno != EPERM)
		f4s_fail(w, "setxattr(user.*) on a symlink/special file: %s, "
			 "expected EPERM", r ? f4s_ename(errno) : "succeeded");
	if (lgetxattr(path, name, w->b2, 16) >= 0 || errno != ENODATA)
		f4s_fail(w, "getxattr(user.*) on a symlink/special file: %s, "
			 "expected ENODATA", f4s_ename(errno));
	f4s_expected_err(w);
	f4s_desc(w, " -> EPERM, ENODATA");
}

int op_xattr(struct wk *w)
{
	struct node *n;
	char path[F4S_PATHBUF], name[F4S_NAME_MAX + 1];
	struct xtarget t;
	int sub;

	if (f4s_pct(w, 8)) {
		n = pick_node(w, 1 << T_LNK | 1 << T_FIFO | 1 << T_CHR);
		if (!n || node_path(w, n, path) < 0)
			return 1;
		xattr_special(w, n, path);
		return 0;
	}
	n = pick_node(w, 1 << T_REG | 1 << T_DIR);
	if (!n)
		return 1;
	t.fd = n->fd;
	t.path = node_path(w, n, path) < 0 ? NULL : path;
	gen_xname(w, n, name);
	sub = (int)f4s_rnd(w, 100);
	if (sub < 45)
		xattr_setop(w, n, &t, name);
	else if (sub < 70)
		xattr_getop(w, n, &t, name);
	else if (sub < 85)
		xattr_removeop(w, n, &t, name);
	else {
		f4s_desc(w, "listxattr/getxattr all n%d (%d)", n->id, n->nxa);
		f4s_check_xattrs(w, n, t.path);
		f4s_desc(w, " -> ok");
	}
	return 0;
}

int op_chmod(struct wk *w)
{
	struct node *n = pick_node(w, 1 << T_REG | 1 << T_DIR | 1 << T_FIFO |
				   1 << T_CHR);
	char path[F4S_PATHBUF];
	mode_t mode;
	int r, viafd;

	if (!n)
		return 1;
	if (n->type == T_DIR)
		mode = 0700 | (mode_t)(f4s_rnd(w, 0100) & 077) |
			(f4s_pct(w, 20) ? 01000 : 0);
	else
		mode = 0600 | (mode_t)(f4s_rnd(w, 0200) & 0177);
	viafd = n->fd >= 0 && (n->nlink == 0 || f4s_pct(w, 30));
	if (!viafd && node_path(w, n, path) < 0)
		return 1;
	f4s_desc(w, "%s n%d 0%o -> 0%o", viafd ? "fchmod" : "chmod", n->id,
		 (unsigned)n->mode, (unsigned)mode);
	r = viafd ? fchmod(n->fd, mode) : chmod(path, mode);
	if (r)
		f4s_fail(w, "chmod failed: %s", f4s_ename(errno));
	n->mode = mode;
	f4s_check_stat(w, n, viafd ? NULL : path, n->fd);
	f4s_desc(w, " -> ok");
	return 0;
}

static void gen_time(struct wk *w, struct timespec *ts)
{
	int r = (int)f4s_rnd(w, 100);

	if (r < 50)
		ts->tv_sec = (time_t)(1 + f4s_rnd(w, 0x7ffffffe));
	else if (r < 80)
		ts->tv_sec = 1750000000 + (time_t)f4s_rnd(w, 1000000);
	else
		ts->tv_sec = (time_t)(1 + f4s_rnd(w, 1000000));
	r = (int)f4s_rnd(w, 100);
	if (r < 70)
		ts->tv_nsec = (long)f4s_rnd(w, 1000000000);
	else if (r < 80)
		ts->tv_nsec = 0;
	else if (r < 88)
		ts->tv_nsec = 999999999;
	else if (r < 96)
		ts->tv_nsec = UTIME_OMIT;
	else
		ts->tv_nsec = UTIME_NOW;
}

static void time_model(struct wk *w, const struct timespec *ts,
		       struct timespec *m, int *known)
{
	long g = w->o->time_gran;

	if (ts->tv_nsec == UTIME_OMIT)
		return;
	if (ts->tv_nsec == UTIME_NOW) {
		*known = 0;
		return;
	}
	*m = *ts;
	m->tv_nsec -= m->tv_nsec % g;
	*known = 1;
}

int op_utimens(struct wk *w)
{
	struct node *n = pick_node(w, ~0);
	char path[F4S_PATHBUF];
	struct timespec ts[2];
	int r, viafd;

	if (!n)
		return 1;
	gen_time(w, &ts[0]);
	gen_time(w, &ts[1]);
	viafd = n->fd >= 0 && (n->nlink == 0 || f4s_pct(w, 20));
	if (!viafd && node_path(w, n, path) < 0)
		return 1;
	f4s_desc(w, "%s n%d atime=%lld.%09ld mtime=%lld.%09ld",
		 viafd ? "futimens" : "utimensat(NOFOLLOW)", n->id,
		 (long long)ts[0].tv_sec, ts[0].tv_nsec,
		 (long long)ts[1].tv_sec, ts[1].tv_nsec);
	r = viafd ? futimens(n->fd, ts) :
		utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW);
	if (r)
		f4s_fail(w, "utimensat failed: %s", f4s_ename(errno));
	time_model(w, &ts[0], &n->atime, &n->atime_known);
	time_model(w, &ts[1], &n->mtime, &n->mtime_known);
	f4s_check_stat(w, n, viafd ? NULL : path, n->fd);
	f4s_desc(w, " -> ok");
	return 0;
}
