/* Owns the image: opening it (path or an inherited /dev/fd/N), locking it
 * against other writers, its size and the offset= window. Every byte the
 * server reads or writes goes through f4_dev_pread/pwrite, which refuse
 * anything outside [offset, offset + size). */
#ifndef F4_IO_DEV_H
#define F4_IO_DEV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct f4_overlay;
struct f4_wlog;

struct f4_dev {
	int fd;
	bool rw;
	bool is_bdev;
	uint64_t offset;	/* where the filesystem starts in the image */
	uint64_t size;		/* bytes available from offset on */
	char *path;		/* for messages */
	/* Blocks served from elsewhere (a journal replayed in memory), or
	 * NULL; owned, freed with the device (src/io/overlay.h). */
	struct f4_overlay *ovl;
	/* Power-cut tests: every write and flush logged (src/io/wlog.h),
	 * or NULL. */
	struct f4_wlog *wlog;
};

/* Opens read-only or read-write and takes the lock (shared for ro,
 * exclusive for rw; O_EXCL for block devices opened rw). Returns 0 or
 * -errno and writes a one-line reason into msg. */
int f4_dev_open(struct f4_dev *dev, const char *path, uint64_t offset, bool rw,
		char *msg, size_t msglen);
void f4_dev_close(struct f4_dev *dev);

/* Offsets are relative to the filesystem start. Short transfers at the
 * end of the device are errors (-EIO); EINTR is retried. */
int f4_dev_pread(const struct f4_dev *dev, void *buf, size_t len, uint64_t off);
int f4_dev_pwrite(const struct f4_dev *dev, const void *buf, size_t len,
		  uint64_t off);
int f4_dev_sync(const struct f4_dev *dev);

/* f4_dev_pread below any overlay (dev is a struct f4_dev; the type of
 * an overlay's base reader). */
int f4_dev_pread_base(const void *dev, void *buf, size_t len, uint64_t off);

/* May f4_dev_pwrite succeed: the image is open read-write, or an
 * overlay takes the writes into memory? */
bool f4_dev_takes_writes(const struct f4_dev *dev);

/* Does [off, off + len) lie inside the device window? */
bool f4_dev_range_ok(const struct f4_dev *dev, uint64_t off, uint64_t len);

#endif
