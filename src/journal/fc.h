/* Owns the replay of ext4 fast commits: the area after the jbd2 log
 * where ext4 writes small per-inode deltas (tag-length-value records)
 * between full commits. The jbd2 replay (recover.h) runs first; then
 * f4_fc_replay applies the fast commits that belong to the transaction
 * after the last committed one, as the kernel does at mount. The format,
 * the rules for which tags count and where we differ from the kernel are
 * in docs/journal-recovery.md ("Fast commits"). */
#ifndef F4_JOURNAL_FC_H
#define F4_JOURNAL_FC_H

#include <stddef.h>

#include <ext2fs/ext2fs.h>

#include "src/journal/recover.h"

struct f4_fc_stats {
	unsigned tags;		/* tags of the valid fast commits */
	unsigned commits;	/* valid tails (fast commits replayed) */
	unsigned ops_applied;	/* tags that changed something */
	unsigned ops_skipped;	/* tags naming a missing inode or dir */
	unsigned inodes;	/* inodes the fast commits touched */
	unsigned blocks_mapped, blocks_unmapped;
};

/* Check the fast-commit area without changing anything: 0 when it may
 * be replayed (possibly with nothing in it, msg says why), -EUCLEAN with
 * a one-line reason when the kernel would fail the whole journal
 * recovery (and so refuse the mount) because of it, -EIO, -ENOMEM.
 * inode_size is the filesystem's s_inode_size. Meant to be called before
 * the jbd2 plan is written, so that a refused area writes nothing. */
int f4_fc_check(const struct f4_jdev *j, const struct f4_jplan *p,
		unsigned inode_size, char *msg, size_t msglen);

/* Replay the fast-commit area of the journal (after the full
 * transactions have been replayed onto fs), as the kernel's ext4 does at
 * mount: an area holding no valid fast commit for the transaction
 * p->next_seq is ignored (return 0, nothing applied, msg says why). fs
 * is open read-write; its bitmaps are read here if they are not loaded.
 * The caller flushes and closes fs. Returns 0, -EUCLEAN with a one-line
 * reason where the kernel fails the recovery (see f4_fc_check; a tag
 * that fails only once applied, e.g. a CREAT of an inode that does not
 * exist, leaves the tags before it applied, as in the kernel), -EIO,
 * -ENOMEM. */
int f4_fc_replay(ext2_filsys fs, const struct f4_jdev *j,
		 const struct f4_jplan *p, struct f4_fc_stats *st, char *msg,
		 size_t msglen);

#endif
