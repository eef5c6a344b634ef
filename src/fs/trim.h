/* Owns FITRIM: discarding the free space of a read-write mount, as
 * ext4_trim_fs does it. The free-space bitmap is walked group by group;
 * every free extent that starts inside [start, start + len) and is at
 * least minlen long (and at least the device's discard granularity) is
 * discarded whole, up to the end of its group: a hole punched in an image
 * file, a discard request to a block device (compat/discard.h), inside
 * the offset= window. Blocks in use are never touched: each batch of
 * extents (a few MiB at most, long extents go in pieces) is marked in
 * use under the big lock while it is discarded without it, so a
 * concurrent allocation cannot pick them, yet writers still find the
 * rest of the free space. */
#ifndef F4_FS_TRIM_H
#define F4_FS_TRIM_H

#include <stdint.h>

#include "src/fs/fs.h"
#include "src/fs/perm.h"

/* On success *len is the number of bytes discarded. Errors as ext4's:
 * EPERM unless privileged (uid 0), EINVAL for a range outside the
 * filesystem, shorter than a block or a minlen above a group,
 * EOPNOTSUPP when the device cannot discard; and EROFS on a read-only
 * mount (the image is open read-only). */
int f4_trim(struct f4_fs *f4, const struct f4_cred *cred, uint64_t start,
	    uint64_t *len, uint64_t minlen);

#endif
