/* Owns the pre-mount mountpoint checks (see mountpoint.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/cli/mountpoint.h"

int f4_mountpoint_check(const char *path, char *msg, size_t len)
{
	struct stat st, parent;
	char *up;
	int ret = 0;

	if (!strncmp(path, "/dev/fd/", 8))
		return 0;
	if (stat(path, &st) != 0) {
		ret = -errno;
		snprintf(msg, len, "mountpoint %s: %s", path, strerror(errno));
		return ret;
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(msg, len, "mountpoint %s is not a directory", path);
		return -ENOTDIR;
	}
	up = malloc(strlen(path) + 4);
	if (!up)
		return -ENOMEM;
	sprintf(up, "%s/..", path);
	/* A different device than its parent (or being its own parent, as
	 * "/" is) means something is already mounted there. */
	if (stat(up, &parent) == 0 &&
	    (parent.st_dev != st.st_dev || parent.st_ino == st.st_ino)) {
		snprintf(msg, len, "mountpoint %s is already in use (something is mounted there; unmount it first)",
			 path);
		ret = -EBUSY;
	}
	free(up);
	return ret;
}
