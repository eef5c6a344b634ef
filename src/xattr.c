/* Owns xattr reads (see xattr.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inode.h"
#include "xattr.h"

bool f4_xattr_is_internal(const char *name)
{
	return strcmp(name, "system.data") == 0;
}

/* Open and read all of ino's xattrs. Caller holds the lock. */
static int open_xattrs(struct f4_fs *f4, ext2_ino_t ino,
		       struct ext2_xattr_handle **h)
{
	struct ext2_inode_large inode;
	errcode_t err;
	int ret;

	ret = f4_inode_read(f4, ino, &inode);	/* validates ino */
	if (ret)
		return ret;
	err = ext2fs_xattrs_open(f4->fs, ino, h);
	if (err)
		return f4_fs_errcode(f4, ino, err, "xattr_open");
	err = ext2fs_xattrs_read_inode(*h, &inode);
	if (err) {
		ext2fs_xattrs_close(h);
		return f4_fs_errcode(f4, ino, err, "xattr_read");
	}
	return 0;
}

int f4_xattr_get(struct f4_fs *f4, ext2_ino_t ino, const char *name,
		 void **value, size_t *len)
{
	struct ext2_xattr_handle *h = NULL;
	errcode_t err;
	int ret;

	if (f4_xattr_is_internal(name))
		return -ENODATA;
	f4_fs_lock(f4);
	ret = open_xattrs(f4, ino, &h);
	if (!ret) {
		err = ext2fs_xattr_get(h, name, value, len);
		ret = err == EXT2_ET_EA_KEY_NOT_FOUND ? -ENODATA :
		      f4_fs_errcode(f4, ino, err, "xattr_get");
		ext2fs_xattrs_close(&h);
	}
	f4_fs_unlock(f4);
	return ret;
}

struct list_ctx {
	char *buf;
	size_t len, cap;
	bool show_trusted;
	int err;
};

static int list_one(char *name, char *value, size_t value_len, void *data)
{
	struct list_ctx *c = data;
	size_t n = strlen(name) + 1;

	if (f4_xattr_is_internal(name) ||
	    (!c->show_trusted && !strncmp(name, "trusted.", 8)))
		return 0;
	if (c->len + n > c->cap) {
		size_t ncap = c->cap ? c->cap * 2 : 256;
		char *nb;

		while (ncap < c->len + n)
			ncap *= 2;
		nb = realloc(c->buf, ncap);
		if (!nb) {
			c->err = -ENOMEM;
			return XATTR_ABORT;
		}
		c->buf = nb;
		c->cap = ncap;
	}
	memcpy(c->buf + c->len, name, n);
	c->len += n;
	return 0;
}

int f4_xattr_list(struct f4_fs *f4, ext2_ino_t ino, bool show_trusted,
		  char **names, size_t *len)
{
	struct list_ctx c = { .show_trusted = show_trusted };
	struct ext2_xattr_handle *h = NULL;
	errcode_t err;
	int ret;

	f4_fs_lock(f4);
	ret = open_xattrs(f4, ino, &h);
	if (!ret) {
		err = ext2fs_xattrs_iterate(h, list_one, &c);
		ret = c.err ? c.err : f4_fs_errcode(f4, ino, err, "xattr_list");
		ext2fs_xattrs_close(&h);
	}
	f4_fs_unlock(f4);
	if (ret) {
		free(c.buf);
		return ret;
	}
	*names = c.buf;
	*len = c.len;
	return 0;
}
