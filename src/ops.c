/* Owns the fuse_lowlevel_ops table and the entry/stat helpers. */
#include "config.h"

#include <string.h>

#include "ops.h"

static const struct fuse_lowlevel_ops f4_lowlevel_ops = {
	.init = f4_op_init,
	.destroy = f4_op_destroy,
	.lookup = f4_op_lookup,
	.forget = f4_op_forget,
	.forget_multi = f4_op_forget_multi,
	.getattr = f4_op_getattr,
	.readlink = f4_op_readlink,
	.access = f4_op_access,
	.opendir = f4_op_opendir,
	.readdir = f4_op_readdir,
	.readdirplus = f4_op_readdirplus,
	.releasedir = f4_op_releasedir,
	.open = f4_op_open,
	.read = f4_op_read,
	.release = f4_op_release,
	.lseek = f4_op_lseek,
	.statfs = f4_op_statfs,
	.getxattr = f4_op_getxattr,
	.listxattr = f4_op_listxattr,
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
