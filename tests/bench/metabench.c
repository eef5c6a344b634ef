/*
 * metabench: time metadata operations on one directory, in-process, so
 * the numbers measure the filesystem rather than process spawning.
 *
 *   metabench create  DIR N   create N empty files DIR/bench_file_NNNNNN
 *   metabench stat    DIR N   lstat them, in creation order
 *   metabench readdir DIR     read every entry of DIR (readdir(3))
 *   metabench unlink  DIR N   unlink them, in creation order
 *
 * DIR must exist. Every call is made relative to an O_DIRECTORY descriptor
 * of DIR (openat, fstatat, unlinkat), so no path prefix is walked per
 * file. Nothing is synced: only the system calls are timed.
 *
 * Prints one line:  count=C secs=S rate=R   (R = C / S per second)
 * and exits non-zero, naming the file, on the first error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void name_of(char *buf, size_t len, long i)
{
	snprintf(buf, len, "bench_file_%06ld", i);
}

static int usage(void)
{
	fprintf(stderr,
		"usage: metabench create|stat|unlink DIR N\n"
		"       metabench readdir DIR\n");
	return 2;
}

static long parse_count(const char *s)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno || *end || end == s || n < 0 || n > 99999999)
		return -1;
	return n;
}

static int do_files(const char *op, int dfd, long n)
{
	char name[64];
	struct stat st;
	long i;

	for (i = 0; i < n; i++) {
		name_of(name, sizeof(name), i);
		if (!strcmp(op, "create")) {
			int fd = openat(dfd, name,
					O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC,
					0644);
			if (fd < 0 || close(fd) < 0)
				goto fail;
		} else if (!strcmp(op, "stat")) {
			if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
				goto fail;
		} else {
			if (unlinkat(dfd, name, 0) < 0)
				goto fail;
		}
	}
	return 0;
fail:
	fprintf(stderr, "metabench: %s %s: %s\n", op, name, strerror(errno));
	return -1;
}

static long do_readdir(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	long count = 0;

	if (!d) {
		perror("metabench: fdopendir");
		return -1;
	}
	for (;;) {
		errno = 0;
		de = readdir(d);
		if (!de)
			break;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		count++;
	}
	if (errno) {
		perror("metabench: readdir");
		count = -1;
	}
	closedir(d);
	return count;
}

int main(int argc, char **argv)
{
	const char *op, *dir;
	double t0, t1;
	long n = 0;
	int dfd;

	if (argc < 3)
		return usage();
	op = argv[1];
	dir = argv[2];
	if (!strcmp(op, "readdir")) {
		if (argc != 3)
			return usage();
	} else if (!strcmp(op, "create") || !strcmp(op, "stat") ||
		   !strcmp(op, "unlink")) {
		if (argc != 4 || (n = parse_count(argv[3])) < 0)
			return usage();
	} else {
		return usage();
	}

	t0 = now();
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		fprintf(stderr, "metabench: %s: %s\n", dir, strerror(errno));
		return 1;
	}
	if (!strcmp(op, "readdir")) {
		n = do_readdir(dfd);
		if (n < 0)
			return 1;
	} else {
		if (do_files(op, dfd, n) < 0)
			return 1;
		close(dfd);
	}
	t1 = now();
	if (t1 <= t0)
		t1 = t0 + 1e-9;
	printf("count=%ld secs=%.6f rate=%.1f\n", n, t1 - t0, (double)n / (t1 - t0));
	return 0;
}
