/* Owns what the system's FUSE policy (/etc/fuse.conf, as fusermount3
 * reads it) allows unprivileged mounts, checked before anything is
 * opened or mounted so that a refusal is one clear line. */
#ifndef F4_CLI_FUSECONF_H
#define F4_CLI_FUSECONF_H

#include <stdbool.h>
#include <stddef.h>

#define F4_FUSECONF_PATH "/etc/fuse.conf"

/* Does the fuse.conf text contain the line key (comments from '#' and
 * surrounding blanks ignored, as fusermount3 does)? Pure. */
bool f4_fuseconf_has(const char *text, const char *key);

/* -o allow_other / allow_root: fine for root (uid 0 in its user
 * namespace) or with user_allow_other in the file at path; otherwise
 * -EPERM with the reason in msg. */
int f4_fuseconf_check_allow_other(const char *path, unsigned uid, char *msg,
				  size_t len);

#endif
