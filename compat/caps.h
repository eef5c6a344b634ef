/* Giving up privilege once the filesystem is mounted: Linux capabilities
 * through libcap (caps_libcap.c), or nothing in builds without libcap
 * (caps_none.c, chosen by configure). What the server keeps, and why,
 * is decided by the caller (src/fuse/session.c) and documented in fuse4fs.8. */
#ifndef F4_COMPAT_CAPS_H
#define F4_COMPAT_CAPS_H

#include <stdbool.h>
#include <stddef.h>

/* Drop every capability: from the calling thread's effective, permitted
 * and inheritable sets, from the ambient set, and from the bounding set
 * where that is allowed (it needs CAP_SETPCAP); with no_new_privs, set
 * PR_SET_NO_NEW_PRIVS too, so that no later execve can gain privilege.
 * These are per-thread attributes that new threads inherit: call before
 * the process has a second thread. Returns 0 with a one-line account in
 * report (what was held, what is left); -errno with the reason when a
 * step failed (the process may then hold more than asked: the caller
 * must stop); -ENOSYS when built without libcap (nothing was done). */
int f4_compat_caps_drop(bool no_new_privs, char *report, size_t len);

#endif
