/* Owns fsync and fsyncdir (see fsync.h). */
#include "config.h"

#include "src/file/fsync.h"

int f4_file_fsync(struct f4_fs *f4, ext2_ino_t ino, int datasync)
{
	(void)ino;
	(void)datasync;
	/* A read-only mount has nothing of ours to make durable. With a
	 * journal the running transaction commits (two device flushes,
	 * the file's data before the commit block); without one, cached
	 * metadata goes to the image and the device is flushed. */
	if (!f4->rw)
		return 0;
	return f4_fs_commit(f4, true);
}
