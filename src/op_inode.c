/* FUSE handlers for inodes: lookup, forget, getattr, readlink, access. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "node.h"
#include "ops.h"
#include "perm.h"

void f4_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	struct f4_attr a;
	int ret = f4_node_lookup(f4_req_fs(req), f4_ino(parent), name, &a);

	if (ret == -ENOENT) {
		/* A negative entry the kernel may cache. */
		memset(&e, 0, sizeof(e));
		e.entry_timeout = f4_sess(req)->entry_timeout;
		fuse_reply_entry(req, &e);
		return;
	}
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	f4_fill_entry(req, &a, &e);
	fuse_reply_entry(req, &e);
}

void f4_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	f4_node_forget(f4_req_fs(req), f4_ino(ino), nlookup);
	fuse_reply_none(req);
}

void f4_op_forget_multi(fuse_req_t req, size_t count,
			struct fuse_forget_data *forgets)
{
	size_t i;

	for (i = 0; i < count; i++)
		f4_node_forget(f4_req_fs(req), f4_ino(forgets[i].ino),
			       forgets[i].nlookup);
	fuse_reply_none(req);
}

void f4_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct f4_attr a;
	struct stat st;
	int ret = f4_node_getattr(f4_req_fs(req), f4_ino(ino), &a);

	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	f4_fill_stat(&a, &st);
	fuse_reply_attr(req, &st, f4_sess(req)->attr_timeout);
}

void f4_op_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char *target = NULL;
	int ret = f4_node_readlink(f4_req_fs(req), f4_ino(ino), &target);

	if (ret)
		fuse_reply_err(req, -ret);
	else
		fuse_reply_readlink(req, target);
	free(target);
}

#define F4_MAX_GROUPS 256

void f4_op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	gid_t groups[F4_MAX_GROUPS];
	struct f4_cred cred = { .uid = ctx->uid, .gid = ctx->gid,
				.groups = groups };
	struct f4_attr a;
	int ret;

	ret = f4_node_getattr(f4_req_fs(req), f4_ino(ino), &a);
	if (!ret && (mask & W_OK))
		ret = f4_fs_writable(f4_req_fs(req));
	if (!ret) {
		cred.ngroups = fuse_req_getgroups(req, F4_MAX_GROUPS, groups);
		if (cred.ngroups < 0 || cred.ngroups > F4_MAX_GROUPS)
			cred.ngroups = 0;
		ret = f4_perm_check(&a.st, &cred, mask);
	}
	fuse_reply_err(req, -ret);
}
