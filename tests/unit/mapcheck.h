/* The mapping-engine test oracle shared by the test_iomap driver's
 * source files (see mapcheck.c). Include after <cmocka.h>'s
 * prerequisites (stdarg, stddef, setjmp). */
#ifndef F4_MAPCHECK_H
#define F4_MAPCHECK_H

#include <stdint.h>
#include <ext2fs/ext2fs.h>
#include <ext2fs/ext3_extents.h>

#include "iomap/mapping.h"

#define NULL_ADDR F4_MAP_NULL_ADDR
#define KiB 1024ULL
#define GiB (1024ULL * 1024 * 1024)

/* f4_iomap_map, checking what must hold whatever the answer: never more
 * than max records, corrupt_what set only with -EUCLEAN. mf_out (may be
 * NULL) receives the file description with its corrupt_* fields. */
int mc_map(ext2_filsys fs, ext2_ino_t ino,
	   const struct ext2_inode_large *inode, uint64_t pos, uint64_t len,
	   struct f4_map_rec *recs, unsigned max, unsigned *n,
	   struct f4_map_file *mf_out);

/* The record is exactly this (and its flags are 0). */
void mc_expect_rec(const struct f4_map_rec *r, uint64_t off, uint64_t len,
		   uint64_t addr, uint16_t type);

/* Map [pos, pos + len) into at most max records and compare them, record
 * by record, with what ext2fs_bmap2 says of every block, merged by the
 * documented rule and cut to max records. */
void mc_check_vs_bmap(ext2_filsys fs, ext2_ino_t ino,
		      const struct ext2_inode_large *inode, uint64_t pos,
		      uint64_t len, unsigned max);

/* Mapping in batches of `batch` records, each starting where the last
 * ended, adds up to the same records as one large mapping. */
void mc_check_batches(ext2_filsys fs, ext2_ino_t ino,
		      const struct ext2_inode_large *inode, uint64_t pos,
		      uint64_t len, unsigned batch);

/* Physical block of logical block lblk (must not be a hole). */
uint64_t mc_pblk(ext2_filsys fs, ext2_ino_t ino, uint64_t lblk);

/* -EUCLEAN, with corrupt_what and corrupt_blk exactly these. */
void mc_expect_corrupt(ext2_filsys fs, ext2_ino_t ino,
		       const struct ext2_inode_large *inode, uint64_t pos,
		       uint64_t len, const char *what, uint64_t blk);

/* One extent of a crafted tree. */
struct mc_xt {
	uint32_t lblk;
	uint16_t len;		/* > 32768: unwritten, as on disk */
	uint64_t pblk;
};

/* A regular-file inode whose root (depth 0) holds these n <= 4 extents. */
void mc_craft_leaf_root(struct ext2_inode_large *inode,
			const struct mc_xt *x, unsigned n);

struct ext3_extent_header *mc_root_hdr(struct ext2_inode_large *inode);
struct ext3_extent_idx *mc_root_idx(struct ext2_inode_large *inode);
uint64_t mc_idx_leaf(const struct ext3_extent_idx *ix);

/* The block-map and inline groups (test_iomap_bmap.c); returns the
 * number of failed tests. */
int mc_run_bmap_inline_groups(void);

#endif
