/* f4stress_shared.c - the optional shared area DIR/shared, used by all
 * worker processes at once, but only in ways whose outcome does not depend
 * on how their operations interleave:
 *
 *  - DIR/shared/data is cut into 1000-byte stripes dealt round-robin to the
 *    workers; a worker writes, reads, punches and zeroes only inside its own
 *    stripes.  Stripes are smaller than a block, so neighbouring workers'
 *    bytes share blocks (read-modify-write of a block must not lose a
 *    neighbour's bytes).  Nobody truncates, so the size only grows: it is at
 *    least the end of anything this worker extended the file to, and bytes
 *    past EOF are bytes nobody has written.
 *  - DIR/shared/d holds every worker's files, each name prefixed "pN-"; a
 *    worker creates, unlinks and renames only its own names and checks the
 *    listing filtered by its prefix. */
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
#include <sys/syscall.h>
#include <unistd.h>

#include "f4stress.h"

#define STRIPE		1000
#define SPAN_MAX	(2u << 20)
#define NAMES_MAX	150

struct f4s_shared {
	char file[F4S_PATHBUF], dir[F4S_PATHBUF];
	int fd;
	uint64_t nstripes;	/* own stripes */
	struct fmodel fm;	/* own bytes; everyone else's are zero here */
	uint64_t myend;		/* the size is at least this */
	char prefix[16];
	char **names;
	ino_t *inos;
	int nnames;
};

int f4s_shared_setup(const struct f4s_opts *o)
{
	char path[F4S_PATHBUF];
	int fd;

	snprintf(path, sizeof(path), "%s/shared", o->dir);
	if (mkdir(path, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/shared/d", o->dir);
	if (mkdir(path, 0755))
		return -1;
	snprintf(path, sizeof(path), "%s/shared/data", o->dir);
	fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0644);
	if (fd < 0)
		return -1;
	return close(fd);
}

void f4s_shared_init(struct wk *w)
{
	struct f4s_shared *sh = f4s_xmalloc(sizeof(*sh));
	uint64_t span = w->o->fsize_max < SPAN_MAX ? w->o->fsize_max : SPAN_MAX;
	uint64_t all = span / STRIPE, np = (uint64_t)w->o->nproc;

	snprintf(sh->file, sizeof(sh->file), "%s/shared/data", w->o->dir);
	snprintf(sh->dir, sizeof(sh->dir), "%s/shared/d", w->o->dir);
	snprintf(sh->prefix, sizeof(sh->prefix), "p%d-", w->id);
	sh->fd = open(sh->file, O_RDWR);
	if (sh->fd < 0) {
		fprintf(stderr, "f4stress: open %s: %s\n", sh->file,
			f4s_ename(errno));
		exit(2);
	}
	sh->nstripes = all > (uint64_t)w->id ? (all - (uint64_t)w->id +
						np - 1) / np : 0;
	fm_init(&sh->fm);
	sh->names = f4s_xmalloc(NAMES_MAX * sizeof(*sh->names));
	sh->inos = f4s_xmalloc(NAMES_MAX * sizeof(*sh->inos));
	w->sh = sh;
}

/* Compare own bytes of [off, off+len); bytes past EOF read as zero. */
static void check_own(struct wk *w, uint64_t off, uint64_t len,
		      const char *what)
{
	struct f4s_shared *sh = w->sh;
	ssize_t r = f4s_pread_full(sh->fd, w->b2, (size_t)len, off);

	if (r < 0)
		f4s_fail(w, "%s: read failed: %s", what, f4s_ename(errno));
	memset(w->b2 + r, 0, (size_t)len - (size_t)r);
	fm_read(&sh->fm, off, w->b3, (size_t)len);
	for (size_t i = 0; i < len; i++)
		if (w->b2[i] != w->b3[i])
			f4s_fail_bytes(w, i < (size_t)r ? what :
				       "own bytes missing past EOF", off, w->b3,
				       w->b2, (size_t)len, i);
}

static void check_size(struct wk *w)
{
	struct stat st;

	if (fstat(w->sh->fd, &st))
		f4s_fail(w, "fstat(shared) failed: %s", f4s_ename(errno));
	if ((uint64_t)st.st_size < w->sh->myend)
		f4s_fail(w, "shared file size %llu, but this process alone "
			 "extended it to %llu", (ull)st.st_size,
			 (ull)w->sh->myend);
}

/* After a failed op on own range: each byte old or new (NULL = zero, or
 * no change at all when !zero); adopt what is there. */
static void reconcile_own(struct wk *w, uint64_t off, uint64_t len,
			  const uint8_t *newdata, int zero)
{
	struct f4s_shared *sh = w->sh;
	ssize_t r = f4s_pread_full(sh->fd, w->b2, (size_t)len, off);

	if (r < 0)
		f4s_fail(w, "read failed: %s", f4s_ename(errno));
	memset(w->b2 + r, 0, (size_t)len - (size_t)r);
	fm_read(&sh->fm, off, w->b3, (size_t)len);
	for (size_t i = 0; i < len; i++) {
		uint8_t a = w->b2[i], o = w->b3[i];
		int ok = a == o || (newdata && a == newdata[i]) ||
			(zero && (a == 0 || w->o->lenient_enospc));

		if (!ok)
			f4s_fail_bytes(w, "after a failed op a byte is neither "
				       "old nor new", off, w->b3, w->b2,
				       (size_t)len, i);
	}
	fm_write(&sh->fm, off, w->b2, (size_t)len);
}

static void shared_write(struct wk *w, uint64_t off, uint64_t len)
{
	struct f4s_shared *sh = w->sh;
	ssize_t r;

	f4s_pattern(w, w->b1, (size_t)len);
	f4s_desc(w, "shared pwrite off=%llu len=%llu", (ull)off, (ull)len);
	r = pwrite(sh->fd, w->b1, (size_t)len, (off_t)off);
	if (r == (ssize_t)len) {
		fm_write(&sh->fm, off, w->b1, (size_t)len);
		if (off + len > sh->myend)
			sh->myend = off + len;
		f4s_desc(w, " -> ok");
		return;
	}
	if (r < 0 && errno != ENOSPC && errno != EDQUOT)
		f4s_fail(w, "shared pwrite failed: %s", f4s_ename(errno));
	f4s_desc(w, " -> %s", r < 0 ? f4s_ename(errno) : "short");
	f4s_enospc(w);
	if (r < 0)
		r = 0;
	fm_write(&sh->fm, off, w->b1, (size_t)r);
	if (r && off + (uint64_t)r > sh->myend)
		sh->myend = off + (uint64_t)r;
	reconcile_own(w, off + (uint64_t)r, len - (uint64_t)r, w->b1 + r, 0);
}

static void shared_read(struct wk *w, uint64_t off, uint64_t len)
{
	struct f4s_shared *sh = w->sh;
	uint64_t need = sh->myend > off ? sh->myend - off : 0, z;
	ssize_t r;

	if (need > len)
		need = len;
	f4s_desc(w, "shared pread off=%llu len=%llu", (ull)off, (ull)len);
	r = pread(sh->fd, w->b2, (size_t)len, (off_t)off);
	if (r < 0)
		f4s_fail(w, "shared pread failed: %s", f4s_ename(errno));
	if ((uint64_t)r < need)
		f4s_fail(w, "shared pread returned %zd bytes, but at least %llu "
			 "were written there", r, (ull)need);
	fm_read(&sh->fm, off, w->b3, (size_t)r);
	for (size_t i = 0; i < (size_t)r; i++)
		if (w->b2[i] != w->b3[i])
			f4s_fail_bytes(w, "shared read data differs", off,
				       w->b3, w->b2, (size_t)r, i);
	if (!fm_is_zero(&sh->fm, off + (uint64_t)r, len - (uint64_t)r, &z))
		f4s_fail(w, "shared pread stopped at %llu, before own byte %llu",
			 (ull)(off + (uint64_t)r), (ull)z);
	f4s_desc(w, " -> %zd", r);
}

static void shared_falloc(struct wk *w, uint64_t off, uint64_t len)
{
	static const int modes[] = {
		FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_ZERO_RANGE | FALLOC_FL_KEEP_SIZE,
		FALLOC_FL_ZERO_RANGE, 0, FALLOC_FL_KEEP_SIZE,
	};
	struct f4s_shared *sh = w->sh;
	int mode = modes[f4s_rnd(w, 6)], r, err;
	int zeroes = !!(mode & (FALLOC_FL_PUNCH_HOLE | FALLOC_FL_ZERO_RANGE));

	f4s_desc(w, "shared fallocate(0x%x) off=%llu len=%llu", mode, (ull)off,
		 (ull)len);
	r = fallocate(sh->fd, mode, (off_t)off, (off_t)len);
	err = errno;
	f4s_desc(w, " -> %s", r ? f4s_ename(err) : "ok");
	if (!r) {
		if (zeroes)
			fm_zero(&sh->fm, off, len);
		if (!(mode & FALLOC_FL_KEEP_SIZE) && off + len > sh->myend)
			sh->myend = off + len;
	} else if (err == EOPNOTSUPP) {
		f4s_unsupported(w, err, 0);
	} else if (err == ENOSPC || err == EDQUOT) {
		f4s_enospc(w);
		reconcile_own(w, off, len, NULL, zeroes);
	} else {
		f4s_fail(w, "shared fallocate failed: %s", f4s_ename(err));
	}
}

int op_shared_data(struct wk *w)
{
	struct f4s_shared *sh = w->sh;
	uint64_t k, base, off, len;
	int sub;

	if (!sh || !sh->nstripes)
		return 1;
	k = (uint64_t)w->id + (uint64_t)w->o->nproc * f4s_rnd(w, sh->nstripes);
	base = k * STRIPE;
	off = base + f4s_rnd(w, STRIPE);
	len = 1 + f4s_rnd(w, base + STRIPE - off);
	sub = (int)f4s_rnd(w, 100);
	if (sub < 45)
		shared_write(w, off, len);
	else if (sub < 75)
		shared_read(w, off, len);
	else
		shared_falloc(w, off, len);
	check_size(w);
	return 0;
}

/* ---- shared directory ------------------------------------------------- */

static int own_find(struct f4s_shared *sh, const char *name)
{
	for (int i = 0; i < sh->nnames; i++)
		if (!strcmp(sh->names[i], name))
			return i;
	return -1;
}

static void own_name(struct wk *w, char *name)
{
	struct f4s_shared *sh = w->sh;
	size_t p = strlen(sh->prefix), len;

	do {
		len = f4s_pct(w, 90) ? 1 + f4s_rnd(w, 30) :
			1 + f4s_rnd(w, F4S_NAME_MAX - p);
		memcpy(name, sh->prefix, p);
		for (size_t i = 0; i < len; i++)
			name[p + i] = (char)('a' + f4s_rnd(w, 26));
		name[p + len] = 0;
	} while (own_find(sh, name) >= 0);
}

static void sh_path(struct wk *w, const char *name, char *path)
{
	if (snprintf(path, F4S_PATHBUF, "%s/%s", w->sh->dir, name) >=
	    F4S_PATHBUF)
		f4s_fail(w, "shared path too long");
}

static void own_del(struct f4s_shared *sh, int i)
{
	free(sh->names[i]);
	sh->names[i] = sh->names[sh->nnames - 1];
	sh->inos[i] = sh->inos[sh->nnames - 1];
	sh->nnames--;
}

static void shared_create(struct wk *w)
{
	struct f4s_shared *sh = w->sh;
	char name[F4S_NAME_MAX + 1], path[F4S_PATHBUF];
	int exists = sh->nnames && f4s_pct(w, 10), fd;
	struct stat st;

	if (exists)
		strcpy(name, sh->names[f4s_rnd(w, (uint64_t)sh->nnames)]);
	else
		own_name(w, name);
	sh_path(w, name, path);
	f4s_desc(w, "shared create %s", name);
	fd = open(path, O_CREAT | O_EXCL | O_WRONLY, 0644);
	f4s_desc(w, " -> %s", fd < 0 ? f4s_ename(errno) : "ok");
	if (exists) {
		if (fd >= 0 || errno != EEXIST)
			f4s_fail(w, "O_EXCL create of an existing name: %s",
				 fd >= 0 ? "succeeded" : f4s_ename(errno));
		f4s_expected_err(w);
		return;
	}
	if (fd < 0 && (errno == ENOSPC || errno == EDQUOT)) {
		f4s_enospc(w);
		return;
	}
	if (fd < 0)
		f4s_fail(w, "shared create failed: %s", f4s_ename(errno));
	if (fstat(fd, &st) || close(fd))
		f4s_fail(w, "fstat/close failed: %s", f4s_ename(errno));
	sh->names[sh->nnames] = f4s_xstrdup(name);
	sh->inos[sh->nnames++] = st.st_ino;
}

static void shared_unlink(struct wk *w)
{
	struct f4s_shared *sh = w->sh;
	char path[F4S_PATHBUF];
	int i;

	if (!sh->nnames)
		return;
	i = (int)f4s_rnd(w, (uint64_t)sh->nnames);
	sh_path(w, sh->names[i], path);
	f4s_desc(w, "shared unlink %s", sh->names[i]);
	if (unlink(path))
		f4s_fail(w, "shared unlink failed: %s", f4s_ename(errno));
	f4s_desc(w, " -> ok");
	own_del(sh, i);
}

static void shared_rename(struct wk *w)
{
	struct f4s_shared *sh = w->sh;
	char dname[F4S_NAME_MAX + 1], sp[F4S_PATHBUF], dp[F4S_PATHBUF];
	int si, di, r, err, pick = (int)f4s_rnd(w, 3);
	unsigned flags = pick == 0 ? 0 : pick == 1 ? RENAME_NOREPLACE :
		RENAME_EXCHANGE;

	if (!sh->nnames)
		return;
	si = (int)f4s_rnd(w, (uint64_t)sh->nnames);
	if (f4s_pct(w, 40))
		strcpy(dname, sh->names[f4s_rnd(w, (uint64_t)sh->nnames)]);
	else
		own_name(w, dname);
	di = own_find(sh, dname);
	sh_path(w, sh->names[si], sp);
	sh_path(w, dname, dp);
	f4s_desc(w, "shared rename(0x%x) %s -> %s", flags, sh->names[si],
		 dname);
#ifdef SYS_renameat2
	r = (int)syscall(SYS_renameat2, AT_FDCWD, sp, AT_FDCWD, dp, flags);
#else
	r = flags ? (errno = ENOSYS, -1) : rename(sp, dp);
#endif
	err = errno;
	f4s_desc(w, " -> %s", r ? f4s_ename(err) : "ok");
	if ((flags == RENAME_NOREPLACE && di >= 0) ||
	    (flags == RENAME_EXCHANGE && di < 0)) {
		int want = di >= 0 ? EEXIST : ENOENT;

		if (!r || err != want)
			f4s_fail(w, "shared rename: %s, expected %s",
				 r ? f4s_ename(err) : "succeeded",
				 f4s_ename(want));
		f4s_expected_err(w);
		return;
	}
	if (r && flags && (err == EINVAL || err == ENOSYS)) {
		f4s_unsupported(w, err, 0);
		return;
	}
	if (r && (err == ENOSPC || err == EDQUOT)) {
		f4s_enospc(w);
		return;
	}
	if (r)
		f4s_fail(w, "shared rename failed: %s", f4s_ename(err));
	if (di == si)
		return;
	if (flags == RENAME_EXCHANGE) {
		ino_t t = sh->inos[si];

		sh->inos[si] = sh->inos[di];
		sh->inos[di] = t;
		return;
	}
	if (di >= 0) {
		sh->inos[di] = sh->inos[si];
		own_del(sh, si);
		return;
	}
	free(sh->names[si]);
	sh->names[si] = f4s_xstrdup(dname);
}

/* The listing filtered by own prefix is exactly own names, once each. */
static void shared_list(struct wk *w)
{
	struct f4s_shared *sh = w->sh;
	size_t p = strlen(sh->prefix);
	char *seen = f4s_xmalloc((size_t)sh->nnames + 1);
	struct dirent *de;
	DIR *d = opendir(sh->dir);

	f4s_desc(w, "shared readdir (%d own names)", sh->nnames);
	if (!d)
		f4s_fail(w, "opendir(shared) failed: %s", f4s_ename(errno));
	while ((errno = 0, de = readdir(d))) {
		int i;

		if (strncmp(de->d_name, sh->prefix, p))
			continue;
		i = own_find(sh, de->d_name);
		if (i < 0)
			f4s_fail(w, "shared readdir lists unexpected %s",
				 de->d_name);
		if (seen[i]++)
			f4s_fail(w, "shared readdir lists %s twice", de->d_name);
		if (de->d_ino != sh->inos[i])
			f4s_fail(w, "shared readdir: %s has d_ino %llu, "
				 "expected %llu", de->d_name, (ull)de->d_ino,
				 (ull)sh->inos[i]);
		if (de->d_type != DT_REG && de->d_type != DT_UNKNOWN)
			f4s_fail(w, "shared readdir: %s has d_type %d",
				 de->d_name, de->d_type);
	}
	if (errno)
		f4s_fail(w, "readdir(shared) failed: %s", f4s_ename(errno));
	closedir(d);
	for (int i = 0; i < sh->nnames; i++)
		if (!seen[i])
			f4s_fail(w, "shared readdir does not list %s",
				 sh->names[i]);
	free(seen);
	f4s_desc(w, " -> ok");
}

int op_shared_dir(struct wk *w)
{
	int sub;

	if (!w->sh)
		return 1;
	sub = (int)f4s_rnd(w, 100);
	if (sub < 40 && w->sh->nnames < NAMES_MAX)
		shared_create(w);
	else if (sub < 60)
		shared_unlink(w);
	else if (sub < 85)
		shared_rename(w);
	else
		shared_list(w);
	if (!w->desc[0])
		return 1;
	return 0;
}

void f4s_shared_final(struct wk *w)
{
	struct f4s_shared *sh = w->sh;

	if (!sh)
		return;
	for (uint64_t j = 0; j < sh->nstripes; j++) {
		uint64_t k = (uint64_t)w->id + (uint64_t)w->o->nproc * j;

		check_own(w, k * STRIPE, STRIPE, "shared final check");
	}
	check_size(w);
	shared_list(w);
	if (close(sh->fd))
		f4s_fail(w, "close(shared) failed: %s", f4s_ename(errno));
}
