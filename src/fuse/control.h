/* Owns the control channel of a mounted server: what the kernel never
 * tells a FUSE server (it sends no message on mount -o remount) reaches
 * it here. An abstract unix socket named after the mount's device
 * number ("fuse4fs-control/MAJ:MIN", the st_dev of the mountpoint), so
 * a client finds the server of a mountpoint by stat(2); only root and
 * the user who mounted may talk to it (SO_PEERCRED). One request a
 * connection, one line each way:
 *   "remount-ro\n" / "remount-rw\n"  ->  "0\n" or "-ERRNO message\n"
 * Linux only (abstract sockets, peer credentials); elsewhere the server
 * has no channel and the client says remount is not supported. */
#ifndef F4_FUSE_CONTROL_H
#define F4_FUSE_CONTROL_H

#include <stddef.h>

#include "src/fs/fs.h"

struct f4_control;

/* Serve the channel of the fuse4fs mount at mountpoint (absolute) from
 * a thread of its own. Best effort: NULL when it cannot (the mount is
 * not in our mount table, sockets refused); the mount works without. */
struct f4_control *f4_control_start(struct f4_fs *f4, const char *mountpoint);
void f4_control_stop(struct f4_control *c);

/* Client: send cmd to the server of mountpoint; 0 or -errno with the
 * server's (or our) one-line reason in msg. */
int f4_control_call(const char *mountpoint, const char *cmd, char *msg,
		    size_t len);

#endif
