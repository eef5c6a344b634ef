/* FUSE handlers for open files: open, read, release, lseek. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "file.h"
#include "icache.h"
#include "ops.h"

void f4_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct f4_fs *f4 = f4_req_fs(req);
	int ret = f4_file_open_check(f4, f4_ino(ino), fi->flags);

	if (!ret)
		ret = f4_icache_open(f4->icache, f4_ino(ino));
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	/* We are the only writer: cached pages stay valid across opens. */
	fi->keep_cache = 1;
	if (fuse_reply_open(req, fi) == -ENOENT)
		f4_icache_close(f4->icache, f4_ino(ino));
}

void f4_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		struct fuse_file_info *fi)
{
	char *buf = malloc(size ? size : 1);
	size_t got = 0;
	int ret;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	ret = off < 0 ? -EINVAL :
	      f4_file_read(f4_req_fs(req), f4_ino(ino), (uint64_t)off, size,
			   buf, &got);
	if (ret)
		fuse_reply_err(req, -ret);
	else
		fuse_reply_buf(req, buf, got);
	free(buf);
}

void f4_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	f4_icache_close(f4_req_fs(req)->icache, f4_ino(ino));
	fuse_reply_err(req, 0);
}

void f4_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		 struct fuse_file_info *fi)
{
	uint64_t result = 0;
	int ret;

	if ((whence != SEEK_DATA && whence != SEEK_HOLE) || off < 0)
		ret = -EINVAL;
	else
		ret = f4_file_seek(f4_req_fs(req), f4_ino(ino), (uint64_t)off,
				   whence, &result);
	if (ret)
		fuse_reply_err(req, -ret);
	else
		fuse_reply_lseek(req, (off_t)result);
}
