/* Owns turning a full one-block directory into an htree index, as ext4
 * does when such a directory needs another block: block 0 becomes the
 * index root ("." and "..", then the root info and one index entry), and
 * the old entries move to a new leaf, block 1. Adding the next name then
 * goes through libext2fs's htree insert, which splits leaves as needed. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/dir/dir.h"
#include "src/dir/diredit.h"
#include "src/fs/errors.h"
#include "src/inode/inode.h"

#define F4_DX_ROOT_ENTRIES_OFF 32	/* "." (12) + ".." (12) + info (8) */

struct leaf_fill {
	struct f4_fs *f4;
	char *buf;
	unsigned used, limit;
	struct ext2_dir_entry *last;
	ext2_ino_t parent;
};

/* Copy every entry but "." and ".." into the new leaf, packed. */
static int fill_leaf(const struct f4_dirent *de, void *priv)
{
	struct leaf_fill *lf = priv;
	unsigned rec = EXT2_DIR_REC_LEN(de->name_len);
	struct ext2_dir_entry *out;

	if (de->name[0] == '.' && (de->name_len == 1 ||
				   (de->name_len == 2 && de->name[1] == '.'))) {
		if (de->name_len == 2)
			lf->parent = de->ino;
		return 0;
	}
	if (lf->used + rec > lf->limit)
		return -ENOSPC;		/* cannot happen: it came from one block */
	out = (struct ext2_dir_entry *)(lf->buf + lf->used);
	out->inode = de->ino;
	out->rec_len = (uint16_t)rec;
	ext2fs_dirent_set_name_len(out, de->name_len);
	ext2fs_dirent_set_file_type(out, de->ftype);
	memcpy(out->name, de->name, de->name_len);
	lf->last = out;
	lf->used += rec;
	return 0;
}

static void set_entry(struct f4_fs *f4, struct ext2_dir_entry *de,
		      ext2_ino_t ino, const char *name, unsigned rec_len)
{
	de->inode = ino;
	ext2fs_set_rec_len(f4->fs, rec_len, de);
	ext2fs_dirent_set_name_len(de, (int)strlen(name));
	ext2fs_dirent_set_file_type(de, ext2fs_has_feature_filetype(f4->fs->super) ?
					 EXT2_FT_DIR : 0);
	memcpy(de->name, name, strlen(name));
}

static void build_root(struct f4_fs *f4, char *buf, ext2_ino_t dir,
		       ext2_ino_t parent)
{
	unsigned bs = f4->blocksize, space = bs - F4_DX_ROOT_ENTRIES_OFF;
	struct ext2_dx_root_info *info;
	struct ext2_dx_countlimit *cl;
	struct ext2_dx_entry *ent;

	memset(buf, 0, bs);
	set_entry(f4, (struct ext2_dir_entry *)buf, dir, ".", 12);
	set_entry(f4, (struct ext2_dir_entry *)(buf + 12), parent, "..", bs - 12);
	info = (struct ext2_dx_root_info *)(buf + 24);
	info->hash_version = f4->fs->super->s_def_hash_version;
	info->info_length = 8;
	if (ext2fs_has_feature_metadata_csum(f4->fs->super))
		space -= sizeof(struct ext2_dx_tail);
	cl = (struct ext2_dx_countlimit *)(buf + F4_DX_ROOT_ENTRIES_OFF);
	cl->limit = ext2fs_cpu_to_le16(space / sizeof(struct ext2_dx_entry));
	cl->count = ext2fs_cpu_to_le16(1);
	ent = (struct ext2_dx_entry *)cl;
	ent->block = ext2fs_cpu_to_le32(1);
}

static int write_block(struct f4_fs *f4, ext2_ino_t dir,
		       struct ext2_inode_large *inode, uint64_t lblk, void *buf)
{
	blk64_t pblk = 0;
	errcode_t err = ext2fs_bmap2(f4->fs, dir, (struct ext2_inode *)inode,
				     NULL, 0, lblk, NULL, &pblk);

	if (!err && !pblk)
		err = EXT2_ET_DIR_CORRUPTED;
	if (!err)
		err = ext2fs_write_dir_block4(f4->fs, pblk, buf, 0, dir);
	return f4_fs_errcode(f4, dir, err, "dx_make_index");
}

int f4_dx_make_index(struct f4_fs *f4, ext2_ino_t dir)
{
	bool csum = ext2fs_has_feature_metadata_csum(f4->fs->super);
	unsigned bs = f4->blocksize;
	struct leaf_fill lf = { .f4 = f4 };
	struct ext2_inode_large inode;
	errcode_t err;
	int ret;

	ret = f4_inode_read(f4, dir, &inode);
	if (ret)
		return ret;
	lf.buf = calloc(2, bs);
	if (!lf.buf)
		return -ENOMEM;
	lf.limit = bs - (csum ? sizeof(struct ext2_dir_entry_tail) : 0);
	ret = f4_dir_walk_block(f4, dir, &inode, 0, fill_leaf, &lf);
	if (ret || !lf.last || !lf.parent) {
		ret = ret ? ret : f4_fs_corrupt(f4, dir, 0, "dx_make_index",
						"directory block without entries");
		goto out;
	}
	/* The last entry takes the rest of the leaf, up to the tail. */
	lf.last->rec_len = (uint16_t)(lf.last->rec_len + lf.limit - lf.used);
	if (csum)
		ext2fs_initialize_dirent_tail(f4->fs,
			EXT2_DIRENT_TAIL(lf.buf, bs));
	err = ext2fs_expand_dir(f4->fs, dir);	/* adds block 1 */
	if (err) {
		ret = err == EXT2_ET_BLOCK_ALLOC_FAIL ? -ENOSPC :
		      f4_fs_errcode(f4, dir, err, "dx_make_index");
		goto out;
	}
	ret = f4_inode_read(f4, dir, &inode);
	if (!ret)
		ret = write_block(f4, dir, &inode, 1, lf.buf);
	if (!ret) {
		build_root(f4, lf.buf + bs, dir, lf.parent);
		ret = write_block(f4, dir, &inode, 0, lf.buf + bs);
	}
	if (!ret) {
		inode.i_flags |= EXT2_INDEX_FL;
		ret = f4_inode_write(f4, dir, &inode);
	}
out:
	free(lf.buf);
	return ret;
}
