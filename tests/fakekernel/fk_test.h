/* What the fake-kernel test programs share besides the harness: check
 * reporting ("ok - ..." / "not ok - ...", a closing "N passed, N failed"
 * line, exit 0 / 1 / 77), a scratch folder, running the e2fsprogs tools,
 * and libext2fs as the oracle for what the image holds. */
#ifndef F4_TESTS_FAKEKERNEL_FK_TEST_H
#define F4_TESTS_FAKEKERNEL_FK_TEST_H

#include <stddef.h>
#include <ext2fs/ext2fs.h>

#include "fk.h"

/* Print one check; returns COND. */
int f4_fkt_check(int cond, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Print a diagnostic line ("# ..."). */
void f4_fkt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Exit 77 with REASON. */
void f4_fkt_skip(const char *reason) __attribute__((noreturn));
/* Exit 99 (a harness failure, not a check's) with REASON. */
void f4_fkt_bail(const char *reason) __attribute__((noreturn));
/* The closing line; removes the scratch folder when all passed (keeps it
 * and says where otherwise). Returns the exit status. */
int f4_fkt_finish(void);

/* Set up: PATH with the sbin folders, the scratch folder (under $TMPDIR)
 * named after NAME, skips when the tools or the fuse4fs binary are
 * missing. Returns the scratch folder. */
const char *f4_fkt_setup(const char *name);
/* SCRATCH/NAME in a static buffer (one of four, used in turn). */
const char *f4_fkt_path(const char *name);

/* Write LEN bytes of DATA to PATH (0 or -errno). */
int f4_fkt_write_file(const char *path, const void *data, size_t len);
/* Run ARGV (NULL-ended), output into SCRATCH/LOG; its exit status, or
 * -1 when it could not run or died by a signal. */
int f4_fkt_run(char *const argv[], const char *log);
/* mke2fs -t ext4 -d SEED IMG SIZE. 0 or -1. */
int f4_fkt_mkimage(const char *seed, const char *img, const char *size);
/* e2fsck -fn IMG: its exit status (0: clean). */
int f4_fkt_fsck(const char *img, const char *log);

/* The oracle: IMG opened with libext2fs (read-only). */
ext2_filsys f4_fkt_fs_open(const char *img);
/* PATH (from the root) to its inode number and inode; 0 or -errno. */
int f4_fkt_namei(ext2_filsys fs, const char *path, ext2_ino_t *ino,
		 struct ext2_inode_large *inode);
/* Read up to LEN bytes of PATH's contents at OFF; bytes read or -errno. */
long f4_fkt_file_read(ext2_filsys fs, const char *path, uint64_t off,
		      void *buf, size_t len);

/* Start fuse4fs on IMG with ARGS through the harness (its stderr into
 * SCRATCH/LOG); bails out when it cannot. */
struct f4_fk *f4_fkt_start(const char *img, const char *const *args,
			   const char *log);
/* The server's log, as "# " lines (after a failed check). */
void f4_fkt_show_log(const struct f4_fk *fk);
/* f4_fk_stop or f4_fk_abort, with the checks that the server exited 0
 * and left nothing behind; frees FK. LABEL names the session. */
void f4_fkt_end(struct f4_fk *fk, int abort, const char *label);

#endif
