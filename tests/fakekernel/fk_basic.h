/* The parts of fk_basic, one file each: names and contents (fk_lookup.c),
 * directories and statfs (fk_dir.c), the read-write session (fk_rw.c). */
#ifndef F4_TESTS_FAKEKERNEL_FK_BASIC_H
#define F4_TESTS_FAKEKERNEL_FK_BASIC_H

#include "fk_test.h"

/* LOOKUP and GETATTR of every seed name against libext2fs; the node ids
 * are kept (with their lookup counts) for the later checks. */
void f4_fkb_check_names(struct f4_fk *fk, ext2_filsys fs);
/* The node id LOOKUP gave PATH (0: none). */
uint64_t f4_fkb_node(const char *path);
/* OPEN, READ, RELEASE of the files and READLINK of the symlink. */
void f4_fkb_check_contents(struct f4_fk *fk, ext2_filsys fs);
/* FORGET every node id looked up, with its count. */
void f4_fkb_forget_all(struct f4_fk *fk);
/* READDIR and READDIRPLUS against libext2fs and the seed folder. */
void f4_fkb_check_readdir(struct f4_fk *fk, ext2_filsys fs, const char *seed);
/* STATFS against the superblock. */
void f4_fkb_check_statfs(struct f4_fk *fk, ext2_filsys fs);
/* CREATE, WRITE, FSYNC, RELEASE; then e2fsck and libext2fs read back. */
void f4_fkr_session(const char *img);

#endif
