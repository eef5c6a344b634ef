/* Shared by the unit-test drivers: scratch directories (under $TMPDIR,
 * never the source tree), running e2fsprogs, and building files inside
 * ext2/3/4 images through libext2fs. The helpers fail the current cmocka
 * test (or setup) themselves, so callers need not check their results.
 * Include after <cmocka.h>'s prerequisites (stdarg, stddef, setjmp). */
#ifndef F4_TESTIMG_H
#define F4_TESTIMG_H

#include <stdbool.h>
#include <stdint.h>
#include <ext2fs/ext2fs.h>

/* Exit status automake's test harness reads as "skipped". */
#define F4T_SKIP 77

/* A fresh directory $TMPDIR/f4unit-<tag>.XXXXXX (malloc'ed path). */
char *f4t_mkdtemp(const char *tag);
/* Remove a scratch directory and everything under it, then free path. */
void f4t_rmtree(char *path);
/* dir + "/" + name, malloc'ed. */
char *f4t_join(const char *dir, const char *name);

/* Are mke2fs, debugfs and e2fsck reachable (PATH, /sbin, /usr/sbin)? */
bool f4t_have_e2fsprogs(void);
/* Run a shell command with the e2fsprogs directories on PATH; returns
 * its exit status. Output is shown only when the status is not in
 * ok_mask (bit n set = status n is fine). */
int f4t_sh(unsigned ok_mask, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* As f4t_sh, and fail the test unless the status is in ok_mask. */
void f4t_must_sh(unsigned ok_mask, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* e2fsck -fn must find nothing to fix. */
void f4t_fsck_clean(const char *img);

/* Open an image with libext2fs's own io manager (not ours). */
ext2_filsys f4t_open(const char *img, bool rw);
/* Close without flushing anything we did not write ourselves. */
void f4t_close(ext2_filsys fs);
/* Write everything back (after building files) and close. */
void f4t_close_flush(ext2_filsys fs);

/* Create an inode of the given mode (S_IF* | perms) in dir under name;
 * regular files and directories get extents when the fs has them. */
ext2_ino_t f4t_create(ext2_filsys fs, ext2_ino_t dir, const char *name,
		      uint16_t mode);
/* Look name up in dir (libext2fs); fails the test if missing. */
ext2_ino_t f4t_lookup(ext2_filsys fs, ext2_ino_t dir, const char *name);
/* Write count blocks starting at logical block lblk; each byte is
 * f4t_pattern(lblk, i). Does not change i_size beyond what it writes. */
void f4t_write_blocks(ext2_filsys fs, ext2_ino_t ino, uint64_t lblk,
		      uint64_t count);
void f4t_set_size(ext2_filsys fs, ext2_ino_t ino, uint64_t size);
void f4t_read_inode(ext2_filsys fs, ext2_ino_t ino,
		    struct ext2_inode_large *inode);
void f4t_write_inode(ext2_filsys fs, ext2_ino_t ino,
		     struct ext2_inode_large *inode);
/* Depth of an extent-mapped file's tree (0: all extents in the inode). */
int f4t_extent_depth(ext2_filsys fs, ext2_ino_t ino);
/* Number of extents (leaf entries) of an extent-mapped file. */
unsigned f4t_extent_count(ext2_filsys fs, ext2_ino_t ino);

static inline uint8_t f4t_pattern(uint64_t lblk, unsigned i)
{
	return (uint8_t)(lblk * 131 + i * 7 + 1);
}

/* Write a whole host file (create or truncate). */
void f4t_write_host_file(const char *path, const void *buf, size_t len);

#endif
