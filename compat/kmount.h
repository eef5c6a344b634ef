/* Owns finding out whether the kernel itself has an image mounted: a
 * block device in the mount table, or an image file attached to a loop
 * device that is. Best effort (loop devices of other mount namespaces
 * and devices an unprivileged user cannot see are missed); Linux only,
 * elsewhere it finds nothing. */
#ifndef F4_COMPAT_KMOUNT_H
#define F4_COMPAT_KMOUNT_H

#include <stddef.h>

/* 1 when the file or device open as fd is mounted by the kernel, with
 * "DEVICE at MOUNTPOINT" in who; 0 when not (or unknown). */
int f4_compat_kernel_mount(int fd, char *who, size_t len);

#endif
