/* FUSE handlers for file data and open files: open, create, read, write,
 * lseek (SEEK_DATA/SEEK_HOLE), flush, release, fsync, fallocate,
 * copy_file_range. Each decodes, calls one core verb, replies once. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "src/file/falloc.h"
#include "src/fuse/transport.h"
#include "src/file/read.h"
#include "src/ns/handle.h"
#include "src/fuse/ops.h"
#include "src/file/copyrange.h"
#include "src/file/fsync.h"
#include "src/file/write.h"

void f4_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct f4_fs *f4 = f4_req_fs(req);
	int ret = f4_handle_open(f4, f4_ino(ino), fi->flags);

	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	/* We are the only writer: cached pages stay valid across opens.
	 * Writes reach the image as they come, so close() needs no FLUSH
	 * round trip. */
	fi->keep_cache = 1;
	fi->noflush = 1;
	if (fuse_reply_open(req, fi) == -ENOENT)	/* interrupted: no handle */
		f4_handle_release(f4, f4_ino(ino));
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
	f4_handle_release(f4_req_fs(req), f4_ino(ino));
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

void f4_op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode, struct fuse_file_info *fi)
{
	struct f4_fs *f4 = f4_req_fs(req);
	struct f4_req_groups groups;
	struct f4_cred cred;
	struct f4_make_args a = { .cred = &cred, .mode = S_IFREG | (mode & 07777),
				  .umask = fuse_req_ctx(req)->umask };
	struct fuse_entry_param e;
	struct f4_attr attr;
	int ret;

	f4_req_cred(req, &cred, &groups);
	ret = f4_handle_create(f4, f4_ino(parent), name, &a, fi->flags, &attr);
	if (!ret && (ret = f4_fs_dirsync(f4, 0)))
		f4_handle_release(f4, attr.ino);
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	fi->keep_cache = 1;
	fi->noflush = 1;
	f4_fill_entry(req, &attr, &e);
	if (fuse_reply_create(req, &e, fi) == -ENOENT)
		f4_handle_release(f4, attr.ino);
}

void f4_op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
		 off_t off, struct fuse_file_info *fi)
{
	struct fuse_session *se = f4_sess(req)->se;	/* req dies with the reply */
	/* The kernel asks (with FUSE_HANDLE_KILLPRIV_V2 on) only when the
	 * writer lacks CAP_FSETID and it saw a bit to clear. */
	struct f4_write_opts o = { .kill_suidgid = f4_transport_kill_suidgid() };
	struct f4_req_groups groups;
	struct f4_cred cred;
	size_t written = 0;
	int ret;

	f4_req_cred(req, &cred, &groups);
	ret = off < 0 ? -EINVAL :
	      f4_file_write(f4_req_fs(req), &cred, f4_ino(ino), (uint64_t)off,
			    buf, size, &o, &written);
	if (ret)
		fuse_reply_err(req, -ret);
	else
		fuse_reply_write(req, written);
	if (o.killed)	/* the kernel still has the old mode */
		fuse_lowlevel_notify_inval_inode(se, ino, -1, 0);
}

void f4_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	/* Writes reach the image as they come: nothing is held back. */
	fuse_reply_err(req, 0);
}

void f4_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		 struct fuse_file_info *fi)
{
	fuse_reply_err(req, -f4_file_fsync(f4_req_fs(req), f4_ino(ino), datasync));
}

void f4_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
		     off_t length, struct fuse_file_info *fi)
{
	struct f4_req_groups groups;
	struct f4_cred cred;
	int ret;

	f4_req_cred(req, &cred, &groups);
	ret = offset < 0 || length <= 0 ? -EINVAL :
	      f4_file_fallocate(f4_req_fs(req), &cred, f4_ino(ino), mode,
				(uint64_t)offset, (uint64_t)length);
	fuse_reply_err(req, -ret);
}

void f4_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			   struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			   off_t off_out, struct fuse_file_info *fi_out,
			   size_t len, int flags)
{
	struct f4_req_groups groups;
	struct f4_cred cred;
	size_t copied = 0;
	int ret;

	f4_req_cred(req, &cred, &groups);
	ret = flags || off_in < 0 || off_out < 0 ? -EINVAL :
	      f4_file_copy_range(f4_req_fs(req), &cred, f4_ino(ino_in),
				 (uint64_t)off_in, f4_ino(ino_out),
				 (uint64_t)off_out, len, &copied);
	if (ret)
		fuse_reply_err(req, -ret);
	else
		fuse_reply_write(req, copied);
}
