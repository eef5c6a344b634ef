/* FUSE handlers for directory listings: opendir, readdir, readdirplus,
 * releasedir, and fsyncdir. A listing is served from a snapshot taken at offset 0 (see
 * dirsnap.h); offsets are entry index + 1. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/dir/dirsnap.h"
#include "src/ns/node.h"
#include "src/fuse/ops.h"
#include "src/file/fsync.h"

struct dir_handle {
	struct f4_dirsnap *snap;
};

void f4_op_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dir_handle *dh;
	struct f4_attr a;
	int ret = f4_node_getattr(f4_req_fs(req), f4_ino(ino), &a);

	if (!ret && !S_ISDIR(a.st.st_mode))
		ret = -ENOTDIR;
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	dh = calloc(1, sizeof(*dh));
	if (!dh) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	fi->fh = (uintptr_t)dh;
	/* The kernel may cache listings; it drops them when the directory
	 * changes through this mount, the only writer. */
	fi->cache_readdir = 1;
	fi->keep_cache = 1;
	if (fuse_reply_open(req, fi) == -ENOENT)
		free(dh);
}

static struct dir_handle *handle_of(struct fuse_file_info *fi)
{
	return (struct dir_handle *)(uintptr_t)fi->fh;
}

/* (Re)take the snapshot when a listing starts. */
static int ensure_snapshot(fuse_req_t req, fuse_ino_t ino,
			   struct dir_handle *dh, off_t off)
{
	if (dh->snap && off != 0)
		return 0;
	f4_dirsnap_free(dh->snap);
	dh->snap = NULL;
	return f4_dirsnap_build(f4_req_fs(req), f4_ino(ino), &dh->snap);
}

static bool is_dot_or_dotdot(const char *name)
{
	return name[0] == '.' && (!name[1] || (name[1] == '.' && !name[2]));
}

/* Add entry i; returns the bytes used or 0 when it does not fit. */
static size_t add_plain(fuse_req_t req, const struct f4_dirsnap *s, size_t i,
			char *buf, size_t room)
{
	struct stat st = { 0 };

	st.st_ino = s->ents[i].ino;
	st.st_mode = (mode_t)s->ents[i].dtype << 12;
	return fuse_add_direntry(req, buf, room, f4_dirsnap_name(s, i), &st,
				 (off_t)(i + 1));
}

static size_t add_plus(fuse_req_t req, const struct f4_dirsnap *s, size_t i,
		       char *buf, size_t room)
{
	const char *name = f4_dirsnap_name(s, i);
	struct fuse_entry_param e = { 0 };
	struct f4_fs *f4 = f4_req_fs(req);
	struct f4_attr a;
	size_t used;

	/* "." and ".." carry no attributes and take no reference; an entry
	 * whose inode cannot be read is listed without attributes too. */
	if (is_dot_or_dotdot(name) ||
	    f4_node_getattr(f4, s->ents[i].ino, &a) != 0) {
		e.attr.st_ino = s->ents[i].ino;
		e.attr.st_mode = (mode_t)s->ents[i].dtype << 12;
		return fuse_add_direntry_plus(req, buf, room, name, &e,
					      (off_t)(i + 1));
	}
	f4_fill_entry(req, &a, &e);
	used = fuse_add_direntry_plus(req, buf, room, name, &e, (off_t)(i + 1));
	if (used <= room && f4_node_ref(f4, a.ino) != 0)
		return 0;
	return used;
}

typedef size_t (*add_fn)(fuse_req_t req, const struct f4_dirsnap *s, size_t i,
			 char *buf, size_t room);

static void do_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi, add_fn add)
{
	struct dir_handle *dh = handle_of(fi);
	size_t pos = 0, i;
	char *buf;
	int ret;

	ret = ensure_snapshot(req, ino, dh, off);
	if (ret) {
		fuse_reply_err(req, -ret);
		return;
	}
	buf = malloc(size);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (i = off < 0 ? 0 : (size_t)off; i < dh->snap->n; i++) {
		size_t used = add(req, dh->snap, i, buf + pos, size - pos);

		if (!used || used > size - pos)
			break;
		pos += used;
	}
	fuse_reply_buf(req, buf, pos);
	free(buf);
}

void f4_op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, add_plain);
}

void f4_op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	do_readdir(req, ino, size, off, fi, add_plus);
}

void f4_op_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dir_handle *dh = handle_of(fi);

	f4_dirsnap_free(dh->snap);
	free(dh);
	fuse_reply_err(req, 0);
}

void f4_op_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
		    struct fuse_file_info *fi)
{
	fuse_reply_err(req, -f4_file_fsync(f4_req_fs(req), f4_ino(ino), datasync));
}
