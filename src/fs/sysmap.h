/* The system zone: which blocks hold filesystem metadata. */
#ifndef F4_FS_SYSMAP_H
#define F4_FS_SYSMAP_H

#include <stddef.h>

struct f4_fs;
struct f4_sysmap;

/* Check the group descriptors as the kernel's ext4_check_descriptors
 * does (each group's bitmaps and inode table inside the filesystem, in
 * their group without flex_bg, overlapping neither each other nor any
 * superblock or descriptor block), then record all those blocks and the
 * journal's in f4->sysmap for f4_fs_is_meta. In O(groups log groups),
 * whatever the filesystem's size. Needs f4->fs open. Returns 0, -ENOMEM,
 * or -EUCLEAN with a one-line reason in msg. */
int f4_sysmap_build(struct f4_fs *f4, char *msg, size_t len);

void f4_sysmap_free(struct f4_sysmap *s);

#endif
