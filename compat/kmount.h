/* Owns finding out whether the kernel itself has an image mounted: a
 * block device in the mount table, or an image file attached to a loop
 * device that is; and whether a fuse4fs mount serves it. Best effort (loop devices of other mount namespaces
 * and devices an unprivileged user cannot see are missed); Linux only,
 * elsewhere it finds nothing. */
#ifndef F4_COMPAT_KMOUNT_H
#define F4_COMPAT_KMOUNT_H

#include <stddef.h>

/* 1 when the file or device open as fd is mounted by the kernel, with
 * "DEVICE at MOUNTPOINT" in who; 0 when not (or unknown). */
int f4_compat_kernel_mount(int fd, char *who, size_t len);

/* 1 when a fuse4fs mount in our mount table serves the file open as fd
 * (its source, the image path, names that file), with its mountpoint
 * in mnt; 0 when none is found. */
int f4_compat_fuse4fs_mount(int fd, char *mnt, size_t len);

#endif
