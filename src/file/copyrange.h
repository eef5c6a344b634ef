/* Owns copy_file_range done inside the server: the data is read and
 * written through the file read and write paths, never through the
 * kernel's page cache. */
#ifndef F4_FILE_COPYRANGE_H
#define F4_FILE_COPYRANGE_H

#include <stddef.h>
#include <stdint.h>

#include "src/fs/fs.h"
#include "src/fs/perm.h"

/* Copy len bytes from (in, off_in) to (out, off_out); *copied may be
 * short at the source's end of file. Overlapping ranges of one file are
 * -EINVAL. Returns 0 once anything was copied. */
int f4_file_copy_range(struct f4_fs *f4, const struct f4_cred *cred,
		       ext2_ino_t in, uint64_t off_in, ext2_ino_t out,
		       uint64_t off_out, size_t len, size_t *copied);

#endif
