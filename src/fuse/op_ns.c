/* FUSE handlers that change names: mknod, mkdir, symlink, link, unlink,
 * rmdir, rename. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "src/ns/namespace.h"
#include "src/fuse/ops.h"
#include "src/ns/rename.h"

static void make(fuse_req_t req, fuse_ino_t parent, const char *name,
		 mode_t mode, dev_t rdev, const char *target)
{
	struct f4_req_groups groups;
	struct f4_cred cred;
	struct f4_make_args a = { .cred = &cred, .mode = mode, .rdev = rdev,
				  .target = target,
				  .umask = fuse_req_ctx(req)->umask };
	struct f4_attr attr;
	int ret;

	f4_req_cred(req, &cred, &groups);
	ret = f4_ns_make(f4_req_fs(req), f4_ino(parent), name, &a, &attr);
	f4_reply_entry(req, f4_fs_dirsync(f4_req_fs(req), ret), &attr);
}

void f4_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		 mode_t mode, dev_t rdev)
{
	if (!S_ISREG(mode) && !S_ISCHR(mode) && !S_ISBLK(mode) &&
	    !S_ISFIFO(mode) && !S_ISSOCK(mode)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	make(req, parent, name, mode, rdev, NULL);
}

void f4_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		 mode_t mode)
{
	make(req, parent, name, S_IFDIR | (mode & 07777), 0, NULL);
}

void f4_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		   const char *name)
{
	make(req, parent, name, S_IFLNK | 0777, 0, link);
}

void f4_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		const char *newname)
{
	struct f4_attr attr;
	int ret = f4_ns_link(f4_req_fs(req), f4_ino(ino), f4_ino(newparent),
			     newname, &attr);

	f4_reply_entry(req, f4_fs_dirsync(f4_req_fs(req), ret), &attr);
}

void f4_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct f4_fs *f4 = f4_req_fs(req);

	fuse_reply_err(req, -f4_fs_dirsync(f4, f4_ns_unlink(f4, f4_ino(parent), name)));
}

void f4_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct f4_fs *f4 = f4_req_fs(req);

	fuse_reply_err(req, -f4_fs_dirsync(f4, f4_ns_rmdir(f4, f4_ino(parent), name)));
}

void f4_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		  fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct f4_req_groups groups;
	struct f4_cred cred;
	unsigned f = 0;

	/* renameat2's flag values. */
	if (flags & ~(1u | 2u | 4u)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	f |= (flags & 1u) ? F4_RENAME_NOREPLACE : 0;
	f |= (flags & 2u) ? F4_RENAME_EXCHANGE : 0;
	f |= (flags & 4u) ? F4_RENAME_WHITEOUT : 0;
	f4_req_cred(req, &cred, &groups);
	fuse_reply_err(req, -f4_fs_dirsync(f4_req_fs(req),
			f4_ns_rename(f4_req_fs(req), &cred, f4_ino(parent), name,
				     f4_ino(newparent), newname, f)));
}
