/* Owns mount -o remount,ro and remount,rw of a mounted filesystem, the
 * server's part (the kernel sends FUSE no message on remount: the
 * command reaches us over the control channel, src/fuse/control.h).
 * remount,ro writes everything and leaves the image clean, as an
 * unmount would, and refuses every change from then on; remount,rw
 * marks it in use again and starts a new journal transaction. Without
 * the lock; 0 or -errno with a one-line reason in msg. */
#ifndef F4_MOUNT_REMOUNT_H
#define F4_MOUNT_REMOUNT_H

#include <stddef.h>

#include "src/fs/fs.h"

int f4_mount_remount_ro(struct f4_fs *f4, char *msg, size_t len);
int f4_mount_remount_rw(struct f4_fs *f4, char *msg, size_t len);

#endif
