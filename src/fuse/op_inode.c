/* FUSE handlers for inodes: lookup, forget, forget_multi, getattr,
 * setattr, readlink, access. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "src/ns/node.h"
#include "src/fuse/ops.h"
#include "src/fs/perm.h"
#include "src/fuse/transport.h"
#include "src/ns/setattr.h"

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

static void decode_setattr(const struct stat *attr, int to_set,
			   struct f4_setattr *sa)
{
	static const struct { int fuse; unsigned ours; } map[] = {
		{ FUSE_SET_ATTR_MODE, F4_SA_MODE },
		{ FUSE_SET_ATTR_UID, F4_SA_UID },
		{ FUSE_SET_ATTR_GID, F4_SA_GID },
		{ FUSE_SET_ATTR_SIZE, F4_SA_SIZE },
		{ FUSE_SET_ATTR_ATIME, F4_SA_ATIME },
		{ FUSE_SET_ATTR_MTIME, F4_SA_MTIME },
		{ FUSE_SET_ATTR_ATIME_NOW, F4_SA_ATIME_NOW },
		{ FUSE_SET_ATTR_MTIME_NOW, F4_SA_MTIME_NOW },
		{ FUSE_SET_ATTR_CTIME, F4_SA_CTIME },
	};
	size_t i;

	memset(sa, 0, sizeof(*sa));
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (to_set & map[i].fuse)
			sa->valid |= map[i].ours;
	sa->mode = attr->st_mode;
	sa->uid = attr->st_uid;
	sa->gid = attr->st_gid;
	sa->size = (uint64_t)attr->st_size;
	sa->atime = attr->st_atim;
	sa->mtime = attr->st_mtim;
	sa->ctime = attr->st_ctim;
}

void f4_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		   int to_set, struct fuse_file_info *fi)
{
	struct f4_req_groups groups;
	struct f4_cred cred;
	struct f4_setattr sa;
	struct f4_attr a;
	struct stat st;
	int ret;

	decode_setattr(attr, to_set, &sa);
	if ((to_set & FUSE_SET_ATTR_KILL_SUID) || f4_transport_kill_suidgid()) {
		f4_req_cred(req, &cred, &groups);
		sa.valid |= F4_SA_KILL_SUIDGID;
		sa.cred = &cred;
	}
	if ((sa.valid & F4_SA_SIZE) && attr->st_size < 0)
		ret = -EINVAL;
	else
		ret = f4_node_setattr(f4_req_fs(req), f4_ino(ino), &sa, &a);
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

void f4_op_access(fuse_req_t req, fuse_ino_t ino, int mask)
{
	struct f4_req_groups groups;
	struct f4_cred cred;
	struct f4_attr a;
	int ret;

	ret = f4_node_getattr(f4_req_fs(req), f4_ino(ino), &a);
	if (!ret && (mask & W_OK))
		ret = f4_fs_writable(f4_req_fs(req));
	if (!ret) {
		f4_req_cred(req, &cred, &groups);
		ret = f4_perm_check(&a.st, &cred, mask);
	}
	fuse_reply_err(req, -ret);
}
