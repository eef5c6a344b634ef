/* Owns the fake kernel's helpers for the common FUSE operations (see
 * fk.h): each lays out the request as the kernel does and checks that
 * the reply has exactly the size the protocol gives it. */
#include <errno.h>
#include <string.h>

#include "fk.h"

/* A call with IOV whose reply payload must be OUTLEN bytes. */
static int fk_call_iov(struct f4_fk *fk, uint32_t opcode, uint64_t nodeid,
		       const struct iovec *iov, int n, void *out, size_t outlen)
{
	struct f4_fk_reply r;
	int ret = f4_fk_call(fk, opcode, nodeid, iov, n, &r);

	if (ret)
		return ret;
	ret = r.hdr.error;
	if (!ret && r.len != outlen)
		ret = -EBADMSG;
	if (!ret && outlen)
		memcpy(out, r.data, outlen);
	f4_fk_reply_free(&r);
	return ret;
}

int f4_fk_call_fixed(struct f4_fk *fk, uint32_t opcode, uint64_t nodeid,
		     const void *arg, size_t arglen, void *out, size_t outlen)
{
	struct iovec v = { (void *)arg, arglen };

	return fk_call_iov(fk, opcode, nodeid, &v, arg ? 1 : 0, out, outlen);
}

int f4_fk_lookup(struct f4_fk *fk, uint64_t parent, const char *name,
		 struct fuse_entry_out *out)
{
	return f4_fk_call_fixed(fk, FUSE_LOOKUP, parent, name, strlen(name) + 1,
				out, sizeof(*out));
}

int f4_fk_getattr(struct f4_fk *fk, uint64_t nodeid, struct fuse_attr_out *out)
{
	struct fuse_getattr_in in = { 0 };

	return f4_fk_call_fixed(fk, FUSE_GETATTR, nodeid, &in, sizeof(in),
				out, sizeof(*out));
}

/* Returns the target's length (BUF gets it NUL-terminated) or -errno;
 * -ERANGE when it does not fit in SIZE. */
int f4_fk_readlink(struct f4_fk *fk, uint64_t nodeid, char *buf, size_t size)
{
	struct f4_fk_reply r;
	int ret = f4_fk_call(fk, FUSE_READLINK, nodeid, NULL, 0, &r);

	if (ret)
		return ret;
	ret = r.hdr.error;
	if (!ret && r.len >= size)
		ret = -ERANGE;
	if (!ret) {
		memcpy(buf, r.data, r.len);
		buf[r.len] = '\0';
		ret = (int)r.len;
	}
	f4_fk_reply_free(&r);
	return ret;
}

static int fk_open_op(struct f4_fk *fk, uint32_t opcode, uint64_t nodeid,
		      uint32_t flags, uint64_t *fh)
{
	struct fuse_open_in in = { .flags = flags };
	struct fuse_open_out out;
	int ret = f4_fk_call_fixed(fk, opcode, nodeid, &in, sizeof(in),
				   &out, sizeof(out));

	if (!ret)
		*fh = out.fh;
	return ret;
}

int f4_fk_open(struct f4_fk *fk, uint64_t nodeid, uint32_t flags, uint64_t *fh)
{
	return fk_open_op(fk, FUSE_OPEN, nodeid, flags, fh);
}

int f4_fk_opendir(struct f4_fk *fk, uint64_t nodeid, uint64_t *fh)
{
	return fk_open_op(fk, FUSE_OPENDIR, nodeid, 0, fh);
}

int f4_fk_create(struct f4_fk *fk, uint64_t parent, const char *name,
		 uint32_t flags, uint32_t mode, struct fuse_entry_out *entry,
		 uint64_t *fh)
{
	struct fuse_create_in in = { .flags = flags, .mode = mode };
	struct iovec v[2] = { { &in, sizeof(in) }, { (void *)name, strlen(name) + 1 } };
	struct {
		struct fuse_entry_out e;
		struct fuse_open_out o;
	} out;
	int ret = fk_call_iov(fk, FUSE_CREATE, parent, v, 2, &out, sizeof(out));

	if (!ret) {
		*entry = out.e;
		*fh = out.o.fh;
	}
	return ret;
}

static int fk_read_op(struct f4_fk *fk, uint32_t opcode, uint64_t nodeid,
		      uint64_t fh, uint64_t off, uint32_t size, void *buf,
		      size_t *got)
{
	struct fuse_read_in in = { .fh = fh, .offset = off, .size = size };
	struct iovec v = { &in, sizeof(in) };
	struct f4_fk_reply r;
	int ret = f4_fk_call(fk, opcode, nodeid, &v, 1, &r);

	if (ret)
		return ret;
	ret = r.hdr.error;
	if (!ret && r.len > size)
		ret = -EBADMSG;
	if (!ret) {
		memcpy(buf, r.data, r.len);
		*got = r.len;
	}
	f4_fk_reply_free(&r);
	return ret;
}

int f4_fk_read(struct f4_fk *fk, uint64_t nodeid, uint64_t fh, uint64_t off,
	       uint32_t size, void *buf, size_t *got)
{
	return fk_read_op(fk, FUSE_READ, nodeid, fh, off, size, buf, got);
}

int f4_fk_readdir(struct f4_fk *fk, uint64_t nodeid, uint64_t fh, uint64_t off,
		  int plus, void *buf, uint32_t size, size_t *got)
{
	return fk_read_op(fk, plus ? FUSE_READDIRPLUS : FUSE_READDIR, nodeid, fh,
			  off, size, buf, got);
}

int f4_fk_write(struct f4_fk *fk, uint64_t nodeid, uint64_t fh, uint64_t off,
		const void *buf, uint32_t size, uint32_t *written)
{
	struct fuse_write_in in = { .fh = fh, .offset = off, .size = size };
	struct iovec v[2] = { { &in, sizeof(in) }, { (void *)buf, size } };
	struct fuse_write_out out;
	int ret = fk_call_iov(fk, FUSE_WRITE, nodeid, v, 2, &out, sizeof(out));

	if (!ret)
		*written = out.size;
	return ret;
}

int f4_fk_fsync(struct f4_fk *fk, uint64_t nodeid, uint64_t fh, int datasync)
{
	struct fuse_fsync_in in = { .fh = fh, .fsync_flags = datasync ? 1 : 0 };

	return f4_fk_call_fixed(fk, FUSE_FSYNC, nodeid, &in, sizeof(in), NULL, 0);
}

static int fk_release_op(struct f4_fk *fk, uint32_t opcode, uint64_t nodeid,
			 uint64_t fh, uint32_t flags)
{
	struct fuse_release_in in = { .fh = fh, .flags = flags };

	return f4_fk_call_fixed(fk, opcode, nodeid, &in, sizeof(in), NULL, 0);
}

int f4_fk_release(struct f4_fk *fk, uint64_t nodeid, uint64_t fh, uint32_t flags)
{
	return fk_release_op(fk, FUSE_RELEASE, nodeid, fh, flags);
}

int f4_fk_releasedir(struct f4_fk *fk, uint64_t nodeid, uint64_t fh)
{
	return fk_release_op(fk, FUSE_RELEASEDIR, nodeid, fh, 0);
}

int f4_fk_statfs(struct f4_fk *fk, struct fuse_kstatfs *out)
{
	struct fuse_statfs_out so;
	int ret = f4_fk_call_fixed(fk, FUSE_STATFS, FUSE_ROOT_ID, NULL, 0,
				   &so, sizeof(so));

	if (!ret)
		*out = so.st;
	return ret;
}

int f4_fk_forget(struct f4_fk *fk, uint64_t nodeid, uint64_t nlookup)
{
	struct fuse_forget_in in = { .nlookup = nlookup };
	struct iovec v = { &in, sizeof(in) };

	return f4_fk_send(fk, FUSE_FORGET, nodeid, &v, 1, NULL);
}

int f4_fk_destroy(struct f4_fk *fk)
{
	return f4_fk_call_fixed(fk, FUSE_DESTROY, 0, NULL, 0, NULL, 0);
}

int f4_fk_dirent_next(const void *buf, size_t len, size_t *off, int plus,
		      const struct fuse_dirent **d,
		      const struct fuse_entry_out **e)
{
	size_t head = plus ? sizeof(struct fuse_entry_out) : 0;
	const char *p = (const char *)buf + *off;
	size_t size;

	if (*off >= len)
		return 0;
	if (len - *off < head + FUSE_NAME_OFFSET)
		return -EBADMSG;
	*d = (const void *)(p + head);
	if (e)
		*e = plus ? (const void *)p : NULL;
	size = head + FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + (size_t)(*d)->namelen);
	if ((*d)->namelen == 0 || (*d)->namelen > 1024 || size > len - *off)
		return -EBADMSG;
	*off += size;
	return 1;
}
