/* Owns lookup, getattr, readlink and flags (see node.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "iomap/mapping.h"
#include "src/fs/errors.h"
#include "src/fs/fmap.h"
#include "src/inode/icache.h"
#include "src/dir/namei.h"
#include "src/ns/node.h"
#include "src/ns/orphan.h"

/* "." names the node itself, whatever its type: the kernel looks nodes
 * up that way to decode file handles (exportfs: NFS, overlayfs's copy-up
 * origins). A node that is gone is stale, not corrupt. */
static int lookup_self(struct f4_fs *f4, ext2_ino_t ino, struct f4_attr *out)
{
	struct ext2_inode_large inode;
	int ret;

	f4_fs_lock(f4);
	ret = f4_inode_read(f4, ino, &inode);
	if (!ret && inode.i_links_count == 0 && !f4_icache_in_use(f4->icache, ino))
		ret = -ESTALE;
	if (!ret)
		f4_inode_to_attr(f4, ino, &inode, out);
	f4_fs_unlock(f4);
	return ret ? ret : f4_icache_ref(f4->icache, ino);
}

int f4_node_lookup(struct f4_fs *f4, ext2_ino_t dir, const char *name,
		   struct f4_attr *out)
{
	struct ext2_inode_large dinode, inode;
	ext2_ino_t ino = 0;
	int ret;

	if (!strcmp(name, "."))
		return lookup_self(f4, dir, out);
	f4_fs_lock(f4);
	ret = f4_inode_read(f4, dir, &dinode);
	if (!ret)
		ret = f4_namei(f4, dir, &dinode, name, strlen(name), &ino);
	if (!ret && !f4_inode_nameable(f4, ino))
		ret = f4_fs_corrupt(f4, dir, 0, "lookup",
				    "directory entry names a reserved inode");
	if (!ret)
		ret = f4_inode_read(f4, ino, &inode);
	if (!ret && inode.i_links_count == 0 &&
	    !f4_icache_in_use(f4->icache, ino))
		ret = f4_fs_corrupt(f4, ino, 0, "lookup",
				    "directory entry names a deleted inode");
	if (!ret)
		f4_inode_to_attr(f4, ino, &inode, out);
	f4_fs_unlock(f4);
	if (!ret)
		ret = f4_icache_ref(f4->icache, ino);
	return ret;
}

int f4_node_getattr(struct f4_fs *f4, ext2_ino_t ino, struct f4_attr *out)
{
	int ret;

	f4_fs_lock(f4);
	ret = f4_inode_get_attr(f4, ino, out);
	f4_fs_unlock(f4);
	return ret;
}

/* ext4's rule: a symlink is fast when it owns no blocks but its xattr
 * block; its target then sits in i_block. */
static bool is_fast_symlink(const struct f4_fs *f4,
			    const struct ext2_inode_large *inode)
{
	uint64_t ea = ext2fs_file_acl_block(f4->fs, (struct ext2_inode *)inode) ?
			      EXT2_CLUSTER_SIZE(f4->fs->super) >> 9 : 0;

	return ext2fs_get_stat_i_blocks(f4->fs, (struct ext2_inode *)inode) == ea;
}

static int read_slow_symlink(struct f4_fs *f4, ext2_ino_t ino,
			     struct ext2_inode_large *inode, char *buf)
{
	struct f4_map_rec rec;
	unsigned n;
	int ret;

	ret = f4_fs_map(f4, ino, inode, 0, f4->blocksize, &rec, 1, &n,
			"readlink");
	if (ret)
		return ret;
	if (!n || rec.type != F4_MAP_MAPPED)
		return f4_fs_corrupt(f4, ino, 0, "readlink", "symlink block missing");
	return f4_errcode_to_errno(io_channel_read_blk64(f4->fs->io,
				   rec.addr >> f4->blockbits, 1, buf));
}

static int read_symlink(struct f4_fs *f4, ext2_ino_t ino,
			struct ext2_inode_large *inode, char *buf)
{
	uint64_t size = EXT2_I_SIZE(inode);
	size_t got = size;
	errcode_t err;

	if (!S_ISLNK(inode->i_mode))
		return -EINVAL;
	if (size == 0 || size >= f4->blocksize)
		return f4_fs_corrupt(f4, ino, 0, "readlink", "bad symlink size");
	if (inode->i_flags & EXT4_INLINE_DATA_FL) {
		char *tmp;
		size_t isz = 0;

		err = ext2fs_inline_data_size(f4->fs, ino, &isz);
		if (err)
			return f4_fs_errcode(f4, ino, err, "readlink");
		tmp = malloc(isz + 1);
		if (!tmp)
			return -ENOMEM;
		err = ext2fs_inline_data_get(f4->fs, ino, (struct ext2_inode *)inode,
					     tmp, &got);
		if (!err)
			memcpy(buf, tmp, got < size ? got : size);
		free(tmp);
		if (err)
			return f4_fs_errcode(f4, ino, err, "readlink");
		if (got < size)
			return f4_fs_corrupt(f4, ino, 0, "readlink", "inline symlink short");
	} else if (is_fast_symlink(f4, inode)) {
		if (size >= sizeof(inode->i_block))
			return f4_fs_corrupt(f4, ino, 0, "readlink",
					     "fast symlink too long");
		memcpy(buf, inode->i_block, size);
	} else {
		int ret = read_slow_symlink(f4, ino, inode, buf);

		if (ret)
			return ret;
	}
	buf[size] = '\0';
	if (strlen(buf) != size)
		return f4_fs_corrupt(f4, ino, 0, "readlink", "symlink has a NUL byte");
	return 0;
}

int f4_node_readlink(struct f4_fs *f4, ext2_ino_t ino, char **target)
{
	struct ext2_inode_large inode;
	char *buf = malloc(f4->blocksize + 1);
	int ret;

	if (!buf)
		return -ENOMEM;
	f4_fs_lock(f4);
	ret = f4_inode_read(f4, ino, &inode);
	if (!ret)
		ret = read_symlink(f4, ino, &inode, buf);
	f4_fs_unlock(f4);
	if (ret) {
		free(buf);
		return ret;
	}
	*target = buf;
	return 0;
}

/* The kernel no longer holds an unlinked inode: free it now. */
static void release_unlinked(struct f4_fs *f4, ext2_ino_t ino)
{
	f4_fs_lock(f4);
	if (!f4_fs_writable(f4))
		f4_inode_release(f4, ino);
	f4_fs_unlock(f4);
}

void f4_node_forget(struct f4_fs *f4, ext2_ino_t ino, uint64_t n)
{
	if (f4_icache_forget(f4->icache, ino, n))
		release_unlinked(f4, ino);
}

int f4_node_ref(struct f4_fs *f4, ext2_ino_t ino)
{
	return f4_icache_ref(f4->icache, ino);
}

void f4_node_close(struct f4_fs *f4, ext2_ino_t ino)
{
	if (f4_icache_close(f4->icache, ino))
		release_unlinked(f4, ino);
}
