/* Owns the in-core inode table: which inodes the kernel holds references
 * to (lookup counts, forget), which are open, which are unlinked but still
 * in use (orphans), and the per-inode IO lock.
 *
 * The table has its own mutex, a leaf lock: it is never held while taking
 * another. Entries live while pinned, looked up or open. */
#ifndef F4_INODE_ICACHE_H
#define F4_INODE_ICACHE_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <ext2fs/ext2fs.h>

struct f4_inode_state {
	ext2_ino_t ino;
	/* The inode's IO lock, always taken before the big lock. Shared:
	 * reads (src/file/read.c), so reads of one file run side by side.
	 * Exclusive: everything that changes the file's data or mapping:
	 * writes (src/file/write.c: the data moves without the big lock
	 * between planning and commit, so a second writer must not plan
	 * over the same blocks meanwhile), fallocate, punch and zero range
	 * (src/file/falloc.c), truncate (f4_node_setattr with a size, for
	 * src/file/truncate.c, which takes no lock itself) and the
	 * extents-flag conversion (src/inode/iflags.c). SEEK_DATA/HOLE and
	 * fsync do not take it. No operation holds two today (copy_file_range
	 * takes one after the other); one that must, takes them in
	 * ascending ino order. */
	pthread_rwlock_t io_lock;
	/* The rest is protected by the icache mutex. */
	uint64_t nlookup;
	unsigned nopen;
	unsigned pins;
	bool unlinked;
	struct f4_inode_state *next;
};

struct f4_icache;

int f4_icache_create(struct f4_icache **out);
void f4_icache_destroy(struct f4_icache *ic);

/* Find or create the entry and pin it; NULL on allocation failure. */
struct f4_inode_state *f4_icache_get(struct f4_icache *ic, ext2_ino_t ino);
void f4_icache_put(struct f4_icache *ic, struct f4_inode_state *st);

/* The kernel got one more reference to ino (a successful lookup reply). */
int f4_icache_ref(struct f4_icache *ic, ext2_ino_t ino);

/* The kernel dropped n references. Returns true when ino is now neither
 * referenced nor open and was unlinked: the caller frees it on disk. */
bool f4_icache_forget(struct f4_icache *ic, ext2_ino_t ino, uint64_t n);

/* Open-handle accounting; f4_icache_close returns true like forget. */
int f4_icache_open(struct f4_icache *ic, ext2_ino_t ino);
bool f4_icache_close(struct f4_icache *ic, ext2_ino_t ino);

/* Mark ino unlinked (its last name went away). Returns true when nothing
 * holds it, so the caller can free it at once. */
bool f4_icache_mark_unlinked(struct f4_icache *ic, ext2_ino_t ino);

/* Is ino open or referenced? (Used to decide orphan handling.) */
bool f4_icache_in_use(struct f4_icache *ic, ext2_ino_t ino);

/* Number of live entries (for tests and debug counters). */
uint64_t f4_icache_count(struct f4_icache *ic);

#endif
