/* Owns jbd2 journal recovery as a plan: scanning a journal that needs
 * recovery (s_start != 0) and saying which filesystem blocks a replay
 * writes, from which journal block, without writing anything itself.
 * The caller replays the plan onto the image (f4_jrec_apply, then the
 * journal superblock from f4_jrec_reset_sb) or serves it as an overlay
 * over a read-only image (f4_jplan_find + f4_jrec_read_block).
 *
 * The passes, the damage table (which conditions end the log, mark the
 * filesystem as having errors, or refuse the journal) and the bounds on
 * hostile input are described in docs/journal-recovery.md. */
#ifndef F4_JOURNAL_RECOVER_H
#define F4_JOURNAL_RECOVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The journal as the engine sees it: blocks relative to its start. */
struct f4_jdev {
	/* Read journal block jblk (< nblocks) into buf (blocksize bytes);
	 * 0 or -errno. */
	int (*read)(void *ctx, uint64_t jblk, void *buf);
	void *ctx;
	uint32_t blocksize;	/* == the filesystem block size */
	uint64_t nblocks;	/* journal inode size / blocksize */
};

struct f4_jplan_entry {
	uint64_t fsblk;		/* where the replay writes */
	uint64_t jblk;		/* the journal block holding the contents */
	bool escaped;		/* put the magic back into bytes 0..3 */
};

struct f4_jplan {
	/* One entry per filesystem block: the newest committed, unrevoked
	 * copy; sorted by fsblk. */
	struct f4_jplan_entry *v;
	size_t n;
	uint32_t transactions;	/* committed transactions to replay */
	uint32_t first_seq;	/* s_sequence: tid of the first of them */
	uint32_t next_seq;	/* tid after the last committed one */
	bool needs_replay;	/* s_start != 0 */
	/* The filesystem must be marked as having errors: the journal
	 * superblock carries an errno, or a commit block failed its
	 * checksum (then failed_commit is its tid). */
	bool mark_error;
	bool has_failed_commit;
	uint32_t failed_commit;
	/* A committed block failed its tag checksum: it is left out and the
	 * recovery as a whole has failed (the kernel refuses the mount
	 * after replaying the rest). */
	bool failed;
	uint32_t bad_tags;
	int32_t jsb_errno;
	uint64_t fc_first, fc_count;	/* fast-commit area; count 0: none */
	uint32_t incompat;	/* journal feature words (0 for a v1 sb) */
	uint32_t compat;
	uint32_t revoke_hits;	/* committed copies a revoke cancelled */
	char reason[160];	/* why failed / mark_error, for the log */
};

/* Check the journal superblock and run the scan and revoke passes.
 * dev_blocks bounds every target block: the device size in filesystem
 * blocks (a journaled online resize writes past the old block count).
 * Returns 0 with the plan in *out (to free with f4_jplan_free even when
 * empty), or -EUCLEAN / -EINVAL with a one-line reason in msg when the
 * journal must be refused, -EIO (a read failed), -ENOMEM. */
int f4_jrec_scan(const struct f4_jdev *j, uint64_t dev_blocks,
		 struct f4_jplan *out, char *msg, size_t msglen);

/* Refuse a plan that writes a block the caller forbids (for instance
 * the journal's own blocks, or the filesystem superblock's neighbours):
 * -EUCLEAN with the first such block named in msg, else 0. */
int f4_jplan_check_targets(const struct f4_jplan *p,
			   bool (*forbidden)(void *ctx, uint64_t fsblk),
			   void *ctx, char *msg, size_t msglen);

/* The contents a replay writes for one entry (read and un-escaped). */
int f4_jrec_read_block(const struct f4_jdev *j,
		       const struct f4_jplan_entry *e, void *buf);

/* Write every entry of the plan in fsblk order through write(); stops
 * at the first error and returns it. */
int f4_jrec_apply(const struct f4_jdev *j, const struct f4_jplan *p,
		  int (*write)(void *ctx, uint64_t fsblk, const void *buf),
		  void *wctx);

/* The journal superblock block (blocksize bytes) to write after the
 * plan has been applied: s_start 0 (log empty), s_sequence next_seq + 1
 * (what jbd2 and e2fsck write: one past the first unused tid, so no
 * block left in the log can match), s_errno 0 and the checksum
 * recomputed. ext4 and e2fsck clear s_errno only after moving it into
 * the filesystem's error state: when p->mark_error, set EXT2_ERROR_FS
 * in the filesystem superblock and write it first. When the plan needs
 * no replay the block comes back unchanged. */
int f4_jrec_reset_sb(const struct f4_jdev *j, const struct f4_jplan *p,
		     void *buf);

void f4_jplan_free(struct f4_jplan *p);

/* Binary search by filesystem block, for the read-only overlay. */
const struct f4_jplan_entry *f4_jplan_find(const struct f4_jplan *p,
					   uint64_t fsblk);

#endif
