/* Owns the mountpoint checks made before mounting, so that the common
 * mistakes get a one-line message of ours before libfuse is involved. */
#ifndef F4_CLI_MOUNTPOINT_H
#define F4_CLI_MOUNTPOINT_H

#include <stddef.h>

/* 0 if path is a directory we can mount on; else -errno and a reason.
 * "/dev/fd/N" (an inherited /dev/fuse descriptor) is accepted as is. */
int f4_mountpoint_check(const char *path, char *msg, size_t len);

#endif
