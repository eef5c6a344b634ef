/* Owns reading the mount table (/proc/self/mountinfo): one entry at a
 * time, escapes undone. Linux only; elsewhere there is no table and
 * f4_mountinfo_open fails. */
#ifndef F4_COMPAT_MOUNTINFO_H
#define F4_COMPAT_MOUNTINFO_H

#include <stdio.h>

struct f4_mountinfo {
	unsigned major, minor;	/* the mounted filesystem's device */
	char point[4096];	/* where it is mounted */
	char type[64];		/* e.g. ext4, fuse.fuse4fs */
	char source[4096];	/* e.g. /dev/sda1, an image path */
};

/* NULL (errno set) when there is no table to read. */
FILE *f4_mountinfo_open(void);
/* The next entry into *e: 1, or 0 at the end. */
int f4_mountinfo_next(FILE *f, struct f4_mountinfo *e);

#endif
