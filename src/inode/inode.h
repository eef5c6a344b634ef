/* Owns reading inodes for the operations and presenting them as struct
 * stat: ids, sizes, device numbers and ext4's extended timestamps. */
#ifndef F4_INODE_INODE_H
#define F4_INODE_INODE_H

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>
#include <ext2fs/ext2fs.h>

#include "src/fs/fs.h"

/* An inode as the operations see it. */
struct f4_attr {
	ext2_ino_t ino;
	uint32_t generation;
	struct stat st;
	bool has_btime;		/* the inode holds a creation time */
	struct timespec btime;	/* ext4's i_crtime */
};

/* Is ino a number an operation may name (root, or a normal inode)? */
bool f4_inode_nameable(const struct f4_fs *f4, ext2_ino_t ino);

/* Read inode ino. Caller holds the lock. -ESTALE for numbers out of range,
 * -EUCLEAN (reported) for a checksum failure or garbage. */
int f4_inode_read(struct f4_fs *f4, ext2_ino_t ino,
		  struct ext2_inode_large *inode);

/* Where an extended field of the large inode ends (for has_extra). */
#define F4_EXTRA_END(field)                                              \
	(offsetof(struct ext2_inode_large, field) +                      \
	 sizeof(((struct ext2_inode_large *)0)->field))

/* Does the on-disk inode hold the extended field ending at offset end? */
bool f4_inode_has_extra(const struct f4_fs *f4,
			const struct ext2_inode_large *inode, size_t end);

/* The owner and group as seen through the mount (-o uid=, uidmap=...):
 * what permission rules compare the caller's ids with. */
uid_t f4_inode_uid(const struct f4_fs *f4, const struct ext2_inode_large *inode);
gid_t f4_inode_gid(const struct f4_fs *f4, const struct ext2_inode_large *inode);

void f4_inode_to_attr(const struct f4_fs *f4, ext2_ino_t ino,
		      const struct ext2_inode_large *inode, struct f4_attr *a);

/* Read and convert; caller holds the lock. */
int f4_inode_get_attr(struct f4_fs *f4, ext2_ino_t ino, struct f4_attr *a);

/* Decode an ext4 timestamp (base seconds + optional extra word). */
struct timespec f4_time_decode(uint32_t base, uint32_t extra, bool has_extra);

/* Which timestamps to set. */
enum {
	F4_ATIME = 1 << 0,
	F4_MTIME = 1 << 1,
	F4_CTIME = 1 << 2,
	F4_CRTIME = 1 << 3,
};

struct timespec f4_time_now(void);

/* Store ts into the chosen fields, clamped to what the inode can hold. */
void f4_inode_set_times(const struct f4_fs *f4, struct ext2_inode_large *inode,
			unsigned which, struct timespec ts);

/* Store on-disk ids (see idmap.h for the ids seen). */
void f4_inode_set_ids(struct ext2_inode_large *inode, uid_t uid, gid_t gid);

/* Write the whole in-core inode back (bumping i_version); caller holds the
 * lock and has checked f4_fs_writable(). */
int f4_inode_write(struct f4_fs *f4, ext2_ino_t ino,
		   struct ext2_inode_large *inode);

/* The largest file size this inode's mapping can address. */
uint64_t f4_inode_max_size(const struct f4_fs *f4,
			   const struct ext2_inode_large *inode);

#endif
