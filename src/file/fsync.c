/* Owns fsync and fsyncdir (see fsync.h). */
#include "config.h"

#include "src/file/fsync.h"

int f4_file_fsync(struct f4_fs *f4, ext2_ino_t ino, int datasync)
{
	int ret;

	(void)ino;
	(void)datasync;
	/* A read-only mount has nothing of ours to make durable. Cached
	 * metadata goes to the image under the lock, then the image is
	 * flushed without it: other requests go on meanwhile. */
	if (!f4->rw)
		return 0;
	ret = f4_fs_writeback(f4);
	return ret ? ret : f4_dev_sync(&f4->dev);
}
