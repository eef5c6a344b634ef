/* Owns open file handles: open and create with their checks, and the
 * count of handles each inode has open, kept in the inode cache (an
 * inode unlinked while open is freed when its last handle goes). A
 * handle is one successful f4_handle_open or f4_handle_create, ended by
 * one f4_handle_release. */
#ifndef F4_NS_HANDLE_H
#define F4_NS_HANDLE_H

#include "src/inode/inode.h"
#include "src/ns/namespace.h"

/* Open ino with open(2) flags (f4_file_open_check: a directory is
 * -EISDIR; writing needs a writable mount, no immutable flag and, on an
 * append-only file, O_APPEND; O_TRUNC needs neither flag). O_TRUNC
 * itself arrives later as a setattr of the size. */
int f4_handle_open(struct f4_fs *f4, ext2_ino_t ino, int flags);

/* Create name in dir (f4_ns_make) and open it. When the name exists
 * (made since the kernel's lookup) and flags lack O_EXCL, the existing
 * inode is looked up and opened instead, unchecked, as open(2) with
 * O_CREAT does; with O_EXCL it is -EEXIST. On success *out is the
 * inode, with a kernel reference (as a lookup) and a handle taken. */
int f4_handle_create(struct f4_fs *f4, ext2_ino_t dir, const char *name,
		     const struct f4_make_args *a, int flags,
		     struct f4_attr *out);

/* End a handle; the last one of an unlinked inode frees it on disk. */
void f4_handle_release(struct f4_fs *f4, ext2_ino_t ino);

#endif
