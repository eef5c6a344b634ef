/* The FUSE glue: the one fuse_lowlevel_ops table and the thin handlers
 * behind it (op_*.c). A handler decodes the request, calls the core,
 * replies exactly once. Shared helpers live here. */
#ifndef F4_FUSE_OPS_H
#define F4_FUSE_OPS_H

#define FUSE_USE_VERSION 312
#include <fuse_lowlevel.h>

#include "src/fs/fs.h"
#include "src/inode/inode.h"
#include "src/fs/perm.h"

/* Per-mount state the handlers need beyond the core. */
struct f4_session {
	struct f4_fs *f4;
	struct fuse_session *se;
	double entry_timeout;
	double attr_timeout;
	bool writeback_cache;	/* -o writeback_cache */
	bool fakeroot;		/* -o fakeroot: every caller is root to us */
};

const struct fuse_lowlevel_ops *f4_ops(void);

static inline struct f4_session *f4_sess(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

static inline struct f4_fs *f4_req_fs(fuse_req_t req)
{
	return f4_sess(req)->f4;
}

/* FUSE's root node id is 1, ext4's root inode is 2: swap the two (inode 1,
 * the bad-blocks inode, is never handed out, so the swap is safe). */
static inline ext2_ino_t f4_ino(fuse_ino_t nodeid)
{
	if (nodeid == FUSE_ROOT_ID)
		return EXT2_ROOT_INO;
	if (nodeid == EXT2_ROOT_INO)
		return FUSE_ROOT_ID;
	return nodeid > UINT32_MAX ? 0 : (ext2_ino_t)nodeid;
}

static inline fuse_ino_t f4_nodeid(ext2_ino_t ino)
{
	return f4_ino(ino);
}

/* The requester's credentials, valid until the reply. Ids as the kernel
 * sends them (see idmap.h); with -o fakeroot, root's (0:0, no
 * supplementary groups). The supplementary groups are looked up (in
 * /proc) only if something asks, into space the caller provides. */
#define F4_MAX_GROUPS 256
struct f4_req_groups {
	struct f4_lazy_groups lazy;
	gid_t buf[F4_MAX_GROUPS];
};
void f4_req_cred(fuse_req_t req, struct f4_cred *cred,
		 struct f4_req_groups *groups);
/* The same without the supplementary groups (none). */
void f4_req_cred_ids(fuse_req_t req, struct f4_cred *cred);

/* Reply with an entry for a new or found inode, or the error. */
void f4_reply_entry(fuse_req_t req, int ret, const struct f4_attr *a);

/* Fill a FUSE entry from core attributes (node id, generation, timeouts). */
void f4_fill_entry(fuse_req_t req, const struct f4_attr *a,
		   struct fuse_entry_param *e);
/* The stat to send for an attr. */
void f4_fill_stat(const struct f4_attr *a, struct stat *st);

/* FUSE_STATX, answered from our transport (op_extra.c): 0 with out
 * filled, or -errno. */
struct f4_fuse_statx_out;
int f4_op_statx(struct f4_session *sess, uint64_t nodeid,
		struct f4_fuse_statx_out *out);

/* FUSE_SYNCFS, answered from our transport: 0 or -errno. */
int f4_op_syncfs(struct f4_session *sess);

/* Handlers, by family. */
void f4_op_init(void *userdata, struct fuse_conn_info *conn);
void f4_op_destroy(void *userdata);
void f4_op_statfs(fuse_req_t req, fuse_ino_t ino);
void f4_op_ioctl(fuse_req_t req, fuse_ino_t ino, unsigned int cmd, void *arg,
		 struct fuse_file_info *fi, unsigned flags, const void *in_buf,
		 size_t in_bufsz, size_t out_bufsz);

void f4_op_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void f4_op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void f4_op_forget_multi(fuse_req_t req, size_t count,
			struct fuse_forget_data *forgets);
void f4_op_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void f4_op_readlink(fuse_req_t req, fuse_ino_t ino);
void f4_op_access(fuse_req_t req, fuse_ino_t ino, int mask);
void f4_op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		   int to_set, struct fuse_file_info *fi);
void f4_op_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		 mode_t mode, dev_t rdev);
void f4_op_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		 mode_t mode);
void f4_op_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
		   const char *name);
void f4_op_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		const char *newname);
void f4_op_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void f4_op_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void f4_op_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		  fuse_ino_t newparent, const char *newname, unsigned int flags);

void f4_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void f4_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi);
void f4_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi);
void f4_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void f4_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		    struct fuse_file_info *fi);

void f4_op_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void f4_op_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		struct fuse_file_info *fi);
void f4_op_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void f4_op_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		 struct fuse_file_info *fi);
void f4_op_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode, struct fuse_file_info *fi);
void f4_op_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size,
		 off_t off, struct fuse_file_info *fi);
void f4_op_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void f4_op_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		 struct fuse_file_info *fi);
void f4_op_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t offset,
		     off_t length, struct fuse_file_info *fi);
void f4_op_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
			   struct fuse_file_info *fi_in, fuse_ino_t ino_out,
			   off_t off_out, struct fuse_file_info *fi_out,
			   size_t len, int flags);

void f4_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		    size_t size);
void f4_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void f4_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		    const char *value, size_t size, int flags);
void f4_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

#endif
