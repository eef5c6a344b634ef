/* f4stress_ns.c - namespace operations on a worker's tree: create, mkdir,
 * rmdir, unlink, link, symlink/readlink, mkfifo, rename (plain, NOREPLACE,
 * EXCHANGE, WHITEOUT) and over-long names.  The model predicts the outcome
 * of each call, including which errors are allowed when it must fail; where
 * Linux and POSIX leave the choice among several errors open (or kernels
 * check conditions in different orders), every allowed error is accepted. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "f4stress.h"

#define MAX_ENTRIES	64	/* names in one worker's tree */
#define MAX_FILES	16
#define MAX_DIRS	14
#define MAX_ORPHANS	3

struct eset {
	int e[8];
	int n;
};

static void es_add(struct eset *s, int e)
{
	if (s->n < 8)
		s->e[s->n++] = e;
}

static int es_has(const struct eset *s, int e)
{
	for (int i = 0; i < s->n; i++)
		if (s->e[i] == e)
			return 1;
	return 0;
}

static void es_show(const struct eset *s, char *buf, size_t sz)
{
	size_t o = 0;

	buf[0] = 0;
	for (int i = 0; i < s->n && o < sz; i++)
		o += snprintf(buf + o, sz - o, "%s%s", i ? " or " : "",
			      f4s_ename(s->e[i]));
}

enum outcome { OK, EXPECTED_ERR, NOSPACE };

/* Judge a call's result r/err against the expected error set (empty =
 * must succeed).  ENOSPC is acceptable where the call allocates. */
static enum outcome judge(struct wk *w, const char *what, int r, int err,
			  const struct eset *es, int may_nospace)
{
	char exp[128];

	if (r >= 0)
		f4s_desc(w, " -> ok");
	else
		f4s_desc(w, " -> %s", f4s_ename(err));
	if (es->n) {
		es_show(es, exp, sizeof(exp));
		if (r >= 0)
			f4s_fail(w, "%s succeeded, expected %s", what, exp);
		if (!es_has(es, err))
			f4s_fail(w, "%s failed with %s, expected %s", what,
				 f4s_ename(err), exp);
		f4s_expected_err(w);
		return EXPECTED_ERR;
	}
	if (r >= 0)
		return OK;
	if (may_nospace && (err == ENOSPC || err == EDQUOT)) {
		f4s_enospc(w);
		return NOSPACE;
	}
	f4s_fail(w, "%s failed: %s", what, f4s_ename(err));
}

static int total_entries(struct wk *w)
{
	int k = 0;

	for (int i = 0; i < w->nnodes; i++)
		if (w->nodes[i]->type == T_DIR)
			k += w->nodes[i]->nent;
	return k;
}

static int orphans(struct wk *w)
{
	int k = 0;

	for (int i = 0; i < w->nnodes; i++)
		if (w->nodes[i]->type == T_REG && w->nodes[i]->nlink == 0)
			k++;
	return k;
}

/* Removing n's last name would make an orphan: keep their number small. */
static void limit_orphans(struct wk *w, struct node *n)
{
	if (n && n->type == T_REG && n->nlink == 1 && n->fd >= 0 &&
	    orphans(w) >= MAX_ORPHANS)
		f4s_close_fd(w, n);
}

static void expect_absent(struct wk *w, const char *path, const char *what)
{
	struct stat st;

	if (!lstat(path, &st) || errno != ENOENT)
		f4s_fail(w, "%s failed, but its name %s (%s)", what,
			 errno == ENOENT ? "exists" : "cannot be looked up",
			 f4s_ename(errno));
}

static void expect_ino(struct wk *w, const char *path, struct node *n)
{
	struct stat st;

	if (lstat(path, &st))
		f4s_fail(w, "lstat(n%d) failed: %s", n->id, f4s_ename(errno));
	if (n->ino && st.st_ino != n->ino)
		f4s_fail(w, "name of n%d has st_ino %llu, expected %llu", n->id,
			 (ull)st.st_ino, (ull)n->ino);
	if (!n->ino)
		n->ino = st.st_ino;
}

/* Where a new name goes: a directory and a name (sometimes an existing
 * one, to provoke EEXIST); 0 if the path would be too long. */
static int pick_target(struct wk *w, struct node **dp, char *name,
		       char *path, int reuse_pct)
{
	struct node *d = pick_dir(w);

	if (d->nent && f4s_pct(w, reuse_pct))
		strcpy(name, d->ent[f4s_rnd(w, (uint64_t)d->nent)].name);
	else
		gen_name(w, d, name);
	*dp = d;
	return ent_path(w, d, name, path) <= F4S_PATH_LIMIT;
}

static void new_entry(struct wk *w, struct node *d, const char *name,
		      struct node *n, const char *path)
{
	dir_add(d, name, n);
	f4s_desc(w, " n%d", n->id);
	expect_ino(w, path, n);
	f4s_check_stat(w, n, path, -1);
}

int op_create(struct wk *w)
{
	char name[F4S_NAME_MAX + 1], path[F4S_PATHBUF], show[128];
	struct eset es = { .n = 0 };
	mode_t mode = 0600 | (mode_t)(f4s_rnd(w, 0200) & 0177);
	int viamknod, fd, err;
	struct node *d, *n;

	if (node_count(w, T_REG) >= MAX_FILES ||
	    total_entries(w) >= MAX_ENTRIES)
		return 1;
	if (!pick_target(w, &d, name, path, 10))
		return 1;
	viamknod = f4s_pct(w, 15);
	if (dir_find(d, name) >= 0)
		es_add(&es, EEXIST);
	f4s_desc(w, "%s n%d/\"%s\" 0%o", viamknod ? "mknod(S_IFREG)" :
		 "open(O_CREAT|O_EXCL)", d->id,
		 f4s_show(name, show, sizeof(show)), (unsigned)mode);
	if (viamknod)
		fd = mknod(path, S_IFREG | mode, 0);
	else
		fd = open(path, O_CREAT | O_EXCL | O_RDWR, mode);
	err = errno;
	f4s_time_mark(d, 0, 1);
	switch (judge(w, "create", fd, err, &es, 1)) {
	case OK:
		n = node_new(w, T_REG, mode);
		if (!viamknod) {
			n->fd = fd;
			w->nfds++;
		}
		new_entry(w, d, name, n, path);
		if (!viamknod && w->nfds > 12)
			f4s_close_fd(w, n);
		break;
	case NOSPACE:
		expect_absent(w, path, "create");
		break;
	case EXPECTED_ERR:
		expect_ino(w, path, d->ent[dir_find(d, name)].node);
		break;
	}
	return 0;
}

int op_mkdir(struct wk *w)
{
	char name[F4S_NAME_MAX + 1], path[F4S_PATHBUF], show[128];
	struct eset es = { .n = 0 };
	mode_t mode = 0700 | (mode_t)(f4s_rnd(w, 0100) & 077);
	struct node *d;
	int r, err;

	if (f4s_pct(w, 20))
		mode |= 01000;
	if (node_count(w, T_DIR) >= MAX_DIRS ||
	    total_entries(w) >= MAX_ENTRIES)
		return 1;
	if (!pick_target(w, &d, name, path, 10) ||
	    node_depth(d) >= F4S_MAXDEPTH)
		return 1;
	if (dir_find(d, name) >= 0)
		es_add(&es, EEXIST);
	f4s_desc(w, "mkdir n%d/\"%s\" 0%o", d->id,
		 f4s_show(name, show, sizeof(show)), (unsigned)mode);
	r = mkdir(path, mode);
	err = errno;
	f4s_time_mark(d, 0, 1);
	switch (judge(w, "mkdir", r, err, &es, 1)) {
	case OK:
		new_entry(w, d, name, node_new(w, T_DIR, mode), path);
		break;
	case NOSPACE:
		expect_absent(w, path, "mkdir");
		break;
	case EXPECTED_ERR:
		expect_ino(w, path, d->ent[dir_find(d, name)].node);
		break;
	}
	return 0;
}

static int ent_index(const struct node *d, const struct node *n)
{
	for (int i = 0; i < d->nent; i++)
		if (d->ent[i].node == n)
			return i;
	return -1;
}

static struct node *pick_empty_dir(struct wk *w)
{
	int k = 0, pick;

	for (int i = 0; i < w->nnodes; i++)
		if (w->nodes[i]->type == T_DIR && !w->nodes[i]->nent &&
		    w->nodes[i] != w->top)
			k++;
	if (!k)
		return NULL;
	pick = (int)f4s_rnd(w, (uint64_t)k);
	for (int i = 0; i < w->nnodes; i++)
		if (w->nodes[i]->type == T_DIR && !w->nodes[i]->nent &&
		    w->nodes[i] != w->top && pick-- == 0)
			return w->nodes[i];
	return NULL;
}

/* rm -r of a subtree, depth first, every unlink/rmdir checked. */
static void rmtree(struct wk *w, struct node *d, int idx)
{
	struct node *n = d->ent[idx].node;
	char path[F4S_PATHBUF];

	while (n->type == T_DIR && n->nent)
		rmtree(w, n, n->nent - 1);
	ent_path(w, d, d->ent[idx].name, path);
	if (n->type != T_DIR)
		limit_orphans(w, n);
	if (n->type == T_DIR ? rmdir(path) : unlink(path))
		f4s_fail(w, "rmtree: %s of n%d failed: %s",
			 n->type == T_DIR ? "rmdir" : "unlink", n->id,
			 f4s_ename(errno));
	dir_unlink(w, d, idx);
	f4s_time_mark(d, 0, 1);
}

int op_rmtree(struct wk *w)
{
	struct node *n = pick_node(w, 1 << T_DIR);

	if (!n || n == w->top || total_entries(w) < MAX_ENTRIES / 2)
		return 1;
	f4s_desc(w, "rm -r n%d (%d entries)", n->id, n->nent);
	rmtree(w, n->parent, ent_index(n->parent, n));
	f4s_check_dir(w, w->top, 0);
	f4s_desc(w, " -> ok");
	return 0;
}

int op_rmdir(struct wk *w)
{
	char path[F4S_PATHBUF], show[128];
	struct eset es = { .n = 0 };
	struct node *d, *n;
	int idx, r, err;

	if (f4s_pct(w, 85)) {
		n = f4s_pct(w, 50) ? pick_empty_dir(w) : NULL;
		if (!n)
			n = pick_node(w, 1 << T_DIR);
		if (!n || n == w->top)
			return 1;
		d = n->parent;
		idx = ent_index(d, n);
	} else {
		idx = pick_entry(w, &d);
		if (idx < 0)
			return 1;
		n = d->ent[idx].node;
	}
	if (ent_path(w, d, d->ent[idx].name, path) > F4S_PATH_LIMIT)
		return 1;
	if (n->type != T_DIR) {
		es_add(&es, ENOTDIR);
	} else if (n->nent) {
		es_add(&es, ENOTEMPTY);
		es_add(&es, EEXIST);	/* POSIX allows either */
	}
	f4s_desc(w, "rmdir n%d/\"%s\" (n%d, %d entries)", d->id,
		 f4s_show(d->ent[idx].name, show, sizeof(show)), n->id, n->nent);
	r = rmdir(path);
	err = errno;
	f4s_time_mark(d, 0, 1);
	if (judge(w, "rmdir", r, err, &es, 0) == OK) {
		dir_unlink(w, d, idx);
		expect_absent(w, path, "rmdir (succeeded)");
	}
	return 0;
}

int op_unlink(struct wk *w)
{
	char path[F4S_PATHBUF], show[128];
	struct eset es = { .n = 0 };
	struct node *d, *n;
	int idx, r, err;

	idx = pick_entry(w, &d);
	if (idx < 0 || ent_path(w, d, d->ent[idx].name, path) > F4S_PATH_LIMIT)
		return 1;
	n = d->ent[idx].node;
	if (n->type == T_DIR) {
		es_add(&es, EISDIR);	/* Linux */
		es_add(&es, EPERM);	/* POSIX */
	} else {
		limit_orphans(w, n);
	}
	f4s_desc(w, "unlink n%d/\"%s\" (n%d)", d->id,
		 f4s_show(d->ent[idx].name, show, sizeof(show)), n->id);
	r = unlink(path);
	err = errno;
	f4s_time_mark(d, 0, 1);
	if (judge(w, "unlink", r, err, &es, 0) == OK) {
		int survives = n->nlink > 1 || n->fd >= 0;

		dir_unlink(w, d, idx);
		expect_absent(w, path, "unlink (succeeded)");
		if (survives && n->nlink > 0) {
			node_path(w, n, path);
			f4s_check_stat(w, n, path, -1);
		} else if (survives) {
			f4s_check_stat(w, n, NULL, n->fd);
		}
	}
	return 0;
}

int op_link(struct wk *w)
{
	char name[F4S_NAME_MAX + 1], path[F4S_PATHBUF], spath[F4S_PATHBUF];
	char show[128];
	struct eset es = { .n = 0 };
	struct node *sd, *d, *n;
	int idx, r, err;

	if (total_entries(w) >= MAX_ENTRIES)
		return 1;
	idx = pick_entry(w, &sd);
	if (idx < 0 ||
	    ent_path(w, sd, sd->ent[idx].name, spath) > F4S_PATH_LIMIT)
		return 1;
	n = sd->ent[idx].node;
	if (!pick_target(w, &d, name, path, 15))
		return 1;
	if (dir_find(d, name) >= 0)
		es_add(&es, EEXIST);
	if (n->type == T_DIR)
		es_add(&es, EPERM);
	f4s_desc(w, "link n%d -> n%d/\"%s\"", n->id, d->id,
		 f4s_show(name, show, sizeof(show)));
	r = linkat(AT_FDCWD, spath, AT_FDCWD, path, 0);
	err = errno;
	f4s_time_mark(d, 0, 1);
	switch (judge(w, "link", r, err, &es, 1)) {
	case OK:
		new_entry(w, d, name, n, path);
		break;
	case NOSPACE:
		expect_absent(w, path, "link");
		break;
	case EXPECTED_ERR:
		break;
	}
	return 0;
}

/* Symlink targets: short ones live in the inode, long ones (up to about
 * 3000 bytes, but below the block size) need a block. */
static void gen_target(struct wk *w, char *t)
{
	size_t max = (size_t)w->o->symlink_max, len;
	int r = (int)f4s_rnd(w, 100);

	if (r < 60)
		len = 1 + f4s_rnd(w, 40);
	else if (r < 85)
		len = 41 + f4s_rnd(w, 260);
	else
		len = 301 + f4s_rnd(w, max > 300 ? max - 300 : 1);
	if (len > max)
		len = max;
	for (size_t i = 0; i < len; i++) {
		if (f4s_pct(w, 95))
			t[i] = (char)(0x21 + f4s_rnd(w, 0x5e));
		else
			t[i] = (char)(0x80 + f4s_rnd(w, 128));
	}
	t[len] = 0;
}

int op_symlink(struct wk *w)
{
	char name[F4S_NAME_MAX + 1], path[F4S_PATHBUF], target[4096];
	char show[128];
	struct eset es = { .n = 0 };
	struct node *d, *n;
	int r, err;

	if (total_entries(w) >= MAX_ENTRIES)
		return 1;
	if (!pick_target(w, &d, name, path, 10))
		return 1;
	gen_target(w, target);
	if (dir_find(d, name) >= 0)
		es_add(&es, EEXIST);
	f4s_desc(w, "symlink n%d/\"%s\" (target %zu bytes)", d->id,
		 f4s_show(name, show, sizeof(show)), strlen(target));
	r = symlink(target, path);
	err = errno;
	f4s_time_mark(d, 0, 1);
	switch (judge(w, "symlink", r, err, &es, 1)) {
	case OK:
		n = node_new(w, T_LNK, 0777);
		n->target = f4s_xstrdup(target);
		new_entry(w, d, name, n, path);
		break;
	case NOSPACE:
		expect_absent(w, path, "symlink");
		break;
	case EXPECTED_ERR:
		break;
	}
	return 0;
}

int op_mkfifo(struct wk *w)
{
	char name[F4S_NAME_MAX + 1], path[F4S_PATHBUF], show[128];
	struct eset es = { .n = 0 };
	mode_t mode = 0600 | (mode_t)(f4s_rnd(w, 0200) & 0177);
	struct node *d;
	int r, err;

	if (total_entries(w) >= MAX_ENTRIES)
		return 1;
	if (!pick_target(w, &d, name, path, 10))
		return 1;
	if (dir_find(d, name) >= 0)
		es_add(&es, EEXIST);
	f4s_desc(w, "mkfifo n%d/\"%s\" 0%o", d->id,
		 f4s_show(name, show, sizeof(show)), (unsigned)mode);
	r = mknod(path, S_IFIFO | mode, 0);
	err = errno;
	f4s_time_mark(d, 0, 1);
	switch (judge(w, "mkfifo", r, err, &es, 1)) {
	case OK:
		new_entry(w, d, name, node_new(w, T_FIFO, mode), path);
		break;
	case NOSPACE:
		expect_absent(w, path, "mkfifo");
		break;
	case EXPECTED_ERR:
		break;
	}
	return 0;
}

/* readlink, sometimes into a buffer too small (silently truncated). */
int op_readlink(struct wk *w)
{
	struct node *n = pick_node(w, 1 << T_LNK);
	char path[F4S_PATHBUF], buf[4096];
	size_t len, bufsz;
	ssize_t r;

	if (!n || node_path(w, n, path) < 0)
		return 1;
	len = strlen(n->target);
	bufsz = f4s_pct(w, 20) ? 1 + f4s_rnd(w, len) : sizeof(buf);
	f4s_desc(w, "readlink n%d (%zu bytes, bufsize %zu)", n->id, len, bufsz);
	r = readlink(path, buf, bufsz);
	f4s_time_mark(n, 1, 0);
	if (r < 0)
		f4s_fail(w, "readlink failed: %s", f4s_ename(errno));
	if ((size_t)r != (len < bufsz ? len : bufsz) ||
	    memcmp(buf, n->target, (size_t)r))
		f4s_fail(w, "readlink returned %zd bytes that differ from the "
			 "%zu-byte target", r, len);
	f4s_desc(w, " -> ok");
	return 0;
}

/* ---- rename ---------------------------------------------------------- */

struct ren {
	struct node *sd, *dd, *s, *t;	/* source dir/node, target dir/node */
	char sname[F4S_NAME_MAX + 1], dname[F4S_NAME_MAX + 1];
	char spath[F4S_PATHBUF], dpath[F4S_PATHBUF];
	unsigned flags;
};

/* What Linux must do.  Conditions checked by the VFS in an order that has
 * changed between kernels are all collected; any of them may be reported.
 * Returns 1 for a successful no-op (both names are the same file). */
static int rename_expect(const struct ren *q, struct eset *es)
{
	const struct node *s = q->s, *t = q->t;
	int exch = !!(q->flags & RENAME_EXCHANGE);

	if ((q->flags & RENAME_NOREPLACE) && t)
		es_add(es, EEXIST);
	if (exch && !t)
		es_add(es, ENOENT);
	/* a directory cannot move below itself */
	if (s->type == T_DIR && node_in_subtree(q->dd, s))
		es_add(es, EINVAL);
	/* nor can the target be an ancestor of the source */
	if (t && t->type == T_DIR && node_in_subtree(q->sd, t))
		es_add(es, exch ? EINVAL : ENOTEMPTY);
	if (es->n)
		return 0;
	if (t == s)
		return 1;
	if (!exch && t) {
		if (s->type == T_DIR && t->type != T_DIR) {
			es_add(es, ENOTDIR);
		} else if (s->type != T_DIR && t->type == T_DIR) {
			es_add(es, EISDIR);
		} else if (t->type == T_DIR && t->nent) {
			es_add(es, ENOTEMPTY);
			es_add(es, EEXIST);
		}
	}
	return 0;
}

/* Depth after a successful move must stay within bounds. */
static int rename_too_deep(const struct ren *q)
{
	if (q->s->type == T_DIR &&
	    node_depth(q->dd) + 1 + node_height(q->s) > F4S_MAXDEPTH)
		return 1;
	if ((q->flags & RENAME_EXCHANGE) && q->t && q->t->type == T_DIR &&
	    node_depth(q->sd) + 1 + node_height(q->t) > F4S_MAXDEPTH)
		return 1;
	return 0;
}

static struct node *pick_subtree_dir(struct wk *w, struct node *top)
{
	int k = 0, pick;

	for (int i = 0; i < w->nnodes; i++)
		if (w->nodes[i]->type == T_DIR &&
		    node_in_subtree(w->nodes[i], top))
			k++;
	pick = (int)f4s_rnd(w, (uint64_t)k);
	for (int i = 0; i < w->nnodes; i++)
		if (w->nodes[i]->type == T_DIR &&
		    node_in_subtree(w->nodes[i], top) && pick-- == 0)
			return w->nodes[i];
	return top;
}

static int rename_pick(struct wk *w, struct ren *q)
{
	int idx = pick_entry(w, &q->sd), r;

	if (idx < 0)
		return 0;
	q->s = q->sd->ent[idx].node;
	strcpy(q->sname, q->sd->ent[idx].name);
	if (q->s->type == T_DIR && f4s_pct(w, 15))
		q->dd = pick_subtree_dir(w, q->s);
	else if (f4s_pct(w, 5))
		q->dd = q->sd;
	else
		q->dd = pick_dir(w);
	if (q->dd == q->sd && f4s_pct(w, 5))
		strcpy(q->dname, q->sname);
	else if (q->dd->nent && f4s_pct(w, 45))
		strcpy(q->dname,
		       q->dd->ent[f4s_rnd(w, (uint64_t)q->dd->nent)].name);
	else
		gen_name(w, q->dd, q->dname);
	idx = dir_find(q->dd, q->dname);
	q->t = idx >= 0 ? q->dd->ent[idx].node : NULL;
	r = (int)f4s_rnd(w, 100);
	q->flags = r < 55 ? 0 : r < 70 ? RENAME_NOREPLACE :
		r < 88 ? RENAME_EXCHANGE : RENAME_WHITEOUT;
	if (q->flags == RENAME_WHITEOUT) {
		if (!w->whiteout_ok)
			q->flags = 0;
		else if (f4s_pct(w, 30))
			q->flags |= RENAME_NOREPLACE;
	}
	return ent_path(w, q->sd, q->sname, q->spath) <= F4S_PATH_LIMIT &&
		ent_path(w, q->dd, q->dname, q->dpath) <= F4S_PATH_LIMIT;
}

static void rename_apply(struct wk *w, struct ren *q)
{
	int si = dir_find(q->sd, q->sname), di = dir_find(q->dd, q->dname);

	if (q->flags & RENAME_EXCHANGE) {
		q->sd->ent[si].node = q->t;
		q->dd->ent[di].node = q->s;
		if (q->s->type == T_DIR)
			q->s->parent = q->dd;
		if (q->t->type == T_DIR)
			q->t->parent = q->sd;
		expect_ino(w, q->spath, q->t);
		expect_ino(w, q->dpath, q->s);
		return;
	}
	if (di >= 0) {
		dir_unlink(w, q->dd, di);
		si = dir_find(q->sd, q->sname);
	}
	dir_detach(q->sd, si);
	dir_add(q->dd, q->dname, q->s);
	expect_ino(w, q->dpath, q->s);
	if (q->flags & RENAME_WHITEOUT) {
		struct node *c = node_new(w, T_CHR, 0);

		new_entry(w, q->sd, q->sname, c, q->spath);
	} else {
		expect_absent(w, q->spath, "rename (succeeded): old name");
	}
}

static int rename_call(struct ren *q)
{
	if (!q->flags)
		return rename(q->spath, q->dpath);
#ifdef SYS_renameat2
	return (int)syscall(SYS_renameat2, AT_FDCWD, q->spath, AT_FDCWD,
			    q->dpath, q->flags);
#else
	errno = ENOSYS;
	return -1;
#endif
}

int op_rename(struct wk *w)
{
	struct eset es = { .n = 0 };
	char show1[128], show2[128];
	struct ren q;
	int noop, r, err;

	memset(&q, 0, sizeof(q));
	if (!rename_pick(w, &q))
		return 1;
	noop = rename_expect(&q, &es);
	if (!es.n && !noop && rename_too_deep(&q))
		return 1;
	if (!es.n && !noop && !(q.flags & RENAME_EXCHANGE))
		limit_orphans(w, q.t);
	f4s_desc(w, "rename%s%s%s n%d/\"%s\" (n%d) -> n%d/\"%s\" (%s%d)",
		 q.flags & RENAME_NOREPLACE ? " NOREPLACE" : "",
		 q.flags & RENAME_EXCHANGE ? " EXCHANGE" : "",
		 q.flags & RENAME_WHITEOUT ? " WHITEOUT" : "", q.sd->id,
		 f4s_show(q.sname, show1, sizeof(show1)), q.s->id, q.dd->id,
		 f4s_show(q.dname, show2, sizeof(show2)), q.t ? "n" : "new ",
		 q.t ? q.t->id : 0);
	r = rename_call(&q);
	err = errno;
	f4s_time_mark(q.sd, 0, 1);
	f4s_time_mark(q.dd, 0, 1);
	f4s_time_mark(q.s, 0, 1);
	if (q.t)
		f4s_time_mark(q.t, 0, 1);
	if (r && q.flags && (err == EINVAL || err == ENOSYS) &&
	    !es_has(&es, err)) {
		/* the file system does not do these flags */
		f4s_desc(w, " -> %s", f4s_ename(err));
		f4s_unsupported(w, err, !!(q.flags & RENAME_WHITEOUT));
		if (q.flags & RENAME_WHITEOUT)
			w->whiteout_ok = 0;
		return 0;
	}
	if (r && (q.flags & RENAME_WHITEOUT) && err == EPERM) {
		f4s_desc(w, " -> EPERM (no CAP_MKNOD)");
		f4s_unsupported(w, err, 1);
		w->whiteout_ok = 0;
		return 0;
	}
	if (judge(w, "rename", r, err, &es, 1) == OK && !noop)
		rename_apply(w, &q);
	return 0;
}

/* A 256-byte name is one byte too many for ext4: every call that would
 * create it must fail with ENAMETOOLONG and leave nothing behind. */
int op_nametoolong(struct wk *w)
{
	static const char *what[] = { "create", "mkdir", "rename", "link",
				      "symlink" };
	char name[F4S_NAME_MAX + 2], path[F4S_PATHBUF], spath[F4S_PATHBUF];
	struct node *d = pick_dir(w), *sd = NULL;
	int k = (int)f4s_rnd(w, 5), r = 0, idx = -1;

	for (int i = 0; i <= F4S_NAME_MAX; i++)
		name[i] = (char)('a' + f4s_rnd(w, 26));
	name[F4S_NAME_MAX + 1] = 0;
	if (ent_path(w, d, name, path) > F4S_PATH_LIMIT)
		return 1;
	if (k == 2 || k == 3) {
		idx = pick_entry(w, &sd);
		if (idx < 0 || (k == 3 && sd->ent[idx].node->type == T_DIR))
			return 1;
		/* a server may answer the lookup of the long name with ENOENT;
		 * then moving a directory below itself is EINVAL first */
		if (sd->ent[idx].node->type == T_DIR &&
		    node_in_subtree(d, sd->ent[idx].node))
			return 1;
		if (ent_path(w, sd, sd->ent[idx].name, spath) > F4S_PATH_LIMIT)
			return 1;
	}
	f4s_desc(w, "%s with a 256-byte name in n%d", what[k], d->id);
	switch (k) {
	case 0:
		r = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
		break;
	case 1:
		r = mkdir(path, 0700);
		break;
	case 2:
		r = rename(spath, path);
		break;
	case 3:
		r = link(spath, path);
		break;
	case 4:
		r = symlink("target", path);
		break;
	}
	if (r >= 0 || errno != ENAMETOOLONG)
		f4s_fail(w, "%s with a 256-byte name: %s, expected "
			 "ENAMETOOLONG", what[k],
			 r >= 0 ? "succeeded" : f4s_ename(errno));
	f4s_desc(w, " -> ENAMETOOLONG");
	f4s_expected_err(w);
	f4s_time_mark(d, 0, 1);
	f4s_check_dir(w, d, 0);
	if (sd && sd != d)
		f4s_check_dir(w, sd, 0);
	return 0;
}
