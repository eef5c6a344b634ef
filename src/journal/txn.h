/* Owns transactions in the image's own journal, the way ext4 keeps its
 * promise over jbd2: every metadata change of a read-write mount is part
 * of the running transaction; a commit writes the transaction into the
 * log in the format the kernel replays (jlog.h) and flushes the device
 * twice — once with the transaction's blocks and the file data it links
 * (ordered data), once with its commit block. Committed blocks reach
 * their homes later, from the metadata cache (checkpoint); the log is
 * emptied only after they are durable. Group commit: one transaction
 * holds every operation since the last commit (every commit= seconds,
 * at fsync, when it outgrows its share of the journal or the cache).
 *
 * The running transaction is: the blocks pinned in the metadata cache
 * (libext2fs writes there), the groups whose bitmaps or descriptors
 * changed and the superblock (jmeta.h, brought into the cache at
 * commit), and the blocks it freed (kept from every allocator until it
 * commits; revoked when the log holds a copy of them).
 *
 * Everything here runs under the big lock. The commit waits until no
 * handle is open (f4_fs_handles_drain). See docs/DESIGN.md. */
#ifndef F4_JOURNAL_TXN_H
#define F4_JOURNAL_TXN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/fs/fs.h"

struct f4_txn_stats {
	uint64_t commits, blocks, revokes, checkpoints, flushes;
	uint32_t tid;		/* the running transaction's */
	uint32_t head, first, last;	/* the log: next block, area */
};

/* Transactions on a read-write mount of a journaled filesystem, in
 * two steps around the in-use mark. f4_txn_open finds and checks the
 * journal and writes nothing (commit_interval_s: the group commit
 * period, 0 for the default 5 s); f4_txn_begin, once needs_recovery is
 * on the image, says in the journal superblock that the log starts here
 * and makes the cache pin from now on. 0 or -errno with a one-line
 * reason in msg (the mount must not write then; f4_txn_begin has
 * closed the journal). Lock held. */
int f4_txn_open(struct f4_fs *f4, unsigned commit_interval_s, char *msg,
		size_t len);
int f4_txn_begin(struct f4_fs *f4, char *msg, size_t len);

/* Forget the journal without writing anything. */
void f4_txn_close(struct f4_fs *f4);

/* Unmount: the last transaction committed, everything checkpointed, the
 * log marked empty. Afterwards libext2fs writes in place again. */
int f4_txn_stop(struct f4_fs *f4);

/* The mount stopped writing (errors=remount-ro, an IO error, MMP): the
 * running transaction is dropped, never committed; the journal
 * superblock records err, as jbd2's abort does; what was committed
 * stays in the log for the next mount's replay. */
void f4_txn_abort(struct f4_fs *f4, int err);

/* libext2fs's allocation statistics changed for [blk, blk + n): inuse
 * > 0 allocated, < 0 freed (kept allocated in memory until commit). */
void f4_txn_blocks_changed(struct f4_fs *f4, uint64_t blk, uint64_t n,
			   int inuse);

/* Seconds between group commits. */
unsigned f4_txn_interval(const struct f4_fs *f4);

/* Should the log be emptied soon (more than half used)? */
bool f4_txn_wants_checkpoint(const struct f4_fs *f4);
int f4_txn_checkpoint(struct f4_fs *f4);

void f4_txn_get_stats(const struct f4_fs *f4, struct f4_txn_stats *st);

#endif
