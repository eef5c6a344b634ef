/* Owns the namespace operations that create and remove names: mknod,
 * create, mkdir, symlink, link, unlink, rmdir. Each takes the big lock
 * itself and either completes or leaves no trace (a new inode whose name
 * could not be added is freed again). Names longer than 255 bytes are
 * -ENAMETOOLONG before anything is touched. */
#ifndef F4_NS_NAMESPACE_H
#define F4_NS_NAMESPACE_H

#include <sys/types.h>

#include "src/inode/inode.h"
#include "src/fs/perm.h"

struct f4_make_args {
	const struct f4_cred *cred;
	mode_t mode;		/* file type and permission bits asked for */
	mode_t umask;		/* applied unless a default ACL decides */
	dev_t rdev;		/* device nodes */
	const char *target;	/* symlinks */
};

/* Create name in dir; on success takes a kernel reference on the result. */
int f4_ns_make(struct f4_fs *f4, ext2_ino_t dir, const char *name,
	       const struct f4_make_args *a, struct f4_attr *out);

/* Create an inode with no name (a whiteout, or a file about to be linked
 * elsewhere). On success *ino is allocated and written; link count 1. */
int f4_ns_make_unlinked(struct f4_fs *f4, ext2_ino_t dir,
			const struct f4_make_args *a, ext2_ino_t *ino);

int f4_ns_link(struct f4_fs *f4, ext2_ino_t ino, ext2_ino_t dir,
	       const char *name, struct f4_attr *out);
int f4_ns_unlink(struct f4_fs *f4, ext2_ino_t dir, const char *name);
int f4_ns_rmdir(struct f4_fs *f4, ext2_ino_t dir, const char *name);

/* Shared with rename: drop one link of ino (all of a directory's), and
 * free it or put it on the orphan list when that was the last. Caller
 * holds the lock and writes nothing else of ino. */
int f4_ns_drop_link(struct f4_fs *f4, ext2_ino_t ino);

/* Name and directory checks shared with rename (lock held). */
int f4_ns_check_name(const char *name);
int f4_ns_read_dir(struct f4_fs *f4, ext2_ino_t dir,
		   struct ext2_inode_large *inode);

/* ext4's directory link counting (dir_nlink): ++ or -- the count of a
 * directory gaining or losing a subdirectory. */
void f4_ns_dir_inc(struct f4_fs *f4, struct ext2_inode_large *dir);
void f4_ns_dir_dec(struct ext2_inode_large *dir);

/* May dir get one more subdirectory? 0 or -EMLINK. */
int f4_ns_dir_may_grow(const struct ext2_inode_large *dir);

#endif
