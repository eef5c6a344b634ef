/* Owns the inode-flag and fsxattr ioctls (see iflags.h). */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/stat.h>

#include "src/inode/icache.h"
#include "src/inode/iflags.h"
#include "src/inode/inode.h"
#include "src/inode/migrate.h"

#define F4_FL_DAX 0x02000000u
#define F4_FL_PINNED (EXT2_IMMUTABLE_FL | EXT2_APPEND_FL)
/* Flags DAX cannot be combined with (ext4's EXT4_DAX_MUT_EXCL). */
#define F4_FL_DAX_EXCL (EXT4_VERITY_FL | EXT4_ENCRYPT_FL | EXT4_INLINE_DATA_FL)
/* Every xflag the VFS accepts in FS_IOC_FSSETXATTR. */
#define F4_XFLAG_ALL                                                          \
	(F4_XFLAG_REALTIME | F4_XFLAG_PREALLOC | F4_XFLAG_IMMUTABLE |         \
	 F4_XFLAG_APPEND | F4_XFLAG_SYNC | F4_XFLAG_NOATIME |                \
	 F4_XFLAG_NODUMP | F4_XFLAG_RTINHERIT | F4_XFLAG_PROJINHERIT |       \
	 F4_XFLAG_NOSYMLINKS | F4_XFLAG_EXTSIZE | F4_XFLAG_EXTSZINHERIT |    \
	 F4_XFLAG_NODEFRAG | F4_XFLAG_FILESTREAM | F4_XFLAG_DAX |            \
	 F4_XFLAG_COWEXTSIZE | F4_XFLAG_HASATTR)

/* The flags that have an xflag twin (the VFS's common flags); ext4 keeps
 * all others as they are when FS_IOC_FSSETXATTR is used. */
static const struct {
	uint32_t fl, xfl;
} xflag_map[] = {
	{ EXT2_SYNC_FL, F4_XFLAG_SYNC },
	{ EXT2_IMMUTABLE_FL, F4_XFLAG_IMMUTABLE },
	{ EXT2_APPEND_FL, F4_XFLAG_APPEND },
	{ EXT2_NODUMP_FL, F4_XFLAG_NODUMP },
	{ EXT2_NOATIME_FL, F4_XFLAG_NOATIME },
	{ F4_FL_DAX, F4_XFLAG_DAX },
	{ EXT4_PROJINHERIT_FL, F4_XFLAG_PROJINHERIT },
};

#define F4_NXFLAGS (sizeof(xflag_map) / sizeof(xflag_map[0]))

static uint32_t to_xflags(uint32_t fl)
{
	uint32_t x = 0;
	size_t i;

	for (i = 0; i < F4_NXFLAGS; i++)
		if (fl & xflag_map[i].fl)
			x |= xflag_map[i].xfl;
	return x;
}

static uint32_t from_xflags(uint32_t x, uint32_t *common)
{
	uint32_t fl = 0;
	size_t i;

	*common = 0;
	for (i = 0; i < F4_NXFLAGS; i++) {
		*common |= xflag_map[i].fl;
		if (x & xflag_map[i].xfl)
			fl |= xflag_map[i].fl;
	}
	return fl;
}

static bool privileged(const struct f4_cred *cred)
{
	return cred->uid == 0;
}

/* What userspace sees: ext4 hides PROJINHERIT on regular files. */
static uint32_t visible(const struct ext2_inode_large *inode)
{
	uint32_t fl = inode->i_flags & F4_FL_USER_VISIBLE;

	if (S_ISREG(inode->i_mode))
		fl &= ~EXT4_PROJINHERIT_FL;
	return fl;
}

/* ext4_mask_flags: the flags that make sense for the inode's type. */
static uint32_t type_mask(uint16_t mode)
{
	if (S_ISDIR(mode))
		return ~0u;
	if (S_ISREG(mode))
		return ~(EXT2_DIRSYNC_FL | EXT2_TOPDIR_FL | EXT4_CASEFOLD_FL |
			 EXT4_PROJINHERIT_FL);
	return EXT2_NODUMP_FL | EXT2_NOATIME_FL;
}

/* Does the inode have room for i_projid (ext4 would try to enlarge the
 * extra space; we refuse instead, see setproject)? */
static bool projid_fits(const struct f4_fs *f4,
			const struct ext2_inode_large *inode)
{
	return f4_inode_has_extra(f4, inode,
				  offsetof(struct ext2_inode_large, i_projid) +
					  sizeof(inode->i_projid));
}

/* The project id as ext4 sees it: 0 without the feature or the room. */
static uint32_t projid_of(const struct f4_fs *f4,
			  const struct ext2_inode_large *inode)
{
	if (!ext2fs_has_feature_project(f4->fs->super) || !projid_fits(f4, inode))
		return 0;
	return inode->i_projid;
}

/* ext4's dax_compatible(). */
static bool dax_compatible(const struct ext2_inode_large *inode, uint32_t old,
			   uint32_t fl)
{
	if (S_ISDIR(inode->i_mode)) {
		fl &= ~EXT4_INLINE_DATA_FL;
		old &= ~EXT4_INLINE_DATA_FL;
	}
	if ((fl & F4_FL_DAX) && (old & F4_FL_DAX_EXCL))
		return false;
	return !((fl & F4_FL_DAX_EXCL) && (old & F4_FL_DAX));
}

/* What ext4 checks before touching the inode, in its order (the VFS's
 * owner and CAP_LINUX_IMMUTABLE checks come first). fl is the requested
 * set of user-visible flags; on success it is reduced to the modifiable
 * ones. */
static int check(struct f4_fs *f4, const struct f4_cred *cred,
		 const struct ext2_inode_large *inode, uint32_t *fl,
		 uint32_t projid)
{
	uint32_t old = inode->i_flags;

	if (!privileged(cred) && cred->uid != f4_inode_uid(f4, inode))
		return -EPERM;
	if (((*fl ^ visible(inode)) & F4_FL_PINNED) && !privileged(cred))
		return -EPERM;
	if (*fl & ~F4_FL_USER_VISIBLE)
		return -EOPNOTSUPP;
	*fl &= F4_FL_USER_MODIFIABLE;
	if ((*fl & type_mask(inode->i_mode)) != *fl)
		return -EOPNOTSUPP;
	/* An immutable inode takes no change but losing immutable (all of
	 * its other flags are compared, as ext4 does). */
	if ((old & EXT2_IMMUTABLE_FL) && (*fl & EXT2_IMMUTABLE_FL)) {
		if ((old & ~EXT2_IMMUTABLE_FL) != (*fl & ~EXT2_IMMUTABLE_FL))
			return -EPERM;
		if (ext2fs_has_feature_project(f4->fs->super) &&
		    projid_of(f4, inode) != projid)
			return -EPERM;
	}
	if (((*fl ^ old) & EXT3_JOURNAL_DATA_FL) && !privileged(cred))
		return -EPERM;
	if (!dax_compatible(inode, old, *fl))
		return -EOPNOTSUPP;
	/* We never serve a casefold filesystem, and ext4 wants the feature
	 * for any change of the flag. */
	if ((*fl ^ old) & EXT4_CASEFOLD_FL)
		return -EOPNOTSUPP;
	return 0;
}

/* Store the modifiable flags (ctime too, even when nothing changes, as
 * ext4 does); then convert the mapping if the extents flag was toggled. */
static int store(struct f4_fs *f4, ext2_ino_t ino,
		 struct ext2_inode_large *inode, uint32_t fl)
{
	uint32_t special = EXT3_JOURNAL_DATA_FL | EXT4_EXTENTS_FL;
	uint32_t mod = F4_FL_USER_MODIFIABLE & ~special;
	uint32_t old = inode->i_flags;
	int ret;

	inode->i_flags = (old & ~mod) | (fl & mod);
	/* ext4 keeps the data-journalling flag only with a journal. */
	if (ext2fs_has_feature_journal(f4->fs->super))
		inode->i_flags = (inode->i_flags & ~EXT3_JOURNAL_DATA_FL) |
				 (fl & EXT3_JOURNAL_DATA_FL);
	f4_inode_set_times(f4, inode, F4_CTIME, f4_time_now());
	ret = f4_inode_write(f4, ino, inode);
	if (ret || !((fl ^ old) & EXT4_EXTENTS_FL))
		return ret;
	if (fl & EXT4_EXTENTS_FL)
		return f4_migrate_to_extents(f4, ino, inode);
	return f4_migrate_to_blockmap(f4, ino, inode);
}

/* ext4_ioctl_setproject(), except that an inode without room for the
 * field is refused (EOPNOTSUPP) where ext4 would first try to make room
 * by moving in-inode extended attributes. */
static int setproject(struct f4_fs *f4, ext2_ino_t ino,
		      struct ext2_inode_large *inode, uint32_t projid)
{
	if (!ext2fs_has_feature_project(f4->fs->super))
		return projid ? -EOPNOTSUPP : 0;
	if (EXT2_INODE_SIZE(f4->fs->super) <= EXT2_GOOD_OLD_INODE_SIZE)
		return -EOPNOTSUPP;
	if (projid == projid_of(f4, inode))
		return 0;
	if (!projid_fits(f4, inode))
		return -EOPNOTSUPP;
	inode->i_projid = projid;
	f4_inode_set_times(f4, inode, F4_CTIME, f4_time_now());
	return f4_inode_write(f4, ino, inode);
}

/* A change of flags (and the project id, for fsxattr), under the inode's
 * io_lock (a mapping conversion moves blocks under readers) and the big
 * lock. fl and projid are filled in by prepare from the current inode. */
struct change {
	uint32_t fl;
	uint32_t projid;
	const struct f4_fsxattr *fa;	/* NULL for SETFLAGS */
};

/* The fsxattr checks the VFS makes before calling the filesystem, and
 * the merge of xflags into the current flags. */
static int prepare_fsx(struct f4_fs *f4, const struct ext2_inode_large *inode,
		       struct change *c)
{
	const struct f4_fsxattr *fa = c->fa;
	uint16_t mode = inode->i_mode;
	uint32_t common, x = fa->xflags;

	if (x & ~F4_XFLAG_ALL)
		return -EOPNOTSUPP;
	if (fa->projid != projid_of(f4, inode) && fa->projid == UINT32_MAX)
		return -EINVAL;
	if (((x & F4_XFLAG_EXTSIZE) && !S_ISREG(mode)) ||
	    ((x & F4_XFLAG_EXTSZINHERIT) && !S_ISDIR(mode)) ||
	    ((x & F4_XFLAG_COWEXTSIZE) && !S_ISREG(mode) && !S_ISDIR(mode)) ||
	    ((x & F4_XFLAG_DAX) && !S_ISREG(mode) && !S_ISDIR(mode)))
		return -EINVAL;
	c->fl = from_xflags(x, &common) | (visible(inode) & ~common);
	c->projid = fa->projid;
	return 0;
}

static int change_locked(struct f4_fs *f4, const struct f4_cred *cred,
			 ext2_ino_t ino, struct change *c)
{
	struct ext2_inode_large inode;
	int ret = f4_fs_writable(f4);

	if (!ret)
		ret = f4_inode_read(f4, ino, &inode);
	if (ret)
		return ret;
	if (!c->fa)
		c->projid = projid_of(f4, &inode);
	else if (!privileged(cred) && cred->uid != f4_inode_uid(f4, &inode))
		return -EPERM;	/* the VFS asks this before anything else */
	else
		ret = prepare_fsx(f4, &inode, c);
	if (!ret)
		ret = check(f4, cred, &inode, &c->fl, c->projid);
	if (!ret)
		ret = store(f4, ino, &inode, c->fl);
	if (!ret && c->fa) {
		/* a mapping conversion may have rewritten the inode */
		ret = f4_inode_read(f4, ino, &inode);
		if (!ret)
			ret = setproject(f4, ino, &inode, c->projid);
	}
	return ret;
}

static int change(struct f4_fs *f4, const struct f4_cred *cred, ext2_ino_t ino,
		  struct change *c)
{
	struct f4_inode_state *st = f4_icache_get(f4->icache, ino);
	int ret;

	if (!st)
		return -ENOMEM;
	pthread_rwlock_wrlock(&st->io_lock);
	f4_fs_lock(f4);
	ret = change_locked(f4, cred, ino, c);
	f4_fs_unlock(f4);
	pthread_rwlock_unlock(&st->io_lock);
	f4_icache_put(f4->icache, st);
	return ret;
}

int f4_iflags_get(struct f4_fs *f4, ext2_ino_t ino, uint32_t *flags)
{
	struct ext2_inode_large inode;
	int ret;

	f4_fs_lock(f4);
	ret = f4_inode_read(f4, ino, &inode);
	f4_fs_unlock(f4);
	if (!ret)
		*flags = visible(&inode);
	return ret;
}

int f4_iflags_set(struct f4_fs *f4, const struct f4_cred *cred,
		  ext2_ino_t ino, uint32_t flags)
{
	struct change c = { .fl = flags };

	return change(f4, cred, ino, &c);
}

int f4_iflags_fsget(struct f4_fs *f4, ext2_ino_t ino, struct f4_fsxattr *fa)
{
	struct ext2_inode_large inode;
	int ret;

	f4_fs_lock(f4);
	ret = f4_inode_read(f4, ino, &inode);
	if (!ret) {
		/* ext4 reports no extent size hints and no extent count */
		*fa = (struct f4_fsxattr){ .xflags = to_xflags(visible(&inode)),
					   .projid = projid_of(f4, &inode) };
	}
	f4_fs_unlock(f4);
	return ret;
}

int f4_iflags_fsset(struct f4_fs *f4, const struct f4_cred *cred,
		    ext2_ino_t ino, const struct f4_fsxattr *fa)
{
	struct change c = { .fa = fa };

	return change(f4, cred, ino, &c);
}
