/* Owns the libext2fs io_manager that carries metadata IO to the image
 * through struct f4_dev (so offset= and the bounds checks apply to every
 * byte libext2fs touches), through a sized write-back block cache
 * (bcache.h). ext2fs_open2 only passes a name to the manager,
 * so the device travels inside it: see f4_chan_name(). */
#ifndef F4_IO_CHAN_H
#define F4_IO_CHAN_H

#include <stdbool.h>
#include <stddef.h>
#include <ext2fs/ext2fs.h>

#include "src/io/bcache.h"
#include "src/io/dev.h"

io_manager f4_chan_manager(void);

/* Writes the name to hand to ext2fs_open2 for this device, with the size
 * of its metadata block cache. */
void f4_chan_name(const struct f4_dev *dev, size_t cache_bytes, char *buf,
		  size_t len);

/* Write dirty cached metadata to the device (no sync). Call before file
 * data IO that must see blocks libext2fs wrote (e.g. inline data just
 * moved into a block). */
int f4_chan_writeback(io_channel ch);

/* The cache's journaled mode and its pinned blocks (bcache.h), for the
 * journal's transactions. */
void f4_chan_set_journaled(io_channel ch, bool on);
int f4_chan_pinned(io_channel ch, struct f4_bcache_ref **out, size_t *n);
void f4_chan_unpin_all(io_channel ch);

/* File data libext2fs wrote through the cache: to the device now, and
 * out of the cache (f4_bcache_flush_out). */
int f4_chan_flush_out(io_channel ch, uint64_t blk, uint64_t count);

/* Forget dirty cached metadata unwritten (the mount stopped writing). */
void f4_chan_drop_dirty(io_channel ch);

/* Drop cached copies of freed blocks. */
void f4_chan_invalidate(io_channel ch, uint64_t blk, uint64_t count);

void f4_chan_stats(io_channel ch, struct f4_bcache_stats *st);

/* struct f4_map_file's checksum memo over this channel's cache (ctx is
 * the io_channel): f4_bcache_verified and f4_bcache_set_verified. */
bool f4_chan_csum_known(const void *ctx, uint64_t blk, uint32_t owner);
void f4_chan_csum_passed(const void *ctx, uint64_t blk, uint32_t owner);

#endif
