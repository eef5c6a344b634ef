/* Owns journal recovery at mount (see docs/journal-recovery.md): an
 * internal journal found through the journal inode's map (the checked
 * mapping engine), scanned by the recovery engine (recover.h), then
 * either written onto the image (read-write mounts) or laid over it as
 * an in-memory overlay (read-only mounts: not one byte of the image
 * changes). Runs before the mount opens libext2fs for good: nothing but
 * the raw superblock, the group descriptors libext2fs reads to find
 * the journal inode, and that inode's map is trusted before the replay;
 * the mount checks everything again on the replayed metadata. */
#ifndef F4_JOURNAL_REPLAY_H
#define F4_JOURNAL_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/io/dev.h"

struct f4_replay_result {
	uint32_t transactions;	/* replayed */
	uint64_t blocks;	/* filesystem blocks written or overlaid */
	bool in_memory;		/* an overlay (read-only mount) */
	size_t overlay_bytes;	/* memory the overlay holds */
	/* The filesystem must be marked as having errors (the journal
	 * recorded an error, or a commit block failed its checksum). */
	bool mark_error;
	uint32_t fast_commits;	/* ext4 fast commits replayed after them */
	char note[192];		/* why mark_error, for the log */
};

/* Replay the journal of the filesystem on dev (its superblock says it
 * needs recovery; the caller has checked geometry and features). With
 * dev->rw the replay is written and made durable, then the journal is
 * marked empty; otherwise dev gets an overlay. 0, or -errno with a
 * one-line reason in msg (a journal that cannot be replayed safely is
 * refused: nothing has been written then). */
int f4_journal_replay(struct f4_dev *dev, struct f4_replay_result *res,
		      char *msg, size_t msglen);

#endif
