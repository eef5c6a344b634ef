/* Owns file writes: allocation under the big lock, the data moved without
 * it, then the mapping committed (new blocks linked in, unwritten extents
 * converted, size and times updated). Newly allocated blocks are linked
 * into the file only after their data is written, and partial blocks of
 * new space are zero-filled, so a crash never exposes stale blocks. */
#ifndef F4_FILE_WRITE_H
#define F4_FILE_WRITE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/fs/fs.h"
#include "src/fs/perm.h"

/* What a write asks for besides the data, and what it did. */
struct f4_write_opts {
	/* in: clear setuid, and setgid as the kernel's VFS does, before
	 * the data (a write by someone without CAP_FSETID, once
	 * FUSE_HANDLE_KILLPRIV_V2 is on: FUSE_WRITE_KILL_SUIDGID); done
	 * as setattr's F4_SA_KILL_SUIDGID, in the same lock hold as the
	 * write's planning, even for 0 bytes. */
	bool kill_suidgid;
	/* out: the kill ran (a bit cleared, or none left to clear): the
	 * kernel's cached mode is stale. Stays true if the write fails. */
	bool killed;
};

/* Write len bytes at off (opts may be NULL: nothing more). *written
 * may be short when the filesystem is nearly full (like ext4, as much
 * as fits is written); 0 bytes is -ENOSPC. */
int f4_file_write(struct f4_fs *f4, const struct f4_cred *cred, ext2_ino_t ino,
		  uint64_t off, const void *buf, size_t len,
		  struct f4_write_opts *opts, size_t *written);

/* Zero [off, off + len) of the file's existing written blocks on the
 * device (no allocation). Caller holds the inode's io_lock exclusively,
 * not the big lock. */
int f4_file_zero_tail(struct f4_fs *f4, ext2_ino_t ino, uint64_t off,
		      uint64_t len);

#endif
