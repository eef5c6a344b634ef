/* Owns the command line: our options, the FUSE options we pass on, and
 * the --help text (generated from the same table, so help, parser and the
 * man-page check cannot drift apart). */
#ifndef F4_CLI_OPTS_H
#define F4_CLI_OPTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/fs/errors.h"
#include "src/fs/fs.h"
#include "src/fs/idmap.h"

struct f4_opts {
	char *image;
	char *mountpoint;
	bool readonly;		/* -o ro */
	bool rw;		/* -o rw was given */
	uint64_t offset;	/* -o offset= */
	bool norecovery;
	enum f4_errors_policy errors;
	bool io_pread;		/* -o io=pread: no io_uring */
	uint64_t cache_size;	/* -o cache_size=, bytes; 0: from RAM */
	unsigned commit_s;	/* -o commit=, seconds; 0: default */
	enum f4_atime_policy atime;	/* relatime, strictatime, noatime */
	bool nodiratime;
	bool dirsync;		/* -o dirsync or sync */
	bool writeback_cache;	/* -o writeback_cache */
	bool foreground;	/* -f (and -d) */
	bool debug;		/* -d */
	bool single_thread;	/* -s */
	struct f4_idmap idmap;	/* -o uid=, gid=, uidmap=, gidmap= */
	bool fakeroot;		/* -o fakeroot */
	bool show_help;
	bool show_version;
	bool unmount;		/* -u, --unmount MOUNTPOINT */
	bool remount;		/* -o remount (mount -o remount,...) */
	char *logfile;		/* -o logfile=PATH */
	bool noblock_validity;
	bool dev_given, suid_given;	/* -o dev/nodev, suid/nosuid given */
	/* Options handed to libfuse, as one comma-separated -o list. */
	char *fuse_opts;
	bool has_fsname, has_subtype;
	bool allow_other;	/* -o allow_other or allow_root was given */
	bool default_permissions;	/* -o default_permissions was given */
	bool auto_unmount;	/* -o auto_unmount was given */
};

/* Parse argv. On error returns -EINVAL with a one-line message in msg.
 * -h/-V set show_help/show_version and need no IMAGE or MOUNTPOINT. */
int f4_opts_parse(int argc, char **argv, struct f4_opts *o, char *msg,
		  size_t msglen);
void f4_opts_free(struct f4_opts *o);

/* The option list of --help (without the usage line). */
void f4_opts_print_help(void *stream);

#endif
