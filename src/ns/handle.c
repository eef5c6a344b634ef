/* Owns open, create and release of file handles (see handle.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>

#include "src/file/read.h"
#include "src/inode/icache.h"
#include "src/ns/handle.h"
#include "src/ns/node.h"

int f4_handle_open(struct f4_fs *f4, ext2_ino_t ino, int flags)
{
	int ret = f4_file_open_check(f4, ino, flags);

	return ret ? ret : f4_icache_open(f4->icache, ino);
}

int f4_handle_create(struct f4_fs *f4, ext2_ino_t dir, const char *name,
		     const struct f4_make_args *a, int flags,
		     struct f4_attr *out)
{
	int ret = f4_ns_make(f4, dir, name, a, out);

	if (ret == -EEXIST && !(flags & O_EXCL))
		ret = f4_node_lookup(f4, dir, name, out);
	return ret ? ret : f4_icache_open(f4->icache, out->ino);
}

void f4_handle_release(struct f4_fs *f4, ext2_ino_t ino)
{
	/* Shares freeing an unlinked inode with forget (node.c). */
	f4_node_close(f4, ino);
}
