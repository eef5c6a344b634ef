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

/* Opcodes (struct fuse_in_header.opcode). */
#define F4_FUSE_OP_SYNCFS 50
#define F4_FUSE_OP_STATX 52

#endif
