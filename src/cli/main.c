/* fuse4fs: serve an ext2/ext3/ext4 image through the FUSE lowlevel API.
 * Owns the process: options, the checks before mounting, opening the
 * image, then serving it (src/fuse/session.c). Every failure before the
 * mount is reported on the terminal and leaves nothing running. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <ext2fs/ext2fs.h>

#include "src/base/log.h"
#include "src/base/logsink.h"
#include "src/cli/fuseconf.h"
#include "src/cli/mountpoint.h"
#include "src/cli/opts.h"
#include "src/cli/remount.h"
#include "src/cli/unmount.h"
#include "src/fuse/session.h"
#include "src/mount/mount.h"

static void usage(FILE *f)
{
	fputs("usage: fuse4fs [options] IMAGE MOUNTPOINT\n"
	      "Serve the ext2/ext3/ext4 filesystem in IMAGE (a file or block device,\n"
	      "or /dev/fd/N for an inherited descriptor) at MOUNTPOINT.\n\n", f);
	f4_opts_print_help(f);
}

/* How long --unmount waits for the server to finish with the image. */
#define F4_UNMOUNT_WAIT_S 300

static void version(void)
{
	const char *e2ver = NULL;

	ext2fs_get_library_version(&e2ver, NULL);
	printf("fuse4fs %s (libfuse %s, libext2fs %s)\n", PACKAGE_VERSION,
	       f4_fuse_version(), e2ver ? e2ver : "?");
}

/* src with libfuse's option escapes: a backslash before every comma
 * and backslash, so that any image path is one fsname= value. */
static char *escape_option_value(const char *src)
{
	char *out = malloc(2 * strlen(src) + 1), *d = out;

	if (!out)
		return NULL;
	for (; *src; src++) {
		if (*src == ',' || *src == '\\')
			*d++ = '\\';
		*d++ = *src;
	}
	*d = '\0';
	return out;
}

/* The -o list handed to libfuse: ours first, then the user's. A mount
 * that ended up read-only (asked for, or forced by the features) is
 * read-only for the kernel too. */
static char *fuse_option_list(const struct f4_opts *o, bool readonly)
{
	const char *user = o->fuse_opts ? o->fuse_opts : "";
	/* The mount table names the image by its absolute path, so that
	 * the mount can be found from the image (fuse4fs --unmount, a
	 * second mount of the same image) whatever the directory. */
	char *abs = o->image[0] == '/' ? NULL : realpath(o->image, NULL);
	char *image = escape_option_value(abs ? abs : o->image);
	size_t len = strlen(user) + (image ? strlen(image) : 0) + 64;
	char *s = image ? malloc(len) : NULL;

	free(abs);
	if (!s) {
		free(image);
		return NULL;
	}
	/* Root's mounts are dev,suid unless asked otherwise, as mount(8)
	 * (and mount.fuse3) make them; libfuse alone would say nodev,nosuid.
	 * An ordinary user's are nodev,nosuid whatever is asked. */
	snprintf(s, len, "%s%s%s%s%s%s%s%s", o->has_subtype ? "" : "subtype=fuse4fs,",
		 readonly && !o->readonly ? "ro," : "",
		 geteuid() == 0 && !o->dev_given ? "dev," : "",
		 geteuid() == 0 && !o->suid_given ? "suid," : "",
		 o->has_fsname ? "" : "fsname=", o->has_fsname ? "" : image,
		 o->has_fsname ? "" : ",", user);
	if (s[strlen(s) - 1] == ',')
		s[strlen(s) - 1] = '\0';
	free(image);
	return s;
}

/* libfuse unmounts by the path it mounted, when a signal stops the
 * server, and the working directory may have changed by then: make a
 * relative mountpoint absolute, as libfuse's own command-line parser
 * does. */
static int absolute_mountpoint(struct f4_opts *o, char *msg, size_t len)
{
	char *abs;

	if (!f4_fuse_mounts_path(o->mountpoint) || o->mountpoint[0] == '/')
		return 0;
	abs = realpath(o->mountpoint, NULL);
	if (!abs) {
		snprintf(msg, len, "mountpoint %s: %s", o->mountpoint, strerror(errno));
		return -EINVAL;
	}
	free(o->mountpoint);
	o->mountpoint = abs;
	return 0;
}

/* The core's configuration from the command line: a read-write mount
 * loads its bitmaps after mounting (f4_mount_start_background). */
static int open_fs(const struct f4_opts *o, struct f4_fs **out, char *msg,
		   size_t len)
{
	struct f4_conf conf = {
		.image = o->image,
		.offset = o->offset,
		.readonly = o->readonly,
		.norecovery = o->norecovery,
		.errors = o->errors,
		.io_pread = o->io_pread,
		.cache_size = o->cache_size,
		.commit_s = o->commit_s,
		.atime = o->atime,
		.nodiratime = o->nodiratime,
		.dirsync = o->dirsync,
		.noblock_validity = o->noblock_validity,
		.idmap = o->idmap,
		.load_in_background = true,
	};

	return f4_mount_open(&conf, out, msg, len);
}

static int serve(const struct f4_opts *o, struct f4_fs *f4)
{
	char *list = fuse_option_list(o, !f4->rw);
	struct f4_serve_conf sc = {
		.mountpoint = o->mountpoint,
		.fuse_opts = list,
		.foreground = o->foreground,
		.debug = o->debug,
		.single_thread = o->single_thread,
		.writeback_cache = o->writeback_cache,
		.fakeroot = o->fakeroot,
		.auto_unmount = o->auto_unmount,
	};
	int ret;

	if (!list)
		return 1;
	ret = f4_fuse_serve(f4, &sc);
	free(list);
	return ret;
}

int main(int argc, char **argv)
{
	struct f4_opts opts;
	struct f4_fs *f4 = NULL;
	char msg[512] = "";
	int ret;

	if (f4_opts_parse(argc, argv, &opts, msg, sizeof(msg))) {
		fprintf(stderr, "fuse4fs: %s\n", msg);
		f4_opts_free(&opts);
		return 1;
	}
	if (opts.show_help || opts.show_version) {
		if (opts.show_help)
			usage(stdout);
		else
			version();
		f4_opts_free(&opts);
		return 0;
	}
	f4_log_debug_enabled = opts.debug;
	if (opts.remount) {
		ret = f4_cli_remount(opts.mountpoint, opts.readonly, msg, sizeof(msg));
		if (ret)
			fprintf(stderr, "fuse4fs: %s\n", msg);
		f4_opts_free(&opts);
		return ret ? 1 : 0;
	}
	if (opts.unmount) {
		ret = f4_cli_unmount(opts.mountpoint, F4_UNMOUNT_WAIT_S, msg, sizeof(msg));
		if (ret)
			fprintf(stderr, "fuse4fs: %s\n", msg);
		f4_opts_free(&opts);
		return ret ? 1 : 0;
	}
	if (opts.allow_other &&
	    f4_fuseconf_check_allow_other(F4_FUSECONF_PATH, (unsigned)getuid(),
					  msg, sizeof(msg))) {
		fprintf(stderr, "fuse4fs: %s\n", msg);
		f4_opts_free(&opts);
		return 1;
	}
	if (opts.fakeroot && opts.allow_other)
		f4_warn("-o fakeroot with -o allow_other: every user of the mount acts as root on it");
	if ((opts.logfile && f4_logsink_open_file(opts.logfile, msg, sizeof(msg))) ||
	    f4_mountpoint_check(opts.mountpoint, msg, sizeof(msg)) ||
	    absolute_mountpoint(&opts, msg, sizeof(msg)) ||
	    open_fs(&opts, &f4, msg, sizeof(msg))) {
		fprintf(stderr, "fuse4fs: %s\n", msg);
		f4_opts_free(&opts);
		return 1;
	}
	ret = serve(&opts, f4);
	if (f4_mount_close(f4) && !ret)
		ret = 1;
	f4_opts_free(&opts);
	return ret;
}
