/* The handlers of what libfuse 3.14 does not know, which our transport
 * hands here before libfuse sees them (its ENOSYS would make the kernel
 * stop asking for the whole connection) and answers itself: FUSE_STATX
 * (statx with the birth time, ext4's i_crtime, which GETATTR cannot
 * carry) and FUSE_SYNCFS. */
#include "config.h"

#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "src/fuse/kproto.h"
#include "src/fuse/ops.h"
#include "src/ns/node.h"

/* statx's mask bits (<linux/stat.h>; facts of the protocol). */
#define F4_STATX_BASIC_STATS 0x000007ffu
#define F4_STATX_BTIME 0x00000800u

static struct f4_fuse_sx_time sx_time(struct timespec ts)
{
	return (struct f4_fuse_sx_time){ .tv_sec = ts.tv_sec,
					 .tv_nsec = (uint32_t)ts.tv_nsec };
}

int f4_op_syncfs(struct f4_session *sess)
{
	return sess->f4->rw ? f4_fs_commit(sess->f4, true) : 0;
}

int f4_op_statx(struct f4_session *sess, uint64_t nodeid,
		struct f4_fuse_statx_out *out)
{
	struct f4_fuse_statx *sx = &out->stat;
	struct f4_attr a;
	struct stat st;
	int ret = f4_node_getattr(sess->f4, f4_ino(nodeid), &a);

	if (ret)
		return ret;
	f4_fill_stat(&a, &st);
	memset(out, 0, sizeof(*out));
	out->attr_valid = (uint64_t)sess->attr_timeout;
	sx->mask = F4_STATX_BASIC_STATS | (a.has_btime ? F4_STATX_BTIME : 0);
	sx->blksize = (uint32_t)st.st_blksize;
	sx->nlink = (uint32_t)st.st_nlink;
	sx->uid = st.st_uid;
	sx->gid = st.st_gid;
	sx->mode = (uint16_t)st.st_mode;
	sx->ino = f4_nodeid(a.ino);
	sx->size = (uint64_t)st.st_size;
	sx->blocks = (uint64_t)st.st_blocks;
	sx->atime = sx_time(st.st_atim);
	sx->mtime = sx_time(st.st_mtim);
	sx->ctime = sx_time(st.st_ctim);
	if (a.has_btime)
		sx->btime = sx_time(a.btime);
	sx->rdev_major = major(st.st_rdev);
	sx->rdev_minor = minor(st.st_rdev);
	return 0;
}
