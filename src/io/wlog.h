/* Owns the write log, a test mode of the device layer for power-cut
 * simulation (the approach of dm-log-writes, which this kernel lacks):
 * with F4_TEST_WRITELOG=FILE in the environment of a read-write mount,
 * every write that reaches the image and every flush is appended to
 * FILE in the order the device saw them. tests/tools/powercut rebuilds
 * from it every image a disk could have held when the power went: all
 * writes before some flush, and any subset of those after it.
 *
 * The mount then uses the pread data executor (every byte through
 * src/io/dev.c), and writes and flushes are serialised, so the log's
 * order is the device's. MMP's own writes (a descriptor of their own)
 * and discards are not logged: the tests use images without MMP and do
 * not trim.
 *
 * Record: struct f4_wlog_rec (the host's byte order), then len bytes of data
 * for a write. Offsets are relative to the filesystem start. */
#ifndef F4_IO_WLOG_H
#define F4_IO_WLOG_H

#include <stddef.h>
#include <stdint.h>

#define F4_WLOG_ENV "F4_TEST_WRITELOG"
#define F4_WLOG_MAGIC 0x4c573446u	/* "F4WL" */

enum f4_wlog_type { F4_WLOG_WRITE = 1, F4_WLOG_FLUSH = 2 };

struct f4_wlog_rec {
	uint32_t magic, type;
	uint64_t off, len;
};

struct f4_wlog;

/* Opens the log named by the environment, if any (*out NULL if not).
 * 0 or -errno with a one-line reason in msg. */
int f4_wlog_open_env(struct f4_wlog **out, char *msg, size_t len);
void f4_wlog_close(struct f4_wlog *w);

/* A write or a flush, done by fn under the log's lock and recorded once
 * it succeeded (fn returns 0 or -errno). */
int f4_wlog_write(struct f4_wlog *w, int (*fn)(void *ctx), void *ctx,
		  const void *buf, size_t len, uint64_t off);
int f4_wlog_flush(struct f4_wlog *w, int (*fn)(void *ctx), void *ctx);

#endif
