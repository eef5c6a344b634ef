/* Owns loading a read-write mount's state (see loader.c). */
#ifndef F4_MOUNT_LOADER_H
#define F4_MOUNT_LOADER_H

#include <stddef.h>

#include "src/fs/fs.h"

/* What a read-write mount needs before its first change: the
 * allocation bitmaps, read and checked; the filesystem marked in use;
 * the orphans left by a crash released. Under the lock (or before any
 * other thread). 0 or -errno with a one-line reason. */
int f4_loader_load(struct f4_fs *f4, char *msg, size_t len);

/* The in-use mark alone (also for mount -o remount,rw): the journal
 * opened and checked, needs_recovery set (without a journal: not
 * clean), the superblock written, the first transaction begun. Lock
 * held. 0 or -errno with a one-line reason. */
int f4_loader_mark_in_use(struct f4_fs *f4, char *msg, size_t len);

/* Run f4_loader_load in a thread of its own when f4->loading (every
 * f4_fs_lock waits for it; a failure stops writes as errors=remount-ro
 * would); without a thread, here. */
void f4_loader_start(struct f4_fs *f4);
void f4_loader_stop(struct f4_fs *f4);

#endif
