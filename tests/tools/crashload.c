/* crashload: the workload of the crash tests (tests/journal/crash_kill.sh)
 * and its verifier.
 *
 *   crashload run DIR LOG SEED   busy work in DIR until killed or DIR
 *                                fails (the server died): exit 0
 *   crashload verify DIR LOG     after the crash and a replay: exit 0 if
 *                                DIR keeps every promise, 1 (naming
 *                                each broken one) otherwise
 *
 * The busy part churns metadata in DIR/busy: files created with holes,
 * appended, overwritten, truncated, renamed across directories (over
 * other files too), hard-linked, unlinked; directories made, renamed and
 * removed; symlinks; xattrs large enough to need a block. Every byte a
 * file holds is its own pattern (pattern(id, offset), never zero), the
 * id leading its name, so a block another file freed shows up as a
 * foreign word: "stale data".
 *
 * The durable part, every few busy steps, keeps the fsync promise in
 * DIR/durable: create a file and write it (fsync, or O_SYNC writes, then
 * fsync of the directory), append (fdatasync), rename (fsync of the directory),
 * unlink (fsync of the directory). LOG (outside the image) gets the
 * step before it starts ("C 17 4096") and "done" once every fsync has
 * returned; the verifier replays LOG: every done step must be on the
 * image, the one in flight may be either side of it, whole. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define MAX_FILES 600
#define MAX_DURABLE 100000
#define CHUNK 65536

/* ===== the pattern ======================================================= */

static uint64_t mix(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	return x ^ (x >> 33);
}

/* The byte of file id at off: never zero (zero is what a hole reads). */
static uint8_t pattern_byte(uint64_t id, uint64_t off)
{
	uint8_t b = (uint8_t)mix(id * 0x9e3779b97f4a7c15ULL + (off >> 3)) >>
		    (8 * (off & 7));

	return b ? b : 0x5a;
}

static void fill(uint8_t *buf, uint64_t id, uint64_t off, size_t len)
{
	for (size_t i = 0; i < len; i++)
		buf[i] = pattern_byte(id, off + i);
}

static uint64_t rng_state;

static uint64_t rnd(uint64_t n)
{
	rng_state = rng_state * 6364136223846793005ULL + 1442695040888963407ULL;
	return n ? mix(rng_state) % n : 0;
}

/* ===== the run =========================================================== */

static const char *top;
static char *files[MAX_FILES];	/* busy files, relative to top */
static unsigned nfiles;
static uint64_t next_id = 1;

/* Set during a durable step: it must not fail part-way unnoticed. */
static bool strict;

/* The server is gone (or the test is over), or the image is full: stop
 * quietly (a durable step then stays in flight in the log). */
static void check(int rc, const char *what, const char *path)
{
	if (rc >= 0)
		return;
	if (errno == ENOTCONN || errno == ECONNABORTED || errno == EIO ||
	    errno == ENODEV || errno == EROFS || (strict && errno == ENOSPC))
		exit(0);
	if (!strict && (errno == ENOSPC || errno == ENOENT || errno == EEXIST ||
			errno == ENOTEMPTY || errno == ENOTDIR || errno == EISDIR))
		return;		/* the workload's own races: fine */
	fprintf(stderr, "crashload: %s %s: %s\n", what, path, strerror(errno));
	exit(1);
}

static void write_pattern(int fd, uint64_t id, uint64_t off, uint64_t len,
			  const char *path)
{
	static uint8_t buf[CHUNK];

	while (len) {
		size_t n = len < CHUNK ? len : CHUNK;
		ssize_t w;

		fill(buf, id, off, n);
		w = pwrite(fd, buf, n, (off_t)off);
		check(w < 0 ? -1 : 0, "pwrite", path);
		if (w <= 0)
			return;
		off += (uint64_t)w;
		len -= (uint64_t)w;
	}
}

static char *busy_dir(void)
{
	static char d[32];

	snprintf(d, sizeof(d), "busy/d%u", (unsigned)rnd(12));
	return d;
}

static char *new_name(uint64_t id, const char *tag)
{
	char *p;

	if (asprintf(&p, "%s/%llu.%s", busy_dir(), (unsigned long long)id,
		     tag) < 0)
		exit(1);
	return p;
}

static void add_file(char *p)
{
	if (nfiles < MAX_FILES) {
		files[nfiles++] = p;
		return;
	}
	unsigned i = (unsigned)rnd(nfiles);

	unlink(files[i]);
	free(files[i]);
	files[i] = p;
}

static uint64_t id_of(const char *path)
{
	const char *base = strrchr(path, '/');

	return strtoull(base ? base + 1 : path, NULL, 10);
}

static void op_create(void)
{
	uint64_t id = next_id++;
	char *p = new_name(id, "f");
	int fd = open(p, O_CREAT | O_EXCL | O_WRONLY, 0644);

	check(fd, "create", p);
	if (fd < 0) {
		free(p);
		return;
	}
	/* A few runs at random places: holes and several extents. */
	for (int i = (int)rnd(4); i >= 0; i--)
		write_pattern(fd, id, rnd(512) * 1024, rnd(96) * 1024 + rnd(4096), p);
	close(fd);
	add_file(p);
}

static void op_modify(void)
{
	if (!nfiles)
		return;
	char *p = files[rnd(nfiles)];
	int fd = open(p, O_WRONLY);
	struct stat st;

	check(fd, "open", p);
	if (fd < 0)
		return;
	if (fstat(fd, &st) == 0) {
		uint64_t id = id_of(p);

		switch (rnd(3)) {
		case 0:		/* append */
			write_pattern(fd, id, (uint64_t)st.st_size,
				      rnd(64) * 1024 + rnd(4096), p);
			break;
		case 1:		/* overwrite */
			write_pattern(fd, id, rnd((uint64_t)st.st_size + 1),
				      rnd(32768), p);
			break;
		default:	/* truncate, shorter or longer */
			check(ftruncate(fd, (off_t)rnd((uint64_t)st.st_size * 3 / 2 + 4096)),
			      "ftruncate", p);
		}
	}
	close(fd);
}

static void op_unlink(void)
{
	if (!nfiles)
		return;
	unsigned i = (unsigned)rnd(nfiles);

	check(unlink(files[i]), "unlink", files[i]);
	free(files[i]);
	files[i] = files[--nfiles];
}

/* Rename to another directory, over another file half the time. */
static void op_rename(void)
{
	if (nfiles < 2)
		return;
	unsigned i = (unsigned)rnd(nfiles), j = (unsigned)rnd(nfiles);
	char *to;

	if (i == j)
		return;
	if (rnd(2) && id_of(files[i]) != id_of(files[j])) {
		/* The victim's name now holds i's bytes: give i a fresh name
		 * under its own id instead, so names keep naming the bytes. */
		check(unlink(files[j]), "unlink", files[j]);
		free(files[j]);
		files[j] = files[--nfiles];
		if (i == nfiles)
			i = j;
	}
	to = new_name(id_of(files[i]), rnd(2) ? "r" : "s");
	if (rename(files[i], to) == 0) {
		free(files[i]);
		files[i] = to;
		return;
	}
	check(-1, "rename", files[i]);
	free(to);
}

static void op_link(void)
{
	if (!nfiles)
		return;
	const char *p = files[rnd(nfiles)];
	char *to = new_name(id_of(p), "l");

	if (link(p, to) == 0) {
		add_file(to);
		return;
	}
	check(-1, "link", p);
	free(to);
}

static void op_dirs(void)
{
	char a[64], b[64];

	snprintf(a, sizeof(a), "busy/t%u", (unsigned)rnd(20));
	snprintf(b, sizeof(b), "busy/t%u", (unsigned)rnd(20));
	switch (rnd(4)) {
	case 0:
		check(mkdir(a, 0755), "mkdir", a);
		break;
	case 1:
		check(rmdir(a), "rmdir", a);
		break;
	case 2:
		check(rename(a, b), "rename", a);
		break;
	default:
		snprintf(b, sizeof(b), "%s/%llu.y", busy_dir(),
			 (unsigned long long)next_id++);
		check(symlink("../d0/some/target/that/is/long/enough/to/need/"
			      "more/than/sixty/bytes/of/inline/space", b),
		      "symlink", b);
	}
}

static void op_xattr(void)
{
	static char value[3000];

	if (!nfiles)
		return;
	const char *p = files[rnd(nfiles)];
	size_t len = rnd(2) ? 20 : sizeof(value);

	memset(value, 'x', len);
	check(setxattr(p, rnd(2) ? "user.a" : "user.b", value, len, 0),
	      "setxattr", p);
}

/* ===== the durable steps ================================================= */

static int log_fd;
static uint64_t durable_size[MAX_DURABLE];	/* 0: absent */
static bool durable_renamed[MAX_DURABLE];
static unsigned ndurable;

static void log_line(const char *fmt, unsigned long long a,
		     unsigned long long b)
{
	char line[96];
	int n = snprintf(line, sizeof(line), fmt, a, b);

	if (write(log_fd, line, (size_t)n) != n) {
		perror("crashload: log");
		exit(1);
	}
}

static void durable_path(char *buf, size_t len, unsigned n, bool renamed)
{
	snprintf(buf, len, "durable/%c%u", renamed ? 'e' : 'd', n);
}

static void fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	check(fd, "open", dir);
	check(fsync(fd), "fsyncdir", dir);
	close(fd);
}

/* The durable ids start far from the busy ones. */
#define DURABLE_ID(n) (1000000000ULL + (n))

static void durable_create(void)
{
	unsigned n = ndurable;
	uint64_t size = rnd(256) * 1024 + rnd(4096) + 1;
	char p[64];
	bool osync;
	int fd;

	if (n >= MAX_DURABLE)
		return;
	durable_path(p, sizeof(p), n, false);
	strict = true;
	log_line("C %llu %llu\n", n, size);
	/* Half of them O_SYNC: every write durable before it returns. */
	osync = rnd(2);
	fd = open(p, O_CREAT | O_EXCL | O_WRONLY | (osync ? O_SYNC : 0), 0644);
	check(fd, "create", p);
	if (fd < 0)
		exit(1);
	write_pattern(fd, DURABLE_ID(n), 0, size, p);
	if (!osync)
		check(fsync(fd), "fsync", p);
	close(fd);
	fsync_dir("durable");
	log_line("done\n", 0, 0);
	strict = false;
	durable_size[n] = size;
	ndurable++;
}

static void durable_change(void)
{
	unsigned n = (unsigned)rnd(ndurable);
	char p[64], q[64];

	if (!durable_size[n])
		return;
	durable_path(p, sizeof(p), n, durable_renamed[n]);
	strict = true;
	switch (rnd(3)) {
	case 0: {	/* append, fdatasync: the size must stick */
		uint64_t more = rnd(64) * 1024 + rnd(4096) + 1;
		int fd;

		log_line("A %llu %llu\n", n, durable_size[n] + more);
		fd = open(p, O_WRONLY);
		check(fd, "open", p);
		write_pattern(fd, DURABLE_ID(n), durable_size[n], more, p);
		check(fdatasync(fd), "fdatasync", p);
		close(fd);
		durable_size[n] += more;
		break;
	}
	case 1:		/* rename */
		if (durable_renamed[n]) {
			strict = false;
			return;
		}
		durable_path(q, sizeof(q), n, true);
		log_line("R %llu %llu\n", n, 0);
		check(rename(p, q), "rename", p);
		fsync_dir("durable");
		durable_renamed[n] = true;
		break;
	default:
		log_line("U %llu %llu\n", n, 0);
		check(unlink(p), "unlink", p);
		fsync_dir("durable");
		durable_size[n] = 0;
	}
	log_line("done\n", 0, 0);
	strict = false;
}

static _Noreturn void run(const char *seed)
{
	char d[32];

	rng_state = strtoull(seed, NULL, 0);
	mkdir("busy", 0755);
	mkdir("durable", 0755);
	for (int i = 0; i < 12; i++) {
		snprintf(d, sizeof(d), "busy/d%d", i);
		mkdir(d, 0755);
	}
	fsync_dir(".");
	for (;;) {
		switch (rnd(16)) {
		case 0: case 1: case 2: case 3: op_create(); break;
		case 4: case 5: case 6: op_modify(); break;
		case 7: case 8: op_unlink(); break;
		case 9: case 10: op_rename(); break;
		case 11: op_link(); break;
		case 12: op_dirs(); break;
		case 13: op_xattr(); break;
		case 14: durable_create(); break;
		default: if (ndurable) durable_change(); else durable_create();
		}
	}
}

/* ===== the verifier ====================================================== */

static unsigned failures;

static void bad(const char *fmt, const char *path, unsigned long long a)
{
	if (++failures <= 20) {
		fprintf(stderr, "crashload: %s: ", path);
		fprintf(stderr, fmt, a);
		fputc('\n', stderr);
	}
}

/* Every byte of path is its own pattern, or zero (a hole) where
 * holes_ok. Returns the file's size or -1. */
static long long check_bytes(const char *path, uint64_t id, bool holes_ok)
{
	static uint8_t buf[CHUNK];
	uint64_t off = 0;
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0) {
		bad("cannot open: errno %llu", path, (unsigned long long)errno);
		return -1;
	}
	while ((n = pread(fd, buf, CHUNK, (off_t)off)) > 0) {
		for (ssize_t i = 0; i < n; i++) {
			uint8_t want = pattern_byte(id, off + (uint64_t)i);

			if (buf[i] != want && (buf[i] || !holes_ok)) {
				bad(buf[i] ? "foreign byte at offset %llu (stale data)" :
				    "zero byte at offset %llu of fsync'd data",
				    path, off + (uint64_t)i);
				close(fd);
				return -1;
			}
		}
		off += (uint64_t)n;
	}
	if (n < 0)
		bad("read error at offset %llu", path, off);
	close(fd);
	return n < 0 ? -1 : (long long)off;
}

static void verify_busy(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char p[4096];

	if (!d) {
		bad("cannot open directory: errno %llu", dir, (unsigned long long)errno);
		return;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(p, sizeof(p), "%s/%s", dir, de->d_name);
		if (de->d_type == DT_DIR)
			verify_busy(p);
		else if (de->d_type == DT_REG)
			check_bytes(p, strtoull(de->d_name, NULL, 10), true);
	}
	closedir(d);
}

/* One durable file against what LOG promised: exact size and bytes when
 * certain; in flight (maybe): the old state or the new one. */
struct dstate {
	uint64_t size;
	bool renamed;
};

static bool matches(unsigned n, struct dstate s, bool quiet)
{
	char p[64], other[64];
	struct stat st;
	long long got;

	durable_path(p, sizeof(p), n, s.renamed);
	durable_path(other, sizeof(other), n, !s.renamed);
	if (lstat(other, &st) == 0) {
		if (!quiet)
			bad("exists, the log says it should not (%llu)", other, n);
		return false;
	}
	if (!s.size) {
		if (lstat(p, &st) == 0 && !quiet)
			bad("exists after a durable unlink (%llu)", p, n);
		return lstat(p, &st) != 0;
	}
	if (lstat(p, &st) != 0) {
		if (!quiet)
			bad("missing after fsync (%llu)", p, n);
		return false;
	}
	if ((uint64_t)st.st_size != s.size) {
		if (!quiet)
			bad("size %llu, not what fsync made it", p,
			    (unsigned long long)st.st_size);
		return false;
	}
	got = quiet ? 0 : check_bytes(p, DURABLE_ID(n), false);
	return got == (long long)s.size || quiet;
}

/* The step in flight: the state before or after it, whole; a create
 * or an append may also have stopped part-way, keeping what was fsync'd
 * before and nothing but the file's own bytes. */
static void verify_in_flight(unsigned n, char op, struct dstate before,
			     struct dstate after)
{
	char p[64];
	struct stat sb;
	long long got;

	if (matches(n, before, true) || matches(n, after, true)) {
		matches(n, matches(n, before, true) ? before : after, false);
		return;
	}
	durable_path(p, sizeof(p), n, after.renamed);
	if (op == 'C' && lstat(p, &sb) != 0)
		return;
	if (op == 'C' || op == 'A') {
		got = check_bytes(p, DURABLE_ID(n), true);
		if (got >= 0 && (uint64_t)got < before.size)
			bad("shorter (%llu) than it was fsync'd", p,
			    (unsigned long long)got);
		return;
	}
	bad("the step in flight left neither state (%llu)", "durable", n);
}

static int verify(const char *logpath)
{
	static struct dstate st[MAX_DURABLE];
	FILE *f = fopen(logpath, "r");
	char op = 0, line[96];
	unsigned long long n = 0, arg = 0, max = 0;
	bool pending = false;
	struct dstate before = { 0, false };

	if (!f) {
		perror(logpath);
		return 2;
	}
	while (fgets(line, sizeof(line), f)) {
		if (strncmp(line, "done", 4) == 0) {
			pending = false;
			continue;
		}
		if (sscanf(line, "%c %llu %llu", &op, &n, &arg) < 2 ||
		    n >= MAX_DURABLE) {
			fprintf(stderr, "crashload: bad log line: %s", line);
			return 2;
		}
		before = st[n];
		if (op == 'C' || op == 'A')
			st[n].size = arg;
		else if (op == 'R')
			st[n].renamed = true;
		else if (op == 'U')
			st[n].size = 0;
		if (n + 1 > max)
			max = n + 1;
		pending = true;
	}
	fclose(f);
	for (unsigned i = 0; i < max; i++) {
		if (pending && i == n) {
			/* In flight: either side, whole (a create or an
			 * append may also have stopped part-way: the
			 * bytes that are there are the file's own). */
			verify_in_flight(i, op, before, st[i]);
			continue;
		}
		matches(i, st[i], false);
	}
	verify_busy("busy");
	fprintf(stderr, "crashload: %llu durable files checked, %u problem(s)\n",
		max, failures);
	return failures ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc >= 4 && strcmp(argv[1], "run") == 0 && argc == 5) {
		top = argv[2];
		log_fd = open(argv[3], O_WRONLY | O_CREAT | O_APPEND | O_TRUNC, 0644);
		if (log_fd < 0 || chdir(top) != 0) {
			perror("crashload");
			return 2;
		}
		run(argv[4]);
	}
	if (argc == 4 && strcmp(argv[1], "verify") == 0) {
		if (chdir(argv[2]) != 0) {
			perror(argv[2]);
			return 2;
		}
		return verify(argv[3]);
	}
	fprintf(stderr, "usage: crashload run DIR LOG SEED | crashload verify DIR LOG\n");
	return 2;
}
