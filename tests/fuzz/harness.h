/* Shared by the fuzz targets (fuzz_read, fuzz_write) and their plain
 * replay drivers: the control block, the image in a memfd between guard
 * bytes, opening it through /dev/fd/N, and the bounded tree walk.
 *
 * Input format: an ext2/3/4 image. Its first 512 bytes (the boot sector,
 * which ext2/3/4 never uses: the superblock starts at byte 1024 for every
 * block size) are the control block:
 *   0..3   "F4FZ" when the control block is meant; otherwise the flags and
 *          operations are derived from a hash of the whole input
 *   4      flags (F4FZ_F_*)
 *   8..511 operations for fuzz_write, 4 bytes each
 * so a saved input is still an image that fuse4fs itself can mount. */
#ifndef F4_FUZZ_HARNESS_H
#define F4_FUZZ_HARNESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "src/fs/fs.h"

#define F4FZ_CTL_SIZE 512
#define F4FZ_OPS_OFF 8
#define F4FZ_MIN_INPUT 2048
#define F4FZ_MAX_INPUT (8u << 20)
#define F4FZ_GUARD 8192		/* guard bytes before the image */

enum {
	F4FZ_F_FIXCSUM = 1 << 0,	/* recompute sb/group/inode checksums */
	F4FZ_F_REMOUNT_RO = 1 << 1,	/* errors=remount-ro, else continue */
	F4FZ_F_REWALK = 1 << 2,		/* write: reopen read-only and walk */
	F4FZ_F_SMALLCACHE = 1 << 3,	/* tiny metadata cache: evictions */
	F4FZ_F_NORECOVERY = 1 << 4,	/* read: -o norecovery */
	F4FZ_F_FORGET = 1 << 5,		/* write: forget refs before close */
};

struct f4fz_ctl {
	uint8_t flags;
	const uint8_t *ops;
	size_t nops;		/* bytes */
	uint8_t synth[F4FZ_CTL_SIZE];	/* ops derived from a hash */
};

void f4fz_ctl_parse(const uint8_t *data, size_t size, struct f4fz_ctl *ctl);

/* The image in a memfd: [guard][image]. */
struct f4fz_img {
	int fd;
	size_t size;		/* image bytes */
	char path[32];		/* /dev/fd/N */
};

int f4fz_img_create(struct f4fz_img *img, const uint8_t *data, size_t size);
/* Aborts (a finding) if a guard byte or the memfd's size changed. */
void f4fz_img_check(const struct f4fz_img *img);
void f4fz_img_destroy(struct f4fz_img *img);

/* Recompute the superblock, group descriptor and inode checksums so that
 * mutations get past checksum verification (an attacker computes them
 * too). Best effort, on the memfd. */
void f4fz_fix_csums(struct f4fz_img *img);

/* What every target does first with an input: within the size limits,
 * parsed into ctl and made an image (checksums fixed if ctl asks). 0, or
 * -1 when there is nothing to run (img is then not to be destroyed). */
int f4fz_input_begin(const uint8_t *data, size_t size, struct f4fz_ctl *ctl,
		     struct f4fz_img *img);

/* Open read-only (rw=false) or read-write; NULL when refused. */
struct f4_fs *f4fz_open(struct f4fz_img *img, bool rw, uint8_t flags);

/* The read-side walk: every directory (bounded), getattr, lookup, read,
 * seek, readlink, xattrs, flags. Collects inode numbers it met into
 * found (up to max) when found is not NULL. */
struct f4fz_found {
	uint32_t ino[64];
	bool dir[64];
	unsigned n;
};
void f4fz_walk(struct f4_fs *f4, struct f4fz_found *found);

/* Silence the core's log unless F4FZ_VERBOSE is set. */
void f4fz_quiet(void);

uint64_t f4fz_hash(const uint8_t *data, size_t size);

/* The structure-aware part of the custom mutator (see mutator.c): mutate
 * in place, keeping the image's size and layout. */
size_t f4fz_mutate(uint8_t *data, size_t size, size_t max, unsigned seed,
		   size_t (*mutate)(uint8_t *, size_t, size_t));

#endif
