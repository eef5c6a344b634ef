/* Owns the metadata block cache: an LRU of device blocks with write-back
 * (dirty blocks reach the device when evicted, on writeback, or on flush,
 * in ascending block order). Sized in bytes; it holds more only when the
 * journal pins more (journaled mode, below). Not thread-safe by itself:
 * its user (the io channel) runs under the big lock.
 *
 * Journaled mode (a filesystem with a journal, while transactions run):
 * every block written is *pinned* until f4_bcache_unpin_all says its
 * transaction has committed. A pinned block never reaches the device
 * from here: not on eviction, not on writeback, not through a byte
 * write (bytes become block writes in the cache). After the commit it
 * is an ordinary dirty block, written home on eviction or writeback
 * (the checkpoint). */
#ifndef F4_IO_BCACHE_H
#define F4_IO_BCACHE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/io/dev.h"

struct f4_bcache;

struct f4_bcache_stats {
	uint64_t hits, misses, writebacks, evictions;
	size_t blocks, dirty, pinned;
};

/* A cached block: valid until the cache is next changed. */
struct f4_bcache_ref {
	uint64_t blk;
	const void *data;
};

/* A cache of up to max_bytes over dev, in blocks of bsize bytes. */
struct f4_bcache *f4_bcache_create(const struct f4_dev *dev, size_t bsize,
				   size_t max_bytes);
void f4_bcache_destroy(struct f4_bcache *c);

/* Read/write count whole blocks starting at blk (through the cache). */
int f4_bcache_read(struct f4_bcache *c, uint64_t blk, size_t count, void *buf);
int f4_bcache_write(struct f4_bcache *c, uint64_t blk, size_t count,
		    const void *buf);

/* Byte-granular access, coherent with the cache: reads see cached
 * copies; writes go to the device with dirty overlapping blocks written
 * first and cached copies updated, or (journaled mode) into the cache. */
int f4_bcache_read_bytes(struct f4_bcache *c, uint64_t off, size_t len,
			 void *buf);
int f4_bcache_write_bytes(struct f4_bcache *c, uint64_t off, size_t len,
			  const void *buf);

/* A memo for checksummed metadata: the cached copy of blk passed its
 * checksum check for owner (non-zero, e.g. an inode number) and has not
 * changed since. Lost when the block changes or leaves the cache. */
void f4_bcache_set_verified(struct f4_bcache *c, uint64_t blk, uint32_t owner);
bool f4_bcache_verified(struct f4_bcache *c, uint64_t blk, uint32_t owner);

/* Write every dirty block that is not pinned to the device (no sync). */
int f4_bcache_writeback(struct f4_bcache *c);

/* Journaled mode on or off (see above). */
void f4_bcache_set_journaled(struct f4_bcache *c, bool on);

/* The pinned blocks in ascending order, in a malloc'ed array (*n may be
 * 0 with *out NULL). */
int f4_bcache_pinned(struct f4_bcache *c, struct f4_bcache_ref **out,
		     size_t *n);

/* Their transaction committed: pinned blocks become ordinary dirty ones. */
void f4_bcache_unpin_all(struct f4_bcache *c);

/* Blocks [blk, blk + count) hold file data that libext2fs wrote through
 * the cache: write them to the device now, pinned or not, and forget
 * them (file data IO goes around the cache). */
int f4_bcache_flush_out(struct f4_bcache *c, uint64_t blk, uint64_t count);

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
