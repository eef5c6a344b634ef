/* Owns creating and removing names (see namespace.h). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <ext2fs/ext3_extents.h>

#include "iomap/edit.h"
#include "src/fs/errors.h"
#include "src/xattr/acl.h"
#include "src/fs/alloc.h"
#include "src/dir/diredit.h"
#include "src/inode/icache.h"
#include "src/fs/idmap.h"
#include "src/dir/namei.h"
#include "src/ns/namespace.h"
#include "src/ns/orphan.h"

#define F4_LINK_MAX 65000

/* ext4's flag inheritance: which parent flags a new inode takes. */
#define F4_FL_INHERITED 0x62014ECFu	/* SECRM..NOATIME, NOCOMPR, JOURNAL_DATA,
					 * NOTAIL, DIRSYNC, DAX, PROJINHERIT,
					 * CASEFOLD */
#define F4_FL_REG_MASK (~0x60030000u)	/* no DIRSYNC, TOPDIR, PROJINHERIT,
					 * CASEFOLD on non-directories */
#define F4_FL_OTHER_MASK 0x000000C0u	/* NODUMP, NOATIME */

int f4_ns_check_name(const char *name)
{
	size_t len = strlen(name);

	if (!len)
		return -ENOENT;
	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	return strchr(name, '/') ? -EINVAL : 0;
}

int f4_ns_read_dir(struct f4_fs *f4, ext2_ino_t dir,
		   struct ext2_inode_large *inode)
{
	int ret = f4_inode_read(f4, dir, inode);

	if (ret)
		return ret;
	if (!S_ISDIR(inode->i_mode))
		return -ENOTDIR;
	if (!inode->i_links_count)
		return -ENOENT;		/* removed while still open */
	return 0;
}

static bool is_dx(const struct ext2_inode_large *dir)
{
	return (dir->i_flags & EXT2_INDEX_FL) != 0;
}

void f4_ns_dir_inc(struct f4_fs *f4, struct ext2_inode_large *dir)
{
	dir->i_links_count++;
	/* Past the limit an indexed directory counts as "many" (1). */
	if (is_dx(dir) && (dir->i_links_count > F4_LINK_MAX ||
			   dir->i_links_count == 2)) {
		dir->i_links_count = 1;
		if (!ext2fs_has_feature_dir_nlink(f4->fs->super)) {
			ext2fs_set_feature_dir_nlink(f4->fs->super);
			ext2fs_mark_super_dirty(f4->fs);
		}
	}
}

void f4_ns_dir_dec(struct ext2_inode_large *dir)
{
	if (dir->i_links_count > 2)
		dir->i_links_count--;
}

int f4_ns_dir_may_grow(const struct ext2_inode_large *dir)
{
	return !is_dx(dir) && dir->i_links_count >= F4_LINK_MAX ? -EMLINK : 0;
}

static void encode_rdev(struct ext2_inode_large *inode, dev_t rdev)
{
	unsigned maj = major(rdev), min = minor(rdev);

	if (maj < 256 && min < 256) {
		inode->i_block[0] = ext2fs_cpu_to_le32((maj << 8) | min);
	} else {
		inode->i_block[1] = ext2fs_cpu_to_le32((min & 0xff) | (maj << 8) |
						       ((min & ~0xffu) << 12));
	}
}

static void init_extent_root(struct ext2_inode_large *inode)
{
	struct ext3_extent_header *eh = (struct ext3_extent_header *)inode->i_block;

	memset(inode->i_block, 0, sizeof(inode->i_block));
	eh->eh_magic = ext2fs_cpu_to_le16(EXT3_EXT_MAGIC);
	eh->eh_max = ext2fs_cpu_to_le16((sizeof(inode->i_block) - sizeof(*eh)) /
					sizeof(struct ext3_extent));
	inode->i_flags |= EXT4_EXTENTS_FL;
}

/* A new inode's owner and group as the image stores them: the
 * creator's (through the id map), or the group of a setgid directory.
 * -EOVERFLOW when the creator's ids have no on-disk ids, as the VFS
 * refuses to create there. */
static int new_owner(const struct f4_fs *f4, const struct ext2_inode_large *dinode,
		     const struct f4_cred *cred, uint32_t *uid, uint32_t *gid)
{
	int ret = f4_idmap_store(&f4->idmap.uid, cred->uid, uid);

	if (!ret)
		ret = f4_idmap_store(&f4->idmap.gid, cred->gid, gid);
	if (!ret && (dinode->i_mode & S_ISGID))
		*gid = inode_gid(*dinode);
	return ret;
}

static void init_inode(struct f4_fs *f4, const struct ext2_inode_large *dinode,
		       const struct f4_make_args *a, uint16_t mode,
		       uint32_t uid, uint32_t gid, struct ext2_inode_large *inode)
{
	unsigned isize = EXT2_INODE_SIZE(f4->fs->super);
	uint32_t flags = dinode->i_flags & F4_FL_INHERITED;

	memset(inode, 0, sizeof(*inode));
	if ((dinode->i_mode & S_ISGID) && S_ISDIR(mode))
		mode |= S_ISGID;
	if (!S_ISDIR(mode) && (mode & S_ISGID) && a->cred->uid != 0 &&
	    !f4_cred_in_group(a->cred, f4_idmap_show(&f4->idmap.gid, gid)))
		mode &= (uint16_t)~S_ISGID;
	inode->i_mode = mode;
	f4_inode_set_ids(inode, uid, gid);
	inode->i_links_count = S_ISDIR(mode) ? 2 : 1;
	if (isize > EXT2_GOOD_OLD_INODE_SIZE)
		inode->i_extra_isize = (uint16_t)(isize - EXT2_GOOD_OLD_INODE_SIZE <
			sizeof(*inode) - EXT2_GOOD_OLD_INODE_SIZE ?
			isize - EXT2_GOOD_OLD_INODE_SIZE :
			sizeof(*inode) - EXT2_GOOD_OLD_INODE_SIZE);
	f4_inode_set_times(f4, inode, F4_ATIME | F4_MTIME | F4_CTIME | F4_CRTIME,
			   f4_time_now());
	inode->i_generation = f4->next_generation++;
	if (!S_ISDIR(mode))
		flags &= S_ISREG(mode) ? F4_FL_REG_MASK : F4_FL_OTHER_MASK;
	inode->i_flags = flags;
	if ((dinode->i_flags & EXT4_PROJINHERIT_FL) &&
	    f4_inode_has_extra(f4, inode, offsetof(struct ext2_inode_large, i_projid) + 4))
		inode->i_projid = dinode->i_projid;
	if (ext2fs_has_feature_extents(f4->fs->super) &&
	    (S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode)))
		init_extent_root(inode);
	if (S_ISCHR(mode) || S_ISBLK(mode))
		encode_rdev(inode, a->rdev);
}

/* A fresh inode is written whole, so nothing of its slot's previous
 * occupant (in-inode xattrs) survives. */
static int write_new(struct f4_fs *f4, ext2_ino_t ino,
		     struct ext2_inode_large *inode)
{
	unsigned isize = EXT2_INODE_SIZE(f4->fs->super);
	char *buf = calloc(1, isize > sizeof(*inode) ? isize : sizeof(*inode));
	errcode_t err;

	if (!buf)
		return -ENOMEM;
	memcpy(buf, inode, isize < sizeof(*inode) ? isize : sizeof(*inode));
	err = ext2fs_write_inode_full(f4->fs, ino, (struct ext2_inode *)buf, isize);
	free(buf);
	return err ? f4_fs_errcode(f4, ino, err, "write_new_inode") : 0;
}

/* Allocate, write and map one block of contents for a new inode. */
static int add_first_block(struct f4_fs *f4, const struct f4_cred *cred,
			   ext2_ino_t ino, struct ext2_inode_large *inode,
			   const void *data, bool dirblock)
{
	uint64_t pblk, got;
	errcode_t err;
	int ret = f4_alloc_check(f4, cred, 1);

	if (!ret)
		ret = f4_alloc_blocks(f4, f4_alloc_goal(f4, ino, inode, 0), 1,
				      &pblk, &got);
	if (ret)
		return ret;
	err = dirblock ? ext2fs_write_dir_block4(f4->fs, pblk, (void *)data, 0, ino) :
			 io_channel_write_blk64(f4->fs->io, pblk, 1, data);
	ret = err ? f4_fs_errcode(f4, ino, err, "first_block") :
		    f4_iomap_insert(f4->fs, ino, inode, 0, pblk, 1);
	if (ret)
		f4_free_blocks(f4, pblk, 1);
	return ret;
}

static int fill_dir(struct f4_fs *f4, const struct f4_cred *cred,
		    ext2_ino_t dir, ext2_ino_t ino, struct ext2_inode_large *inode)
{
	char *block = NULL;
	errcode_t err;
	int ret;

	if (ext2fs_has_feature_inline_data(f4->fs->super)) {
		memset(inode->i_block, 0, sizeof(inode->i_block));
		inode->i_flags = (inode->i_flags & ~EXT4_EXTENTS_FL) |
				 EXT4_INLINE_DATA_FL;
		err = ext2fs_new_dir_inline_data(f4->fs, ino, dir, inode->i_block);
		if (!err)
			err = ext2fs_inode_size_set(f4->fs, (struct ext2_inode *)inode,
						    EXT4_MIN_INLINE_DATA_SIZE);
		ret = err ? f4_fs_errcode(f4, ino, err, "mkdir_inline") :
			    f4_inode_write(f4, ino, inode);
		if (!ret && (err = ext2fs_inline_data_init(f4->fs, ino)))
			ret = f4_fs_errcode(f4, ino, err, "mkdir_inline");
		return ret ? ret : f4_inode_read(f4, ino, inode);
	}
	err = ext2fs_new_dir_block(f4->fs, ino, dir, &block);
	if (err)
		return f4_fs_errcode(f4, ino, err, "mkdir_block");
	ret = add_first_block(f4, cred, ino, inode, block, true);
	ext2fs_free_mem(&block);
	if (!ret)
		ret = f4_errcode_to_errno(ext2fs_inode_size_set(f4->fs,
					(struct ext2_inode *)inode, f4->blocksize));
	return ret;
}

static int fill_symlink(struct f4_fs *f4, const struct f4_cred *cred,
			ext2_ino_t ino, struct ext2_inode_large *inode,
			const char *target)
{
	size_t len = strlen(target);
	char *block;
	int ret;

	if (len >= f4->blocksize)
		return -ENAMETOOLONG;
	inode->i_size = (uint32_t)len;
	if (len < sizeof(inode->i_block)) {	/* fast: the target in i_block */
		inode->i_flags &= ~EXT4_EXTENTS_FL;
		memset(inode->i_block, 0, sizeof(inode->i_block));
		memcpy(inode->i_block, target, len);
		return 0;
	}
	block = calloc(1, f4->blocksize);
	if (!block)
		return -ENOMEM;
	memcpy(block, target, len);
	ret = add_first_block(f4, cred, ino, inode, block, false);
	free(block);
	return ret;
}

/* Allocate, initialise and write a new inode with its first contents. */
static int make_inode(struct f4_fs *f4, ext2_ino_t dir,
		      const struct ext2_inode_large *dinode,
		      const struct f4_make_args *a, ext2_ino_t *pino,
		      struct ext2_inode_large *inode)
{
	struct f4_acl_inherit inh;
	uint16_t mode = (uint16_t)a->mode;
	uint32_t uid = 0, gid = 0;
	ext2_ino_t ino;
	int ret;

	/* Symlinks are always 0777: no umask, no inherited ACL. */
	memset(&inh, 0, sizeof(inh));
	ret = new_owner(f4, dinode, a->cred, &uid, &gid);
	if (!ret && !S_ISLNK(mode))
		ret = f4_acl_inherit_prepare(f4, dir, &mode, a->umask, &inh);
	if (!ret)
		ret = f4_alloc_inode(f4, dir, mode, &ino);
	if (ret)
		goto out;
	init_inode(f4, dinode, a, mode, uid, gid, inode);
	ret = write_new(f4, ino, inode);
	if (!ret && S_ISDIR(mode))
		ret = fill_dir(f4, a->cred, dir, ino, inode);
	else if (!ret && S_ISLNK(mode))
		ret = fill_symlink(f4, a->cred, ino, inode, a->target);
	if (!ret)
		ret = f4_inode_write(f4, ino, inode);
	if (!ret)
		ret = f4_acl_inherit_store(f4, ino, &inh);
	if (!ret)
		ret = f4_inode_read(f4, ino, inode);
	if (ret) {
		inode->i_links_count = 0;
		if (!f4_inode_write(f4, ino, inode))
			f4_inode_release(f4, ino);
		else
			f4_free_inode(f4, ino, S_ISDIR(mode));
		goto out;
	}
	*pino = ino;
out:
	f4_acl_inherit_free(&inh);
	return ret;
}

int f4_ns_make_unlinked(struct f4_fs *f4, ext2_ino_t dir,
			const struct f4_make_args *a, ext2_ino_t *ino)
{
	struct ext2_inode_large dinode, inode;
	int ret = f4_ns_read_dir(f4, dir, &dinode);

	return ret ? ret : make_inode(f4, dir, &dinode, a, ino, &inode);
}

static int name_free(struct f4_fs *f4, ext2_ino_t dir,
		     const struct ext2_inode_large *dinode, const char *name)
{
	ext2_ino_t found;
	int ret = f4_namei(f4, dir, dinode, name, strlen(name), &found);

	return ret == -ENOENT ? 0 : ret ? ret : -EEXIST;
}

/* After a new name for a (possibly new) inode went into dir. */
static int touch_dir(struct f4_fs *f4, ext2_ino_t dir, int subdirs)
{
	struct ext2_inode_large dinode;
	int ret = f4_inode_read(f4, dir, &dinode);	/* adding may have grown it */

	if (ret)
		return ret;
	if (subdirs > 0)
		f4_ns_dir_inc(f4, &dinode);
	else if (subdirs < 0)
		f4_ns_dir_dec(&dinode);
	f4_inode_set_times(f4, &dinode, F4_MTIME | F4_CTIME, f4_time_now());
	return f4_inode_write(f4, dir, &dinode);
}

/* Under the lock, before any change to dir's names: the filesystem takes
 * writes and dir is a directory (read into dinode). */
static int writable_dir(struct f4_fs *f4, ext2_ino_t dir,
			struct ext2_inode_large *dinode)
{
	int ret = f4_fs_writable(f4);

	return ret ? ret : f4_ns_read_dir(f4, dir, dinode);
}

int f4_ns_make(struct f4_fs *f4, ext2_ino_t dir, const char *name,
	       const struct f4_make_args *a, struct f4_attr *out)
{
	struct ext2_inode_large dinode, inode;
	ext2_ino_t ino = 0;
	int ret = f4_ns_check_name(name);

	if (ret)
		return ret;
	f4_fs_lock(f4);
	ret = writable_dir(f4, dir, &dinode);
	if (!ret)
		ret = name_free(f4, dir, &dinode, name);
	if (!ret && (dinode.i_flags & EXT2_IMMUTABLE_FL))
		ret = -EPERM;
	if (!ret && S_ISDIR(a->mode))
		ret = f4_ns_dir_may_grow(&dinode);
	if (!ret)
		ret = make_inode(f4, dir, &dinode, a, &ino, &inode);
	if (ret)
		goto out;
	ret = f4_dir_add(f4, dir, name, ino, inode.i_mode);
	if (ret) {
		inode.i_links_count = 0;
		if (!f4_inode_write(f4, ino, &inode))
			f4_inode_release(f4, ino);
		goto out;
	}
	ret = touch_dir(f4, dir, S_ISDIR(inode.i_mode) ? 1 : 0);
	if (!ret)
		f4_inode_to_attr(f4, ino, &inode, out);
out:
	f4_fs_unlock(f4);
	if (!ret)
		ret = f4_icache_ref(f4->icache, ino);
	return ret;
}

int f4_ns_link(struct f4_fs *f4, ext2_ino_t ino, ext2_ino_t dir,
	       const char *name, struct f4_attr *out)
{
	struct ext2_inode_large dinode, inode;
	int ret = f4_ns_check_name(name);

	if (ret)
		return ret;
	f4_fs_lock(f4);
	ret = writable_dir(f4, dir, &dinode);
	if (!ret)
		ret = f4_inode_read(f4, ino, &inode);
	if (!ret && S_ISDIR(inode.i_mode))
		ret = -EPERM;
	if (!ret && (inode.i_flags & (EXT2_IMMUTABLE_FL | EXT2_APPEND_FL)))
		ret = -EPERM;
	if (!ret && inode.i_links_count >= F4_LINK_MAX)
		ret = -EMLINK;
	if (!ret && !inode.i_links_count)
		ret = -ENOENT;
	if (!ret)
		ret = name_free(f4, dir, &dinode, name);
	if (!ret && (dinode.i_flags & EXT2_IMMUTABLE_FL))
		ret = -EPERM;
	if (!ret)
		ret = f4_dir_add(f4, dir, name, ino, inode.i_mode);
	if (!ret) {
		inode.i_links_count++;
		f4_inode_set_times(f4, &inode, F4_CTIME, f4_time_now());
		ret = f4_inode_write(f4, ino, &inode);
	}
	if (!ret)
		ret = touch_dir(f4, dir, 0);
	if (!ret)
		f4_inode_to_attr(f4, ino, &inode, out);
	f4_fs_unlock(f4);
	if (!ret)
		ret = f4_icache_ref(f4->icache, ino);
	return ret;
}

int f4_ns_drop_link(struct f4_fs *f4, ext2_ino_t ino)
{
	struct ext2_inode_large inode;
	int ret = f4_inode_read(f4, ino, &inode);

	if (ret)
		return ret;
	if (S_ISDIR(inode.i_mode) || inode.i_links_count <= 1)
		inode.i_links_count = 0;
	else
		inode.i_links_count--;
	f4_inode_set_times(f4, &inode, F4_CTIME, f4_time_now());
	if (inode.i_links_count)
		return f4_inode_write(f4, ino, &inode);
	/* The last name is gone: free it now, or when the kernel lets go. */
	if (!f4_icache_mark_unlinked(f4->icache, ino)) {
		f4_orphan_add(f4, ino, &inode);
		return f4_inode_write(f4, ino, &inode);
	}
	ret = f4_inode_write(f4, ino, &inode);
	return ret ? ret : f4_inode_release(f4, ino);
}

/* Look name up for removal: the inode and the checks both need. */
static int find_victim(struct f4_fs *f4, ext2_ino_t dir, const char *name,
		       ext2_ino_t *ino, struct ext2_inode_large *inode)
{
	struct ext2_inode_large dinode;
	int ret = writable_dir(f4, dir, &dinode);

	if (!ret && (dinode.i_flags & (EXT2_IMMUTABLE_FL | EXT2_APPEND_FL)))
		ret = -EPERM;
	if (!ret)
		ret = f4_namei(f4, dir, &dinode, name, strlen(name), ino);
	if (!ret)
		ret = f4_inode_read(f4, *ino, inode);
	if (!ret && (inode->i_flags & (EXT2_IMMUTABLE_FL | EXT2_APPEND_FL)))
		ret = -EPERM;
	return ret;
}

/* Remove name from dir and drop its link: a directory (which must be
 * empty) for rmdir, anything else for unlink. */
static int remove_entry(struct f4_fs *f4, ext2_ino_t dir, const char *name,
			bool want_dir)
{
	struct ext2_inode_large inode;
	ext2_ino_t ino;
	int ret;

	f4_fs_lock(f4);
	ret = find_victim(f4, dir, name, &ino, &inode);
	if (!ret && (bool)S_ISDIR(inode.i_mode) != want_dir)
		ret = want_dir ? -ENOTDIR : -EISDIR;
	if (!ret && want_dir) {
		ret = f4_dir_is_empty(f4, ino, &inode);
		ret = ret == 1 ? 0 : ret == 0 ? -ENOTEMPTY : ret;
	}
	if (!ret)
		ret = f4_dir_remove(f4, dir, name);
	if (!ret)
		ret = touch_dir(f4, dir, want_dir ? -1 : 0);
	if (!ret)
		ret = f4_ns_drop_link(f4, ino);
	f4_fs_unlock(f4);
	return ret;
}

int f4_ns_unlink(struct f4_fs *f4, ext2_ino_t dir, const char *name)
{
	int ret = f4_ns_check_name(name);

	return ret ? ret : remove_entry(f4, dir, name, false);
}

int f4_ns_rmdir(struct f4_fs *f4, ext2_ino_t dir, const char *name)
{
	int ret = f4_ns_check_name(name);

	if (ret)
		return ret;
	if (!strcmp(name, "."))
		return -EINVAL;
	if (!strcmp(name, ".."))
		return -ENOTEMPTY;
	return remove_entry(f4, dir, name, true);
}
