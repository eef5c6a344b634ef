/* Owns the background metadata writer (see flusher.c). */
#ifndef F4_MOUNT_FLUSHER_H
#define F4_MOUNT_FLUSHER_H

#include "src/fs/fs.h"

/* Start it for a read-write mount (0, or -errno when no thread could
 * start); stop it (waits; a no-op when none runs). */
int f4_flusher_start(struct f4_fs *f4);
void f4_flusher_stop(struct f4_fs *f4);

#endif
