/* Owns the fuse_lowlevel_ops table and the entry/stat helpers. */
#include "config.h"

#include <string.h>

#include "src/fuse/ops.h"

static const struct fuse_lowlevel_ops f4_lowlevel_ops = {
	.init = f4_op_init,
	.destroy = f4_op_destroy,
	.lookup = f4_op_lookup,
	.forget = f4_op_forget,
	.forget_multi = f4_op_forget_multi,
	.getattr = f4_op_getattr,
	.readlink = f4_op_readlink,
	.access = f4_op_access,
	.setattr = f4_op_setattr,
	.mknod = f4_op_mknod,
	.mkdir = f4_op_mkdir,
	.symlink = f4_op_symlink,
	.link = f4_op_link,
	.unlink = f4_op_unlink,
	.rmdir = f4_op_rmdir,
	.rename = f4_op_rename,
	.opendir = f4_op_opendir,
	.readdir = f4_op_readdir,
	.readdirplus = f4_op_readdirplus,
	.releasedir = f4_op_releasedir,
	.fsyncdir = f4_op_fsyncdir,
	.open = f4_op_open,
	.read = f4_op_read,
	.release = f4_op_release,
	.lseek = f4_op_lseek,
	.create = f4_op_create,
	.write = f4_op_write,
	.flush = f4_op_flush,
	.fsync = f4_op_fsync,
	.fallocate = f4_op_fallocate,
	.copy_file_range = f4_op_copy_file_range,
	.statfs = f4_op_statfs,
	.getxattr = f4_op_getxattr,
	.listxattr = f4_op_listxattr,
	.setxattr = f4_op_setxattr,
	.removexattr = f4_op_removexattr,
	.ioctl = f4_op_ioctl,
};

const struct fuse_lowlevel_ops *f4_ops(void)
{
	return &f4_lowlevel_ops;
}

/* st_ino stays the ext4 inode number (the root shows as 2, as with the
 * kernel's driver); only the node id is remapped. */
void f4_fill_stat(const struct f4_attr *a, struct stat *st)
{
	*st = a->st;
}

void f4_req_cred_ids(fuse_req_t req, struct f4_cred *cred)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	bool fakeroot = f4_sess(req)->fakeroot;

	cred->uid = fakeroot ? 0 : ctx->uid;
	cred->gid = fakeroot ? 0 : ctx->gid;
	cred->groups = NULL;
	cred->ngroups = 0;
	cred->lazy = NULL;
}

static int fetch_groups(void *ctx, gid_t *out, int max)
{
	return fuse_req_getgroups(ctx, max, out);
}

void f4_req_cred(fuse_req_t req, struct f4_cred *cred,
		 struct f4_req_groups *groups)
{
	f4_req_cred_ids(req, cred);
	if (f4_sess(req)->fakeroot)
		return;
	groups->lazy = (struct f4_lazy_groups){
		.fetch = fetch_groups, .ctx = req, .buf = groups->buf,
		.max = F4_MAX_GROUPS, .n = -1,
	};
	cred->lazy = &groups->lazy;
}

void f4_reply_entry(fuse_req_t req, int ret, const struct f4_attr *a)
{
	struct fuse_entry_param e;

	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	f4_fill_entry(req, a, &e);
	fuse_reply_entry(req, &e);
}

void f4_fill_entry(fuse_req_t req, const struct f4_attr *a,
		   struct fuse_entry_param *e)
{
	struct f4_session *s = f4_sess(req);

	memset(e, 0, sizeof(*e));
	e->ino = f4_nodeid(a->ino);
	e->generation = a->generation;
	f4_fill_stat(a, &e->attr);
	e->attr_timeout = s->attr_timeout;
	e->entry_timeout = s->entry_timeout;
}
