/* FUSE handlers for the filesystem as a whole: init, destroy, statfs,
 * ioctl. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/statvfs.h>

#include "compat/fs_ioctl.h"
#include "src/inode/iflags.h"
#include "src/base/log.h"
#include "src/fuse/ops.h"
#include "src/fs/trim.h"

union f4_ioctl_buf {
	uint32_t fl;
	struct f4_fsxattr_abi fsx;
	struct f4_fstrim_range_abi trim;
};

/* Big requests: one FUSE read or write moves up to this much. */
#define F4_MAX_IO (1u << 20)

void f4_op_init(void *userdata, struct fuse_conn_info *conn)
{
	struct f4_session *s = userdata;
	unsigned want = FUSE_CAP_EXPORT_SUPPORT | FUSE_CAP_CACHE_SYMLINKS |
			FUSE_CAP_IOCTL_DIR |
			FUSE_CAP_READDIRPLUS | FUSE_CAP_PARALLEL_DIROPS |
			FUSE_CAP_ASYNC_READ | FUSE_CAP_ASYNC_DIO |
			/* the umask is ours to apply, after default ACLs */
			FUSE_CAP_DONT_MASK;

	/* POSIX ACL support makes the kernel check permissions (modes and
	 * ACLs) itself; -o fakeroot is precisely not to. */
	if (!s->fakeroot)
		want |= FUSE_CAP_POSIX_ACL;
	if (s->writeback_cache)
		want |= FUSE_CAP_WRITEBACK_CACHE;
	conn->want |= want & conn->capable;
	conn->max_write = F4_MAX_IO;
	conn->max_readahead = F4_MAX_IO;
	/* Let the kernel keep many reads and writebacks in flight. */
	conn->max_background = 64;
	conn->congestion_threshold = 48;
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

/* The ioctls we serve, decoded into core calls. Returns 0 or -errno and
 * sets *outlen to the bytes of out to send back. */
static int do_ioctl(fuse_req_t req, ext2_ino_t ino, unsigned cmd,
		    const void *in, size_t insz, size_t outsz,
		    union f4_ioctl_buf *out, size_t *outlen)
{
	struct f4_fs *f4 = f4_req_fs(req);
	struct f4_cred cred;	/* only the uid matters: privilege, owner */
	struct f4_fsxattr fa = { 0 };
	struct f4_fsxattr_abi x;
	uint32_t fl;
	int ret;

	f4_req_cred_ids(req, &cred);
	switch (cmd) {
	case F4_FS_IOC_GETFLAGS:
		if (outsz < sizeof(out->fl))
			return -EINVAL;
		*outlen = sizeof(out->fl);
		return f4_iflags_get(f4, ino, &out->fl);
	case F4_FS_IOC_SETFLAGS:
		if (insz < sizeof(fl))
			return -EINVAL;
		memcpy(&fl, in, sizeof(fl));
		return f4_iflags_set(f4, &cred, ino, fl);
	case F4_FS_IOC_FSGETXATTR:
		if (outsz < sizeof(out->fsx))
			return -EINVAL;
		ret = f4_iflags_fsget(f4, ino, &fa);
		out->fsx = (struct f4_fsxattr_abi){
			.fsx_xflags = fa.xflags, .fsx_extsize = fa.extsize,
			.fsx_nextents = fa.nextents, .fsx_projid = fa.projid,
			.fsx_cowextsize = fa.cowextsize };
		*outlen = sizeof(out->fsx);
		return ret;
	case F4_FS_IOC_FSSETXATTR:
		if (insz < sizeof(x))
			return -EINVAL;
		memcpy(&x, in, sizeof(x));
		fa = (struct f4_fsxattr){
			.xflags = x.fsx_xflags, .extsize = x.fsx_extsize,
			.nextents = x.fsx_nextents, .projid = x.fsx_projid,
			.cowextsize = x.fsx_cowextsize };
		return f4_iflags_fsset(f4, &cred, ino, &fa);
	case F4_FITRIM:
		if (insz < sizeof(out->trim) || outsz < sizeof(out->trim))
			return -EINVAL;
		memcpy(&out->trim, in, sizeof(out->trim));
		*outlen = sizeof(out->trim);
		return f4_trim(f4, &cred, out->trim.start, &out->trim.len,
			       out->trim.minlen);
	default:
		return -ENOTTY;
	}
}

void f4_op_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void *arg,
		 struct fuse_file_info *fi, unsigned flags, const void *in_buf,
		 size_t in_bufsz, size_t out_bufsz)
{
	struct fuse_session *se = f4_sess(req)->se;
	union f4_ioctl_buf out;
	size_t outlen = 0;
	int ret;

	memset(&out, 0, sizeof(out));
	ret = do_ioctl(req, f4_ino(ino), cmd, in_buf, in_bufsz, out_bufsz, &out,
		       &outlen);
	if (ret)
		fuse_reply_err(req, -ret);
	else
		fuse_reply_ioctl(req, 0, outlen ? &out : NULL, outlen);
	/* The kernel caches attributes: a flag change moved ctime (and a
	 * mapping conversion the block count). */
	if (!ret && (cmd == F4_FS_IOC_SETFLAGS || cmd == F4_FS_IOC_FSSETXATTR))
		fuse_lowlevel_notify_inval_inode(se, ino, -1, 0);
}
