/* Owns the parts of the kernel's FUSE protocol that our build's headers
 * do not describe: what came after libfuse 3.14 and after the
 * <linux/fuse.h> we build against (protocol 7.38), which the glue reads
 * and writes itself through its own transport (transport.c). What
 * belongs here, as it is needed and nothing sooner:
 *   - FUSE_STATX (7.39): statx with btime and attributes;
 *   - FUSE_SYNCFS (7.34; libfuse 3.14 has no handler for it);
 *   - FUSE over io_uring (the ring setup and its request/reply framing);
 *   - the fuse-iomap experimental opcodes and INIT flags, for the
 *     adapter that hands the mapping engine's records (iomap/mapping.h)
 *     to the kernel.
 * Only numbers and layouts fixed by the protocol, under our own F4_
 * names: <linux/fuse.h> declares the opcodes as enum constants, which
 * #ifndef cannot see, so defining FUSE_STATX ourselves would clash with a
 * newer header. The core never includes this file; only src/fuse/ does. */
#ifndef F4_FUSE_KPROTO_H
#define F4_FUSE_KPROTO_H

#include <stdint.h>

/* Opcodes (struct fuse_in_header.opcode). */
#define F4_FUSE_OP_SYNCFS 50
#define F4_FUSE_OP_STATX 52

/* FUSE_STATX (7.39): struct fuse_statx_in / fuse_statx_out. The reply's
 * stat has struct statx's layout; the kernel takes btime from it when
 * its mask has STATX_BTIME, and the basic fields only when the mask has
 * all of STATX_BASIC_STATS. */
struct f4_fuse_sx_time {
	int64_t tv_sec;
	uint32_t tv_nsec;
	int32_t reserved;
};

struct f4_fuse_statx {
	uint32_t mask;
	uint32_t blksize;
	uint64_t attributes;
	uint32_t nlink;
	uint32_t uid;
	uint32_t gid;
	uint16_t mode;
	uint16_t spare0[1];
	uint64_t ino;
	uint64_t size;
	uint64_t blocks;
	uint64_t attributes_mask;
	struct f4_fuse_sx_time atime, btime, ctime, mtime;
	uint32_t rdev_major, rdev_minor;
	uint32_t dev_major, dev_minor;
	uint64_t spare2[14];
};

struct f4_fuse_statx_in {
	uint32_t getattr_flags;
	uint32_t reserved;
	uint64_t fh;
	uint32_t sx_flags;
	uint32_t sx_mask;
};

struct f4_fuse_statx_out {
	uint64_t attr_valid;
	uint32_t attr_valid_nsec;
	uint32_t flags;
	uint64_t spare[2];
	struct f4_fuse_statx stat;
};

#endif
