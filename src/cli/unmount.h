/* Owns `fuse4fs --unmount MOUNTPOINT`: unmount a fuse4fs mount and
 * return only once its server has finished with the image (written its
 * last changes, marked it clean and let go of it). fusermount3 -u and
 * umount return as soon as the mount is detached, while the server is
 * still writing; a script that copies, checks or mounts the image next
 * needs to wait. */
#ifndef F4_CLI_UNMOUNT_H
#define F4_CLI_UNMOUNT_H

#include <stddef.h>

/* 0, or -errno with a one-line reason in msg. wait_s bounds the wait
 * for the server. */
int f4_cli_unmount(const char *mountpoint, unsigned wait_s, char *msg,
		   size_t len);

#endif
