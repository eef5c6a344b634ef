/* IO around the page cache, for blocks another machine may change under
 * us (the MMP block): a second descriptor on an open file or device for
 * direct IO (Linux O_DIRECT), the alignment its transfers need, and
 * making a written range durable. */
#ifndef F4_COMPAT_DIRECT_H
#define F4_COMPAT_DIRECT_H

#include <stdint.h>

/* Offsets, lengths and buffers of direct transfers are multiples of this
 * (it covers 512-byte and 4 KiB sectors). */
#define F4_DIRECT_ALIGN 4096u

/* A new read-only descriptor for what fd is open on, bypassing the page
 * cache; or -errno (-EOPNOTSUPP where the platform cannot). */
int f4_compat_reopen_direct(int fd);

/* Write [off, off + len) of fd (absolute offsets) to the medium and wait
 * for it; 0 or -errno. */
int f4_compat_sync_range(int fd, uint64_t off, uint64_t len);

#endif
