/* The seed tree the fake-kernel tests build their image from: a few
 * files of known contents, a subfolder, a symlink and a big sparse file,
 * so that each check can say which bytes it expects. */
#ifndef F4_TESTS_FAKEKERNEL_FK_SEED_H
#define F4_TESTS_FAKEKERNEL_FK_SEED_H

#include <stddef.h>
#include <stdint.h>

#define F4_FKS_HELLO "hello, fake kernel\n"
#define F4_FKS_INNER "inner file\n"
#define F4_FKS_LINK "sub/inner.txt"
#define F4_FKS_DATA_LEN 100000u		/* data.bin: not a block multiple */
#define F4_FKS_SPARSE_OFF (3ull << 30)	/* sparse: one block of data here */
#define F4_FKS_SPARSE_LEN 4096u

/* The byte at OFF of data.bin and of sparse's data block. */
unsigned char f4_fks_byte(uint64_t off);
/* Build SEED (a new folder) and IMG from it. 0 or -1. */
int f4_fks_build(const char *seed, const char *img);

#endif
