/* Owns readdir snapshots (see dirsnap.h). */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/dir/dir.h"
#include "src/dir/dirsnap.h"
#include "src/fs/errors.h"
#include "src/inode/atime.h"
#include "src/inode/inode.h"

struct snap_ctx {
	struct f4_fs *f4;
	ext2_ino_t dir;
	struct f4_dirsnap *snap;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t ncap = *cap ? *cap : 64;
	void *n;

	if (need <= *cap)
		return 0;
	while (ncap < need)
		ncap *= 2;
	n = realloc(*p, ncap * elem);
	if (!n)
		return -ENOMEM;
	*p = n;
	*cap = ncap;
	return 0;
}

/* Without a usable type byte in the entry, ask the inode. */
static unsigned char entry_dtype(struct f4_fs *f4, const struct f4_dirent *de)
{
	struct ext2_inode_large inode;
	unsigned char dt = f4_ftype_to_dtype(de->ftype);

	if (dt != DT_UNKNOWN)
		return dt;
	if (f4_inode_read(f4, de->ino, &inode))
		return DT_UNKNOWN;
	return f4_mode_to_dtype(inode.i_mode);
}

static int add_entry(const struct f4_dirent *de, void *priv)
{
	struct snap_ctx *c = priv;
	struct f4_dirsnap *s = c->snap;
	struct f4_dirsnap_entry *e;

	/* A name with a NUL or '/' cannot be handed to the kernel (FUSE
	 * would cut it at the NUL, and fails the whole listing on a '/'):
	 * report it and list the rest, as ext4's readdir leaves such names
	 * to the VFS to reject one by one. Lookups can never match it. */
	if (memchr(de->name, '\0', de->name_len) || memchr(de->name, '/', de->name_len)) {
		f4_fs_corrupt(c->f4, c->dir, 0, "readdir",
			      "directory entry name contains NUL or '/'");
		return 0;
	}
	if (grow((void **)&s->ents, &s->cap, s->n + 1, sizeof(*s->ents)) ||
	    grow((void **)&s->names, &s->names_cap,
		 s->names_len + de->name_len + 1, 1))
		return -ENOMEM;
	e = &s->ents[s->n++];
	e->ino = de->ino;
	e->name_len = de->name_len;
	e->name_off = (uint32_t)s->names_len;
	e->dtype = entry_dtype(c->f4, de);
	memcpy(s->names + s->names_len, de->name, de->name_len);
	s->names[s->names_len + de->name_len] = '\0';
	s->names_len += de->name_len + 1u;
	return 0;
}

int f4_dirsnap_build(struct f4_fs *f4, ext2_ino_t dir, struct f4_dirsnap **out)
{
	struct f4_dirsnap *snap = calloc(1, sizeof(*snap));
	struct snap_ctx c = { .f4 = f4, .dir = dir, .snap = snap };
	struct ext2_inode_large inode;
	int ret;

	if (!snap)
		return -ENOMEM;
	f4_fs_lock(f4);
	ret = f4_inode_read(f4, dir, &inode);
	if (!ret && !S_ISDIR(inode.i_mode))
		ret = -ENOTDIR;
	if (!ret)
		ret = f4_dir_walk(f4, dir, &inode, add_entry, &c);
	if (!ret)
		f4_inode_touch_atime(f4, dir, &inode);
	f4_fs_unlock(f4);
	if (ret) {
		f4_dirsnap_free(snap);
		return ret;
	}
	*out = snap;
	return 0;
}

void f4_dirsnap_free(struct f4_dirsnap *snap)
{
	if (!snap)
		return;
	free(snap->ents);
	free(snap->names);
	free(snap);
}
