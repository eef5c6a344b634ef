/* Owns the journal inode's map: the journal's blocks as device byte
 * ranges, in journal order, read through the checked mapping engine
 * (every block mapped, inside the device, no holes). Recovery reads the
 * log through it; the transaction writer writes the log through it. */
#ifndef F4_JOURNAL_JMAP_H
#define F4_JOURNAL_JMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ext2fs/ext2fs.h>

#include "iomap/mapping.h"
#include "src/io/dev.h"

struct f4_jmap {
	struct f4_map_rec *recs;
	unsigned n;
	uint32_t bsize;
	uint64_t nblocks;	/* journal inode size / bsize */
};

/* Map the journal inode of fs (libext2fs open on dev). 0, or -EUCLEAN
 * with a one-line reason in msg, -ENOMEM. */
int f4_jmap_build(ext2_filsys fs, const struct f4_dev *dev,
		  struct f4_jmap *m, char *msg, size_t len);
void f4_jmap_free(struct f4_jmap *m);

/* Device offset of journal block jblk (< nblocks). */
uint64_t f4_jmap_addr(const struct f4_jmap *m, uint64_t jblk);

/* How many journal blocks from jblk on are contiguous on the device. */
uint64_t f4_jmap_run(const struct f4_jmap *m, uint64_t jblk);

/* Does device byte addr belong to the journal? */
bool f4_jmap_holds(const struct f4_jmap *m, uint64_t addr);

#endif
