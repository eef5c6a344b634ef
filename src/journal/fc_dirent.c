/* Owns the directory-entry tags of a fast commit: CREAT, LINK, UNLINK.
 * Each records an outcome (this name in this directory names this inode,
 * or not), so replaying one twice changes nothing more: an entry that
 * is already there stays, a missing one is not an error. Link counts
 * move as the kernel moves them; the INODE tag the kernel logs after the
 * entries sets the final count. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <time.h>

#include <ext2fs/ext2fs.h>

#include "src/journal/fc.h"
#include "src/journal/fcint.h"

#define LINK_MAX_DIR 65000u	/* past it a directory counts 1 (dir_nlink) */

struct dent {
	ext2_ino_t parent, ino;
	char name[F4_FC_NAME_MAX + 1];
	unsigned len;
};

static void get_dent(const struct f4_fc_tlv *t, struct dent *d)
{
	d->parent = f4_fc_le32(t->val);
	d->ino = f4_fc_le32(t->val + 4);
	d->len = t->len - F4_FC_DENTRY_SIZE;	/* 1..255 (parser) */
	memcpy(d->name, t->val + F4_FC_DENTRY_SIZE, d->len);
	d->name[d->len] = 0;
}

static int ftype(unsigned mode)
{
	switch (mode & 0170000) {
	case 0100000: return EXT2_FT_REG_FILE;
	case 0040000: return EXT2_FT_DIR;
	case 0020000: return EXT2_FT_CHRDEV;
	case 0060000: return EXT2_FT_BLKDEV;
	case 0010000: return EXT2_FT_FIFO;
	case 0140000: return EXT2_FT_SOCK;
	case 0120000: return EXT2_FT_SYMLINK;
	}
	return EXT2_FT_UNKNOWN;
}

/* The kernel stamps the directory with the time of the replay. */
static int touch_dir(struct fc_ctx *c, ext2_ino_t dir)
{
	struct ext2_inode in;
	errcode_t err;

	err = ext2fs_read_inode(c->fs, dir, &in);
	if (!err) {
		in.i_mtime = in.i_ctime = (uint32_t)time(NULL);
		err = ext2fs_write_inode(c->fs, dir, &in);
	}
	return err ? f4_fc_err(c, err, "updating a directory") : 0;
}

static int add_links(struct fc_ctx *c, ext2_ino_t ino, int delta)
{
	struct ext2_inode in;
	errcode_t err;

	err = ext2fs_read_inode(c->fs, ino, &in);
	if (err)
		return f4_fc_err(c, err, "reading an inode");
	if (delta < 0 && in.i_links_count)
		in.i_links_count--;
	else if (delta > 0 && LINUX_S_ISDIR(in.i_mode) &&
		 in.i_links_count >= LINK_MAX_DIR - 1)
		in.i_links_count = 1;
	else if (delta > 0)
		in.i_links_count++;
	in.i_ctime = (uint32_t)time(NULL);
	err = ext2fs_write_inode(c->fs, ino, &in);
	return err ? f4_fc_err(c, err, "writing an inode") : 0;
}

/* __ext4_link: the name in the directory (an existing one stays, and
 * then the count does not move), one more link. */
static int link_in(struct fc_ctx *c, const struct dent *d,
		   const struct ext2_inode *in)
{
	struct ext2_inode dir;
	ext2_ino_t found;
	errcode_t err;
	int rc;

	if (!f4_fc_iget(c, d->parent, &dir) || !LINUX_S_ISDIR(dir.i_mode)) {
		c->st->ops_skipped++;
		return 0;
	}
	if (!ext2fs_lookup(c->fs, d->parent, d->name, d->len, NULL, &found))
		return 0;
	err = ext2fs_link(c->fs, d->parent, d->name, d->ino, ftype(in->i_mode));
	if (err == EXT2_ET_DIR_NO_SPACE) {
		err = ext2fs_expand_dir(c->fs, d->parent);
		if (!err)
			err = ext2fs_link(c->fs, d->parent, d->name, d->ino,
					  ftype(in->i_mode));
	}
	if (err)
		return f4_fc_err(c, err, "adding a directory entry");
	rc = touch_dir(c, d->parent);
	if (!rc)
		rc = add_links(c, d->ino, +1);
	if (!rc)
		c->st->ops_applied++;
	return rc;
}

/* __ext4_unlink in replay: the entry goes if it names this inode; the
 * inode loses a link whenever the name was found. */
static int do_unlink(struct fc_ctx *c, const struct dent *d)
{
	struct ext2_inode in, dir;
	ext2_ino_t found;
	errcode_t err;
	int rc = 0;

	if (!f4_fc_iget(c, d->ino, &in) || !f4_fc_iget(c, d->parent, &dir) ||
	    !LINUX_S_ISDIR(dir.i_mode)) {
		c->st->ops_skipped++;
		return 0;
	}
	if (ext2fs_lookup(c->fs, d->parent, d->name, d->len, NULL, &found))
		return 0;
	if (found == d->ino) {
		err = ext2fs_unlink(c->fs, d->parent, d->name, d->ino, 0);
		if (err)
			return f4_fc_err(c, err, "removing a directory entry");
		rc = touch_dir(c, d->parent);
	}
	if (!rc)
		rc = add_links(c, d->ino, -1);
	if (!rc)
		c->st->ops_applied++;
	return rc;
}

/* ext4_init_new_dir: a block with "." and ".." appended to the new
 * directory. */
static int init_dir(struct fc_ctx *c, const struct dent *d,
		    struct ext2_inode *in)
{
	blk64_t blk, lblk = EXT2_I_SIZE(in) / c->fs->blocksize;
	char *buf = NULL;
	errcode_t err;

	err = ext2fs_new_block2(c->fs, 0, NULL, &blk);
	if (!err)
		err = ext2fs_new_dir_block(c->fs, d->ino, d->parent, &buf);
	if (!err)
		err = ext2fs_write_dir_block4(c->fs, blk, buf, 0, d->ino);
	ext2fs_free_mem(&buf);
	if (!err) {
		ext2fs_block_alloc_stats2(c->fs, blk, +1);
		err = ext2fs_bmap2(c->fs, d->ino, in, NULL, BMAP_SET, lblk,
				   NULL, &blk);
	}
	if (err)
		return -1;	/* the kernel then leaves the entry out */
	ext2fs_inode_size_set(c->fs, in, (lblk + 1) * c->fs->blocksize);
	ext2fs_iblk_add_blocks(c->fs, in, 1);
	in->i_links_count = 2;
	return ext2fs_write_inode(c->fs, d->ino, in) ? -1 : 0;
}

/* ext4_fc_replay_create: the inode (written by the INODE tag before it)
 * in use, a new directory initialised, the name linked, one link. */
static int do_creat(struct fc_ctx *c, const struct dent *d)
{
	struct ext2_inode in;
	int rc;

	if (d->ino < 1 || d->ino > c->fs->super->s_inodes_count)
		return f4_fc_fail(c, "fast commit: CREAT of inode %u, out of "
				  "range", d->ino);
	if (!f4_fc_iget(c, d->ino, &in))
		return f4_fc_fail(c, "fast commit: CREAT of inode %u, which "
				  "does not exist", d->ino);
	f4_fc_mark_inode_used(c, d->ino, LINUX_S_ISDIR(in.i_mode));
	if (LINUX_S_ISDIR(in.i_mode)) {
		struct ext2_inode dir;

		if (!f4_fc_iget(c, d->parent, &dir) || init_dir(c, d, &in)) {
			c->st->ops_skipped++;
			return 0;
		}
	}
	rc = link_in(c, d, &in);
	if (rc)
		return rc;
	if (ext2fs_read_inode(c->fs, d->ino, &in))
		return -EIO;
	in.i_links_count = 1;	/* as the kernel: the INODE tag fixes it */
	return ext2fs_write_inode(c->fs, d->ino, &in) ? -EIO : 0;
}

int f4_fc_do_dirent(struct fc_ctx *c, const struct f4_fc_tlv *t)
{
	struct ext2_inode in;
	struct dent d;

	get_dent(t, &d);
	if (t->tag == F4_FC_CREAT)
		return do_creat(c, &d);
	if (t->tag == F4_FC_UNLINK)
		return do_unlink(c, &d);
	if (!f4_fc_iget(c, d.ino, &in)) {
		c->st->ops_skipped++;
		return 0;
	}
	return link_in(c, &d, &in);
}
