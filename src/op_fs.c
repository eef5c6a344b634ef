/* FUSE handlers for the filesystem as a whole: init, destroy, statfs,
 * ioctl. */
#include "config.h"

#include <errno.h>
#include <sys/ioctl.h>
#include <sys/statvfs.h>

#include "../compat/fs_ioctl.h"
#include "log.h"
#include "node.h"
#include "ops.h"

void f4_op_init(void *userdata, struct fuse_conn_info *conn)
{
	unsigned want = FUSE_CAP_EXPORT_SUPPORT | FUSE_CAP_CACHE_SYMLINKS |
			FUSE_CAP_IOCTL_DIR | FUSE_CAP_POSIX_ACL |
			FUSE_CAP_READDIRPLUS | FUSE_CAP_PARALLEL_DIROPS |
			FUSE_CAP_ASYNC_READ;

	conn->want |= want & conn->capable;
	/* O_TRUNC arrives as a setattr, and the kernel clears setuid and
	 * setgid bits itself (folding it into the setattr it sends). */
	conn->want &= ~(unsigned)(FUSE_CAP_ATOMIC_O_TRUNC | FUSE_CAP_HANDLE_KILLPRIV);
	/* ext4 keeps nanoseconds. */
	conn->time_gran = 1;
	f4_dbg("init: protocol %u.%u, capable 0x%x, want 0x%x",
	       conn->proto_major, conn->proto_minor, conn->capable, conn->want);
}

void f4_op_destroy(void *userdata)
{
	struct f4_session *s = userdata;

	f4_dbg("destroy: lock taken %llu times, held %llu us in all, %llu us at most",
	       (unsigned long long)s->f4->lock_stats.acquisitions,
	       (unsigned long long)s->f4->lock_stats.total_hold_ns / 1000,
	       (unsigned long long)s->f4->lock_stats.max_hold_ns / 1000);
}

void f4_op_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct f4_statfs fs;
	struct statvfs st = { 0 };
	int ret = f4_fs_statfs(f4_req_fs(req), &fs);

	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	st.f_bsize = fs.bsize;
	st.f_frsize = fs.bsize;
	st.f_blocks = fs.blocks;
	st.f_bfree = fs.bfree;
	st.f_bavail = fs.bavail;
	st.f_files = fs.files;
	st.f_ffree = fs.ffree;
	st.f_favail = fs.ffree;
	st.f_fsid = fs.fsid;
	st.f_namemax = fs.namemax;
	fuse_reply_statfs(req, &st);
}

void f4_op_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void *arg,
		 struct fuse_file_info *fi, unsigned flags, const void *in_buf,
		 size_t in_bufsz, size_t out_bufsz)
{
	uint32_t fl;
	int ret;

	if (cmd != F4_FS_IOC_GETFLAGS) {
		fuse_reply_err(req, ENOTTY);
		return;
	}
	if (out_bufsz < sizeof(fl)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	ret = f4_node_get_flags(f4_req_fs(req), f4_ino(ino), &fl);
	if (ret)
		fuse_reply_err(req, -ret);
	else
		fuse_reply_ioctl(req, 0, &fl, sizeof(fl));
}
