/* f4stress.c - randomized file-system exerciser for fuse4fs (and any other
 * POSIX file system): options, the worker processes and their op loop,
 * and failure reports.
 *
 *   f4stress [options] DIR
 *
 * Each of -p N worker processes works in DIR/pN on its own tree and its own
 * files, checks every result against an in-memory model and stops at the
 * first mismatch with a report (seed, process, op number, the last ops, and
 * expected vs actual).  A run is reproducible from its seed and process
 * count.  Exit status: 0 all checks passed, 1 a check failed, 2 usage or
 * setup error.  DIR/pN and DIR/shared left by an earlier run are removed
 * first; what a run leaves behind is there for e2fsck.
 *
 * Where the Linux ext4 driver (6.18) itself breaks a check, the check is
 * kept strict (fuse4fs is judged by it) and the behaviour is tolerated only
 * on request: -K/--kernel-quirks, --lenient-enospc.  Harmless POSIX
 * departures of SEEK_DATA/SEEK_HOLE are always tolerated and counted. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "f4stress.h"

struct opdef {
	const char *name;
	int weight;
	int (*fn)(struct wk *w);
};

/* The op mix: about 60% file data, 40% namespace and attributes (the
 * shared-area ops only run with -S, mmap reads only with -m). */
static const struct opdef ops[] = {
	{ "write", 150, op_write },
	{ "append", 30, op_append },
	{ "read", 100, op_read },
	{ "truncate", 40, op_truncate },
	{ "fallocate", 90, op_fallocate },
	{ "copy_file_range", 40, op_copy_range },
	{ "mmap_read", 30, op_mmap_read },
	{ "fsync", 10, op_fsync },
	{ "close/reopen", 20, op_reopen },
	{ "seek_data/hole", 25, op_seek_check },
	{ "check_file", 10, op_check_file },
	{ "create", 35, op_create },
	{ "mkdir", 20, op_mkdir },
	{ "rmdir", 15, op_rmdir },
	{ "rm -r", 4, op_rmtree },
	{ "unlink", 28, op_unlink },
	{ "rename", 55, op_rename },
	{ "link", 20, op_link },
	{ "symlink", 20, op_symlink },
	{ "mkfifo", 8, op_mkfifo },
	{ "readlink", 10, op_readlink },
	{ "xattr", 50, op_xattr },
	{ "chmod", 12, op_chmod },
	{ "utimensat", 20, op_utimens },
	{ "stat", 15, op_stat },
	{ "256-byte name", 6, op_nametoolong },
	{ "shared data", 40, op_shared_data },
	{ "shared dir", 25, op_shared_dir },
	{ "walk", 0, op_walk },
};
#define NOPS ((int)(sizeof(ops) / sizeof(ops[0])))
#define OP_WALK (NOPS - 1)

/* ---- reporting ------------------------------------------------------- */

const char *f4s_ename(int err)
{
#if defined(__GLIBC__) && (__GLIBC__ > 2 || __GLIBC_MINOR__ >= 32)
	const char *s = strerrorname_np(err);

	if (s)
		return s;
#endif
	return strerror(err);
}

void f4s_desc(struct wk *w, const char *fmt, ...)
{
	size_t len = strlen(w->desc);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(w->desc + len, sizeof(w->desc) - len, fmt, ap);
	va_end(ap);
}

static void replay_line(const struct f4s_opts *o, FILE *f)
{
	char **a = o->argv;

	fprintf(f, "  replay: %s -s %llu", a[0], (ull)o->seed);
	for (int i = 1; a[i]; i++) {
		if (!strcmp(a[i], "-s") || !strcmp(a[i], "--seed")) {
			i += a[i + 1] ? 1 : 0;
			continue;
		}
		if (!strncmp(a[i], "-s", 2) || !strncmp(a[i], "--seed=", 7))
			continue;
		fprintf(f, " %s", a[i]);
	}
	fprintf(f, "\n");
}

static void report(struct wk *w, FILE *f, const char *msg)
{
	const struct f4s_opts *o = w->o;
	long h = o->history, first = w->hcount > h ? w->hcount - h : 0;

	fprintf(f, "f4stress: FAILED: seed %llu, %d process(es), process p%d, "
		"op %ld of %ld\n", (ull)o->seed, o->nproc, w->id, w->opno,
		o->nops);
	fprintf(f, "  op: %s\n  %s\n", w->desc, msg);
	replay_line(o, f);
	fprintf(f, "  last %ld ops of p%d:\n", w->hcount - first, w->id);
	for (long i = first; i < w->hcount; i++)
		fprintf(f, "    %s\n", w->hist[i % h]);
	fprintf(f, "    #%ld %s   <== FAILED\n", w->opno, w->desc);
}

void f4s_fail(struct wk *w, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fflush(stdout);
	report(w, stderr, msg);
	if (w->o->logfile) {
		FILE *f = fopen(w->o->logfile, "a");

		if (f) {
			report(w, f, msg);
			fclose(f);
		}
	}
	exit(1);
}

static void hexdump(char *buf, size_t sz, const uint8_t *p, size_t len)
{
	size_t o = 0;

	buf[0] = 0;
	for (size_t i = 0; i < len && o + 4 < sz; i++)
		o += snprintf(buf + o, sz - o, "%02x ", p[i]);
}

void f4s_fail_bytes(struct wk *w, const char *what, uint64_t base,
		    const uint8_t *exp, const uint8_t *act, size_t len,
		    size_t first)
{
	size_t from = first > 8 ? first - 8 : 0, n = len - from;
	char e[128], a[128];

	if (n > 24)
		n = 24;
	hexdump(e, sizeof(e), exp + from, n);
	hexdump(a, sizeof(a), act + from, n);
	f4s_fail(w, "%s: first difference at file offset %llu\n"
		 "  bytes from offset %llu:\n    expected: %s\n    actual:   %s",
		 what, (ull)(base + first), (ull)(base + from), e, a);
}

void f4s_unsupported(struct wk *w, int err, int optional)
{
	w->cnt[w->opkind].unsupported++;
	if (w->o->expect_all && !optional)
		f4s_fail(w, "%s returned %s, and --expect-all-supported was "
			 "given", ops[w->opkind].name, f4s_ename(err));
}

void f4s_enospc(struct wk *w)
{
	w->cnt[w->opkind].enospc++;
}

void f4s_expected_err(struct wk *w)
{
	w->cnt[w->opkind].expected_err++;
}

/* ---- the worker --------------------------------------------------------- */

static void push_history(struct wk *w)
{
	snprintf(w->hist[w->hcount % w->o->history], F4S_DESC + 32,
		 "#%ld %s", w->opno, w->desc);
	w->hcount++;
	if (w->o->verbose)
		printf("p%d #%ld %s\n", w->id, w->opno, w->desc);
}

static void run_op(struct wk *w, int k)
{
	w->desc[0] = 0;
	w->opkind = k;
	if (ops[k].fn(w) == 0) {
		w->cnt[k].run++;
		push_history(w);
	}
}

static int pick_op(struct wk *w)
{
	int total = 0, r;

	for (int k = 0; k < NOPS; k++)
		total += ops[k].weight;
	r = (int)f4s_rnd(w, (uint64_t)total);
	for (int k = 0; k < NOPS; k++) {
		if (r < ops[k].weight)
			return k;
		r -= ops[k].weight;
	}
	return 0;
}

static void setup_fail(const char *what, const char *path)
{
	fprintf(stderr, "f4stress: %s %s: %s\n", what, path, strerror(errno));
	exit(2);
}

/* DIR/pN (made by the parent) gets four files (kept open) and two
 * directories to start with, as far as there is space for them. */
static void populate(struct wk *w)
{
	char path[F4S_PATHBUF], name[8];
	struct stat st;

	if (lstat(w->root, &st))
		setup_fail("lstat", w->root);
	w->top = node_new(w, T_DIR, 0755);
	w->top->ino = st.st_ino;
	for (int i = 0; i < 6; i++) {
		struct node *n;

		snprintf(name, sizeof(name), i < 4 ? "f%d" : "d%d", i % 4);
		ent_path(w, w->top, name, path);
		if (i < 4) {
			int fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0644);

			if (fd < 0 && errno == ENOSPC)
				continue;
			if (fd < 0 || fstat(fd, &st))
				setup_fail("create", path);
			n = node_new(w, T_REG, 0644);
			n->fd = fd;
			w->nfds++;
		} else {
			if (mkdir(path, 0755) && errno == ENOSPC)
				continue;
			if (lstat(path, &st))
				setup_fail("mkdir", path);
			n = node_new(w, T_DIR, 0755);
		}
		n->ino = st.st_ino;
		dir_add(w->top, name, n);
	}
}

static void summary(struct wk *w, double secs)
{
	long run = 0, unsup = 0, nospc = 0, experr = 0;

	for (int k = 0; k < NOPS; k++) {
		run += w->cnt[k].run;
		unsup += w->cnt[k].unsupported;
		nospc += w->cnt[k].enospc;
		experr += w->cnt[k].expected_err;
	}
	printf("f4stress: p%d passed: %ld ops in %.1f s; %ld expected errors "
	       "checked, %ld ENOSPC, %ld unsupported, %ld short writes, %ld "
	       "DT_UNKNOWN, %ld seek quirks\n", w->id, run, secs, experr,
	       nospc, unsup, w->short_writes, w->dtype_unknown,
	       w->seek_quirks);
	for (int k = 0; k < NOPS; k++) {
		const struct f4s_count *c = &w->cnt[k];

		if (c->unsupported || (w->o->verbose && c->run))
			printf("f4stress: p%d   %-16s %7ld run, %5ld expected "
			       "errors, %5ld ENOSPC, %5ld unsupported\n", w->id,
			       ops[k].name, c->run, c->expected_err,
			       c->enospc, c->unsupported);
	}
}

static void worker(const struct f4s_opts *o, int id)
{
	struct wk w;
	struct timeval t0, t1;

	/* whole lines, so that the workers' logs interleave cleanly */
	setvbuf(stdout, NULL, _IOLBF, 0);
	memset(&w, 0, sizeof(w));
	w.o = o;
	w.id = id;
	f4s_rng_init(w.rng, o->seed, id);
	snprintf(w.root, sizeof(w.root), "%s/p%d", o->dir, id);
	w.b1 = f4s_xmalloc(F4S_MAXIO);
	w.b2 = f4s_xmalloc(F4S_MAXIO);
	w.b3 = f4s_xmalloc(F4S_MAXIO);
	w.cnt = f4s_xmalloc(NOPS * sizeof(*w.cnt));
	w.hist = f4s_xmalloc((size_t)o->history * sizeof(*w.hist));
	w.whiteout_ok = o->whiteout;
	gettimeofday(&t0, NULL);
	populate(&w);
	if (o->shared)
		f4s_shared_init(&w);
	for (w.opno = 1; w.opno <= o->nops; w.opno++) {
		int k = pick_op(&w);

		if (o->walk_every && w.opno % o->walk_every == 0)
			run_op(&w, OP_WALK);
		for (int tries = 0; tries < 50; tries++) {
			w.desc[0] = 0;
			w.opkind = k;
			if (ops[k].fn(&w) == 0) {
				w.cnt[k].run++;
				push_history(&w);
				break;
			}
			k = pick_op(&w);
		}
	}
	w.opno = o->nops + 1;
	run_op(&w, OP_WALK);
	w.desc[0] = 0;
	f4s_desc(&w, "final checks and close");
	f4s_shared_final(&w);
	for (int i = w.nnodes - 1; i >= 0; i--)
		if (i < w.nnodes && w.nodes[i]->fd >= 0)
			f4s_close_fd(&w, w.nodes[i]);
	run_op(&w, OP_WALK);
	gettimeofday(&t1, NULL);
	if (!o->quiet)
		summary(&w, (double)(t1.tv_sec - t0.tv_sec) +
			(double)(t1.tv_usec - t0.tv_usec) / 1e6);
	fflush(stdout);
	exit(0);
}

/* ---- setup ------------------------------------------------------------- */

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	if (remove(path)) {
		fprintf(stderr, "f4stress: cannot remove %s: %s\n", path,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Remove DIR/pN and DIR/shared left over from an earlier run. */
static void clean_leftovers(const struct f4s_opts *o)
{
	char path[F4S_PATHBUF];
	struct dirent *de;
	DIR *d = opendir(o->dir);

	if (!d)
		setup_fail("opendir", o->dir);
	while ((de = readdir(d))) {
		const char *n = de->d_name;
		int ours = !strcmp(n, "shared") ||
			(n[0] == 'p' && n[1] && strspn(n + 1, "0123456789") ==
			 strlen(n + 1));

		if (!ours)
			continue;
		snprintf(path, sizeof(path), "%s/%s", o->dir, n);
		if (!o->quiet)
			printf("f4stress: removing %s left from an earlier run\n",
			       path);
		if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS))
			exit(2);
	}
	closedir(d);
}

/* Timestamp granularity of the file system under test: set a time with
 * 123456789 ns and see what sticks (ext4 with 128-byte inodes keeps
 * seconds only). */
static long probe_time_gran(const struct f4s_opts *o)
{
	struct timespec ts[2] = { { 1000000000, 123456789 },
				  { 1000000000, 123456789 } };
	char path[F4S_PATHBUF];
	struct stat st;
	int fd;

	snprintf(path, sizeof(path), "%s/.f4stress-probe.%d", o->dir,
		 (int)getpid());
	fd = open(path, O_CREAT | O_EXCL | O_RDWR, 0600);
	if (fd < 0 || futimens(fd, ts) || fstat(fd, &st) || unlink(path) ||
	    close(fd))
		setup_fail("timestamp probe", path);
	for (long g = 1; g <= 1000000000; g *= 10)
		if (st.st_mtim.tv_nsec == 123456789 - 123456789 % g &&
		    st.st_mtim.tv_sec == 1000000000)
			return g;
	fprintf(stderr, "f4stress: timestamp probe: set 1000000000.123456789, "
		"got %lld.%09ld\n", (long long)st.st_mtim.tv_sec,
		st.st_mtim.tv_nsec);
	exit(2);
}

static uint64_t parse_size(const char *s)
{
	char *end;
	unsigned long long v = strtoull(s, &end, 0);

	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end || v < 65536) {
		fprintf(stderr, "f4stress: bad size %s (at least 64k)\n", s);
		exit(2);
	}
	return v;
}

static void usage(FILE *f)
{
	fprintf(f,
"usage: f4stress [options] DIR\n"
"Randomized file-system exerciser: each process works in DIR/pN and checks\n"
"every result against a model.  Exit 0 = all checks passed, 1 = mismatch.\n"
"  -s, --seed SEED        random seed (default: time based, always printed)\n"
"  -n, --ops N            operations per process (default 30000)\n"
"  -p, --procs N          concurrent processes (default 2)\n"
"  -f, --file-size MAX    largest file offset/size (default 8m; k/m/g)\n"
"  -m, --mmap             also compare mmap reads with the model\n"
"  -S, --shared           also exercise DIR/shared from all processes\n"
"  -c, --walk-every N     verify the whole tree every N ops (default 2000;\n"
"                         it is always verified at the end)\n"
"  -l, --log FILE         append the failure report to FILE as well\n"
"  -H, --history N        ops kept for the failure report (default 50)\n"
"  -T, --time-gran NS     timestamp granularity (default: probed)\n"
"  -v, --verbose          log every op\n"
"  -q, --quiet            print only failures\n"
"      --expect-all-supported  EOPNOTSUPP is a failure\n"
"      --no-whiteout      do not try RENAME_WHITEOUT (only tried as root)\n"
"      --lenient-enospc   after a PUNCH_HOLE/ZERO_RANGE that failed with\n"
"                         ENOSPC accept any bytes in its range (Linux ext4\n"
"                         drops the range's dirty page cache before it fails)\n"
"  -K, --kernel-quirks   tolerate known bugs of the Linux (6.18) ext4 driver:\n"
"                         --lenient-enospc, and SEEK_DATA/SEEK_HOLE failing\n"
"                         with ENOENT on inline_data files not yet written\n"
"                         back (fsync and retry); for baseline runs on\n"
"                         kernel mounts, not for judging fuse4fs\n"
"      --symlink-max N    longest symlink target (default: block size - 1,\n"
"                         at most 3000; ext4 refuses targets of a block)\n"
"      --no-atime-check   do not compare atime after utimensat (for servers\n"
"                         that update atime when a late readahead arrives)\n"
"  -h, --help\n");
}

static void parse_args(struct f4s_opts *o, int argc, char **argv, int *seeded)
{
	static const struct option lo[] = {
		{ "seed", 1, NULL, 's' }, { "ops", 1, NULL, 'n' },
		{ "procs", 1, NULL, 'p' }, { "file-size", 1, NULL, 'f' },
		{ "mmap", 0, NULL, 'm' }, { "shared", 0, NULL, 'S' },
		{ "walk-every", 1, NULL, 'c' }, { "log", 1, NULL, 'l' },
		{ "history", 1, NULL, 'H' }, { "time-gran", 1, NULL, 'T' },
		{ "verbose", 0, NULL, 'v' }, { "quiet", 0, NULL, 'q' },
		{ "expect-all-supported", 0, NULL, 'E' },
		{ "no-whiteout", 0, NULL, 'W' }, { "help", 0, NULL, 'h' },
		{ "lenient-enospc", 0, NULL, 'L' },
		{ "no-atime-check", 0, NULL, 'A' },
		{ "kernel-quirks", 0, NULL, 'K' },
		{ "symlink-max", 1, NULL, 'Y' },
		{ NULL, 0, NULL, 0 },
	};
	int c;

	while ((c = getopt_long(argc, argv, "s:n:p:f:mSc:l:H:T:vqKh", lo,
				NULL)) != -1) {
		switch (c) {
		case 's': o->seed = strtoull(optarg, NULL, 0); *seeded = 1;
			break;
		case 'n': o->nops = strtol(optarg, NULL, 0); break;
		case 'p': o->nproc = atoi(optarg); break;
		case 'f': o->fsize_max = parse_size(optarg); break;
		case 'm': o->mmap_reads = 1; break;
		case 'S': o->shared = 1; break;
		case 'c': o->walk_every = strtol(optarg, NULL, 0); break;
		case 'l': o->logfile = optarg; break;
		case 'H': o->history = atoi(optarg); break;
		case 'T': o->time_gran = strtol(optarg, NULL, 0); break;
		case 'v': o->verbose = 1; break;
		case 'q': o->quiet = 1; break;
		case 'E': o->expect_all = 1; break;
		case 'W': o->whiteout = 0; break;
		case 'L': o->lenient_enospc = 1; break;
		case 'A': o->no_atime = 1; break;
		case 'Y': o->symlink_max = strtol(optarg, NULL, 0); break;
		case 'K': o->kernel_quirks = 1; o->lenient_enospc = 1; break;
		case 'h': usage(stdout); exit(0);
		default: usage(stderr); exit(2);
		}
	}
	if (optind != argc - 1 || o->nproc < 1 || o->nproc > 64 ||
	    o->nops < 0 || o->history < 1 || o->time_gran < 0 ||
	    o->walk_every < 0) {
		usage(stderr);
		exit(2);
	}
	o->dir = argv[optind];
}

/* ---- main: fork the workers, wait, stop the rest at the first failure -- */

static int wait_workers(const struct f4s_opts *o, pid_t *pids)
{
	int left = o->nproc, status, result = 0;

	while (left > 0) {
		pid_t p = wait(&status);
		int i, bad;

		if (p < 0)
			break;
		for (i = 0; i < o->nproc && pids[i] != p; i++)
			;
		if (i == o->nproc)
			continue;
		pids[i] = 0;
		left--;
		bad = !WIFEXITED(status) || WEXITSTATUS(status);
		if (!bad)
			continue;
		if (WIFSIGNALED(status))
			fprintf(stderr, "f4stress: p%d killed by signal %d "
				"(seed %llu)\n", i, WTERMSIG(status),
				(ull)o->seed);
		if (!result)
			for (int j = 0; j < o->nproc; j++)
				if (pids[j] > 0)
					kill(pids[j], SIGTERM);
		if (!result || (WIFEXITED(status) && WEXITSTATUS(status) == 1))
			result = WIFEXITED(status) ? WEXITSTATUS(status) : 1;
	}
	return result;
}

int main(int argc, char **argv)
{
	struct f4s_opts o = {
		.nops = 30000, .nproc = 2, .history = 50,
		.fsize_max = 8u << 20, .walk_every = 2000,
		.whiteout = 1, .argv = argv,
	};
	struct timeval t0, t1;
	struct statvfs sv;
	struct stat st;
	pid_t pids[64];
	int seeded = 0, result;

	parse_args(&o, argc, argv, &seeded);
	if (!seeded) {
		gettimeofday(&t0, NULL);
		o.seed = (uint64_t)t0.tv_sec * 1000000u + (uint64_t)t0.tv_usec;
	}
	if (geteuid() != 0)
		o.whiteout = 0;
	umask(0);
	if (stat(o.dir, &st) || !S_ISDIR(st.st_mode) || statvfs(o.dir, &sv))
		setup_fail("not a usable directory:", o.dir);
	o.bsize = (long)sv.f_bsize;
	if (o.bsize < 512 || o.bsize > 65536)
		o.bsize = 4096;
	if (!o.symlink_max)
		o.symlink_max = o.bsize - 1 < 3000 ? o.bsize - 1 : 3000;
	if (o.symlink_max < 1 || o.symlink_max > 4095) {
		usage(stderr);
		return 2;
	}
	if (!o.time_gran)
		o.time_gran = probe_time_gran(&o);
	clean_leftovers(&o);
	if (o.shared && f4s_shared_setup(&o))
		setup_fail("cannot set up", "DIR/shared");
	if (!o.quiet)
		printf("f4stress: seed %llu, %d process(es) x %ld ops in %s (block "
	       "size %ld, timestamps to %ld ns%s%s%s)\n", (ull)o.seed, o.nproc,
	       o.nops, o.dir, o.bsize, o.time_gran, o.mmap_reads ? ", mmap" : "",
	       o.shared ? ", shared area" : "",
	       o.whiteout ? ", whiteout" : "");
	fflush(stdout);
	for (int i = 0; i < o.nproc; i++) {
		char root[F4S_PATHBUF];

		snprintf(root, sizeof(root), "%s/p%d", o.dir, i);
		if (mkdir(root, 0755))
			setup_fail("mkdir", root);
	}
	gettimeofday(&t0, NULL);
	for (int i = 0; i < o.nproc; i++) {
		pids[i] = fork();
		if (pids[i] < 0) {
			perror("f4stress: fork");
			for (int j = 0; j < i; j++)
				kill(pids[j], SIGTERM);
			return 2;
		}
		if (pids[i] == 0)
			worker(&o, i);
	}
	result = wait_workers(&o, pids);
	gettimeofday(&t1, NULL);
	if (result == 0 && !o.quiet)
		printf("f4stress: PASSED seed %llu (%d x %ld ops, %.1f s)\n",
		       (ull)o.seed, o.nproc, o.nops,
		       (double)(t1.tv_sec - t0.tv_sec) +
		       (double)(t1.tv_usec - t0.tv_usec) / 1e6);
	else if (result)
		fprintf(stderr, "f4stress: FAILED seed %llu (exit %d)\n",
			(ull)o.seed, result);
	return result;
}
