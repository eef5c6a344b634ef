/* Owns remount,ro and remount,rw (see remount.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <et/com_err.h>

#include "iomap/errcode.h"
#include "src/mount/loader.h"
#include "src/mount/mount.h"
#include "src/mount/remount.h"

static int to_read_only(struct f4_fs *f4, char *msg, size_t len)
{
	errcode_t err;
	int ret = f4_mount_mark_clean(f4);

	if (ret) {
		snprintf(msg, len, "%s: the last journal commit failed", f4->dev.path);
		return ret;
	}
	err = ext2fs_flush(f4->fs);
	if (!err)
		ret = f4_dev_sync(&f4->dev);
	else
		ret = f4_errcode_to_errno(err);
	f4->fs->flags &= ~EXT2_FLAG_SUPER_ONLY;
	if (ret) {
		snprintf(msg, len, "%s: cannot write the clean state: %s",
			 f4->dev.path, err ? error_message(err) : strerror(-ret));
		return ret;
	}
	__atomic_store_n(&f4->remounted_ro, true, __ATOMIC_RELAXED);
	return 0;
}

int f4_mount_remount_ro(struct f4_fs *f4, char *msg, size_t len)
{
	int ret = 0;

	f4_fs_lock(f4);
	/* Read-only already: opened so, remounted so, or stopped writing
	 * after an error (which keeps what it has to keep). */
	if (f4->rw && !f4->went_ro && !f4->remounted_ro && f4->marked_in_use)
		ret = to_read_only(f4, msg, len);
	f4_fs_unlock(f4);
	return ret;
}

int f4_mount_remount_rw(struct f4_fs *f4, char *msg, size_t len)
{
	int ret = 0;

	f4_fs_lock(f4);
	if (!f4->rw) {
		snprintf(msg, len, "%s was opened read-only (-o ro, or write-protected storage): unmount it and mount it read-write",
			 f4->dev.path);
		ret = -EROFS;
	} else if (f4->went_ro) {
		snprintf(msg, len, "%s stopped writing after an error: unmount it and run e2fsck",
			 f4->dev.path);
		ret = -EROFS;
	} else if (f4->remounted_ro) {
		ret = f4_loader_mark_in_use(f4, msg, len);
		if (!ret)
			__atomic_store_n(&f4->remounted_ro, false, __ATOMIC_RELAXED);
	}
	f4_fs_unlock(f4);
	return ret;
}
