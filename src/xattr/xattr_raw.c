/* Owns the direct look at xattr entry tables (see xattr_raw.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "iomap/mapping.h"
#include "src/fs/errors.h"
#include "src/fs/fmap.h"
#include "src/inode/inode.h"
#include "src/xattr/xattr_raw.h"

static int add_inum(struct f4_xattr_raw *r, ext2_ino_t inum, bool in_block)
{
	unsigned n = r->n_body + r->n_block;
	ext2_ino_t *a;

	if (!r->want_inums)
		return 0;
	a = realloc(r->inums, (n + 1) * sizeof(*a));
	if (!a)
		return -ENOMEM;
	r->inums = a;
	a[n] = inum;
	if (in_block)
		r->n_block++;
	else
		r->n_body++;
	return 0;
}

/* Walk the entry table [p, end): note the wanted entry and add up what
 * values in EA inodes charge. Returns the number of entries, or -ENOMEM. */
static int walk(struct f4_fs *f4, const char *p, const char *end,
		struct f4_xattr_raw *r, bool in_block)
{
	int n = 0;
	uint64_t cluster = (uint64_t)f4->blocksize << f4->fs->cluster_ratio_bits;
	size_t slen = r->index >= 0 ? strlen(r->suffix) : 0;
	struct ext2_ext_attr_entry e;

	while ((size_t)(end - p) >= sizeof(e)) {
		size_t elen;

		memcpy(&e, p, sizeof(e));	/* the table may be unaligned */
		if (EXT2_EXT_IS_LAST_ENTRY(&e))
			break;
		elen = EXT2_EXT_ATTR_LEN(e.e_name_len);
		if (elen > (size_t)(end - p))
			break;
		if (e.e_value_inum) {
			r->ea_blocks += EXT2FS_C2B(f4->fs,
				(e.e_value_size + cluster - 1) / cluster);
			if (add_inum(r, e.e_value_inum, in_block))
				return -ENOMEM;
		}
		if (r->index >= 0 && e.e_name_index == r->index &&
		    e.e_name_len == slen && !memcmp(p + sizeof(e), r->suffix, slen))
			r->inum = e.e_value_inum;
		p += elen;
		n++;
	}
	return n;
}

/* The table in the inode body; *blk gets the xattr block's number. */
static int walk_body(struct f4_fs *f4, ext2_ino_t ino, struct f4_xattr_raw *r,
		     blk64_t *blk)
{
	unsigned isize = EXT2_INODE_SIZE(f4->fs->super);
	struct ext2_inode_large *inode;
	errcode_t err;
	uint32_t magic;
	size_t off;
	int ret = 0;

	inode = calloc(1, isize > sizeof(*inode) ? isize : sizeof(*inode));
	if (!inode)
		return -ENOMEM;
	err = ext2fs_read_inode_full(f4->fs, ino, (struct ext2_inode *)inode,
				     isize);
	if (err) {
		free(inode);
		return f4_fs_errcode(f4, ino, err, "xattr_scan");
	}
	*blk = ext2fs_file_acl_block(f4->fs, (struct ext2_inode *)inode);
	off = EXT2_GOOD_OLD_INODE_SIZE + (size_t)inode->i_extra_isize;
	if (isize > EXT2_GOOD_OLD_INODE_SIZE && off + sizeof(magic) <= isize) {
		memcpy(&magic, (char *)inode + off, sizeof(magic));
		if (magic == EXT2_EXT_ATTR_MAGIC)
			ret = walk(f4, (char *)inode + off + sizeof(magic),
				   (char *)inode + isize, r, false);
	}
	free(inode);
	return ret < 0 ? ret : 0;
}

int f4_xattr_raw_scan(struct f4_fs *f4, ext2_ino_t ino, struct f4_xattr_raw *r)
{
	blk64_t blk = 0;
	errcode_t err;
	char *buf;
	int ret;

	r->inum = 0;
	r->ea_blocks = 0;
	r->block_entries = 0;
	r->block_refcount = 0;
	r->inums = NULL;
	r->n_body = r->n_block = 0;
	ret = walk_body(f4, ino, r, &blk);
	r->block = blk;
	if (ret || !blk)
		return ret;
	if (blk < f4->fs->super->s_first_data_block ||
	    blk >= ext2fs_blocks_count(f4->fs->super))
		return f4_fs_corrupt(f4, ino, blk, "xattr_scan",
				     "xattr block out of range");
	buf = malloc(f4->blocksize);
	if (!buf)
		return -ENOMEM;
	err = ext2fs_read_ext_attr3(f4->fs, blk, buf, ino);
	if (err) {
		ret = f4_fs_errcode(f4, ino, err, "xattr_scan");
	} else {
		r->block_refcount = ((struct ext2_ext_attr_header *)buf)->h_refcount;
		ret = walk(f4, buf + sizeof(struct ext2_ext_attr_header),
			   buf + f4->blocksize, r, true);
		if (ret >= 0) {
			r->block_entries = (unsigned)ret;
			ret = 0;
		}
	}
	free(buf);
	return ret;
}

/* Read the EA inode inum; anything but an EA inode in use is corruption. */
static int read_ea(struct f4_fs *f4, ext2_ino_t owner, ext2_ino_t inum,
		   struct ext2_inode_large *ea)
{
	int ret;

	if (!f4_inode_nameable(f4, inum))
		return f4_fs_corrupt(f4, owner, 0, "xattr_ea_inode",
				     "value in a bad EA inode number");
	ret = f4_inode_read(f4, inum, ea);
	if (!ret && (!(ea->i_flags & EXT4_EA_INODE_FL) || !ea->i_links_count ||
		     !ext2fs_get_ea_inode_ref((struct ext2_inode *)ea)))
		ret = f4_fs_corrupt(f4, owner, 0, "xattr_ea_inode",
				    "value in an inode that is not an EA inode");
	return ret;
}

static int check_map(struct f4_fs *f4, ext2_ino_t inum,
		     const struct ext2_inode_large *ea)
{
	return f4_fs_map_check(f4, inum, ea, 0, "xattr_ea_inode");
}

int f4_xattr_ea_check(struct f4_fs *f4, ext2_ino_t owner, ext2_ino_t inum)
{
	struct ext2_inode_large ea;
	int ret = read_ea(f4, owner, inum, &ea);

	return ret ? ret : check_map(f4, inum, &ea);
}

int f4_xattr_ea_ref(struct f4_fs *f4, ext2_ino_t owner, ext2_ino_t inum,
		    int delta)
{
	struct ext2_inode_large ea;
	struct ext2_inode *i = (struct ext2_inode *)&ea;
	errcode_t err = 0;
	uint64_t refs;
	int ret = read_ea(f4, owner, inum, &ea);

	if (ret)
		return ret;
	refs = ext2fs_get_ea_inode_ref(i) + (uint64_t)(int64_t)delta;
	ext2fs_set_ea_inode_ref(i, refs);
	if (!refs) {
		ret = check_map(f4, inum, &ea);
		if (ret)
			return ret;
		if (ext2fs_inode_has_valid_blocks2(f4->fs, i))
			err = ext2fs_punch(f4->fs, inum, i, NULL, 0, ~0ULL);
		ea.i_links_count = 0;
		ea.i_dtime = (uint32_t)f4_time_now().tv_sec;
	}
	/* The count lives in i_version and ctime: not f4_inode_write. */
	if (!err)
		err = ext2fs_write_inode_full(f4->fs, inum, i, sizeof(ea));
	if (err)
		return f4_fs_errcode(f4, inum, err, "xattr_ea_inode");
	if (!refs)
		ext2fs_inode_alloc_stats2(f4->fs, inum, -1, 0);
	return 0;
}
