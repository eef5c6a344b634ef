/* Owns serving a mounted filesystem through libfuse: the session, the
 * mount, daemonizing, dropping privileges and the request loop. */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "compat/caps.h"
#include "src/base/log.h"
#include "src/base/logsink.h"
#include "src/fuse/control.h"
#include "src/fuse/ops.h"
#include "src/fuse/session.h"
#include "src/fuse/transport.h"
#include "src/mount/mount.h"

/* Entries and attributes change only through this mount: cache long. */
#define F4_CACHE_TIMEOUT 86400.0

const char *f4_fuse_version(void)
{
	return fuse_pkgversion();
}

static struct fuse_session *new_session(const struct f4_serve_conf *o,
					struct f4_session *sess)
{
	char *argv[] = { "fuse4fs", "-o", (char *)o->fuse_opts,
			 o->debug ? "-d" : NULL, NULL };
	struct fuse_args args = FUSE_ARGS_INIT(o->debug ? 4 : 3, argv);
	struct fuse_session *se;

	se = fuse_session_new(&args, f4_ops(), sizeof(*f4_ops()), sess);
	fuse_opt_free_args(&args);
	return se;
}

static int run_loop(struct fuse_session *se, const struct f4_serve_conf *o)
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
bool f4_fuse_mounts_path(const char *mountpoint)
{
	return strncmp(mountpoint, "/dev/fd/", 8) != 0;
}

/* Once mounted, with the image open, the server keeps no capability at
 * all (see fuse4fs.8, PRIVILEGES): requests never need one. Nor may it
 * gain any by execve (no_new_privs), unless libfuse may still have to
 * run the setuid fusermount3 to unmount after a signal: a server that
 * is not root and mounted a path itself. Before any thread starts.
 * *can_unmount: whether the server may still unmount by itself (root
 * without CAP_SYS_ADMIN may not; libfuse would try and complain). */
static int drop_privileges(const struct f4_serve_conf *o, bool *can_unmount)
{
	bool helper = geteuid() != 0 && f4_fuse_mounts_path(o->mountpoint);
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
static void note_unmount(struct fuse_session *se, const struct f4_serve_conf *o)
{
	struct pollfd p = { .fd = fuse_session_fd(se), .events = 0 };

	if (o->auto_unmount)
		return;
	if (poll(&p, 1, 0) == 1 && (p.revents & POLLERR))
		return;		/* unmounted already */
	f4_warn("stopped while %s is still mounted; it stays unusable until 'umount %s' (-o auto_unmount does that by itself)",
		o->mountpoint, o->mountpoint);
}

int f4_fuse_serve(struct f4_fs *f4, const struct f4_serve_conf *o)
{
	struct f4_session sess = {
		.f4 = f4,
		.entry_timeout = F4_CACHE_TIMEOUT,
		.attr_timeout = F4_CACHE_TIMEOUT,
		.writeback_cache = o->writeback_cache,
		.fakeroot = o->fakeroot,
	};
	struct f4_control *control = NULL;
	const char *where;
	bool can_unmount = true;
	int ret = 1;

	sess.se = new_session(o, &sess);
	if (!sess.se)
		return 1;
	if (fuse_set_signal_handlers(sess.se) != 0)
		goto out_destroy;
	if (fuse_session_mount(sess.se, o->mountpoint) != 0)
		goto out_signals;
	if (f4_transport_install(sess.se, &sess))
		f4_dbg("FUSE requests through libfuse alone: writes ask for security.capability first");
	if (fuse_daemonize(o->foreground) != 0)
		goto out_unmount;
	where = f4_logsink_install(!o->foreground);
	f4_dbg("logging to %s", where);
	if (drop_privileges(o, &can_unmount))
		goto out_unmount;
	if (f4_mount_start_background(sess.f4))
		f4_warn("no background writeback: metadata reaches the image on fsync and unmount only");
	if (f4_fuse_mounts_path(o->mountpoint))	/* for mount -o remount */
		control = f4_control_start(sess.f4, o->mountpoint);
	ret = run_loop(sess.se, o) ? 1 : 0;
	f4_control_stop(control);
	if (!can_unmount && f4_fuse_mounts_path(o->mountpoint))
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
