/* f4stress_data.c - file-data operations: write, append, read, truncate,
 * fallocate (all the modes ext4 has), copy_file_range, mmap reads, fsync,
 * close/reopen.  Each is checked against the contents model; an operation
 * the file system may legitimately refuse (EOPNOTSUPP, ENOSPC) leaves the
 * model as it was, except for what the file system reports it did, and the
 * file must still agree with the model afterwards (f4s_reconcile). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "f4stress.h"

#define MAX_FDS 12

static int is_nospace(int err)
{
	return err == ENOSPC || err == EDQUOT;
}

static uint64_t umin(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t umax(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Make room for one more fd by closing another linked file's fd. */
static void make_fd_room(struct wk *w, struct node *keep)
{
	int k = 0, pick;

	if (w->nfds < MAX_FDS)
		return;
	for (int i = 0; i < w->nnodes; i++) {
		struct node *n = w->nodes[i];

		if (n->fd >= 0 && n->nlink > 0 && n != keep && n != w->pin)
			k++;
	}
	pick = (int)f4s_rnd(w, k);
	for (int i = 0; i < w->nnodes && k; i++) {
		struct node *n = w->nodes[i];

		if (n->fd >= 0 && n->nlink > 0 && n != keep && n != w->pin &&
		    pick-- == 0) {
			f4s_close_fd(w, n);
			return;
		}
	}
}

/* The open fd of a regular file, opening it through one of its names. */
int f4s_node_fd(struct wk *w, struct node *n)
{
	char path[F4S_PATHBUF];
	struct stat st;

	if (n->fd >= 0)
		return n->fd;
	make_fd_room(w, n);
	if (node_path(w, n, path) < 0)
		f4s_fail(w, "model: orphan n%d without fd", n->id);
	n->fd = open(path, O_RDWR);
	if (n->fd < 0)
		f4s_fail(w, "open(n%d, O_RDWR) failed: %s", n->id,
			 f4s_ename(errno));
	w->nfds++;
	if (fstat(n->fd, &st))
		f4s_fail(w, "fstat(n%d) failed: %s", n->id, f4s_ename(errno));
	if (st.st_ino != n->ino)
		f4s_fail(w, "open(n%d): st_ino %llu, expected %llu", n->id,
			 (ull)st.st_ino, (ull)n->ino);
	if ((uint64_t)st.st_size != n->fm.size)
		f4s_fail(w, "open(n%d): size %llu, expected %llu", n->id,
			 (ull)st.st_size, (ull)n->fm.size);
	return n->fd;
}

/* Close a regular file's fd; an orphan disappears with its last fd. */
void f4s_close_fd(struct wk *w, struct node *n)
{
	int fd = n->fd;

	if (fd < 0)
		return;
	n->fd = -1;
	w->nfds--;
	if (close(fd))
		f4s_fail(w, "close(n%d) failed: %s (data written earlier may "
			 "be lost)", n->id, f4s_ename(errno));
	if (n->nlink == 0)
		node_forget(w, n);
}

/* Data to write: mostly random bytes (so every write is distinguishable),
 * sometimes all zeros (written zeros are data, not holes) or one byte. */
void f4s_pattern(struct wk *w, uint8_t *buf, size_t len)
{
	int r = (int)f4s_rnd(w, 100);
	uint64_t x = f4s_rand(w) | 1;

	if (r < 5) {
		memset(buf, 0, len);
		return;
	}
	if (r < 10) {
		memset(buf, (int)(1 + (x % 255)), len);
		return;
	}
	for (size_t i = 0; i < len; i++) {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		buf[i] = (uint8_t)(x >> 24);
	}
}

static uint64_t pick_len(struct wk *w)
{
	int r = (int)f4s_rnd(w, 100);

	if (r < 40)
		return 1 + f4s_rnd(w, 512);
	if (r < 75)
		return 1 + f4s_rnd(w, 16384);
	if (r < 95)
		return 1 + f4s_rnd(w, 131072);
	return 1 + f4s_rnd(w, F4S_MAXIO);
}

/* A byte range relative to a file of the given size: inside, straddling
 * EOF, just past EOF, far past EOF (sparse), block aligned, tiny. */
static void pick_range(struct wk *w, uint64_t size, uint64_t *offp,
		       uint64_t *lenp)
{
	uint64_t fmax = w->o->fsize_max, off, len = pick_len(w);
	uint64_t bs = f4s_pct(w, 50) ? (uint64_t)w->o->bsize : 4096;
	int r = (int)f4s_rnd(w, 100);

	if (r < 35) {
		off = f4s_rnd(w, size + 1);
	} else if (r < 50) {
		off = size - f4s_rnd(w, umin(size, len) + 1);
	} else if (r < 60) {
		off = size + f4s_rnd(w, 65536);
	} else if (r < 70) {
		off = f4s_rnd(w, fmax);
	} else if (r < 85) {
		uint64_t lim = f4s_pct(w, 50) ? size + bs : fmax;

		off = f4s_rnd(w, lim / bs + 1) * bs;
		len = (1 + f4s_rnd(w, 64)) * bs;
	} else if (r < 92) {
		off = 0;
	} else {
		off = f4s_rnd(w, size + 1);
		len = 1 + f4s_rnd(w, 16);
	}
	if (len > F4S_MAXIO)
		len = F4S_MAXIO;
	if (off >= fmax)
		off = fmax - 1;
	if (off + len > fmax)
		len = fmax - off;
	*offp = off;
	*lenp = len;
}

static struct node *pick_file(struct wk *w)
{
	return pick_node(w, 1 << T_REG);
}

/* After an operation failed or was partial: within [off, off+len) each
 * byte may hold the old model byte or the new one (newdata, NULL = zero),
 * or anything at all if `any`; the size may be anything in [smin, smax]
 * and any growth must read as zeros.  Check that and adopt what the file
 * holds. */
void f4s_reconcile(struct wk *w, struct node *n, uint64_t off, uint64_t len,
		   const uint8_t *newdata, uint64_t smin, uint64_t smax,
		   int any)
{
	uint64_t s0 = n->fm.size, s, end;
	struct stat st;

	if (fstat(n->fd, &st))
		f4s_fail(w, "fstat failed: %s", f4s_ename(errno));
	s = (uint64_t)st.st_size;
	if (s < smin || s > smax)
		f4s_fail(w, "after a failed/partial op: size %llu, expected "
			 "%llu..%llu", (ull)s, (ull)smin, (ull)smax);
	fm_set_size(&n->fm, s);
	f4s_time_mark(n, 1, 0);
	end = umin(off + len, s);
	for (uint64_t pos = off; pos < end;) {
		size_t chunk = (size_t)umin(end - pos, F4S_MAXIO);
		ssize_t r = f4s_pread_full(n->fd, w->b2, chunk, pos);

		if (r != (ssize_t)chunk)
			f4s_fail(w, "reconcile: read at %llu returned %zd of "
				 "%zu (%s)", (ull)pos, r, chunk,
				 r < 0 ? f4s_ename(errno) : "short");
		fm_read(&n->fm, pos, w->b3, chunk);
		for (size_t i = 0; i < chunk && !any; i++) {
			uint8_t a = w->b2[i], o = w->b3[i];
			uint8_t nw = newdata ? newdata[pos - off + i] : 0;

			if (a != o && a != nw)
				f4s_fail_bytes(w, "byte is neither the old nor "
					       "the new value (old shown as "
					       "expected)", pos, w->b3, w->b2,
					       chunk, i);
		}
		fm_write(&n->fm, pos, w->b2, chunk);
		pos += chunk;
	}
	if (s > s0)
		f4s_check_range(w, n, n->fd, s0, s - s0, "size growth");
}

/* Account a write that returned r (errno err) for len bytes at off. */
static void finish_write(struct wk *w, struct node *n, uint64_t off,
			 uint64_t len, const uint8_t *buf, ssize_t r, int err,
			 const char *what)
{
	uint64_t s0 = n->fm.size;

	if (r == (ssize_t)len) {
		fm_write(&n->fm, off, buf, len);
		fm_set_size(&n->fm, umax(s0, off + len));
		f4s_desc(w, " -> ok");
		return;
	}
	if (r < 0 && !is_nospace(err))
		f4s_fail(w, "%s failed: %s", what, f4s_ename(err));
	if (r < 0) {
		f4s_desc(w, " -> %s", f4s_ename(err));
		f4s_enospc(w);
		r = 0;
	} else {
		f4s_desc(w, " -> short %zd", r);
		w->short_writes++;
	}
	fm_write(&n->fm, off, buf, (size_t)r);
	if (r)
		fm_set_size(&n->fm, umax(s0, off + (uint64_t)r));
	f4s_reconcile(w, n, off + (uint64_t)r, len - (uint64_t)r, buf + r,
		      n->fm.size, umax(n->fm.size, off + len), 0);
}

int op_write(struct wk *w)
{
	struct node *n = pick_file(w);
	uint64_t off, len;
	int how, fd, err;
	ssize_t r;

	if (!n)
		return 1;
	fd = f4s_node_fd(w, n);
	pick_range(w, n->fm.size, &off, &len);
	how = (int)f4s_rnd(w, 100);
	f4s_pattern(w, w->b1, len);
	f4s_desc(w, "%s n%d off=%llu len=%llu size=%llu",
		 how < 70 ? "pwrite" : how < 85 ? "write" : "pwritev", n->id,
		 (ull)off, (ull)len, (ull)n->fm.size);
	if (how < 70) {
		r = pwrite(fd, w->b1, len, (off_t)off);
	} else if (how < 85) {
		if (lseek(fd, (off_t)off, SEEK_SET) != (off_t)off)
			f4s_fail(w, "lseek failed: %s", f4s_ename(errno));
		r = write(fd, w->b1, len);
	} else {
		struct iovec iov[3];
		size_t a = len / 3, b = len / 2;

		iov[0] = (struct iovec){ w->b1, a };
		iov[1] = (struct iovec){ w->b1 + a, b - a };
		iov[2] = (struct iovec){ w->b1 + b, len - b };
		r = pwritev(fd, iov, 3, (off_t)off);
	}
	err = errno;
	f4s_time_mark(n, 0, 1);
	finish_write(w, n, off, len, w->b1, r, err, "write");
	return 0;
}

/* O_APPEND: the data goes to EOF whatever the file offset is. */
int op_append(struct wk *w)
{
	struct node *n = pick_file(w);
	uint64_t s0, len = 1 + f4s_rnd(w, 8192);
	int fd, fl, err;
	off_t pos, after;
	ssize_t r;

	if (!n)
		return 1;
	if (f4s_pct(w, 20))
		len = pick_len(w);
	s0 = n->fm.size;
	if (s0 + len > w->o->fsize_max)
		return 1;
	fd = f4s_node_fd(w, n);
	f4s_pattern(w, w->b1, len);
	pos = (off_t)f4s_rnd(w, s0 + 1);
	f4s_desc(w, "append n%d len=%llu size=%llu (fpos %lld)", n->id,
		 (ull)len, (ull)s0, (long long)pos);
	fl = fcntl(fd, F_GETFL);
	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_APPEND) ||
	    lseek(fd, pos, SEEK_SET) != pos)
		f4s_fail(w, "fcntl/lseek failed: %s", f4s_ename(errno));
	r = write(fd, w->b1, len);
	err = errno;
	after = lseek(fd, 0, SEEK_CUR);
	if (fcntl(fd, F_SETFL, fl))
		f4s_fail(w, "fcntl failed: %s", f4s_ename(errno));
	f4s_time_mark(n, 0, 1);
	if (r >= 0 && after != (off_t)(s0 + (uint64_t)r))
		f4s_fail(w, "after appending %zd bytes to a %llu-byte file the "
			 "offset is %lld", r, (ull)s0, (long long)after);
	finish_write(w, n, s0, len, w->b1, r, err, "append");
	return 0;
}

int op_read(struct wk *w)
{
	struct node *n = pick_file(w);
	uint64_t off, len, exp;
	ssize_t r;
	int fd, how;

	if (!n)
		return 1;
	fd = f4s_node_fd(w, n);
	pick_range(w, n->fm.size, &off, &len);
	how = (int)f4s_rnd(w, 100);
	exp = off >= n->fm.size ? 0 : umin(len, n->fm.size - off);
	f4s_desc(w, "%s n%d off=%llu len=%llu size=%llu",
		 how < 80 ? "pread" : "read", n->id, (ull)off, (ull)len,
		 (ull)n->fm.size);
	if (how < 80) {
		r = pread(fd, w->b2, len, (off_t)off);
	} else {
		if (lseek(fd, (off_t)off, SEEK_SET) != (off_t)off)
			f4s_fail(w, "lseek failed: %s", f4s_ename(errno));
		r = read(fd, w->b2, len);
	}
	if (r < 0)
		f4s_fail(w, "read failed: %s", f4s_ename(errno));
	f4s_time_mark(n, 1, 0);
	if ((uint64_t)r != exp)
		f4s_fail(w, "read returned %zd bytes, expected %llu (file size "
			 "%llu)", r, (ull)exp, (ull)n->fm.size);
	fm_read(&n->fm, off, w->b3, (size_t)r);
	for (size_t i = 0; i < (size_t)r; i++)
		if (w->b2[i] != w->b3[i])
			f4s_fail_bytes(w, "read data differs", off, w->b3,
				       w->b2, (size_t)r, i);
	f4s_desc(w, " -> %zd", r);
	return 0;
}

int op_truncate(struct wk *w)
{
	struct node *n = pick_file(w);
	uint64_t s0, ns, fmax = w->o->fsize_max, bs = (uint64_t)w->o->bsize;
	char path[F4S_PATHBUF];
	int r, err, bypath, fd;
	struct stat st;

	if (!n)
		return 1;
	fd = f4s_node_fd(w, n);
	s0 = n->fm.size;
	switch (f4s_rnd(w, 8)) {
	case 0: ns = 0; break;
	case 1: case 2: ns = f4s_rnd(w, s0 + 1); break;
	case 3: ns = s0 + 1 + f4s_rnd(w, 65536); break;
	case 4: ns = f4s_rnd(w, fmax + 1); break;
	case 5: ns = s0 / bs * bs; break;
	case 6: ns = s0 + f4s_rnd(w, 33) - umin(s0, 16); break;
	default: ns = s0; break;
	}
	if (ns > fmax)
		ns = fmax;
	bypath = n->nlink > 0 && f4s_pct(w, 15);
	if (bypath)
		node_path(w, n, path);
	f4s_desc(w, "%struncate n%d %llu -> %llu", bypath ? "" : "f", n->id,
		 (ull)s0, (ull)ns);
	r = bypath ? truncate(path, (off_t)ns) : ftruncate(fd, (off_t)ns);
	err = errno;
	f4s_time_mark(n, 0, 1);
	if (r && is_nospace(err)) {
		f4s_desc(w, " -> %s", f4s_ename(err));
		f4s_enospc(w);
		f4s_reconcile(w, n, umin(s0, ns), umax(s0, ns) - umin(s0, ns),
			      NULL, umin(s0, ns), umax(s0, ns), 0);
		return 0;
	}
	if (r)
		f4s_fail(w, "truncate failed: %s", f4s_ename(err));
	fm_set_size(&n->fm, ns);
	if (fstat(fd, &st) || (uint64_t)st.st_size != ns)
		f4s_fail(w, "after truncate to %llu, fstat size is %llu",
			 (ull)ns, (ull)st.st_size);
	f4s_desc(w, " -> ok");
	return 0;
}

static const struct {
	int mode;
	const char *name;
} fmodes[] = {
	{ 0, "default" },
	{ FALLOC_FL_KEEP_SIZE, "keep_size" },
	{ FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE, "punch_hole" },
	{ FALLOC_FL_ZERO_RANGE, "zero_range" },
	{ FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE, "zero_range|keep" },
};

/* Apply a successful fallocate to the model.  POSIX/Linux semantics:
 * default mode extends the size to off+len; KEEP_SIZE never changes it;
 * a punched or zeroed range reads as zeros, but only below the size
 * (punching beyond EOF does nothing); ZERO_RANGE without KEEP_SIZE
 * extends the size like default mode. */
static void falloc_model(struct fmodel *m, int mode, uint64_t off,
			 uint64_t len)
{
	uint64_t s0 = m->size, end = off + len;

	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		if (off < s0)
			fm_zero(m, off, umin(end, s0) - off);
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE))
		fm_set_size(m, umax(s0, end));
}

int op_fallocate(struct wk *w)
{
	static const int weight[] = { 20, 20, 25, 15, 20 };
	struct node *n = pick_file(w);
	int k = 0, fd, r, err, pick, mode;
	uint64_t off, len, s0, smax;
	struct stat st;

	if (!n)
		return 1;
	fd = f4s_node_fd(w, n);
	pick = (int)f4s_rnd(w, 100);
	while (pick >= weight[k])
		pick -= weight[k++];
	mode = fmodes[k].mode;
	pick_range(w, n->fm.size, &off, &len);
	s0 = n->fm.size;
	f4s_desc(w, "fallocate(%s) n%d off=%llu len=%llu size=%llu",
		 fmodes[k].name, n->id, (ull)off, (ull)len, (ull)s0);
	r = fallocate(fd, mode, (off_t)off, (off_t)len);
	err = errno;
	f4s_time_mark(n, 0, 1);
	if (!r) {
		falloc_model(&n->fm, mode, off, len);
		if (fstat(fd, &st) || (uint64_t)st.st_size != n->fm.size)
			f4s_fail(w, "after fallocate, fstat size is %llu, "
				 "expected %llu", (ull)st.st_size,
				 (ull)n->fm.size);
		f4s_desc(w, " -> ok");
		return 0;
	}
	f4s_desc(w, " -> %s", f4s_ename(err));
	if (err == EOPNOTSUPP) {
		f4s_unsupported(w, err, 0);
		if (fstat(fd, &st) || (uint64_t)st.st_size != s0)
			f4s_fail(w, "unsupported fallocate changed the size "
				 "to %llu", (ull)st.st_size);
		return 0;
	}
	if (!is_nospace(err))
		f4s_fail(w, "fallocate failed: %s", f4s_ename(err));
	/* ENOSPC part way: some of the range may be done (ext4 even moves
	 * i_size over the part it did allocate).  Linux ext4 (6.18) also
	 * drops the page cache of a punched/zeroed range before it
	 * allocates, and does not bring it back when that fails, so dirty
	 * data there reverts to what is on disk, and cached pages of the
	 * range may still change when they are evicted: --lenient-enospc
	 * flushes and drops the file's cache and takes what is then there. */
	f4s_enospc(w);
	smax = (mode & FALLOC_FL_KEEP_SIZE) ? s0 : umax(s0, off + len);
	if (mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE)) {
		if (w->o->lenient_enospc &&
		    (fsync(fd) || posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED)))
			f4s_fail(w, "fsync/fadvise failed: %s",
				 f4s_ename(errno));
		f4s_reconcile(w, n, off, len, NULL, s0, smax,
			      w->o->lenient_enospc);
	} else
		f4s_reconcile(w, n, off, 0, NULL, s0, smax, 0);
	return 0;
}

static ssize_t cfr(int sfd, uint64_t *soff, int dfd, uint64_t *doff,
		   size_t len)
{
#ifdef SYS_copy_file_range
	loff_t si = (loff_t)*soff, di = (loff_t)*doff;
	ssize_t r = syscall(SYS_copy_file_range, sfd, &si, dfd, &di, len, 0u);

	*soff = (uint64_t)si;
	*doff = (uint64_t)di;
	return r;
#else
	(void)sfd; (void)soff; (void)dfd; (void)doff; (void)len;
	errno = ENOSYS;
	return -1;
#endif
}

static void pick_copy(struct wk *w, struct node *s, struct node *d,
		      uint64_t *soff, uint64_t *doff, uint64_t *len)
{
	uint64_t fmax = w->o->fsize_max, dummy;

	*len = pick_len(w);
	*soff = f4s_pct(w, 80) ? f4s_rnd(w, s->fm.size + 1) : f4s_rnd(w, fmax);
	pick_range(w, d->fm.size, doff, &dummy);
	if (*soff >= fmax)
		*soff = fmax - 1;
	if (*len > fmax - *soff)
		*len = fmax - *soff;
	if (*len > fmax - *doff)
		*len = fmax - *doff;
}

/* copy_file_range from one of the worker's files to another (or within
 * one file on non-overlapping ranges): the destination gets exactly the
 * bytes the source had, up to the source's EOF. */
int op_copy_range(struct wk *w)
{
	struct node *s = pick_file(w), *d;
	uint64_t soff, doff, len, exp, done = 0, so, dof, d0;
	int sfd, dfd, err = 0;

	if (!s)
		return 1;
	d = f4s_pct(w, 30) ? s : pick_file(w);
	pick_copy(w, s, d, &soff, &doff, &len);
	if (!len || (s == d && soff < doff + len && doff < soff + len))
		return 1;
	w->pin = s;
	sfd = f4s_node_fd(w, s);
	dfd = f4s_node_fd(w, d);
	w->pin = NULL;
	exp = soff >= s->fm.size ? 0 : umin(len, s->fm.size - soff);
	fm_read(&s->fm, soff, w->b1, (size_t)exp);
	d0 = d->fm.size;
	f4s_desc(w, "copy_file_range n%d@%llu -> n%d@%llu len=%llu (src size "
		 "%llu, dst size %llu)", s->id, (ull)soff, d->id, (ull)doff,
		 (ull)len, (ull)s->fm.size, (ull)d0);
	so = soff;
	dof = doff;
	/* One call for the whole request; more only for what remains of the
	 * source's bytes (a short copy is allowed).  Within one file, later
	 * calls must not reach into bytes the copy itself wrote. */
	do {
		ssize_t r = cfr(sfd, &so, dfd, &dof,
				(size_t)(done ? exp - done : len));

		if (r < 0) {
			err = errno;
			break;
		}
		if (r == 0)
			break;
		done += (uint64_t)r;
		if (done > exp)
			f4s_fail(w, "copy_file_range copied %llu bytes, the "
				 "source has only %llu there", (ull)done,
				 (ull)exp);
		if (so != soff + done || dof != doff + done)
			f4s_fail(w, "copy_file_range moved the offsets to "
				 "%llu/%llu after %llu bytes", (ull)so,
				 (ull)dof, (ull)done);
	} while (done < exp);
	f4s_time_mark(s, 1, 0);
	f4s_time_mark(d, 0, 1);
	if (err && !done && (err == EOPNOTSUPP || err == ENOSYS ||
			     err == EXDEV)) {
		f4s_desc(w, " -> %s", f4s_ename(err));
		f4s_unsupported(w, err, 0);
		f4s_reconcile(w, d, doff, 0, NULL, d0, d0, 0);
		return 0;
	}
	if (err && !is_nospace(err))
		f4s_fail(w, "copy_file_range failed after %llu bytes: %s",
			 (ull)done, f4s_ename(err));
	fm_write(&d->fm, doff, w->b1, (size_t)done);
	if (done)
		fm_set_size(&d->fm, umax(d0, doff + done));
	if (err) {
		f4s_desc(w, " -> %s after %llu", f4s_ename(err), (ull)done);
		f4s_enospc(w);
		f4s_reconcile(w, d, doff + done, exp - done, w->b1 + done,
			      d->fm.size, umax(d->fm.size, doff + exp), 0);
		return 0;
	}
	if (done != exp)
		f4s_fail(w, "copy_file_range copied %llu bytes, expected %llu "
			 "(it returned 0 before the source's EOF)", (ull)done,
			 (ull)exp);
	f4s_desc(w, " -> %llu", (ull)done);
	return 0;
}

/* A SIGBUS while touching a mapping means the file is shorter than the
 * model says (or an IO error): report it instead of dying. */
static sigjmp_buf bus_jmp;

static void on_sigbus(int sig)
{
	(void)sig;
	siglongjmp(bus_jmp, 1);
}

static void mmap_compare(struct wk *w, struct node *n, const uint8_t *p,
			 uint64_t moff, uint64_t off, uint64_t len,
			 uint64_t tail)
{
	memcpy(w->b2, p + (off - moff), len);
	fm_read(&n->fm, off, w->b3, len);
	for (size_t i = 0; i < len; i++)
		if (w->b2[i] != w->b3[i])
			f4s_fail_bytes(w, "mmap data differs", off, w->b3,
				       w->b2, len, i);
	/* POSIX: the part of the last page beyond EOF reads as zeros. */
	for (uint64_t i = 0; i < tail; i++)
		if (p[off + len - moff + i])
			f4s_fail(w, "mmap: byte %llu past EOF (size %llu) is "
				 "0x%02x, not zero", (ull)i, (ull)(off + len),
				 p[off + len - moff + i]);
}

int op_mmap_read(struct wk *w)
{
	struct node *n = pick_file(w);
	uint64_t size, off, len, moff, mlen, pg = (uint64_t)getpagesize();
	uint64_t tail = 0;
	struct sigaction sa, old;
	struct stat st;
	uint8_t *p;
	int fd, shared;

	if (!w->o->mmap_reads || !n || !n->fm.size)
		return 1;
	size = n->fm.size;
	fd = f4s_node_fd(w, n);
	off = f4s_rnd(w, size);
	len = f4s_pct(w, 30) ? size - off :
		1 + f4s_rnd(w, umin(size - off, F4S_MAXIO));
	if (len > F4S_MAXIO)
		len = F4S_MAXIO;
	shared = f4s_pct(w, 80);
	moff = off / pg * pg;
	mlen = off + len - moff;
	if (off + len == size)
		tail = (pg - size % pg) % pg;
	f4s_desc(w, "mmap(%s) n%d off=%llu len=%llu size=%llu",
		 shared ? "shared" : "private", n->id, (ull)off, (ull)len,
		 (ull)size);
	if (fstat(fd, &st) || (uint64_t)st.st_size != size)
		f4s_fail(w, "fstat size %llu, expected %llu", (ull)st.st_size,
			 (ull)size);
	p = mmap(NULL, mlen, PROT_READ, shared ? MAP_SHARED : MAP_PRIVATE, fd,
		 (off_t)moff);
	if (p == MAP_FAILED) {
		if (errno == ENODEV || errno == EOPNOTSUPP) {
			f4s_desc(w, " -> %s", f4s_ename(errno));
			f4s_unsupported(w, errno, 0);
			return 0;
		}
		f4s_fail(w, "mmap failed: %s", f4s_ename(errno));
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigbus;
	sigaction(SIGBUS, &sa, &old);
	if (sigsetjmp(bus_jmp, 1)) {
		sigaction(SIGBUS, &old, NULL);
		f4s_fail(w, "SIGBUS touching the mapping (file shorter than "
			 "its size, or an IO error)");
	}
	mmap_compare(w, n, p, moff, off, len, tail);
	sigaction(SIGBUS, &old, NULL);
	munmap(p, mlen);
	f4s_time_mark(n, 1, 0);
	f4s_desc(w, " -> ok");
	return 0;
}

int op_fsync(struct wk *w)
{
	struct node *n = pick_file(w);
	int r, fd, how = (int)f4s_rnd(w, 10);
	const char *name = how < 5 ? "fsync" : how < 9 ? "fdatasync" : "syncfs";

	if (!n)
		return 1;
	fd = f4s_node_fd(w, n);
	f4s_desc(w, "%s n%d", name, n->id);
	r = how < 5 ? fsync(fd) : how < 9 ? fdatasync(fd) : syncfs(fd);
	if (r)
		f4s_fail(w, "%s failed: %s (data written earlier may be lost)",
			 name, f4s_ename(errno));
	f4s_desc(w, " -> ok");
	return 0;
}

/* Close a file and (usually) open it again through one of its names; an
 * unlinked file's last close makes it go away. */
int op_reopen(struct wk *w)
{
	struct node *n = pick_file(w);
	char path[F4S_PATHBUF];
	int trunc, flags = O_RDWR;
	struct stat st;

	if (!n)
		return 1;
	if (n->nlink == 0) {
		f4s_desc(w, "close orphan n%d", n->id);
		f4s_close_fd(w, n);
		return 0;
	}
	f4s_desc(w, "close n%d", n->id);
	f4s_close_fd(w, n);
	if (f4s_pct(w, 10))
		return 0;
	trunc = f4s_pct(w, 8);
	if (trunc)
		flags |= O_TRUNC;
	node_path(w, n, path);
	make_fd_room(w, n);
	f4s_desc(w, ", reopen%s", trunc ? " O_TRUNC" : "");
	n->fd = open(path, flags);
	if (n->fd < 0)
		f4s_fail(w, "reopen failed: %s", f4s_ename(errno));
	w->nfds++;
	if (trunc) {
		fm_set_size(&n->fm, 0);
		f4s_time_mark(n, 0, 1);
	}
	if (fstat(n->fd, &st))
		f4s_fail(w, "fstat failed: %s", f4s_ename(errno));
	if (st.st_ino != n->ino || (uint64_t)st.st_size != n->fm.size ||
	    (int)st.st_nlink != n->nlink)
		f4s_fail(w, "after reopen: ino %llu size %llu nlink %d, "
			 "expected ino %llu size %llu nlink %d",
			 (ull)st.st_ino, (ull)st.st_size, (int)st.st_nlink,
			 (ull)n->ino, (ull)n->fm.size, n->nlink);
	return 0;
}
