/* Owns the direct look at xattr entry tables (see xattr_raw.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inode.h"
#include "xattr_raw.h"

/* Look for (index, suffix) in the entry table [p, end). 1 when found. */
static int scan(const char *p, const char *end, int index, const char *suffix,
		ext2_ino_t *inum)
{
	size_t slen = strlen(suffix);
	struct ext2_ext_attr_entry e;

	while ((size_t)(end - p) >= sizeof(e)) {
		size_t elen;

		memcpy(&e, p, sizeof(e));	/* the table may be unaligned */
		if (EXT2_EXT_IS_LAST_ENTRY(&e))
			break;
		elen = EXT2_EXT_ATTR_LEN(e.e_name_len);
		if (elen > (size_t)(end - p))
			break;
		if (e.e_name_index == index && e.e_name_len == slen &&
		    !memcmp(p + sizeof(e), suffix, slen)) {
			*inum = e.e_value_inum;
			return 1;
		}
		p += elen;
	}
	return 0;
}

static int scan_body(struct f4_fs *f4, ext2_ino_t ino, int index,
		     const char *suffix, ext2_ino_t *inum, blk64_t *blk)
{
	unsigned isize = EXT2_INODE_SIZE(f4->fs->super);
	struct ext2_inode_large *inode;
	errcode_t err;
	size_t off;
	uint32_t magic;
	int found = 0;

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
			found = scan((char *)inode + off + sizeof(magic),
				     (char *)inode + isize, index, suffix, inum);
	}
	free(inode);
	return found;
}

int f4_xattr_raw_value_inum(struct f4_fs *f4, ext2_ino_t ino, int index,
			    const char *suffix, ext2_ino_t *inum)
{
	blk64_t blk = 0;
	errcode_t err;
	char *buf;
	int ret;

	*inum = 0;
	ret = scan_body(f4, ino, index, suffix, inum, &blk);
	if (ret)
		return ret < 0 ? ret : 0;
	if (!blk)
		return 0;
	if (blk < f4->fs->super->s_first_data_block ||
	    blk >= ext2fs_blocks_count(f4->fs->super))
		return f4_fs_corrupt(f4, ino, blk, "xattr_scan",
				     "xattr block out of range");
	buf = malloc(f4->blocksize);
	if (!buf)
		return -ENOMEM;
	err = ext2fs_read_ext_attr3(f4->fs, blk, buf, ino);
	if (err)
		ret = f4_fs_errcode(f4, ino, err, "xattr_scan");
	else
		scan(buf + sizeof(struct ext2_ext_attr_header),
		     buf + f4->blocksize, index, suffix, inum);
	free(buf);
	return ret;
}
