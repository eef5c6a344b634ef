/* Owns setattr (see setattr.h). */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "src/file/mode.h"
#include "src/inode/icache.h"
#include "src/fs/idmap.h"
#include "src/ns/setattr.h"
#include "src/file/truncate.h"
#include "src/file/write.h"

/* What ext4 (with the VFS) refuses on immutable and append-only inodes. */
static int check_flags(const struct ext2_inode_large *inode, unsigned valid)
{
	unsigned explicit = F4_SA_MODE | F4_SA_UID | F4_SA_GID | F4_SA_SIZE |
			    F4_SA_ATIME | F4_SA_MTIME;

	/* Times set to "now" (touch) are not explicit times. */
	if (valid & F4_SA_ATIME_NOW)
		valid &= ~(unsigned)F4_SA_ATIME;
	if (valid & F4_SA_MTIME_NOW)
		valid &= ~(unsigned)F4_SA_MTIME;
	if (inode->i_flags & EXT2_IMMUTABLE_FL)
		return -EPERM;
	if ((inode->i_flags & EXT2_APPEND_FL) && (valid & explicit))
		return -EPERM;
	return 0;
}

static void apply_times(struct f4_fs *f4, struct ext2_inode_large *inode,
			const struct f4_setattr *sa, struct timespec now)
{
	if (sa->valid & F4_SA_ATIME_NOW)
		f4_inode_set_times(f4, inode, F4_ATIME, now);
	else if (sa->valid & F4_SA_ATIME)
		f4_inode_set_times(f4, inode, F4_ATIME, sa->atime);
	if (sa->valid & F4_SA_MTIME_NOW)
		f4_inode_set_times(f4, inode, F4_MTIME, now);
	else if (sa->valid & F4_SA_MTIME)
		f4_inode_set_times(f4, inode, F4_MTIME, sa->mtime);
	f4_inode_set_times(f4, inode, F4_CTIME,
			   (sa->valid & F4_SA_CTIME) ? sa->ctime : now);
}

/* chown's ids as the image stores them (see idmap.h). Done before any
 * change, as the VFS refuses an id it cannot store before anything. */
static int owner_to_disk(const struct f4_fs *f4, struct f4_setattr *sa)
{
	uint32_t id = 0;
	int ret = 0;

	if (sa->valid & F4_SA_UID) {
		ret = f4_idmap_store(&f4->idmap.uid, sa->uid, &id);
		sa->uid = id;
	}
	if (!ret && (sa->valid & F4_SA_GID)) {
		ret = f4_idmap_store(&f4->idmap.gid, sa->gid, &id);
		sa->gid = id;
	}
	return ret;
}

/* Everything but the size, under the big lock. */
static int apply(struct f4_fs *f4, ext2_ino_t ino,
		 struct ext2_inode_large *inode, const struct f4_setattr *sa)
{
	int ret;

	if (sa->valid & F4_SA_MODE) {
		ret = f4_mode_chmod(f4, ino, inode, sa->mode);
		if (ret)
			return ret;
	}
	if (sa->valid & (F4_SA_UID | F4_SA_GID))
		f4_inode_set_ids(inode,
				 (sa->valid & F4_SA_UID) ? sa->uid : inode_uid(*inode),
				 (sa->valid & F4_SA_GID) ? sa->gid : inode_gid(*inode));
	apply_times(f4, inode, sa, f4_time_now());
	return f4_inode_write(f4, ino, inode);
}

/* F4_SA_KILL_SUIDGID as a mode change (folded into one asked for), or
 * nothing when there is no bit to clear (then not even ctime changes). */
static void kill_suidgid(const struct f4_fs *f4,
			 const struct ext2_inode_large *inode,
			 struct f4_setattr *sa)
{
	mode_t mode = (sa->valid & F4_SA_MODE) ? sa->mode : inode->i_mode;
	mode_t kept = f4_mode_after_kill(f4, inode, mode, sa->cred);

	sa->valid &= ~(unsigned)F4_SA_KILL_SUIDGID;
	if (kept != mode) {
		sa->valid |= F4_SA_MODE;
		sa->mode = kept;
	}
}

int f4_node_setattr(struct f4_fs *f4, ext2_ino_t ino,
		    const struct f4_setattr *sa, struct f4_attr *out)
{
	struct f4_inode_state *st = NULL;
	struct f4_setattr dsa = *sa;	/* with on-disk ids */
	struct ext2_inode_large inode;
	uint64_t zero_from = 0, zero_len = 0;
	int ret;

	if (sa->valid & F4_SA_SIZE) {
		st = f4_icache_get(f4->icache, ino);
		if (!st)
			return -ENOMEM;
		pthread_rwlock_wrlock(&st->io_lock);
	}
	f4_fs_lock(f4);
	ret = f4_fs_writable(f4);
	if (!ret)
		ret = f4_inode_read(f4, ino, &inode);
	if (!ret)
		ret = check_flags(&inode, sa->valid);
	if (!ret)
		ret = owner_to_disk(f4, &dsa);
	if (!ret && (dsa.valid & F4_SA_KILL_SUIDGID))
		kill_suidgid(f4, &inode, &dsa);
	if (!ret && (sa->valid & F4_SA_SIZE))
		ret = f4_truncate_locked(f4, ino, &inode, sa->size, &zero_from,
					 &zero_len);
	if (!ret && (dsa.valid & ~F4_SA_SIZE))
		ret = apply(f4, ino, &inode, &dsa);
	if (!ret)
		f4_inode_to_attr(f4, ino, &inode, out);
	f4_fs_unlock(f4);
	if (!ret && zero_len)
		ret = f4_file_zero_tail(f4, ino, zero_from, zero_len);
	if (st) {
		pthread_rwlock_unlock(&st->io_lock);
		f4_icache_put(f4->icache, st);
	}
	return ret;
}
