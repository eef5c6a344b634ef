/* Owns a device overlay: blocks of the filesystem served from somewhere
 * other than their home location, below everything that reads the
 * device (the metadata cache and the data executors both read through
 * f4_dev_pread). A read-only mount of a filesystem whose journal needs
 * recovery replays it into an overlay instead of onto the image: each
 * replayed block is a reference to its copy in the journal (no copy is
 * made), and writes, when the overlay takes them (a replay that edits
 * through libext2fs), land in memory. The image never changes.
 *
 * Built while the mount is opened, by one thread; read-only afterwards
 * except for writes taken in memory, which happen under the big lock. */
#ifndef F4_IO_OVERLAY_H
#define F4_IO_OVERLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct f4_overlay;

/* Reads the device itself, below the overlay: 0 or -errno. */
typedef int (*f4_overlay_base_fn)(const void *ctx, void *buf, size_t len,
				  uint64_t off);

/* An empty overlay of blocks of bsize bytes over the device that base
 * reads. */
int f4_overlay_create(uint32_t bsize, f4_overlay_base_fn base,
		      const void *base_ctx, struct f4_overlay **out);
void f4_overlay_destroy(struct f4_overlay *o);

/* Serve block blk from the bsize bytes at device offset src_off; with
 * patch, their first four bytes read as patch4 instead (a journal keeps
 * blocks that begin with its magic escaped). A later call for the same
 * block replaces the earlier one. 0 or -ENOMEM. */
int f4_overlay_map(struct f4_overlay *o, uint64_t blk, uint64_t src_off,
		   bool patch, const uint8_t patch4[4]);

/* From now on, writes to the device are taken into memory (whole
 * blocks, read-modify-write for parts). */
void f4_overlay_take_writes(struct f4_overlay *o);
bool f4_overlay_takes_writes(const struct f4_overlay *o);

/* For the device layer: after reading [off, off + len) from the device
 * into buf, lay the overlay's blocks over it; a write, when the overlay
 * takes writes (1: taken, 0: not an overlay write, -errno). */
int f4_overlay_read(const struct f4_overlay *o, void *buf, size_t len,
		    uint64_t off);
int f4_overlay_write(struct f4_overlay *o, const void *buf, size_t len,
		     uint64_t off);

/* Blocks it serves, and the memory it holds (index and copies). */
size_t f4_overlay_blocks(const struct f4_overlay *o);
size_t f4_overlay_bytes(const struct f4_overlay *o);

#endif
