/* Owns the access-time policy (see atime.h). */
#include "config.h"

#include <stdbool.h>

#include "src/inode/atime.h"
#include "src/inode/inode.h"

#define F4_RELATIME_MAX_AGE_S (24 * 60 * 60)

static int ts_cmp(struct timespec a, struct timespec b)
{
	if (a.tv_sec != b.tv_sec)
		return a.tv_sec < b.tv_sec ? -1 : 1;
	return a.tv_nsec < b.tv_nsec ? -1 : a.tv_nsec > b.tv_nsec;
}

/* One of the inode's timestamps, by field name. */
#define F4_INODE_TIME(f4, inode, f)                                      \
	f4_time_decode((inode)->i_##f, (inode)->i_##f##_extra,          \
		       f4_inode_has_extra(f4, inode, F4_EXTRA_END(i_##f##_extra)))

static bool due(const struct f4_fs *f4, const struct ext2_inode_large *inode,
		struct timespec now)
{
	struct timespec atime;

	if (f4->atime == F4_ATIME_NEVER || (inode->i_flags & EXT2_NOATIME_FL) ||
	    (f4->nodiratime && S_ISDIR(inode->i_mode)))
		return false;
	atime = F4_INODE_TIME(f4, inode, atime);
	if (ts_cmp(atime, now) == 0)
		return false;
	if (f4->atime == F4_ATIME_STRICT)
		return true;
	return ts_cmp(atime, F4_INODE_TIME(f4, inode, mtime)) <= 0 ||
	       ts_cmp(atime, F4_INODE_TIME(f4, inode, ctime)) <= 0 ||
	       now.tv_sec - atime.tv_sec >= F4_RELATIME_MAX_AGE_S;
}

void f4_inode_touch_atime(struct f4_fs *f4, ext2_ino_t ino,
			  struct ext2_inode_large *inode)
{
	struct timespec now;

	if (!f4->rw || f4_fs_writable(f4))
		return;
	now = f4_time_now();
	if (!due(f4, inode, now))
		return;
	f4_inode_set_times(f4, inode, F4_ATIME, now);
	f4_inode_write(f4, ino, inode);
}
