/* Owns the metadata block cache: an LRU of device blocks with write-back
 * (dirty blocks reach the device when evicted, on writeback, or on flush,
 * in ascending block order). Sized in bytes; it never holds more. Not
 * thread-safe by itself: its user (the io channel) runs under the big
 * lock. */
#ifndef F4_IO_BCACHE_H
#define F4_IO_BCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/io/dev.h"

struct f4_bcache;

struct f4_bcache_stats {
	uint64_t hits, misses, writebacks, evictions;
	size_t blocks, dirty;
};

/* A cache of up to max_bytes over dev, in blocks of bsize bytes. */
struct f4_bcache *f4_bcache_create(const struct f4_dev *dev, size_t bsize,
				   size_t max_bytes);
void f4_bcache_destroy(struct f4_bcache *c);

/* Read/write count whole blocks starting at blk (through the cache). */
int f4_bcache_read(struct f4_bcache *c, uint64_t blk, size_t count, void *buf);
int f4_bcache_write(struct f4_bcache *c, uint64_t blk, size_t count,
		    const void *buf);

/* Byte-granular access that bypasses the cache but stays coherent with
 * it (dirty overlapping blocks are written first; cached copies are
 * updated by writes). */
int f4_bcache_read_bytes(struct f4_bcache *c, uint64_t off, size_t len,
			 void *buf);
int f4_bcache_write_bytes(struct f4_bcache *c, uint64_t off, size_t len,
			  const void *buf);

/* A memo for checksummed metadata: the cached copy of blk passed its
 * checksum check for owner (non-zero, e.g. an inode number) and has not
 * changed since. Lost when the block changes or leaves the cache. */
void f4_bcache_set_verified(struct f4_bcache *c, uint64_t blk, uint32_t owner);
bool f4_bcache_verified(struct f4_bcache *c, uint64_t blk, uint32_t owner);

/* Write every dirty block to the device (no sync). */
int f4_bcache_writeback(struct f4_bcache *c);

/* Forget blocks [blk, blk + count) without writing them: they were freed
 * and may be reused for file data written around the cache. */
void f4_bcache_invalidate(struct f4_bcache *c, uint64_t blk, uint64_t count);

/* Forget every dirty block without writing it (the mount stopped
 * writing: what is not on the device yet never will be). */
void f4_bcache_drop_dirty(struct f4_bcache *c);

/* Change the block size: everything is written back and dropped. */
int f4_bcache_set_bsize(struct f4_bcache *c, size_t bsize);

void f4_bcache_get_stats(const struct f4_bcache *c, struct f4_bcache_stats *s);

#endif
