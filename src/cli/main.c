/* fuse4fs: serve an ext2/ext3/ext4 image through the FUSE lowlevel API.
 * Owns the process: options, opening the image, the session, daemonizing
 * and the request loop. Every failure before the mount is reported on the
 * terminal and leaves nothing running. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include <ext2fs/ext2fs.h>

#include "compat/caps.h"
#include "src/cli/fuseconf.h"
#include "src/base/log.h"
#include "src/cli/mountpoint.h"
#include "src/fuse/transport.h"
#include "src/fuse/ops.h"

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

/* Did this server mount a path itself (not a /dev/fd/N handed over)? */
static bool mounted_a_path(const struct f4_opts *o)
{
	return strncmp(o->mountpoint, "/dev/fd/", 8) != 0;
}

/* Once mounted, with the image open, the server keeps no capability at
 * all (see fuse4fs.8, PRIVILEGES): requests never need one. Nor may it
 * gain any by execve (no_new_privs), unless libfuse may still have to
 * run the setuid fusermount3 to unmount after a signal: a server that
 * is not root and mounted a path itself. Before any thread starts.
 * *can_unmount: whether the server may still unmount by itself (root
 * without CAP_SYS_ADMIN may not; libfuse would try and complain). */
static int drop_privileges(const struct f4_opts *o, bool *can_unmount)
{
	bool helper = geteuid() != 0 && mounted_a_path(o);
	char report[512];
	int ret = f4_compat_caps_drop(!helper, report, sizeof(report));

	if (ret == -ENOSYS) {
		if (geteuid() == 0)
			f4_warn("%s", report);
		else
			f4_dbg("capabilities: %s", report);
		return 0;
	}
	if (ret) {
		f4_err("%s", report);
		return ret;
	}
	f4_dbg("capabilities: %s", report);
	*can_unmount = geteuid() != 0;
	return 0;
}

/* The loop ended. Still mounted means a signal stopped it: a server that
 * cannot unmount says how to (unless fusermount3 is watching). */
static void note_unmount(struct fuse_session *se, const struct f4_opts *o)
{
	struct pollfd p = { .fd = fuse_session_fd(se), .events = 0 };

	if (o->auto_unmount)
		return;
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR))
		return;		/* unmounted already */
	f4_warn("stopped while %s is still mounted; it stays unusable until 'umount %s' (-o auto_unmount does that by itself)",
		o->mountpoint, o->mountpoint);
}

/* libfuse unmounts by the path it mounted, when a signal stops the
 * server, and the working directory may have changed by then: make a
 * relative mountpoint absolute, as libfuse's own command-line parser
 * does. */
static int absolute_mountpoint(struct f4_opts *o, char *msg, size_t len)
{
	char *abs;

	if (!mounted_a_path(o) || o->mountpoint[0] == '/')
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

static int serve(const struct f4_opts *o, struct f4_fs *f4)
{
	struct f4_session sess = {
		.f4 = f4,
		.entry_timeout = F4_CACHE_TIMEOUT,
		.attr_timeout = F4_CACHE_TIMEOUT,
		.writeback_cache = o->writeback_cache,
		.fakeroot = o->fakeroot,
	};
	bool can_unmount = true;
	int ret = 1;

	sess.se = new_session(o, &sess);
	if (!sess.se)
		return 1;
	if (fuse_set_signal_handlers(sess.se) != 0)
		goto out_destroy;
	if (fuse_session_mount(sess.se, o->mountpoint) != 0)
		goto out_signals;
	if (f4_fuseio_install(sess.se))
		f4_dbg("FUSE requests through libfuse alone: writes ask for security.capability first");
	if (fuse_daemonize(o->foreground) != 0)
		goto out_unmount;
	if (!o->foreground) {
		openlog("fuse4fs", LOG_PID, LOG_DAEMON);
		f4_log_set_sink(syslog_sink);
	}
	if (drop_privileges(o, &can_unmount))
		goto out_unmount;
	if (f4_fs_start_background(sess.f4))
		f4_warn("no background writeback: metadata reaches the image on fsync and unmount only");
	ret = run_loop(sess.se, o) ? 1 : 0;
	if (!can_unmount && mounted_a_path(o))
		note_unmount(sess.se, o);
out_unmount:
	/* fuse_session_destroy closes the device all the same, which is
	 * what an auto_unmount watcher waits for. */
	if (can_unmount)
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
	if (opts.allow_other &&
	    f4_fuseconf_check_allow_other(F4_FUSECONF_PATH, (unsigned)getuid(),
					  msg, sizeof(msg))) {
		fprintf(stderr, "fuse4fs: %s\n", msg);
		f4_opts_free(&opts);
		return 1;
	}
	opts.load_in_background = true;
	if (opts.fakeroot && opts.allow_other)
		f4_warn("-o fakeroot with -o allow_other: every user of the mount acts as root on it");
	if (f4_mountpoint_check(opts.mountpoint, msg, sizeof(msg)) ||
	    absolute_mountpoint(&opts, msg, sizeof(msg)) ||
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
