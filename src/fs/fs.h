/* Owns the state of a mounted filesystem that every operation shares:
 * the big lock that serialises every libext2fs call, and what the mount
 * decided (src/mount/ opens and closes it).
 *
 * Locking: inode locks (icache, ascending ino) -> f4->lock -> backend
 * internals. Never reply to the kernel and never move file data while
 * holding f4->lock. */
#ifndef F4_FS_FS_H
#define F4_FS_FS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <ext2fs/ext2fs.h>

#include "iomap/mapping.h"
#include "src/io/data.h"
#include "src/io/dev.h"
#include "src/fs/idmap.h"

struct f4_icache;
struct f4_corrupt_seen;
struct f4_flusher;

/* What to do on detected corruption (errors=, or the superblock's). */
enum f4_errors_policy {
	F4_ERRORS_DEFAULT = 0,	/* whatever the superblock says */
	F4_ERRORS_CONTINUE,
	F4_ERRORS_RO,
	F4_ERRORS_PANIC,
};
struct f4_mmp;
struct f4_sysmap;

/* When reads and readdir update the access time, as ext4's mount
 * options say (src/inode/atime.h). */
enum f4_atime_policy {
	F4_ATIME_RELATIME = 0,	/* the default */
	F4_ATIME_STRICT,	/* strictatime (and atime) */
	F4_ATIME_NEVER,		/* noatime */
};

struct f4_lock_stats {
	uint64_t acquisitions;
	uint64_t total_hold_ns;
	uint64_t max_hold_ns;
};

struct f4_fs {
	/* Set at mount, read-only afterwards. */
	struct f4_dev dev;
	struct f4_data_io *dio;
	struct f4_icache *icache;	/* has its own lock */
	struct f4_sysmap *sysmap;	/* metadata blocks (f4_fs_is_meta) */
	unsigned blockbits;
	uint32_t blocksize;
	bool rw;			/* mounted read-write */
	enum f4_errors_policy errors;
	struct f4_idmap idmap;		/* on-disk ids <-> ids seen */
	enum f4_atime_policy atime;
	bool nodiratime;		/* directories keep their atime */
	bool dirsync;			/* commit after each directory change */
	bool noblock_validity;		/* ro: no metadata overlap check */

	pthread_mutex_t lock;		/* the big lock */
	ext2_filsys fs;			/* protected by lock */
	bool went_ro;			/* written under lock: errors=remount-ro */
	/* mount -o remount,ro: everything written, the image clean; not
	 * an error (remount,rw undoes it). Written under lock. */
	bool remounted_ro;
	struct f4_corrupt_seen *corrupt_seen;	/* protected by lock */
	uint64_t lock_taken_ns;		/* protected by lock */
	struct f4_lock_stats lock_stats;	/* protected by lock */
	uint64_t overhead;		/* protected by lock: statfs, lazily */
	uint32_t next_generation;	/* protected by lock: new inodes */
	uint16_t mount_state;		/* s_state found at a rw mount */
	bool marked_in_use;		/* in use on disk: VALID_FS cleared,
					 * or needs_recovery set (journal) */
	unsigned commit_s;		/* journal commit interval (conf) */
	struct f4_flusher *flusher;	/* background writeback, or NULL */
	/* Read-write state (bitmaps, orphans) still to load: f4_fs_lock
	 * waits on loaded until the loader thread is done (src/mount/). */
	bool loading;			/* protected by lock */
	bool loader_started;		/* mount thread only */
	pthread_cond_t loaded;
	pthread_t loader;
	struct f4_mmp *mmp;		/* multiple-mount protection, or NULL */

	/* Transactions in the image's journal (src/journal/txn.h), or NULL:
	 * unjournaled filesystems, read-only mounts, before the load.
	 * journal_commit commits the running transaction (lock held;
	 * durable: the device is flushed even when nothing was pending);
	 * journal_full says it should commit now. Set by the journal. */
	struct f4_journal *journal;
	int (*journal_commit)(struct f4_fs *f4, bool durable);
	bool (*journal_full)(struct f4_fs *f4);
	/* Handles: operations whose change spans a stretch without the
	 * lock. A commit sets commit_waiting and waits until handles is 0;
	 * new operations wait at f4_fs_handle_gate meanwhile. */
	unsigned handles;		/* protected by lock */
	/* Blocks the running transaction freed: counted free in the
	 * superblock, not allocatable before it commits. Protected by
	 * lock; kept by the journal. */
	uint64_t frees_pending;
	bool commit_waiting;		/* protected by lock */
	pthread_cond_t handles_cv;
};

void f4_fs_lock(struct f4_fs *f4);
void f4_fs_unlock(struct f4_fs *f4);
/* The calling thread loads the mount's state (src/mount/loader.c): its
 * f4_fs_lock does not wait for the load to finish. */
void f4_fs_set_loader_thread(void);

/* Does [blk, blk + n) overlap the blocks holding superblocks, group
 * descriptors, bitmaps, inode tables or the journal (ext4's "system
 * zone")? No file maps them: file data must never be written there, nor
 * may they be freed. Needs no lock. f4_fs_meta_hook is the same for
 * struct f4_map_file's is_meta (ctx is the struct f4_fs). */
bool f4_fs_is_meta(const struct f4_fs *f4, uint64_t blk, uint64_t n);
bool f4_fs_meta_hook(const void *ctx, uint64_t blk, uint64_t n);


/* May this mount change the image right now? 0 or -EROFS. Needs no lock
 * (went_ro only ever goes from false to true). */
int f4_fs_writable(const struct f4_fs *f4);

struct f4_statfs {
	uint64_t blocks, bfree, bavail, files, ffree;
	uint32_t bsize, namemax;
	uint64_t fsid;
};

int f4_fs_statfs(struct f4_fs *f4, struct f4_statfs *st);

/* Metadata changes so far towards the image; takes the lock. With a
 * journal: the running transaction commits (its data first: ordered).
 * Without: cached dirty metadata is written in place. durable: and the
 * device is flushed (fsync). A mount that stopped writing writes
 * nothing: -EIO when durable (its uncommitted changes are lost), else 0. */
int f4_fs_commit(struct f4_fs *f4, bool durable);

/* After a directory change that returned ret: on a dirsync (or sync)
 * mount, make it durable (f4_fs_commit). Returns ret, or the commit's
 * error. Without the lock. */
int f4_fs_dirsync(struct f4_fs *f4, int ret);

/* Handles (lock held). An operation that allocates, drops the lock to
 * move data, then links what it allocated: f4_fs_handle_gate before it
 * changes anything (waits while a commit drains), f4_fs_handle_start
 * before it drops the lock, f4_fs_handle_stop once linked. A commit
 * never sees the state in between. */
void f4_fs_handle_gate(struct f4_fs *f4);
void f4_fs_handle_start(struct f4_fs *f4);
void f4_fs_handle_stop(struct f4_fs *f4);
/* For the journal's commit: wait until no handle is open, new ones
 * held at the gate (drain), then let them go (resume). */
void f4_fs_handles_drain(struct f4_fs *f4);
void f4_fs_handles_resume(struct f4_fs *f4);
/* Does the calling thread hold a handle (then it must not commit)? */
bool f4_fs_in_handle(void);


#endif
