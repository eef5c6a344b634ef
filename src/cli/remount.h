/* Owns `fuse4fs -o remount[,ro|,rw] IMAGE MOUNTPOINT`, what mount(8)
 * runs (through mount.fuse3) for `mount -o remount,ro MOUNTPOINT`: the
 * mount's read-only flag changes at the VFS, and the server is told
 * over its control channel (src/fuse/control.h) to write everything and
 * leave the image clean (ro) or to mark it in use again (rw). Needs
 * root (CAP_SYS_ADMIN), as any remount. */
#ifndef F4_CLI_REMOUNT_H
#define F4_CLI_REMOUNT_H

#include <stdbool.h>
#include <stddef.h>

/* 0, or -errno with a one-line reason in msg. */
int f4_cli_remount(const char *mountpoint, bool readonly, char *msg,
		   size_t len);

#endif
