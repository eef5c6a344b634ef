/* Shared by the write-side unit drivers (write, fallocate, truncate,
 * namespace, rename, setattr, orphan, alloc): a read-write image made by
 * mke2fs in a scratch directory, mounted through the core, and the
 * independent oracle used once the core has closed it (libext2fs with
 * its own io manager: names, inodes, file bytes, block maps, bitmaps;
 * e2fsck -fn). Include after <cmocka.h>. */
#ifndef F4_TESTS_UNIT_WFIX_H
#define F4_TESTS_UNIT_WFIX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <ext2fs/ext2fs.h>

#include "src/fs/fs.h"
#include "src/fs/perm.h"

extern const struct f4_cred wfx_root;
extern const struct f4_cred wfx_user;	/* 1000:1000, no groups */

struct wfx {
	char *dir, *img;
	struct f4_fs *f4;	/* NULL while unmounted */
	void *priv;		/* the driver's own */
};

/* cmocka setup body: *state gets a fresh image made by
 * "mke2fs -F -q <mkfs> <img> <size>", not mounted yet. */
struct wfx *wfx_new(void **state, const char *mkfs, const char *size);
/* Setups for the formats the drivers share, free space soiled
 * (wfx_soil_free_space): ext4 4 KiB with metadata_csum, ext4 1 KiB
 * without, ext3 1 KiB and ext2 4 KiB (block maps), ext4 with
 * inline_data (256-byte inodes). 16 MiB each. */
int wfx_setup_ext4_4k(void **state);
int wfx_setup_ext4_1k(void **state);
int wfx_setup_ext3_1k(void **state);
int wfx_setup_ext2_4k(void **state);
int wfx_setup_inline(void **state);
#define WFX_ON(t, format) \
	cmocka_unit_test_setup_teardown(t, wfx_setup_##format, wfx_teardown)
/* The formats where extents and block maps part ways, 1k and 4k. */
#define WFX_ALL_FORMATS(t) \
	WFX_ON(t, ext4_4k), WFX_ON(t, ext4_1k), WFX_ON(t, ext3_1k)
/* main's body: skip (77) without e2fsprogs, else run the group. */
#define WFX_RUN(tests) \
	wfx_run(__FILE__, tests, sizeof(tests) / sizeof((tests)[0]))
int wfx_run(const char *name, const struct CMUnitTest *tests, size_t n);

/* cmocka teardown: close a mount still open, remove everything. */
int wfx_teardown(void **state);

/* Mount read-write through the core (f4_mount_open); must succeed. */
void wfx_mount(struct wfx *x);
/* f4_mount_close must return 0, then e2fsck -fn must find nothing. */
void wfx_umount(struct wfx *x);
/* Put the filesystem's in-core metadata on the image without closing
 * (ext2fs_flush under the big lock, then the core's writeback), and
 * copy the image to <dir>/<name>: what a crash at this point leaves. */
char *wfx_snapshot(struct wfx *x, const char *name);

/* ----- driving the core (mounted) ----- */

/* f4_ns_make as cred (umask 0); the kernel reference it takes is
 * dropped again. Returns the new inode number. */
ext2_ino_t wfx_make(struct wfx *x, const struct f4_cred *cred, ext2_ino_t dir,
		    const char *name, mode_t mode, const char *target);
/* f4_file_write must write all len bytes. */
void wfx_write(struct wfx *x, ext2_ino_t ino, uint64_t off, const void *buf,
	       size_t len);
/* f4_node_setattr with F4_SA_SIZE; returns its result. */
int wfx_truncate(struct wfx *x, ext2_ino_t ino, uint64_t size);

/* Bytes that differ from position to position and from seed to seed. */
void wfx_fill(void *buf, size_t len, unsigned seed);

/* ----- building images (unmounted) with libext2fs ----- */

/* A regular file in the root with count blocks of f4t_pattern data at
 * lblk 0 and the size it ends with (size 0: count blocks' worth). */
ext2_ino_t wfx_build_file(struct wfx *x, const char *name, uint64_t count,
			  uint64_t size);
/* Set inode flags (EXT2_APPEND_FL...) with libext2fs. */
void wfx_add_iflags(struct wfx *x, ext2_ino_t ino, uint32_t flags);
/* The bytes [off, off + len) of a file written by f4t_write_blocks. */
void wfx_pattern(void *buf, uint64_t off, size_t len, unsigned blocksize);
/* Write stale bytes into (most of) the free blocks and free them again,
 * so a newly allocated block holds garbage unless the core clears it. */
void wfx_soil_free_space(struct wfx *x);

/* ----- the oracle (unmounted image, libext2fs) ----- */

/* The image opened read-only with bitmaps loaded. */
ext2_filsys wfx_open(const char *img);
/* Resolve a path from the root: 0 when a component is missing. */
ext2_ino_t wfx_namei(ext2_filsys fs, const char *path);
uint64_t wfx_size(ext2_filsys fs, ext2_ino_t ino);
struct ext2_inode_large wfx_inode(ext2_filsys fs, ext2_ino_t ino);
/* The file's bytes [off, off + len) through ext2fs_file_read must equal
 * want (NULL: zeros). Reads past EOF come back short: fails. */
void wfx_expect_bytes(ext2_filsys fs, ext2_ino_t ino, uint64_t off,
		      const void *want, size_t len);
/* Physical block of logical block lblk (0: hole); *unwritten if asked. */
uint64_t wfx_pblk(ext2_filsys fs, ext2_ino_t ino, uint64_t lblk,
		  bool *unwritten);
/* Every block of the file, data and mapping blocks, in *blks (malloc'ed;
 * caller frees); returns the count. */
size_t wfx_file_blocks(ext2_filsys fs, ext2_ino_t ino, uint64_t **blks);
/* wfx_file_blocks on an image opened and closed for it. */
size_t wfx_blocks_of(const char *img, ext2_ino_t ino, uint64_t **blks);
/* Every block of old[0..n) the file ino no longer has must be free in
 * the bitmap (nothing else may own a file's blocks); returns how many
 * left the file. */
size_t wfx_expect_freed(ext2_filsys fs, ext2_ino_t ino, const uint64_t *old,
			size_t n);
bool wfx_block_used(ext2_filsys fs, uint64_t blk);
bool wfx_inode_used(ext2_filsys fs, ext2_ino_t ino);
/* Blocks in use according to the block bitmap (not the counters). */
uint64_t wfx_used_blocks(ext2_filsys fs);

#endif
