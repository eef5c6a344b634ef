/* fuse4fs: serve an ext2/ext3/ext4 image through the FUSE lowlevel API.
 * Owns the process: options, opening the image, the session, daemonizing
 * and the request loop. Every failure before the mount is reported on the
 * terminal and leaves nothing running. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include <ext2fs/ext2fs.h>

#include "log.h"
#include "mountpoint.h"
#include "ops.h"

/* Entries and attributes change only through this mount: cache long. */
#define F4_CACHE_TIMEOUT 86400.0

static void usage(FILE *f)
{
	fputs("usage: fuse4fs [options] IMAGE MOUNTPOINT\n"
	      "Serve the ext2/ext3/ext4 filesystem in IMAGE (a file or block device,\n"
	      "or /dev/fd/N for an inherited descriptor) at MOUNTPOINT.\n\n", f);
	f4_opts_print_help(f);
}

static void version(void)
{
	const char *e2ver = NULL;

	ext2fs_get_library_version(&e2ver, NULL);
	printf("fuse4fs %s (libfuse %s, libext2fs %s)\n", PACKAGE_VERSION,
	       fuse_pkgversion(), e2ver ? e2ver : "?");
}

static void syslog_sink(enum f4_log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

	vsyslog(prio[level], fmt, ap);
}

/* The -o list handed to libfuse: ours first, then the user's. A mount
 * that ended up read-only (asked for, or forced by the features) is
 * read-only for the kernel too. */
static char *fuse_option_list(const struct f4_opts *o, bool readonly)
{
	const char *user = o->fuse_opts ? o->fuse_opts : "";
	size_t len = strlen(user) + strlen(o->image) + 64;
	char *s = malloc(len);

	if (!s)
		return NULL;
	snprintf(s, len, "%s%s%s%s%s%s", o->has_subtype ? "" : "subtype=fuse4fs,",
		 readonly && !o->readonly ? "ro," : "",
		 o->has_fsname ? "" : "fsname=", o->has_fsname ? "" : o->image,
		 o->has_fsname ? "" : ",", user);
	if (s[strlen(s) - 1] == ',')
		s[strlen(s) - 1] = '\0';
	return s;
}

static struct fuse_session *new_session(const struct f4_opts *o,
					struct f4_session *sess)
{
	char *list = fuse_option_list(o, !sess->f4->rw);
	char *argv[] = { "fuse4fs", "-o", list, o->debug ? "-d" : NULL, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(o->debug ? 4 : 3, argv);
	struct fuse_session *se;

	if (!list)
		return NULL;
	se = fuse_session_new(&args, f4_ops(), sizeof(*f4_ops()), sess);
	fuse_opt_free_args(&args);
	free(list);
	return se;
}

static int run_loop(struct fuse_session *se, const struct f4_opts *o)
{
	struct fuse_loop_config *cfg;
	int ret;

	if (o->single_thread)
		return fuse_session_loop(se);
	cfg = fuse_loop_cfg_create();
	if (!cfg)
		return -ENOMEM;
	fuse_loop_cfg_set_max_threads(cfg, 16);
	ret = fuse_session_loop_mt(se, cfg);
	fuse_loop_cfg_destroy(cfg);
	return ret;
}

static int serve(const struct f4_opts *o, struct f4_fs *f4)
{
	struct f4_session sess = {
		.f4 = f4,
		.entry_timeout = F4_CACHE_TIMEOUT,
		.attr_timeout = F4_CACHE_TIMEOUT,
		.writeback_cache = o->writeback_cache,
	};
	int ret = 1;

	sess.se = new_session(o, &sess);
	if (!sess.se)
		return 1;
	if (fuse_set_signal_handlers(sess.se) != 0)
		goto out_destroy;
	if (fuse_session_mount(sess.se, o->mountpoint) != 0)
		goto out_signals;
	if (fuse_daemonize(o->foreground) != 0)
		goto out_unmount;
	if (!o->foreground) {
		openlog("fuse4fs", LOG_PID, LOG_DAEMON);
		f4_log_set_sink(syslog_sink);
	}
	if (f4_fs_start_flusher(sess.f4))
		f4_warn("no background writeback: metadata reaches the image on fsync and unmount only");
	ret = run_loop(sess.se, o) ? 1 : 0;
out_unmount:
	fuse_session_unmount(sess.se);
out_signals:
	fuse_remove_signal_handlers(sess.se);
out_destroy:
	fuse_session_destroy(sess.se);
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
	if (f4_mountpoint_check(opts.mountpoint, msg, sizeof(msg)) ||
	    f4_fs_open(&opts, &f4, msg, sizeof(msg))) {
		fprintf(stderr, "fuse4fs: %s\n", msg);
		f4_opts_free(&opts);
		return 1;
	}
	ret = serve(&opts, f4);
	if (f4_fs_close(f4) && !ret)
		ret = 1;
	f4_opts_free(&opts);
	return ret;
}
