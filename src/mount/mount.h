/* Owns mounting and unmounting a filesystem (see mount.c). What to
 * mount is said in a configuration of the core's own: the process
 * (src/cli/) fills it from the command line. */
#ifndef F4_MOUNT_MOUNT_H
#define F4_MOUNT_MOUNT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/fs/fs.h"
#include "src/fs/idmap.h"

struct f4_conf {
	const char *image;	/* path, or /dev/fd/N */
	uint64_t offset;	/* where the filesystem starts in it */
	bool readonly;
	bool norecovery;	/* serve the unreplayed view (read-only) */
	enum f4_errors_policy errors;
	bool io_pread;		/* file data through pread/pwrite only */
	uint64_t cache_size;	/* metadata cache bytes; 0: from RAM */
	struct f4_idmap idmap;	/* on-disk ids <-> ids seen */
	/* A read-write mount loads its bitmaps after mounting
	 * (f4_mount_start_background), not in f4_mount_open. */
	bool load_in_background;
};

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

#endif
