/* seedtool: small jobs the integration tests need while building seed
 * trees and images, that the shell cannot do portably:
 *
 *   seedtool mksock PATH          create a unix socket node at PATH
 *   seedtool pattern [-t] LEN SEED
 *                                 write LEN (K, M, G suffixes) deterministic bytes, none of
 *                                 them zero (-t: printable text lines), so
 *                                 that no block of a seed file is all
 *                                 zeros (mke2fs -d turns those into holes)
 *   seedtool fixups [-s] SEED     print debugfs commands that give an
 *                                 image built with `mke2fs -d SEED` what
 *                                 mke2fs -d (1.47) does not copy: the
 *                                 nanoseconds and the epoch bits of mtime
 *                                 (times before 1970 and after 2038), and
 *                                 the root directory's mode, owner and
 *                                 mtime; and the size of sparse files
 *                                 (lost with inline_data). -s: the image has 128-byte inodes
 *                                 (seconds only, no extra fields).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static int die(const char *what)
{
	fprintf(stderr, "seedtool: %s: %s\n", what, strerror(errno));
	return 1;
}

static int cmd_mksock(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	const char *slash = strrchr(path, '/');
	const char *base = slash ? slash + 1 : path;
	int fd;

	/* Bind a short relative name, whatever the length of the path. */
	if (slash) {
		char *dir = strndup(path, (size_t)(slash - path));

		if (!dir || chdir(*dir ? dir : "/") != 0)
			return die(path);
		free(dir);
	}
	if (strlen(base) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "seedtool: socket name too long: %s\n", base);
		return 1;
	}
	strcpy(sa.sun_path, base);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return die(path);
	close(fd);	/* the node stays behind */
	return 0;
}

/* A byte count with an optional K, M or G (powers of 1024). */
static int parse_size(const char *s, unsigned long long *out)
{
	char *end;
	unsigned long long n;

	errno = 0;
	n = strtoull(s, &end, 0);
	if (errno || end == s)
		return -1;
	switch (*end) {
	case 'K': n <<= 10; end++; break;
	case 'M': n <<= 20; end++; break;
	case 'G': n <<= 30; end++; break;
	}
	if (*end)
		return -1;
	*out = n;
	return 0;
}

static int cmd_pattern(int argc, char **argv)
{
	static const char letters[] = "abcdefghijklmnopqrstuvwxyz0123456789 ";
	bool text = argc > 0 && !strcmp(argv[0], "-t");
	unsigned long long len, i;
	uint64_t x;
	char buf[65536];
	size_t n = 0;

	if (text) {
		argc--;
		argv++;
	}
	if (argc != 2)
		return fprintf(stderr, "usage: seedtool pattern [-t] LEN SEED\n"), 2;
	if (parse_size(argv[0], &len) != 0)
		return fprintf(stderr, "seedtool: bad length '%s'\n", argv[0]), 2;
	x = strtoull(argv[1], NULL, 0) * 0x9e3779b97f4a7c15ull + 1;
	for (i = 0; i < len; i++) {
		unsigned char c;

		x ^= x << 13;	/* xorshift64 */
		x ^= x >> 7;
		x ^= x << 17;
		if (text)
			c = (i % 64 == 63) ? '\n' :
			    (unsigned char)letters[(x >> 24) % (sizeof(letters) - 1)];
		else
			c = (unsigned char)((x >> 24) | 1);
		buf[n++] = (char)c;
		if (n == sizeof(buf)) {
			if (fwrite(buf, 1, n, stdout) != n)
				return die("stdout");
			n = 0;
		}
	}
	if (fwrite(buf, 1, n, stdout) != n || fflush(stdout) != 0)
		return die("stdout");
	return 0;
}

/* ---- fixups ---------------------------------------------------------- */

static bool seconds_only;
static int bad_names;

/* debugfs splits its command line on blanks and groups with double
 * quotes; names with a quote, backslash or control byte cannot be said. */
static bool sayable(const char *rel)
{
	const unsigned char *p;

	for (p = (const unsigned char *)rel; *p; p++)
		if (*p == '"' || *p == '\\' || *p < 0x20)
			return false;
	return true;
}

static void fix_mtime(const char *rel, const struct stat *st, bool always)
{
	int64_t sec = st->st_mtim.tv_sec;
	int64_t lo = (int32_t)(uint32_t)sec;
	uint32_t epoch = (uint32_t)((sec - lo) >> 32) & 3;
	uint32_t extra = ((uint32_t)st->st_mtim.tv_nsec << 2) | epoch;
	bool plain = st->st_mtim.tv_nsec == 0 && sec >= 0 && sec <= INT32_MAX;

	if (plain && !always)
		return;
	if (sec == -1) {
		/* debugfs reads -1 as "cannot parse". */
		fprintf(stderr, "seedtool: %s: mtime -1 cannot be set with debugfs\n", rel);
		bad_names++;
		return;
	}
	if (seconds_only) {
		if (sec < INT32_MIN || sec > INT32_MAX)
			return;	/* cannot be stored; the tests skip times here */
		printf("sif \"%s\" mtime @%lld\n", rel, (long long)sec);
		return;
	}
	printf("sif \"%s\" mtime @%lld\n", rel, (long long)sec);
	printf("sif \"%s\" mtime_extra %u\n", rel, extra);
}

static int fix_tree(const char *path, const char *rel)
{
	struct stat st;
	DIR *d;
	struct dirent *de;
	int ret = 0;

	if (lstat(path, &st) != 0)
		return die(path);
	if (!sayable(rel)) {
		fprintf(stderr, "seedtool: name cannot be passed to debugfs: %s\n", rel);
		bad_names++;
		return 0;
	}
	fix_mtime(rel, &st, S_ISDIR(st.st_mode));
	/* With inline_data, mke2fs -d (1.47.0) sets i_size to the end of
	 * the last data, losing a trailing hole. */
	if (S_ISREG(st.st_mode) && (uint64_t)st.st_blocks * 512 < (uint64_t)st.st_size)
		printf("sif \"%s\" size %lld\n", rel, (long long)st.st_size);
	if (!S_ISDIR(st.st_mode))
		return 0;
	d = opendir(path);
	if (!d)
		return die(path);
	while (!ret && (de = readdir(d))) {
		char *cpath, *crel;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (asprintf(&cpath, "%s/%s", path, de->d_name) < 0 ||
		    asprintf(&crel, "%s/%s", strcmp(rel, "/") ? rel : "",
			     de->d_name) < 0)
			return die("asprintf");
		ret = fix_tree(cpath, crel);
		free(cpath);
		free(crel);
	}
	closedir(d);
	return ret;
}

static int cmd_fixups(int argc, char **argv)
{
	struct stat st;
	int ret;

	if (argc > 0 && !strcmp(argv[0], "-s")) {
		seconds_only = true;
		argc--;
		argv++;
	}
	if (argc != 1)
		return fprintf(stderr, "usage: seedtool fixups [-s] SEED\n"), 2;
	if (stat(argv[0], &st) != 0)
		return die(argv[0]);
	/* The root inode exists before mke2fs -d runs; nothing is copied
	 * onto it. (mode takes the whole i_mode, type bits included.) */
	printf("sif / mode 0%o\n", (unsigned)st.st_mode);
	printf("sif / uid %u\n", (unsigned)st.st_uid);
	printf("sif / gid %u\n", (unsigned)st.st_gid);
	ret = fix_tree(argv[0], "/");
	if (fflush(stdout) != 0)
		return die("stdout");
	return ret ? ret : bad_names ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && !strcmp(argv[1], "mksock"))
		return cmd_mksock(argv[2]);
	if (argc >= 2 && !strcmp(argv[1], "pattern"))
		return cmd_pattern(argc - 2, argv + 2);
	if (argc >= 2 && !strcmp(argv[1], "fixups"))
		return cmd_fixups(argc - 2, argv + 2);
	fputs("usage: seedtool mksock PATH | pattern [-t] LEN SEED | fixups [-s] SEED\n",
	      stderr);
	return 2;
}
