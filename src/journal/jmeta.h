/* Owns bringing the metadata libext2fs keeps in memory into the running
 * transaction: the allocation bitmaps and group descriptors of the
 * groups a transaction changed, and the primary superblock. libext2fs
 * writes these only in ext2fs_flush, every group at once and in place;
 * a commit instead writes each changed group's bitmaps (with their
 * checksums), the descriptor blocks holding them and the superblock
 * block into the metadata cache, where they are pinned like every other
 * change of the transaction. Caller holds the big lock. */
#ifndef F4_JOURNAL_JMETA_H
#define F4_JOURNAL_JMETA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <ext2fs/ext2fs.h>

/* Blocks freed by the running transaction: still marked in the bitmap
 * in memory (so no allocator hands them out before the commit), written
 * as free. Sorted by f4_jmeta_frees_sort before use. */
struct f4_jfree {
	uint64_t blk, n;
};

struct f4_jmeta {
	uint8_t *dirty;		/* one bit per group */
	dgrp_t ngroups, ndirty;
	/* Inode table of each group, sorted by start, to find which
	 * group's inode bitmap a changed inode table block concerns. */
	struct f4_itab { uint64_t start; dgrp_t g; } *itab;
	uint32_t itab_blocks;
	void *desc_snap;	/* the descriptors as last committed */
	size_t desc_bytes;
	struct ext2_super_block sb_snap;
	uint8_t *buf;		/* one block */
};

int f4_jmeta_init(struct f4_jmeta *m, ext2_filsys fs);
void f4_jmeta_free(struct f4_jmeta *m);

/* Blocks [blk, blk + n) changed state: their groups are dirty. */
void f4_jmeta_blocks_changed(struct f4_jmeta *m, ext2_filsys fs,
			     uint64_t blk, uint64_t n);

/* At most how many blocks the dirty groups add to the transaction
 * (two bitmaps and a descriptor block each, and the superblock). */
static inline uint64_t f4_jmeta_blocks_due(const struct f4_jmeta *m)
{
	return m->ndirty ? 3ull * m->ndirty + 1 : 0;
}

/* A block of the transaction: if it lies in an inode table, that
 * group's inode bitmap may have changed too (libext2fs allocates and
 * frees EA inodes itself). */
void f4_jmeta_block_written(struct f4_jmeta *m, uint64_t blk);

/* Write the dirty groups (bitmaps less the pending frees, descriptors)
 * and, if it changed, the superblock into the cache; the snapshots and
 * the dirty set start over. 0 or -errno. */
int f4_jmeta_flush(struct f4_jmeta *m, ext2_filsys fs,
		   const struct f4_jfree *frees, size_t nfrees);

#endif
