/* Mapping records: what a byte range of a file is made of on the device.
 * One engine produces them (extent trees, indirect block maps, inline
 * data); two executors consume them (the userspace io backend in src/io/
 * and, where the kernel speaks fuse-iomap, the kernel itself). The type
 * numbers are the fuse-iomap protocol's so records pass through unchanged.
 *
 * Callers hold the big lock: the engine reads metadata through libext2fs. */
#ifndef F4_IOMAP_MAPPING_H
#define F4_IOMAP_MAPPING_H

#include <stdbool.h>
#include <stdint.h>
#include <ext2fs/ext2fs.h>

enum f4_map_type {
	F4_MAP_HOLE = 0,	/* no blocks: reads as zeros */
	F4_MAP_DELALLOC = 1,	/* reserved for the kernel adapter */
	F4_MAP_MAPPED = 2,	/* data at addr on the device */
	F4_MAP_UNWRITTEN = 3,	/* allocated, not yet written: reads as zeros */
	F4_MAP_INLINE = 4,	/* data lives in the inode (inline_data) */
};

#define F4_MAP_NULL_ADDR UINT64_MAX

struct f4_map_rec {
	uint64_t off;	/* file offset, bytes */
	uint64_t len;	/* bytes */
	uint64_t addr;	/* device offset in bytes (relative to the filesystem
			 * start), or F4_MAP_NULL_ADDR */
	uint16_t type;	/* enum f4_map_type */
	uint16_t flags;
};

/* The file being mapped: the caller has already read the inode. When the
 * engine returns -EUCLEAN it says what was wrong and where, so that the
 * caller can log and record the corruption once (the engine never logs). */
struct f4_map_file {
	ext2_filsys fs;
	ext2_ino_t ino;
	const struct ext2_inode_large *inode;
	const char *corrupt_what;	/* out: set with -EUCLEAN */
	uint64_t corrupt_blk;		/* out: block involved, or 0 */
	/* Optional (NULL: not checked): does [pblk, pblk + count) hold
	 * filesystem metadata? f4_iomap_check calls it on every block the
	 * map names: a file's map naming metadata is corrupt. */
	bool (*is_meta)(const void *ctx, uint64_t pblk, uint64_t count);
	const void *meta_ctx;
	/* Optional (NULL: every extent node read is checksummed): a memo of
	 * extent nodes whose checksum matched for this inode and that have
	 * not changed since, kept by the caller's block cache, so that
	 * repeated walks skip the crc. */
	bool (*csum_known)(const void *ctx, uint64_t blk, uint32_t ino);
	void (*csum_passed)(const void *ctx, uint64_t blk, uint32_t ino);
	const void *csum_ctx;
};

/*
 * Map [pos, pos + len) of a file into at most @max records, in file order,
 * contiguous and block-aligned (the first starts at or before pos, the last
 * ends at or after pos + len, except that inline data ends at its size and
 * a full @max array covers only a prefix). Adjacent runs of one type that
 * are also contiguous on the device are merged.
 * Returns 0 or -errno: -EUCLEAN for a malformed map, -EIO, -ENOMEM.
 */
int f4_iomap_map(struct f4_map_file *file, uint64_t pos, uint64_t len,
		 struct f4_map_rec *recs, unsigned max, unsigned *nrecs);

/*
 * Check the whole map from logical block from_lblk to the end of what the
 * file can address, before anything frees or rewrites it (truncate,
 * punch, releasing an inode: libext2fs frees whatever the map names,
 * checking nothing). 0, or -EUCLEAN (with corrupt_what set) when any
 * node or pointer is bad, or when the map names more blocks than the
 * inode owns (i_blocks) or the filesystem has: shared or self-referencing
 * indirect blocks make a small tree map an enormous range. -EIO, -ENOMEM.
 * Inline files have no map: 0.
 */
int f4_iomap_check(struct f4_map_file *file, uint64_t from_lblk);

/* The most blocks a sound map of this file can name: what the inode owns
 * (i_blocks), at most the filesystem's size. Walks over a whole map stop
 * there (a map sharing blocks with itself names far more). */
uint64_t f4_iomap_owned_blocks(const struct f4_map_file *file);

/* Records needed at most to cover len bytes starting anywhere. */
unsigned f4_iomap_max_recs(const struct f4_map_file *file, uint64_t len);

/* Is the file's data stored inline in the inode? */
int f4_iomap_is_inline(const struct f4_map_file *file);

#endif
