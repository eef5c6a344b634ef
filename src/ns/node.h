/* Owns the read side of the node operations the FUSE glue calls: lookup,
 * getattr, readlink, flags. Each takes the big lock itself. */
#ifndef F4_NS_NODE_H
#define F4_NS_NODE_H

#include <stddef.h>

#include "src/inode/inode.h"

/* Look name up in dir and take a kernel reference on the result. */
int f4_node_lookup(struct f4_fs *f4, ext2_ino_t dir, const char *name,
		   struct f4_attr *out);

int f4_node_getattr(struct f4_fs *f4, ext2_ino_t ino, struct f4_attr *out);

/* The symlink target, NUL-terminated, in a buffer the caller frees. */
int f4_node_readlink(struct f4_fs *f4, ext2_ino_t ino, char **target);

/* Take one kernel reference on ino, as a lookup does: readdirplus hands
 * out entries. 0 or -ENOMEM. */
int f4_node_ref(struct f4_fs *f4, ext2_ino_t ino);

/* Drop n kernel references; an unlinked inode nobody holds any more is
 * freed on disk. */
void f4_node_forget(struct f4_fs *f4, ext2_ino_t ino, uint64_t n);

/* An open handle was released; likewise. */
void f4_node_close(struct f4_fs *f4, ext2_ino_t ino);

#endif
