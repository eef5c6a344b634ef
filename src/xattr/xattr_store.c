/* Owns storing extended attributes (see xattr_store.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/fs/alloc.h"
#include "src/fs/errors.h"
#include "src/inode/inode.h"
#include "src/xattr/xattr_raw.h"
#include "src/xattr/xattr_store.h"


/* The names ext4 has handlers for, with their on-disk name index. A
 * prefix needs something after it; the ACL names are exact. */
static const struct {
	const char *prefix;
	enum f4_xattr_ns ns;
	int index;
	bool exact;
} namespaces[] = {
	{ "user.", F4_XNS_USER, 1, false },
	{ F4_XATTR_ACL_ACCESS, F4_XNS_ACL_ACCESS, 2, true },
	{ F4_XATTR_ACL_DEFAULT, F4_XNS_ACL_DEFAULT, 3, true },
	{ "trusted.", F4_XNS_TRUSTED, 4, false },
	{ "security.", F4_XNS_SECURITY, 6, false },
	{ "gnu.", F4_XNS_GNU, 10, false },
};

#define N_NAMESPACES (sizeof(namespaces) / sizeof(namespaces[0]))

int f4_xattr_classify(const char *name, enum f4_xattr_ns *ns, int *index)
{
	size_t i;

	for (i = 0; i < N_NAMESPACES; i++) {
		size_t n = strlen(namespaces[i].prefix);

		if (namespaces[i].exact ? strcmp(name, namespaces[i].prefix) :
					  strncmp(name, namespaces[i].prefix, n))
			continue;
		if (!namespaces[i].exact && name[n] == '\0')
			return -EINVAL;
		*ns = namespaces[i].ns;
		if (index)
			*index = namespaces[i].index;
		return 0;
	}
	return -EOPNOTSUPP;
}

bool f4_xattr_is_internal(const char *name)
{
	enum f4_xattr_ns ns;

	return f4_xattr_classify(name, &ns, NULL) != 0;
}

/* A filesystem without the ext_attr feature has no attributes yet (and
 * gets the feature with the first one, as with ext4). */
static bool has_xattrs(const struct f4_fs *f4)
{
	return ext2fs_has_feature_xattr(f4->fs->super) ||
	       ext2fs_has_feature_inline_data(f4->fs->super);
}

/* Open and read all of ino's xattrs, raw (ACLs as stored). Caller holds
 * the lock and has checked has_xattrs(). */
static int open_xattrs(struct f4_fs *f4, ext2_ino_t ino,
		       struct ext2_xattr_handle **h)
{
	struct ext2_inode_large inode;
	unsigned flags = XATTR_HANDLE_FLAG_RAW;
	errcode_t err;
	int ret;

	ret = f4_inode_read(f4, ino, &inode);	/* validates ino */
	if (ret)
		return ret;
	err = ext2fs_xattrs_open(f4->fs, ino, h);
	if (err)
		return f4_fs_errcode(f4, ino, err, "xattr_open");
	/* ext2fs_xattrs_read reads the whole on-disk inode itself: the
	 * in-inode attributes lie beyond struct ext2_inode_large. */
	err = ext2fs_xattrs_flags(*h, &flags, NULL);
	if (!err)
		err = ext2fs_xattrs_read(*h);
	if (err) {
		ext2fs_xattrs_close(h);
		return f4_fs_errcode(f4, ino, err, "xattr_read");
	}
	return 0;
}

int f4_xattr_open_locked(struct f4_fs *f4, ext2_ino_t ino,
			 struct ext2_xattr_handle **h)
{
	struct ext2_inode_large inode;

	*h = NULL;
	return has_xattrs(f4) ? open_xattrs(f4, ino, h) :
				f4_inode_read(f4, ino, &inode);
}

/* Copy a libext2fs allocation into a malloc'ed one we own. */
static int take_value(void *ext, size_t len, void **value)
{
	*value = malloc(len ? len : 1);
	if (*value && len)
		memcpy(*value, ext, len);
	ext2fs_free_mem(&ext);
	return *value ? 0 : -ENOMEM;
}

int f4_xattr_load_locked(struct f4_fs *f4, ext2_ino_t ino, const char *name,
			 void **value, size_t *len)
{
	struct ext2_xattr_handle *h = NULL;
	struct ext2_inode_large inode;
	void *ext = NULL;
	errcode_t err;
	int ret;

	if (!has_xattrs(f4)) {
		ret = f4_inode_read(f4, ino, &inode);
		return ret ? ret : -ENODATA;
	}
	ret = open_xattrs(f4, ino, &h);
	if (ret)
		return ret;
	err = ext2fs_xattr_get(h, name, &ext, len);
	if (err == EXT2_ET_EA_KEY_NOT_FOUND)
		ret = -ENODATA;
	else if (err)
		ret = f4_fs_errcode(f4, ino, err, "xattr_get");
	else
		ret = take_value(ext, *len, value);
	ext2fs_xattrs_close(&h);
	return ret;
}

/* ext4 keeps the reserved blocks from unprivileged users for xattr
 * blocks and EA inodes too, but libext2fs allocates without asking. So
 * ask first, when the value cannot go into the inode body and needs a
 * block or an EA inode's blocks. (Whether it would fit beside the
 * attributes already in the body is not known here: a value that might
 * fit is let through.) */
static int room_check(struct f4_fs *f4, const struct f4_cred *cred,
		      ext2_ino_t ino, const char *name, size_t len)
{
	ext2_filsys fs = f4->fs;
	unsigned isize = EXT2_INODE_SIZE(fs->super);
	struct ext2_inode_large inode;
	size_t suffix = 0, entry, body = 0;
	enum f4_xattr_ns ns;
	uint64_t need = 0;
	bool in_inode;
	int ret = f4_inode_read(f4, ino, &inode);

	if (ret)
		return ret;
	if (!f4_xattr_classify(name, &ns, NULL) && !f4_xattr_ns_is_acl(ns))
		suffix = strlen(strchr(name, '.') + 1);
	/* libext2fs moves values above this size into an EA inode. */
	in_inode = ext2fs_has_feature_ea_inode(fs->super) &&
		   len > fs->blocksize - EXT2_EXT_ATTR_LEN(3) -
			 sizeof(struct ext2_ext_attr_header) - 4;
	entry = EXT2_EXT_ATTR_LEN(suffix) + (in_inode ? 0 : EXT2_EXT_ATTR_SIZE(len));
	/* The body: after i_extra_isize, less the magic and the end mark. */
	if (isize > EXT2_GOOD_OLD_INODE_SIZE + (unsigned)inode.i_extra_isize + 8)
		body = isize - EXT2_GOOD_OLD_INODE_SIZE - inode.i_extra_isize - 8;
	if (in_inode)
		need += (len + fs->blocksize - 1) / fs->blocksize;
	if (entry > body &&
	    !ext2fs_file_acl_block(fs, (struct ext2_inode *)&inode))
		need++;
	return need ? f4_alloc_check(f4, cred, need) : 0;
}

/* The raw-table facts about name (see xattr_raw.h). */
static int scan(struct f4_fs *f4, ext2_ino_t ino, const char *name,
		struct f4_xattr_raw *r, bool want_inums)
{
	enum f4_xattr_ns ns;
	int ret = f4_xattr_classify(name, &ns, &r->index);

	r->inums = NULL;
	r->n_body = r->n_block = 0;
	r->ea_blocks = 0;
	if (ret)
		return ret;
	r->suffix = f4_xattr_ns_is_acl(ns) ? "" : strchr(name, '.') + 1;
	r->want_inums = want_inums;
	return f4_xattr_raw_scan(f4, ino, r);
}

/* Bring the inode in line with ext4 after libext2fs changed its
 * attributes: ext4 charges values in EA inodes to the inode that has
 * them (e2fsck checks i_blocks for it), and frees an xattr block once
 * nothing is left in it; libext2fs does neither. */
static int settle(struct f4_fs *f4, ext2_ino_t ino, uint64_t before,
		  const struct f4_xattr_raw *now)
{
	struct ext2_inode_large inode;
	struct ext2_inode *i = (struct ext2_inode *)&inode;
	bool empty = now->block && !now->block_entries;
	errcode_t err = 0;
	int ret;

	if (before == now->ea_blocks && !empty)
		return 0;
	ret = f4_inode_read(f4, ino, &inode);
	if (ret)
		return ret;
	if (now->ea_blocks > before)
		err = ext2fs_iblk_add_blocks(f4->fs, i, now->ea_blocks - before);
	else if (now->ea_blocks < before)
		err = ext2fs_iblk_sub_blocks(f4->fs, i, before - now->ea_blocks);
	if (!err && empty)	/* drops a reference, frees at the last */
		err = ext2fs_free_ext_attr(f4->fs, ino, &inode);
	if (err)
		return f4_fs_errcode(f4, ino, err, "xattr_settle");
	return f4_inode_write(f4, ino, &inode);
}

/* Take (delta 1) or give back (-1) a reference to each EA inode the
 * first n of inums name. */
static int ea_refs(struct f4_fs *f4, ext2_ino_t ino, const ext2_ino_t *inums,
		   unsigned n, int delta)
{
	unsigned i;
	int ret = 0;

	for (i = 0; i < n && !ret; i++)
		ret = f4_xattr_ea_ref(f4, ino, inums[i], delta);
	if (ret)	/* undo the ones done */
		while (i-- > 1)
			f4_xattr_ea_ref(f4, ino, inums[i - 1], -delta);
	return ret;
}

/* Before libext2fs changes the attributes. It copies a shared xattr
 * block before writing it but takes no reference for the EA inodes the
 * copy's entries name, while it drops the reference of a value it
 * replaces or removes: take those references first (n_shared of them).
 * And it frees the old value's EA inode unchecked: check its map. */
static int prepare(struct f4_fs *f4, const struct f4_cred *cred, ext2_ino_t ino,
		   const char *name, size_t len, bool remove,
		   struct f4_xattr_raw *raw, unsigned *n_shared)
{
	int ret;

	*n_shared = 0;
	ret = scan(f4, ino, name, raw, true);
	if (!ret && !remove)
		ret = room_check(f4, cred, ino, name, len);
	if (!ret && raw->inum)
		ret = f4_xattr_ea_check(f4, ino, raw->inum);
	if (!ret && raw->block_refcount > 1 && raw->n_block) {
		ret = ea_refs(f4, ino, raw->inums + raw->n_body, raw->n_block, 1);
		if (!ret)
			*n_shared = raw->n_block;
	}
	return ret;
}

static int store(struct f4_fs *f4, const struct f4_cred *cred, ext2_ino_t ino,
		 struct ext2_xattr_handle *h, const char *name,
		 const void *value, size_t len, bool remove)
{
	struct f4_xattr_raw raw;
	unsigned n_shared;
	uint64_t before;
	errcode_t err;
	int ret = prepare(f4, cred, ino, name, len, remove, &raw, &n_shared);

	before = raw.ea_blocks;
	if (ret)
		goto out;
	if (remove)
		err = ext2fs_xattr_remove(h, name);
	else
		err = ext2fs_xattr_set(h, name, len ? value : "", len);
	if (err == EXT2_ET_EA_NO_SPACE || err == EXT2_ET_BLOCK_ALLOC_FAIL ||
	    err == EXT2_ET_INODE_ALLOC_FAIL)
		ret = -ENOSPC;
	else if (err)
		ret = f4_fs_errcode(f4, ino, err,
				    remove ? "xattr_remove" : "xattr_set");
	if (ret) {
		if (n_shared)	/* (raw.inums is NULL without EA inodes) */
			ea_refs(f4, ino, raw.inums + raw.n_body, n_shared, -1);
		goto out;
	}
	free(raw.inums);
	ret = scan(f4, ino, name, &raw, false);
	if (!ret)
		ret = settle(f4, ino, before, &raw);
out:
	free(raw.inums);
	return ret;
}

int f4_xattr_store_locked(struct f4_fs *f4, const struct f4_cred *cred,
			  ext2_ino_t ino, const char *name, const void *value,
			  size_t len, int flags, bool remove, bool *changed)
{
	struct ext2_xattr_handle *h = NULL;
	void *old = NULL;
	size_t oldlen = 0;
	errcode_t err;
	int ret;

	*changed = false;
	if (!has_xattrs(f4)) {
		if (remove || (flags & F4_XATTR_REPLACE))
			return -ENODATA;
		ext2fs_set_feature_xattr(f4->fs->super);
		ext2fs_mark_super_dirty(f4->fs);
	}
	ret = open_xattrs(f4, ino, &h);
	if (ret)
		return ret;
	err = ext2fs_xattr_get(h, name, &old, &oldlen);
	if (err && err != EXT2_ET_EA_KEY_NOT_FOUND) {
		ret = f4_fs_errcode(f4, ino, err, "xattr_get");
		goto out;
	}
	if (!err && (flags & F4_XATTR_CREATE))
		ret = -EEXIST;
	else if (err && (remove || (flags & F4_XATTR_REPLACE)))
		ret = -ENODATA;
	if (ret)
		goto out;
	/* Setting the value a name already has, in place, changes nothing
	 * (ext4 skips it; an EA inode value is written again). */
	if (!err && !remove && oldlen == len && (!len || !memcmp(old, value, len))) {
		struct f4_xattr_raw raw;

		ret = scan(f4, ino, name, &raw, false);
		if (ret || !raw.inum)
			goto out;
	}
	ret = store(f4, cred, ino, h, name, value, len, remove);
	*changed = !ret;
out:
	if (old)
		ext2fs_free_mem(&old);
	ext2fs_xattrs_close(&h);
	return ret;
}

int f4_xattr_touch_locked(struct f4_fs *f4, ext2_ino_t ino)
{
	struct ext2_inode_large inode;
	int ret = f4_inode_read(f4, ino, &inode);

	if (ret)
		return ret;
	f4_inode_set_times(f4, &inode, F4_CTIME, f4_time_now());
	return f4_inode_write(f4, ino, &inode);
}

int f4_xattr_release_locked(struct f4_fs *f4, ext2_ino_t ino)
{
	struct f4_xattr_raw r = { .index = -1, .want_inums = true };
	errcode_t err;
	unsigned i, n;
	int ret;

	if (!has_xattrs(f4))
		return 0;
	ret = f4_xattr_raw_scan(f4, ino, &r);
	/* Values in a block other inodes share stay theirs. */
	n = r.n_body + (r.block_refcount == 1 ? r.n_block : 0);
	for (i = 0; !ret && i < n; i++)
		ret = f4_xattr_ea_ref(f4, ino, r.inums[i], -1);
	free(r.inums);
	if (ret || !r.block)
		return ret;
	err = ext2fs_free_ext_attr(f4->fs, ino, NULL);
	return err ? f4_fs_errcode(f4, ino, err, "xattr_release") : 0;
}
