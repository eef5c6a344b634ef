/* dirwalk: directory-listing checks for the integration tests.
 *
 *   dirwalk dtype ROOT      walk the tree; every readdir d_type must
 *                           agree with lstat (DT_UNKNOWN counts as wrong:
 *                           ext2/3/4 with the filetype feature knows)
 *   dirwalk seek [-s STRIDE] [-k K] DIR
 *                           list DIR, then resume the listing at every
 *                           STRIDE-th offset telldir returned (same
 *                           stream, and a freshly opened one with the
 *                           page cache of the listing dropped): the next K
 *                           entries must be exactly the ones that
 *                           followed, none skipped, none repeated
 *   dirwalk smallbuf DIR    list DIR with getdents64 and a buffer that
 *                           holds one entry at a time: same names as
 *                           readdir, in the same order
 *
 * Prints one line per problem and a summary; exit 0 when all is well,
 * 1 on a mismatch, 2 on usage or system errors.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int problems;

static void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n);

	if (!q) {
		perror("dirwalk");
		exit(2);
	}
	return q;
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);

	if (!d) {
		perror("dirwalk");
		exit(2);
	}
	return d;
}

static void problem(const char *fmt, const char *a, const char *b)
{
	if (problems < 50) {
		printf(fmt, a, b);
		putchar('\n');
	}
	problems++;
}

/* ---- dtype ----------------------------------------------------------- */

static unsigned char mode_dtype(mode_t m)
{
	return (unsigned char)IFTODT(m);
}

static long check_dtypes(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *de;
	long n = 0;

	if (!d) {
		fprintf(stderr, "dirwalk: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	while ((de = readdir(d))) {
		char *child;
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (asprintf(&child, "%s/%s", path, de->d_name) < 0)
			exit(2);
		if (lstat(child, &st) != 0) {
			problem("%s: lstat failed%s", child, "");
		} else {
			n++;
			if (de->d_type != mode_dtype(st.st_mode)) {
				char msg[64];

				snprintf(msg, sizeof(msg), " (d_type %u, lstat says %u)",
					 de->d_type, mode_dtype(st.st_mode));
				problem("%s: d_type mismatch%s", child, msg);
			}
			if (S_ISDIR(st.st_mode))
				n += check_dtypes(child);
		}
		free(child);
	}
	closedir(d);
	return n;
}

/* ---- seek ------------------------------------------------------------ */

struct listing {
	char **names;
	long *after;		/* telldir() after names[i] was returned */
	long start;		/* telldir() before anything was read */
	size_t n;
};

static void list_dir(DIR *d, struct listing *l)
{
	struct dirent *de;
	size_t cap = 0;

	memset(l, 0, sizeof(*l));
	l->start = telldir(d);
	errno = 0;
	while ((de = readdir(d))) {
		if (l->n == cap) {
			cap = cap ? cap * 2 : 256;
			l->names = xrealloc(l->names, cap * sizeof(char *));
			l->after = xrealloc(l->after, cap * sizeof(long));
		}
		l->names[l->n] = xstrdup(de->d_name);
		l->after[l->n] = telldir(d);
		l->n++;
		errno = 0;
	}
	if (errno) {
		perror("dirwalk: readdir");
		exit(2);
	}
}

/* Read up to k entries from d; they must be l->names[from...]. */
static void expect_next(DIR *d, const struct listing *l, size_t from,
			size_t k, const char *how)
{
	size_t i;
	char ctx[128];

	for (i = 0; i < k && from + i <= l->n; i++) {
		struct dirent *de = readdir(d);

		snprintf(ctx, sizeof(ctx), "%s, resumed after entry %zu, entry +%zu",
			 how, from, i);
		if (from + i == l->n) {
			if (de)
				problem("%s: got '%s' past the end", ctx, de->d_name);
			return;
		}
		if (!de) {
			problem("%s: listing ended early, expected '%s'", ctx,
				l->names[from + i]);
			return;
		}
		if (strcmp(de->d_name, l->names[from + i])) {
			char exp[400];

			snprintf(exp, sizeof(exp), "'%s', expected '%s'", de->d_name,
				 l->names[from + i]);
			problem("%s: got %s", ctx, exp);
			return;
		}
	}
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void check_unique(const struct listing *l)
{
	char **sorted = xrealloc(NULL, (l->n ? l->n : 1) * sizeof(char *));
	size_t i;

	memcpy(sorted, l->names, l->n * sizeof(char *));
	qsort(sorted, l->n, sizeof(char *), cmp_names);
	for (i = 1; i < l->n; i++)
		if (!strcmp(sorted[i - 1], sorted[i]))
			problem("entry '%s' listed twice%s", sorted[i], "");
	free(sorted);
}

static int cmd_seek(int argc, char **argv)
{
	size_t stride = 1, k = 20, i;
	struct listing l, again;
	const char *dir;
	DIR *d, *d2;
	int c;

	while ((c = getopt(argc, argv, "s:k:")) != -1) {
		if (c == 's')
			stride = strtoul(optarg, NULL, 0);
		else if (c == 'k')
			k = strtoul(optarg, NULL, 0);
		else
			return 2;
	}
	if (optind + 1 != argc || !stride || !k)
		return fprintf(stderr, "usage: dirwalk seek [-s STRIDE] [-k K] DIR\n"), 2;
	dir = argv[optind];
	d = opendir(dir);
	if (!d)
		return fprintf(stderr, "dirwalk: %s: %s\n", dir, strerror(errno)), 2;
	list_dir(d, &l);
	check_unique(&l);

	/* Back to the start: the same listing again. */
	seekdir(d, l.start);
	expect_next(d, &l, 0, l.n + 1, "seekdir(start)");

	for (i = 0; i < l.n; i++) {
		bool fresh = (i % (stride * 10)) == 0 || i + 1 == l.n;

		if (i % stride && i + 1 != l.n && !fresh)
			continue;
		seekdir(d, l.after[i]);
		expect_next(d, &l, i + 1, k, "same stream");
		if (!fresh)
			continue;
		/* A new stream told to start at an offset from the old one,
		 * with the kernel's cached listing dropped first (FUSE may
		 * cache listings), so that the filesystem sees the offset. */
		d2 = opendir(dir);
		if (!d2)
			return fprintf(stderr, "dirwalk: %s: %s\n", dir, strerror(errno)), 2;
		posix_fadvise(dirfd(d2), 0, 0, POSIX_FADV_DONTNEED);
		seekdir(d2, l.after[i]);
		expect_next(d2, &l, i + 1, i % (stride * 100) == 0 ? l.n : k,
			    "new stream");
		closedir(d2);
	}
	closedir(d);

	/* A second full listing has the same entries in the same order. */
	d = opendir(dir);
	if (!d)
		return 2;
	list_dir(d, &again);
	closedir(d);
	if (again.n != l.n)
		problem("second listing has a different length%s%s", "", "");
	for (i = 0; i < again.n && i < l.n; i++)
		if (strcmp(again.names[i], l.names[i])) {
			problem("second listing differs at '%s' / '%s'", again.names[i],
				l.names[i]);
			break;
		}
	printf("seek: %zu entries, %d problem(s)\n", l.n, problems);
	return problems ? 1 : 0;
}

/* ---- smallbuf -------------------------------------------------------- */

struct linux_dirent64 {
	unsigned long long d_ino;
	long long d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

static int cmd_smallbuf(const char *dir)
{
	struct listing l;
	DIR *d = opendir(dir);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	char buf[24 + 256] __attribute__((aligned(8)));
	size_t i = 0;

	if (!d || fd < 0)
		return fprintf(stderr, "dirwalk: %s: %s\n", dir, strerror(errno)), 2;
	list_dir(d, &l);
	closedir(d);
	for (;;) {
		/* Just enough room for the next entry: grow until it fits. */
		size_t room = 24;
		long n;

		for (;;) {
			n = syscall(SYS_getdents64, fd, buf, room);
			if (n >= 0 || errno != EINVAL || room >= sizeof(buf))
				break;
			room += 8;
		}
		if (n < 0) {
			perror("dirwalk: getdents64");
			return 2;
		}
		if (n == 0)
			break;
		for (long pos = 0; pos < n;) {
			struct linux_dirent64 *de = (void *)(buf + pos);

			if (i >= l.n)
				problem("small buffer: extra entry '%s'%s", de->d_name, "");
			else if (strcmp(de->d_name, l.names[i]))
				problem("small buffer: got '%s', expected '%s'", de->d_name,
					l.names[i]);
			i++;
			pos += de->d_reclen;
		}
	}
	close(fd);
	if (i != l.n)
		problem("small buffer: %s%s entries missing", "", "");
	printf("smallbuf: %zu entries, %d problem(s)\n", l.n, problems);
	return problems ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "dtype")) {
		long n = check_dtypes(argv[2]);

		printf("dtype: %ld entries, %d problem(s)\n", n, problems);
		return problems ? 1 : 0;
	}
	if (argc >= 3 && !strcmp(argv[1], "seek"))
		return cmd_seek(argc - 1, argv + 1);
	if (argc == 3 && !strcmp(argv[1], "smallbuf"))
		return cmd_smallbuf(argv[2]);
	fputs("usage: dirwalk dtype ROOT | seek [-s STRIDE] [-k K] DIR | smallbuf DIR\n",
	      stderr);
	return 2;
}
