/* What libfuse 3.14 does not negotiate or pass on, read off the FUSE
 * protocol itself through fuse_session_custom_io. */
#ifndef F4_FUSE_TRANSPORT_H
#define F4_FUSE_TRANSPORT_H

#include <stdbool.h>

struct fuse_session;

/* Carry the session's requests and replies (call after mounting):
 * - answer FUSE_STATX (the birth time, f4_op_statx) and FUSE_SYNCFS
 *   (f4_op_syncfs), which libfuse 3.14 does not know;
 * - offer FUSE_HANDLE_KILLPRIV_V2 in the INIT reply when the kernel
 *   does: the kernel then sets SB_NOSEC and stops asking for
 *   security.capability before every write (a round trip each), and
 *   leaves clearing setuid/setgid on write and truncate to us;
 * - remember, for the request the calling thread is handling, whether
 *   the kernel asked for that clearing (FUSE_WRITE_KILL_SUIDGID,
 *   FATTR_KILL_SUIDGID): f4_transport_kill_suidgid.
 * Returns 0, or -errno (the session then runs as libfuse does alone). */
struct f4_session;
int f4_transport_install(struct fuse_session *se, struct f4_session *sess);

/* Did the request this thread is handling ask to clear setuid/setgid? */
bool f4_transport_kill_suidgid(void);

#endif
