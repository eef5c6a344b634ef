/* Owns serving a mounted filesystem through libfuse (see session.c):
 * what the process asks of the glue, without FUSE types. */
#ifndef F4_FUSE_SESSION_H
#define F4_FUSE_SESSION_H

#include <stdbool.h>

#include "src/fs/fs.h"

struct f4_serve_conf {
	const char *mountpoint;	/* a path, or /dev/fd/N (an open FUSE device) */
	const char *fuse_opts;	/* the -o list handed to libfuse */
	bool foreground;	/* -f: do not daemonize */
	bool debug;		/* -d: libfuse traces requests */
	bool single_thread;	/* -s */
	bool writeback_cache;	/* -o writeback_cache */
	bool fakeroot;		/* -o fakeroot: every caller is root to us */
	bool auto_unmount;	/* -o auto_unmount */
};

/* Mount, daemonize (unless foreground), drop every capability, start the
 * mount's background threads and serve until unmounted or stopped by a
 * signal. Returns the process's exit status (0 or 1). */
int f4_fuse_serve(struct f4_fs *f4, const struct f4_serve_conf *conf);

/* Does this server mount a path itself (not a /dev/fd/N handed over)? */
bool f4_fuse_mounts_path(const char *mountpoint);

/* libfuse's version, for --version. */
const char *f4_fuse_version(void);

#endif
