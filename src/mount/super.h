/* Owns the superblock checks of a mount (see super.c). */
#ifndef F4_MOUNT_SUPER_H
#define F4_MOUNT_SUPER_H

#include <stdbool.h>
#include <stddef.h>

#include "src/fs/fs.h"
#include "src/mount/conf.h"

/* Read the primary superblock ourselves, so that a non-ext image and
 * unsupported features get a precise message before libext2fs runs:
 * geometry as the kernel checks it, the feature policy (which may turn
 * *rw off), the journal's state: *replay says whether the journal is to
 * be replayed (it needs recovery and -o norecovery was not given; with
 * replay NULL, as after a replay, the journal's state is not looked at).
 * 0 or -errno with a one-line reason. */
int f4_super_precheck(struct f4_fs *f4, const struct f4_conf *conf, bool *rw,
		      bool *replay, char *msg, size_t len);

/* Refuse read-write with extra inode sizes libext2fs would overflow
 * the heap with. 0, or -1 with a one-line reason. */
int f4_super_check_extra_isize(struct f4_fs *f4, char *msg, size_t len);

#endif
