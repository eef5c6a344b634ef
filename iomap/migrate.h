/* Owns the mapping side of converting a file between a block map and
 * an extent tree (FS_IOC_SETFLAGS toggling the extents flag): reading a
 * block map as runs, building an extent tree from them, and rewriting a
 * one-extent tree as direct blocks. The policy (features, free space,
 * freeing the old indirect blocks, writing the inode, reporting
 * corruption) is the caller's (src/inode/migrate.c). Caller holds the
 * big lock; tree blocks come from libext2fs's allocator. */
#ifndef F4_IOMAP_MIGRATE_H
#define F4_IOMAP_MIGRATE_H

#include <stddef.h>
#include <stdint.h>
#include <ext2fs/ext2fs.h>

/* A block map as data runs (at most 32768 blocks each, the longest
 * initialized extent) and the indirect blocks that held it. */
struct f4_iomap_runs {
	struct f4_iomap_run {
		uint64_t lblk, pblk;
		uint32_t len;
	} *v;
	size_t n, cap;
	uint64_t *meta;
	size_t nmeta, cap_meta;
};

/* Read ino's block map. -EUCLEAN when it names a block outside the
 * filesystem; -ENOMEM, -EIO. Free with f4_iomap_runs_free either way. */
int f4_iomap_blockmap_runs(ext2_filsys fs, ext2_ino_t ino,
			   struct f4_iomap_runs *r);
void f4_iomap_runs_free(struct f4_iomap_runs *r);

/* Tree blocks n extents may need, erring on the safe side. */
uint64_t f4_iomap_tree_blocks(ext2_filsys fs, uint64_t n);

/* Replace the inode's i_block with an extent tree of the runs (the
 * caller sets EXT4_EXTENTS_FL through libext2fs's handle, which this
 * opens on the in-core inode). On failure the tree blocks allocated are
 * freed again and the caller restores its copy of the inode. 0 or
 * -errno (-ENOSPC). */
int f4_iomap_build_extents(ext2_filsys fs, ext2_ino_t ino,
			   struct ext2_inode_large *inode,
			   const struct f4_iomap_runs *r);

/* Rewrite an extent inode whose tree is one leaf in the inode with at
 * most one initialized extent inside the 12 direct blocks as a block
 * map, in place (the flag cleared). -EOPNOTSUPP for anything else a
 * block map cannot express simply; -EUCLEAN (with *what) for a bad
 * header or an empty extent. */
int f4_iomap_extents_to_blockmap(struct ext2_inode_large *inode,
				 const char **what);

#endif
