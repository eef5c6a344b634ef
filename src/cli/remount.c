/* Owns fuse4fs -o remount (see remount.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/statvfs.h>

#include "src/cli/remount.h"
#include "src/fuse/control.h"

/* remount(2) applies the flags given to the mount as well: keep the
 * mount's nosuid, nodev, noexec and atime flags as they are. */
static unsigned long kept_flags(const char *mnt)
{
	static const struct { unsigned long st, ms; } map[] = {
		{ ST_NOSUID, MS_NOSUID }, { ST_NODEV, MS_NODEV },
		{ ST_NOEXEC, MS_NOEXEC }, { ST_NOATIME, MS_NOATIME },
		{ ST_NODIRATIME, MS_NODIRATIME }, { ST_RELATIME, MS_RELATIME },
		{ ST_SYNCHRONOUS, MS_SYNCHRONOUS },
	};
	struct statvfs sv;
	unsigned long flags = 0;
	size_t i;

	if (statvfs(mnt, &sv) != 0)
		return MS_NOSUID | MS_NODEV;	/* the safe side */
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (sv.f_flag & map[i].st)
			flags |= map[i].ms;
	if (!(flags & (MS_NOATIME | MS_RELATIME)))
		flags |= MS_STRICTATIME;
	return flags;
}

static int vfs_remount(const char *mnt, bool readonly, char *msg, size_t len)
{
	unsigned long flags = MS_REMOUNT | kept_flags(mnt) | (readonly ? MS_RDONLY : 0);

	if (mount(NULL, mnt, NULL, flags, NULL) == 0)
		return 0;
	snprintf(msg, len, "cannot remount %s %s: %s%s", mnt,
		 readonly ? "read-only" : "read-write", strerror(errno),
		 errno == EPERM ? " (remounting needs root)" : "");
	return -errno;
}

int f4_cli_remount(const char *mountpoint, bool readonly, char *msg,
		   size_t len)
{
	char why[512];
	int ret;

	if (readonly) {
		/* The VFS first: no change comes in while the server
		 * writes everything out. */
		ret = vfs_remount(mountpoint, true, msg, len);
		if (ret)
			return ret;
		ret = f4_control_call(mountpoint, "remount-ro", why, sizeof(why));
		if (ret)
			snprintf(msg, len, "%s is read-only now, but its server could not leave the image clean: %s",
				 mountpoint, why);
		return ret;
	}
	ret = f4_control_call(mountpoint, "remount-rw", why, sizeof(why));
	if (ret) {
		snprintf(msg, len, "cannot remount %s read-write: %s", mountpoint, why);
		return ret;
	}
	return vfs_remount(mountpoint, false, msg, len);
}
