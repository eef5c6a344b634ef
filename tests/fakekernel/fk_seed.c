/* Owns the fake-kernel tests' seed tree and image (see fk_seed.h). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fk_seed.h"
#include "fk_test.h"

unsigned char f4_fks_byte(uint64_t off)
{
	return (unsigned char)((off * 7 + 3) % 251);
}

static int seed_file(const char *seed, const char *name, const void *data, size_t len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", seed, name);
	return f4_fkt_write_file(path, data, len);
}

/* sparse: a hole, one block of pattern at F4_FKS_SPARSE_OFF, a hole up
 * to one block past it (mke2fs -d keeps the holes). */
static int seed_sparse(const char *seed)
{
	unsigned char blk[F4_FKS_SPARSE_LEN];
	char path[4096];
	int fd, ret = 0;

	for (unsigned i = 0; i < sizeof(blk); i++)
		blk[i] = f4_fks_byte(F4_FKS_SPARSE_OFF + i);
	snprintf(path, sizeof(path), "%s/sparse", seed);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return -1;
	if (pwrite(fd, blk, sizeof(blk), (off_t)F4_FKS_SPARSE_OFF) != (ssize_t)sizeof(blk) ||
	    ftruncate(fd, (off_t)(F4_FKS_SPARSE_OFF + 2 * sizeof(blk))) != 0)
		ret = -1;
	close(fd);
	return ret;
}

int f4_fks_build(const char *seed, const char *img)
{
	unsigned char *data = malloc(F4_FKS_DATA_LEN);
	char path[4096];
	int ret = 0;

	if (!data)
		return -1;
	for (unsigned i = 0; i < F4_FKS_DATA_LEN; i++)
		data[i] = f4_fks_byte(i);
	snprintf(path, sizeof(path), "%s/sub", seed);
	if (mkdir(seed, 0755) || mkdir(path, 0750) ||
	    seed_file(seed, "hello.txt", F4_FKS_HELLO, strlen(F4_FKS_HELLO)) ||
	    seed_file(seed, "data.bin", data, F4_FKS_DATA_LEN) ||
	    seed_file(seed, "empty", "", 0) ||
	    seed_file(seed, "sub/inner.txt", F4_FKS_INNER, strlen(F4_FKS_INNER)) ||
	    seed_sparse(seed))
		ret = -1;
	snprintf(path, sizeof(path), "%s/link", seed);
	if (!ret && symlink(F4_FKS_LINK, path))
		ret = -1;
	free(data);
	return ret ? ret : f4_fkt_mkimage(seed, img, "64M");
}
