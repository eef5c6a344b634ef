/* Owns the custom libFuzzer mutator shared by both targets. libFuzzer's
 * own mutations insert and erase bytes, which shifts every structure of
 * an image out of place; here each mutation instead rewrites a small
 * window in place (with libFuzzer's byte-level mutators), chosen where
 * metadata lives: the control block, the first blocks (superblock, group
 * descriptors, bitmaps, inode tables), or any block that is not all
 * zeros (directories, extent and indirect blocks, xattr blocks). The
 * image keeps its size. Only linked into the libFuzzer builds. */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t max);
size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max,
			       unsigned int seed);

static uint32_t next(uint32_t *x)
{
	*x ^= *x << 13;
	*x ^= *x >> 17;
	*x ^= *x << 5;
	return *x;
}

static bool zero_sector(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

size_t f4fz_mutate(uint8_t *data, size_t size, size_t max, unsigned seed,
		   size_t (*mutate)(uint8_t *, size_t, size_t))
{
	uint32_t x = seed | 1;
	unsigned rounds = 1 + next(&x) % 4, r;

	if (size < F4FZ_MIN_INPUT)	/* not an image yet: anything goes */
		return mutate(data, size, max);
	for (r = 0; r < rounds; r++) {
		static const size_t wsizes[] = { 4, 16, 64, 256 };
		size_t w = wsizes[next(&x) % 4], off, got;
		uint8_t tmp[256];
		unsigned pick = next(&x) % 16;

		if (pick == 0) {			/* control block */
			off = 4 + next(&x) % (F4FZ_CTL_SIZE - 4 - w);
		} else if (pick < 6) {			/* the first 64 KiB */
			size_t span = size < (64u << 10) ? size : (64u << 10);

			off = 1024 + next(&x) % (span - 1024);
		} else {				/* a non-zero sector */
			unsigned tries;

			off = 1024 + next(&x) % (size - 1024);
			for (tries = 0; tries < 64; tries++) {
				size_t s = off & ~(size_t)511;

				if (s + 512 <= size && !zero_sector(data + s, 512))
					break;
				off = 1024 + next(&x) % (size - 1024);
			}
		}
		if (off + w > size)
			off = size - w;
		memcpy(tmp, data + off, w);
		got = mutate(tmp, w, w);
		if (got > w)
			got = w;
		memcpy(data + off, tmp, got);	/* a shrink keeps the old tail */
	}
	return size;
}

size_t LLVMFuzzerCustomMutator(uint8_t *data, size_t size, size_t max,
			       unsigned int seed)
{
	/* Now and then libFuzzer's own mutations on the whole input. */
	if (seed % 16 == 0)
		return LLVMFuzzerMutate(data, size, max);
	return f4fz_mutate(data, size, max, seed, LLVMFuzzerMutate);
}
