/* Owns mounting and unmounting a filesystem (see mount.c). What to
 * mount is said in a configuration of the core's own (conf.h). */
#ifndef F4_MOUNT_MOUNT_H
#define F4_MOUNT_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/fs/fs.h"
#include "src/mount/conf.h"


/* Open and check the image as conf says. On failure returns -errno
 * and a one-line reason in msg; nothing is left open. */
int f4_mount_open(const struct f4_conf *conf, struct f4_fs **out, char *msg,
		  size_t msglen);

/* Start the threads of a mount (call after daemonizing): for read-write
 * mounts opened with load_in_background, the loader (src/mount/loader.h);
 * the MMP updater; and the background writer (flusher.h). Returns -errno
 * when a thread other than the loader could not start. */
int f4_mount_start_background(struct f4_fs *f4);

/* Flush (rw) and close; returns the first error. */
int f4_mount_close(struct f4_fs *f4);

/* The clean state back on a read-write mount marked in use: the
 * journal's last commit, checkpoint and empty log, then the state
 * found at mount (errors kept) in the superblock, left dirty for the
 * caller's flush or close. Lock held. 0 or -EIO. */
int f4_mount_mark_clean(struct f4_fs *f4);

#endif
