/* Owns extended attributes as users see them: names with their namespace
 * prefix (user., trusted., security., system.), POSIX ACLs in the VFS
 * format, and never ext4-internal attributes (system.data holds inline
 * data). Each call takes the big lock itself. */
#ifndef F4_XATTR_H
#define F4_XATTR_H

#include <stdbool.h>
#include <stddef.h>
#include <ext2fs/ext2fs.h>

#include "fs.h"

/* *value is malloc'ed (the caller frees it); -ENODATA if absent. */
int f4_xattr_get(struct f4_fs *f4, ext2_ino_t ino, const char *name,
		 void **value, size_t *len);

/* NUL-separated names, malloc'ed. Names in trusted. are left out unless
 * show_trusted (the caller is privileged), as ext4 does. */
int f4_xattr_list(struct f4_fs *f4, ext2_ino_t ino, bool show_trusted,
		  char **names, size_t *len);

/* Is this name one we never expose or accept? */
bool f4_xattr_is_internal(const char *name);

#endif
