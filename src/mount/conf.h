/* Owns the core's mount configuration: what to mount and how, in the
 * core's own terms. The process (src/cli/) fills it from the command
 * line; tests and the fuzz harness fill it directly. */
#ifndef F4_MOUNT_CONF_H
#define F4_MOUNT_CONF_H

#include <stdbool.h>
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
	unsigned commit_s;	/* seconds between journal commits; 0: 5 */
	struct f4_idmap idmap;	/* on-disk ids <-> ids seen */
	enum f4_atime_policy atime;	/* relatime unless set */
	bool nodiratime;
	bool dirsync;		/* directory changes durable at once */
	bool noblock_validity;	/* read-only: metadata may overlap */
	/* A read-write mount loads its bitmaps after mounting
	 * (f4_mount_start_background), not in f4_mount_open. */
	bool load_in_background;
};

#endif
