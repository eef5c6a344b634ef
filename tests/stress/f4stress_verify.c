/* f4stress_verify.c - comparing what the file system shows with the model:
 * file contents, stat attributes, directory listings (names, d_type,
 * d_ino), xattrs, and SEEK_DATA/SEEK_HOLE.  f4s_walk checks a worker's
 * whole tree (and its unlinked-but-open files). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "f4stress.h"

ssize_t f4s_pread_full(int fd, uint8_t *buf, size_t len, uint64_t off)
{
	size_t done = 0;

	while (done < len) {
		ssize_t r = pread(fd, buf + done, len - done,
				  (off_t)(off + done));

		if (r < 0)
			return -1;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

/* [off, off+len) must be readable and equal to the model. */
void f4s_check_range(struct wk *w, struct node *n, int fd, uint64_t off,
		     uint64_t len, const char *what)
{
	while (len) {
		size_t chunk = len < F4S_MAXIO ? (size_t)len : F4S_MAXIO;
		ssize_t r = f4s_pread_full(fd, w->b2, chunk, off);

		if (r < 0)
			f4s_fail(w, "%s: n%d: read at %llu failed: %s", what,
				 n->id, (ull)off, f4s_ename(errno));
		if ((size_t)r != chunk)
			f4s_fail(w, "%s: n%d: read at %llu got %zd of %zu bytes "
				 "(model size %llu)", what, n->id, (ull)off, r,
				 chunk, (ull)n->fm.size);
		fm_read(&n->fm, off, w->b3, chunk);
		if (memcmp(w->b2, w->b3, chunk)) {
			size_t i = 0;
			char msg[128];

			while (w->b2[i] == w->b3[i])
				i++;
			snprintf(msg, sizeof(msg), "%s: n%d contents differ",
				 what, n->id);
			f4s_fail_bytes(w, msg, off, w->b3, w->b2, chunk, i);
		}
		off += chunk;
		len -= chunk;
	}
	f4s_time_mark(n, 1, 0);
}

/* The whole file through fd: size, every byte, nothing past EOF. */
void f4s_check_content(struct wk *w, struct node *n, int fd, const char *what)
{
	struct stat st;
	uint8_t c;

	if (fstat(fd, &st))
		f4s_fail(w, "%s: fstat(n%d) failed: %s", what, n->id,
			 f4s_ename(errno));
	if ((uint64_t)st.st_size != n->fm.size)
		f4s_fail(w, "%s: n%d has size %llu, expected %llu", what, n->id,
			 (ull)st.st_size, (ull)n->fm.size);
	f4s_check_range(w, n, fd, 0, n->fm.size, what);
	if (pread(fd, &c, 1, (off_t)n->fm.size) != 0)
		f4s_fail(w, "%s: n%d: read at EOF (%llu) returned data", what,
			 n->id, (ull)n->fm.size);
	f4s_time_mark(n, 1, 0);
}

static const char *type_name(enum f4s_type t)
{
	static const char *names[] = { "file", "dir", "symlink", "fifo",
				       "chardev" };
	return names[t];
}

static enum f4s_type mode_type(mode_t m)
{
	if (S_ISREG(m))
		return T_REG;
	if (S_ISDIR(m))
		return T_DIR;
	if (S_ISLNK(m))
		return T_LNK;
	if (S_ISFIFO(m))
		return T_FIFO;
	if (S_ISCHR(m))
		return T_CHR;
	return (enum f4s_type)-1;
}

static void check_time(struct wk *w, struct node *n, const char *which,
		       const struct timespec *exp, const struct timespec *act)
{
	if (exp->tv_sec != act->tv_sec || exp->tv_nsec != act->tv_nsec)
		f4s_fail(w, "n%d: %s is %lld.%09ld, expected %lld.%09ld", n->id,
			 which, (long long)act->tv_sec, act->tv_nsec,
			 (long long)exp->tv_sec, exp->tv_nsec);
}

/* Attributes of n, through lstat(path) or fstat(fd) when path is NULL. */
void f4s_check_stat(struct wk *w, struct node *n, const char *path, int fd)
{
	struct stat st;
	int r = path ? lstat(path, &st) : fstat(fd, &st);

	if (r)
		f4s_fail(w, "stat(n%d) failed: %s", n->id, f4s_ename(errno));
	if (mode_type(st.st_mode) != n->type)
		f4s_fail(w, "n%d: mode 0%o is not a %s", n->id,
			 (unsigned)st.st_mode, type_name(n->type));
	if (n->type != T_LNK && (st.st_mode & 07777) != n->mode)
		f4s_fail(w, "n%d: permissions 0%o, expected 0%o", n->id,
			 (unsigned)(st.st_mode & 07777), (unsigned)n->mode);
	if (n->ino && st.st_ino != n->ino)
		f4s_fail(w, "n%d: st_ino %llu, expected %llu", n->id,
			 (ull)st.st_ino, (ull)n->ino);
	if (!n->ino)
		n->ino = st.st_ino;
	if ((int)st.st_nlink != node_nlink(n))
		f4s_fail(w, "n%d (%s): st_nlink %d, expected %d", n->id,
			 type_name(n->type), (int)st.st_nlink, node_nlink(n));
	if (n->type == T_REG && (uint64_t)st.st_size != n->fm.size)
		f4s_fail(w, "n%d: st_size %llu, expected %llu", n->id,
			 (ull)st.st_size, (ull)n->fm.size);
	if (n->type == T_LNK && (size_t)st.st_size != strlen(n->target))
		f4s_fail(w, "n%d: symlink st_size %llu, target has %zu bytes",
			 n->id, (ull)st.st_size, strlen(n->target));
	if (n->type == T_CHR && st.st_rdev != makedev(0, 0))
		f4s_fail(w, "n%d: whiteout has rdev %u:%u", n->id,
			 major(st.st_rdev), minor(st.st_rdev));
	if (n->atime_known && !w->o->no_atime)
		check_time(w, n, "atime", &n->atime, &st.st_atim);
	if (n->mtime_known)
		check_time(w, n, "mtime", &n->mtime, &st.st_mtim);
}

/* Compare the user.* xattrs of n (path, or fd for an orphan). */
void f4s_check_xattrs(struct wk *w, struct node *n, const char *path)
{
	char list[65536];
	ssize_t len = path ? llistxattr(path, list, sizeof(list)) :
		flistxattr(n->fd, list, sizeof(list));
	int seen = 0;

	if (len < 0 && errno == EOPNOTSUPP)
		return;
	if (len < 0)
		f4s_fail(w, "listxattr(n%d) failed: %s", n->id,
			 f4s_ename(errno));
	for (ssize_t i = 0; i < len; i += (ssize_t)strlen(list + i) + 1) {
		const char *name = list + i;
		int k;

		if (strncmp(name, "user.", 5))
			continue;
		for (k = 0; k < n->nxa; k++)
			if (!strcmp(n->xa[k].name, name))
				break;
		if (k == n->nxa)
			f4s_fail(w, "n%d: listxattr shows unexpected %s", n->id,
				 name);
		seen++;
	}
	if (seen != n->nxa)
		f4s_fail(w, "n%d: listxattr shows %d user xattrs, expected %d "
			 "(duplicates or missing)", n->id, seen, n->nxa);
	for (int k = 0; k < n->nxa; k++) {
		struct xattr *x = &n->xa[k];
		ssize_t r = path ? lgetxattr(path, x->name, w->b2, 65536) :
			fgetxattr(n->fd, x->name, w->b2, 65536);

		if (r < 0)
			f4s_fail(w, "n%d: getxattr(%s) failed: %s", n->id,
				 x->name, f4s_ename(errno));
		if ((size_t)r != x->len || memcmp(w->b2, x->val, x->len))
			f4s_fail(w, "n%d: xattr %s has a %zd-byte value that "
				 "differs from the expected %zu bytes", n->id,
				 x->name, r, x->len);
	}
}

static int dtype_of(enum f4s_type t)
{
	static const int dt[] = { DT_REG, DT_DIR, DT_LNK, DT_FIFO, DT_CHR };
	return dt[t];
}

/* readdir(d) must list exactly the model's names, once each, with the
 * right d_type and d_ino. */
static void check_listing(struct wk *w, struct node *d, const char *path)
{
	char *seen = f4s_xmalloc((size_t)d->nent + 1), show[128];
	int dots = 0, dotdots = 0;
	struct dirent *de;
	DIR *dir = opendir(path);

	if (!dir)
		f4s_fail(w, "opendir(n%d) failed: %s", d->id, f4s_ename(errno));
	while ((errno = 0, de = readdir(dir))) {
		int i;

		if (!strcmp(de->d_name, ".") && ++dots == 1)
			continue;
		if (!strcmp(de->d_name, "..") && ++dotdots == 1)
			continue;
		i = dir_find(d, de->d_name);
		if (i < 0)
			f4s_fail(w, "readdir(n%d) lists unexpected \"%s\"",
				 d->id, f4s_show(de->d_name, show,
						 sizeof(show)));
		if (seen[i]++)
			f4s_fail(w, "readdir(n%d) lists \"%s\" twice", d->id,
				 f4s_show(de->d_name, show, sizeof(show)));
		struct node *c = d->ent[i].node;

		if (de->d_type == DT_UNKNOWN)
			w->dtype_unknown++;
		else if (de->d_type != dtype_of(c->type))
			f4s_fail(w, "readdir(n%d): \"%s\" has d_type %d, "
				 "expected %d (%s)", d->id,
				 f4s_show(de->d_name, show, sizeof(show)),
				 de->d_type, dtype_of(c->type),
				 type_name(c->type));
		if (c->ino && de->d_ino != c->ino)
			f4s_fail(w, "readdir(n%d): \"%s\" has d_ino %llu, its "
				 "st_ino is %llu", d->id,
				 f4s_show(de->d_name, show, sizeof(show)),
				 (ull)de->d_ino, (ull)c->ino);
	}
	if (errno)
		f4s_fail(w, "readdir(n%d) failed: %s", d->id, f4s_ename(errno));
	closedir(dir);
	for (int i = 0; i < d->nent; i++)
		if (!seen[i])
			f4s_fail(w, "readdir(n%d) does not list \"%s\" (n%d)",
				 d->id, f4s_show(d->ent[i].name, show,
						 sizeof(show)),
				 d->ent[i].node->id);
	free(seen);
	f4s_time_mark(d, 1, 0);
}

static void check_entry(struct wk *w, struct node *c, const char *path)
{
	char buf[F4S_PATHBUF];
	ssize_t r;
	int fd;

	f4s_check_stat(w, c, path, -1);
	f4s_check_xattrs(w, c, path);
	if (c->type == T_REG) {
		fd = open(path, O_RDONLY);
		if (fd < 0)
			f4s_fail(w, "open(n%d, O_RDONLY) failed: %s", c->id,
				 f4s_ename(errno));
		f4s_check_content(w, c, fd, "walk");
		if (close(fd))
			f4s_fail(w, "close(n%d) failed: %s", c->id,
				 f4s_ename(errno));
	} else if (c->type == T_LNK) {
		r = readlink(path, buf, sizeof(buf));
		if (r < 0 || (size_t)r != strlen(c->target) ||
		    memcmp(buf, c->target, (size_t)r))
			f4s_fail(w, "readlink(n%d) returned %zd bytes (%s), "
				 "expected the %zu-byte target", c->id, r,
				 r < 0 ? f4s_ename(errno) : "differ",
				 strlen(c->target));
		f4s_time_mark(c, 1, 0);
	}
}

/* Check directory d: its listing; if deep, every entry's attributes,
 * contents, targets and xattrs, and the subdirectories recursively. */
void f4s_check_dir(struct wk *w, struct node *d, int deep)
{
	char path[F4S_PATHBUF];

	dir_path(w, d, path);
	f4s_check_stat(w, d, path, -1);
	check_listing(w, d, path);
	if (!deep)
		return;
	f4s_check_xattrs(w, d, path);
	for (int i = 0; i < d->nent; i++) {
		struct node *c = d->ent[i].node;

		if (c->type == T_DIR) {
			f4s_check_dir(w, c, 1);
			continue;
		}
		ent_path(w, d, d->ent[i].name, path);
		check_entry(w, c, path);
	}
}

static int cmp_ino(const void *a, const void *b)
{
	const struct node *x = *(struct node *const *)a;
	const struct node *y = *(struct node *const *)b;

	return x->ino < y->ino ? -1 : x->ino > y->ino;
}

/* Full verification of the worker's tree, its orphans, and inode number
 * uniqueness (distinct files, distinct st_ino; links share one). */
void f4s_walk(struct wk *w)
{
	struct node **v = f4s_xmalloc(sizeof(*v) * (size_t)w->nnodes);

	f4s_check_dir(w, w->top, 1);
	for (int i = 0; i < w->nnodes; i++) {
		struct node *n = w->nodes[i];

		if (n->type == T_REG && n->nlink == 0) {
			f4s_check_stat(w, n, NULL, n->fd);
			f4s_check_xattrs(w, n, NULL);
			f4s_check_content(w, n, n->fd, "orphan");
		}
		v[i] = n;
	}
	qsort(v, (size_t)w->nnodes, sizeof(*v), cmp_ino);
	for (int i = 1; i < w->nnodes; i++)
		if (v[i]->ino && v[i]->ino == v[i - 1]->ino)
			f4s_fail(w, "n%d and n%d share st_ino %llu", v[i]->id,
				 v[i - 1]->id, (ull)v[i]->ino);
	free(v);
}

int op_walk(struct wk *w)
{
	f4s_desc(w, "walk tree (%d nodes)", w->nnodes);
	f4s_walk(w);
	return 0;
}

int op_check_file(struct wk *w)
{
	struct node *n = pick_node(w, 1 << T_REG);
	int fd;

	if (!n)
		return 1;
	fd = f4s_node_fd(w, n);
	f4s_desc(w, "check n%d (size %llu)", n->id, (ull)n->fm.size);
	f4s_check_stat(w, n, NULL, fd);
	f4s_check_content(w, n, fd, "check");
	return 0;
}

int op_stat(struct wk *w)
{
	struct node *n = pick_node(w, ~0);
	char path[F4S_PATHBUF];

	if (!n || node_path(w, n, path) < 0)
		return 1;
	f4s_desc(w, "lstat n%d", n->id);
	f4s_check_stat(w, n, path, -1);
	return 0;
}

static off_t seek(struct wk *w, int fd, uint64_t off, int whence)
{
	off_t r = lseek(fd, (off_t)off, whence);

	/* Linux 6.18 ext4 with inline_data: once a file has grown out of the
	 * inode, SEEK_DATA/SEEK_HOLE fail with ENOENT until the data has been
	 * written back (-K). */
	if (r < 0 && errno == ENOENT && w->o->kernel_quirks) {
		w->seek_quirks++;
		if (fsync(fd))
			f4s_fail(w, "fsync failed: %s", f4s_ename(errno));
		r = lseek(fd, (off_t)off, whence);
	}

	if (r < 0 && errno != ENXIO)
		f4s_fail(w, "lseek(%llu, %s) failed: %s", (ull)off,
			 whence == SEEK_DATA ? "SEEK_DATA" : "SEEK_HOLE",
			 f4s_ename(errno));
	return r < 0 ? -1 : r;
}

/* Walk the data/hole map from a random point.  What must hold: SEEK_DATA
 * from x returning y says [x, y) holds no data, so the model must be zero
 * there (a hole may never hide written bytes); SEEK_HOLE never goes past
 * EOF (the implicit hole at EOF); offsets at or past EOF give ENXIO.
 *
 * Tolerated, counted as "seek quirks": Linux ext4 with blocks smaller than
 * a page (6.18, 1 KiB blocks) can answer SEEK_DATA with EOF instead of
 * ENXIO, and SEEK_HOLE(d) == d right after SEEK_DATA said d is data, for
 * unwritten extents with cached pages.  Neither hides data; the walk then
 * treats [x, EOF) as a hole, or skips to the next block boundary. */
int op_seek_check(struct wk *w)
{
	struct node *n = pick_node(w, 1 << T_REG);
	uint64_t size, pos, z, bs = (uint64_t)w->o->bsize;
	int fd;

	if (!n)
		return 1;
	fd = f4s_node_fd(w, n);
	size = n->fm.size;
	pos = f4s_pct(w, 40) ? 0 : f4s_rnd(w, size + 1);
	f4s_desc(w, "seek_data/hole n%d from %llu size=%llu", n->id, (ull)pos,
		 (ull)size);
	for (int iter = 0; pos < size && iter < 4096; iter++) {
		off_t d = seek(w, fd, pos, SEEK_DATA), h;

		if (d == (off_t)size) {
			w->seek_quirks++;
			d = -1;
		}
		if (d < 0) {
			if (!fm_is_zero(&n->fm, pos, size - pos, &z))
				f4s_fail(w, "SEEK_DATA(%llu) says no data up to "
					 "EOF %llu, but byte %llu is non-zero",
					 (ull)pos, (ull)size, (ull)z);
			break;
		}
		if ((uint64_t)d < pos || (uint64_t)d > size)
			f4s_fail(w, "SEEK_DATA(%llu) returned %lld (size %llu)",
				 (ull)pos, (long long)d, (ull)size);
		if (!fm_is_zero(&n->fm, pos, (uint64_t)d - pos, &z))
			f4s_fail(w, "SEEK_DATA(%llu) skipped to %lld, but byte "
				 "%llu is non-zero", (ull)pos, (long long)d,
				 (ull)z);
		h = seek(w, fd, (uint64_t)d, SEEK_HOLE);
		if (h < d || (uint64_t)h > size)
			f4s_fail(w, "SEEK_HOLE(%lld) returned %lld (size %llu)",
				 (long long)d, (long long)h, (ull)size);
		if (h == d) {
			w->seek_quirks++;
			h = (off_t)(((uint64_t)d / bs + 1) * bs);
		}
		pos = (uint64_t)h;
	}
	if (seek(w, fd, size + f4s_rnd(w, 3), SEEK_DATA) >= 0 ||
	    seek(w, fd, size + f4s_rnd(w, 3), SEEK_HOLE) >= 0)
		f4s_fail(w, "SEEK_DATA/SEEK_HOLE at or past EOF (%llu) did not "
			 "fail with ENXIO", (ull)size);
	f4s_desc(w, " -> ok");
	return 0;
}
