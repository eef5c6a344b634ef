/* powercut: rebuild the images a disk could have held when the power
 * went, from a write log of fuse4fs (F4_TEST_WRITELOG, src/io/wlog.h).
 *
 *   powercut count LOG            print "FLUSHES WRITES"
 *   powercut build IMG LOG K SEED IMG (a copy of the image the logged
 *                                 mount started from) gets every write
 *                                 logged before flush K (K = 0: none),
 *                                 then a random subset (seeded by SEED)
 *                                 of the writes between flush K and the
 *                                 next, cut into 4 KiB pieces, in random
 *                                 order: what a disk with a volatile
 *                                 write cache may have persisted. Prints
 *                                 how many pieces of how many it kept.
 *
 * Exit 0, or 1 with a message (a log that does not parse, an image too
 * small for it). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The record of src/io/wlog.h (a format fact, restated: tests do not
 * include the server's headers). */
#define WLOG_MAGIC 0x4c573446u
#define WLOG_WRITE 1
#define WLOG_FLUSH 2
#define PIECE 4096

struct rec {
	uint32_t magic, type;
	uint64_t off, len;
};

struct piece {
	uint64_t log_off;	/* where its bytes are in the log */
	uint64_t off;		/* where they go in the image */
	uint32_t len;
};

static int fail(const char *what)
{
	fprintf(stderr, "powercut: %s: %s\n", what, errno ? strerror(errno) : "bad log");
	return 1;
}

/* The next record at *pos, 1 at the end of the log, -1 if torn or bad. */
static int next(int fd, uint64_t *pos, struct rec *r)
{
	ssize_t n = pread(fd, r, sizeof(*r), (off_t)*pos);

	if (n == 0)
		return 1;
	if (n != (ssize_t)sizeof(*r) || r->magic != WLOG_MAGIC ||
	    (r->type != WLOG_WRITE && r->type != WLOG_FLUSH)) {
		errno = 0;
		return -1;
	}
	*pos += sizeof(*r);
	if (r->type == WLOG_WRITE)
		*pos += r->len;
	return 0;
}

static int cmd_count(const char *log)
{
	int fd = open(log, O_RDONLY);
	uint64_t pos = 0, flushes = 0, writes = 0;
	struct rec r;
	int rc;

	if (fd < 0)
		return fail(log);
	while ((rc = next(fd, &pos, &r)) == 0) {
		if (r.type == WLOG_FLUSH)
			flushes++;
		else
			writes++;
	}
	close(fd);
	if (rc < 0)
		return fail(log);
	printf("%llu %llu\n", (unsigned long long)flushes, (unsigned long long)writes);
	return 0;
}

static int copy(int img, int log, uint64_t log_off, uint64_t off, uint64_t len)
{
	static char buf[1 << 16];

	while (len) {
		size_t n = len < sizeof(buf) ? len : sizeof(buf);

		if (pread(log, buf, n, (off_t)log_off) != (ssize_t)n ||
		    pwrite(img, buf, n, (off_t)off) != (ssize_t)n)
			return -1;
		log_off += n;
		off += n;
		len -= n;
	}
	return 0;
}

static uint64_t rng;

static uint64_t rnd(uint64_t n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng % n;
}

static int add_pieces(struct piece **v, size_t *n, size_t *cap, uint64_t log_off,
		      const struct rec *r)
{
	for (uint64_t done = 0; done < r->len; done += PIECE) {
		if (*n == *cap) {
			*cap = *cap ? *cap * 2 : 1024;
			*v = realloc(*v, *cap * sizeof(**v));
			if (!*v)
				return -1;
		}
		(*v)[(*n)++] = (struct piece){
			log_off + done, r->off + done,
			(uint32_t)(r->len - done < PIECE ? r->len - done : PIECE) };
	}
	return 0;
}

static int cmd_build(const char *imgpath, const char *log, uint64_t k,
		     uint64_t seed)
{
	int img = open(imgpath, O_WRONLY), fd = open(log, O_RDONLY);
	uint64_t pos = 0, flushes = 0, kept = 0;
	struct piece *v = NULL;
	size_t n = 0, cap = 0;
	struct rec r;
	int rc;

	if (img < 0 || fd < 0)
		return fail(img < 0 ? imgpath : log);
	rng = seed * 2654435761u + 1;
	while ((rc = next(fd, &pos, &r)) == 0) {
		uint64_t data = pos - r.len;

		if (r.type == WLOG_FLUSH) {
			if (++flushes > k)
				break;	/* the epoch after flush k is complete */
			continue;
		}
		if (flushes < k) {
			if (copy(img, fd, data, r.off, r.len))
				return fail(imgpath);
		} else if (add_pieces(&v, &n, &cap, data, &r)) {
			return fail("out of memory");
		}
	}
	if (rc < 0)
		return fail(log);
	/* A random subset, in a random order (overlapping pieces: any of
	 * them may be the one that lands last). */
	for (size_t i = n; i > 1; i--) {
		size_t j = rnd(i);
		struct piece t = v[i - 1];

		v[i - 1] = v[j];
		v[j] = t;
	}
	for (size_t i = 0; i < n; i++) {
		if (rnd(2))
			continue;
		if (copy(img, fd, v[i].log_off, v[i].off, v[i].len))
			return fail(imgpath);
		kept++;
	}
	if (fsync(img))
		return fail(imgpath);
	printf("flush %llu: %llu of %zu pieces after it\n",
	       (unsigned long long)k, (unsigned long long)kept, n);
	free(v);
	close(img);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 3 && strcmp(argv[1], "count") == 0)
		return cmd_count(argv[2]);
	if (argc == 6 && strcmp(argv[1], "build") == 0)
		return cmd_build(argv[2], argv[3], strtoull(argv[4], NULL, 0),
				 strtoull(argv[5], NULL, 0));
	fprintf(stderr, "usage: powercut count LOG | powercut build IMG LOG K SEED\n");
	return 2;
}
