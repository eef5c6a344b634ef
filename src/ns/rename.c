/* Owns rename (see rename.h). Every check runs before the first change;
 * the changes themselves cannot run out of space except adding the new
 * name, which comes first, so a failure leaves the tree as it was. */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "src/dir/diredit.h"
#include "src/dir/namei.h"
#include "src/fs/errors.h"
#include "src/ns/rename.h"

struct side {
	ext2_ino_t dir, ino;
	const char *name;
	struct ext2_inode_large dinode, inode;
	bool exists;
};

static bool is_dir(const struct side *s)
{
	return s->exists && S_ISDIR(s->inode.i_mode);
}

/* ext4: nothing changes in an immutable directory; an append-only one
 * may gain names but not lose or replace them. */
static int load_side(struct f4_fs *f4, struct side *s, bool must_exist)
{
	int ret = f4_ns_check_name(s->name);

	if (!ret)
		ret = f4_ns_read_dir(f4, s->dir, &s->dinode);
	if (!ret && (s->dinode.i_flags & EXT2_IMMUTABLE_FL))
		ret = -EPERM;
	if (!ret)
		ret = f4_namei(f4, s->dir, &s->dinode, s->name, strlen(s->name),
			       &s->ino);
	if (ret == -ENOENT && !must_exist)
		return 0;
	if (!ret && (s->dinode.i_flags & EXT2_APPEND_FL))
		ret = -EPERM;
	if (!ret) {
		s->exists = true;
		ret = f4_inode_read(f4, s->ino, &s->inode);
	}
	if (!ret && (s->inode.i_flags & (EXT2_IMMUTABLE_FL | EXT2_APPEND_FL)))
		ret = -EPERM;
	return ret;
}

/* Is ancestor on the ".." chain from dir up to the root? */
static int is_ancestor(struct f4_fs *f4, ext2_ino_t ancestor, ext2_ino_t dir)
{
	uint32_t steps;

	for (steps = 0; steps < f4->fs->super->s_inodes_count; steps++) {
		struct ext2_inode_large inode;
		int ret;

		if (dir == ancestor)
			return 1;
		if (dir == EXT2_ROOT_INO)
			return 0;
		ret = f4_inode_read(f4, dir, &inode);
		if (!ret)
			ret = f4_namei(f4, dir, &inode, "..", 2, &dir);
		if (ret)
			return ret;
	}
	return f4_fs_corrupt(f4, dir, 0, "rename", "directory \"..\" chain loops");
}

static int check(struct f4_fs *f4, struct side *o, struct side *n,
		 unsigned flags)
{
	int ret;

	if ((flags & F4_RENAME_NOREPLACE) && n->exists)
		return -EEXIST;
	if ((flags & F4_RENAME_EXCHANGE) && !n->exists)
		return -ENOENT;
	if (o->dir != n->dir && is_dir(o)) {
		ret = is_ancestor(f4, o->ino, n->dir);
		if (ret)
			return ret < 0 ? ret : -EINVAL;
	}
	if (flags & F4_RENAME_EXCHANGE) {
		if (o->dir != n->dir && is_dir(n)) {
			ret = is_ancestor(f4, n->ino, o->dir);
			if (ret)
				return ret < 0 ? ret : -EINVAL;
		}
		return 0;
	}
	if (n->exists) {
		if (is_dir(o) && !is_dir(n))
			return -ENOTDIR;
		if (!is_dir(o) && is_dir(n))
			return -EISDIR;
		if (is_dir(n)) {
			ret = f4_dir_is_empty(f4, n->ino, &n->inode);
			if (ret <= 0)
				return ret ? ret : -ENOTEMPTY;
		}
	}
	if (is_dir(o) && o->dir != n->dir && !n->exists)
		return f4_ns_dir_may_grow(&n->dinode);
	return 0;
}

/* Re-read, adjust the subdirectory count by delta, stamp and write dir. */
static int touch(struct f4_fs *f4, ext2_ino_t dir, int delta,
		 struct timespec now)
{
	struct ext2_inode_large inode;
	int ret = f4_inode_read(f4, dir, &inode);

	if (ret)
		return ret;
	if (delta > 0)
		f4_ns_dir_inc(f4, &inode);
	else if (delta < 0)
		f4_ns_dir_dec(&inode);
	f4_inode_set_times(f4, &inode, F4_MTIME | F4_CTIME, now);
	return f4_inode_write(f4, dir, &inode);
}

static int stamp(struct f4_fs *f4, ext2_ino_t ino, struct timespec now)
{
	struct ext2_inode_large inode;
	int ret = f4_inode_read(f4, ino, &inode);

	if (ret)
		return ret;
	f4_inode_set_times(f4, &inode, F4_CTIME, now);
	return f4_inode_write(f4, ino, &inode);
}

static int do_exchange(struct f4_fs *f4, struct side *o, struct side *n,
		       struct timespec now)
{
	int delta = is_dir(o) - is_dir(n);	/* subdirs moving o->n */
	int ret = f4_dir_retarget(f4, o->dir, o->name, n->ino, n->inode.i_mode);

	if (!ret)
		ret = f4_dir_retarget(f4, n->dir, n->name, o->ino, o->inode.i_mode);
	if (!ret && o->dir != n->dir && is_dir(o))
		ret = f4_dir_set_parent(f4, o->ino, n->dir);
	if (!ret && o->dir != n->dir && is_dir(n))
		ret = f4_dir_set_parent(f4, n->ino, o->dir);
	if (!ret && o->dir != n->dir) {
		ret = touch(f4, o->dir, -delta, now);
		if (!ret)
			ret = touch(f4, n->dir, delta, now);
	} else if (!ret) {
		ret = touch(f4, o->dir, 0, now);
	}
	if (!ret)
		ret = stamp(f4, o->ino, now);
	return ret ? ret : stamp(f4, n->ino, now);
}

static int leave_whiteout(struct f4_fs *f4, const struct f4_cred *cred,
			  struct side *o)
{
	struct f4_make_args a = { .cred = cred, .mode = S_IFCHR, .rdev = 0 };
	ext2_ino_t wh;
	int ret = f4_ns_make_unlinked(f4, o->dir, &a, &wh);

	return ret ? ret : f4_dir_retarget(f4, o->dir, o->name, wh, S_IFCHR);
}

/* Put the new name (back) to what it was before this rename. */
static void undo_new_name(struct f4_fs *f4, struct side *n)
{
	if (n->exists)
		f4_dir_retarget(f4, n->dir, n->name, n->ino, n->inode.i_mode);
	else
		f4_dir_remove(f4, n->dir, n->name);
}

static int do_move(struct f4_fs *f4, const struct f4_cred *cred,
		   struct side *o, struct side *n, unsigned flags,
		   struct timespec now)
{
	bool cross = o->dir != n->dir, moving_dir = is_dir(o);
	int ret;

	/* The new name first: the only step that can run out of space. */
	if (n->exists)
		ret = f4_dir_retarget(f4, n->dir, n->name, o->ino, o->inode.i_mode);
	else
		ret = f4_dir_add(f4, n->dir, n->name, o->ino, o->inode.i_mode);
	if (ret)
		return ret;
	if (moving_dir && cross) {
		ret = f4_dir_set_parent(f4, o->ino, n->dir);
		if (ret) {
			undo_new_name(f4, n);
			return ret;
		}
	}
	if (flags & F4_RENAME_WHITEOUT)
		ret = leave_whiteout(f4, cred, o);
	else
		ret = f4_dir_remove(f4, o->dir, o->name);
	if (ret) {
		if (moving_dir && cross)
			f4_dir_set_parent(f4, o->ino, o->dir);
		undo_new_name(f4, n);
		return ret;
	}
	/* Parents count subdirectories: a directory moving across parents
	 * moves one from the old to the new, unless it replaces one there;
	 * replacing a directory in the same parent leaves one fewer. */
	if (cross) {
		ret = touch(f4, o->dir, moving_dir ? -1 : 0, now);
		if (!ret)
			ret = touch(f4, n->dir, moving_dir && !n->exists ? 1 : 0, now);
	} else {
		ret = touch(f4, o->dir, is_dir(n) ? -1 : 0, now);
	}
	if (!ret)
		ret = stamp(f4, o->ino, now);
	if (!ret && n->exists)
		ret = f4_ns_drop_link(f4, n->ino);
	return ret;
}

int f4_ns_rename(struct f4_fs *f4, const struct f4_cred *cred,
		 ext2_ino_t odir, const char *oname, ext2_ino_t ndir,
		 const char *nname, unsigned flags)
{
	struct side o = { .dir = odir, .name = oname };
	struct side n = { .dir = ndir, .name = nname };
	int ret;

	if ((flags & F4_RENAME_EXCHANGE) &&
	    (flags & (F4_RENAME_NOREPLACE | F4_RENAME_WHITEOUT)))
		return -EINVAL;
	ret = f4_ns_check_name(oname);
	if (!ret)
		ret = f4_ns_check_name(nname);
	if (ret)
		return ret;
	f4_fs_lock(f4);
	ret = f4_fs_writable(f4);
	if (!ret)
		ret = load_side(f4, &o, true);
	if (!ret)
		ret = load_side(f4, &n, false);
	if (ret || (n.exists && n.ino == o.ino))
		goto out;	/* same inode: POSIX says do nothing */
	ret = check(f4, &o, &n, flags);
	if (!ret && (flags & F4_RENAME_EXCHANGE))
		ret = do_exchange(f4, &o, &n, f4_time_now());
	else if (!ret)
		ret = do_move(f4, cred, &o, &n, flags, f4_time_now());
out:
	f4_fs_unlock(f4);
	return ret;
}
