/* Owns directory lookups; see namei.h. The htree walk follows the on-disk
 * format: a root block holding "." and ".." then dx_root_info and the
 * index, optional interior index blocks (a fake empty dirent then the
 * index), and leaf blocks of ordinary entries. Hash collisions can spill
 * into the following leaves, marked by the low bit of the next key. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/dir/dir.h"
#include "src/dir/namei.h"
#include "src/fs/errors.h"

#define F4_DX_MAX_LEVELS 3	/* root + 2 interior levels with largedir */
#define F4_DX_ROOT_INFO_OFF 24	/* after the "." and ".." entries */

struct name_match {
	const char *name;
	size_t len;
	ext2_ino_t ino;
	uint64_t lblk;
};

static int match_fn(const struct f4_dirent *de, void *priv)
{
	struct name_match *m = priv;

	if (de->name_len != m->len || memcmp(de->name, m->name, m->len))
		return 0;
	m->ino = de->ino;
	m->lblk = de->lblk;
	return 1;
}

struct dx_frame {
	char *buf;
	struct ext2_dx_entry *entries;
	unsigned count;
	unsigned at;
};

struct dx_lookup {
	struct f4_fs *f4;
	ext2_ino_t dir;
	const struct ext2_inode_large *inode;
	uint64_t nblocks;
	unsigned levels;
	uint32_t hash;
	struct dx_frame frame[F4_DX_MAX_LEVELS];
};

/* -EAGAIN: the index cannot be trusted; a linear scan still can be. */
static int dx_bad(struct dx_lookup *dx, uint64_t lblk, const char *what)
{
	f4_fs_corrupt(dx->f4, dx->dir, lblk, "htree_lookup", what);
	return -EAGAIN;
}

static unsigned dx_limit(const struct dx_lookup *dx, unsigned offset)
{
	unsigned space = dx->f4->blocksize - offset;

	if (ext2fs_has_feature_metadata_csum(dx->f4->fs->super))
		space -= sizeof(struct ext2_dx_tail);
	return space / sizeof(struct ext2_dx_entry);
}

/* Check the count/limit header at offset and set up the frame. */
static int dx_frame_init(struct dx_lookup *dx, struct dx_frame *f,
			 unsigned offset, uint64_t lblk)
{
	struct ext2_dx_countlimit *cl = (void *)(f->buf + offset);
	unsigned limit = ext2fs_le16_to_cpu(cl->limit);

	f->count = ext2fs_le16_to_cpu(cl->count);
	f->entries = (struct ext2_dx_entry *)cl;
	if (limit != dx_limit(dx, offset) || f->count == 0 || f->count > limit)
		return dx_bad(dx, lblk, "htree index count/limit");
	return 0;
}

static uint32_t dx_hash(const struct dx_frame *f, unsigned i)
{
	return ext2fs_le32_to_cpu(f->entries[i].hash);
}

static uint64_t dx_block(const struct dx_frame *f, unsigned i)
{
	return ext2fs_le32_to_cpu(f->entries[i].block) & EXT4_DX_BLOCK_MASK;
}

/* Position f at the last entry whose key is <= hash. */
static void dx_search(struct dx_frame *f, uint32_t hash)
{
	unsigned lo = 1, hi = f->count;

	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (dx_hash(f, mid) <= hash)
			lo = mid + 1;
		else
			hi = mid;
	}
	f->at = lo - 1;
}

static int dx_read(struct dx_lookup *dx, unsigned level, uint64_t lblk)
{
	struct dx_frame *f = &dx->frame[level];
	struct ext2_dir_entry *fake;
	int ret;

	if (lblk >= dx->nblocks)
		return dx_bad(dx, lblk, "htree block beyond directory end");
	ret = f4_dir_read_block(dx->f4, dx->dir, dx->inode, lblk, f->buf);
	if (ret == -ENOENT)
		return dx_bad(dx, lblk, "htree block is a hole");
	if (ret)
		return ret == -EUCLEAN ? -EAGAIN : ret;
	if (level == 0)
		return 0;
	fake = (struct ext2_dir_entry *)f->buf;
	if (fake->inode != 0)
		return dx_bad(dx, lblk, "htree node has a live entry");
	return dx_frame_init(dx, f, 8, lblk);
}

/* Descend from level to the leaf along the entries' current positions,
 * taking the first entry in each newly read node. Returns the leaf. */
static int dx_descend(struct dx_lookup *dx, unsigned level, uint64_t *leaf,
		      bool search)
{
	int ret;

	for (; level < dx->levels; level++) {
		struct dx_frame *f = &dx->frame[level];

		ret = dx_read(dx, level + 1, dx_block(f, f->at));
		if (ret)
			return ret;
		if (search)
			dx_search(&dx->frame[level + 1], dx->hash);
		else
			dx->frame[level + 1].at = 0;
	}
	*leaf = dx_block(&dx->frame[dx->levels], dx->frame[dx->levels].at);
	return 0;
}

static int dx_root(struct dx_lookup *dx, const char *name, size_t len)
{
	struct ext2_dx_root_info *info;
	struct ext2_super_block *sb = dx->f4->fs->super;
	unsigned max_levels = ext2fs_has_feature_largedir(sb) ? 3 : 2;
	int version, ret;

	ret = dx_read(dx, 0, 0);
	if (ret)
		return ret;
	info = (void *)(dx->frame[0].buf + F4_DX_ROOT_INFO_OFF);
	version = info->hash_version;
	if (info->reserved_zero || info->info_length != 8 ||
	    info->indirect_levels >= max_levels)
		return dx_bad(dx, 0, "htree root info");
	if (version > EXT2_HASH_TEA)
		return dx_bad(dx, 0, "htree hash version");
	if (sb->s_flags & EXT2_FLAGS_UNSIGNED_HASH)
		version += 3;
	if (ext2fs_dirhash2(version, name, (int)len, NULL, 0, sb->s_hash_seed,
			    &dx->hash, NULL))
		return dx_bad(dx, 0, "htree hash");
	dx->levels = info->indirect_levels;
	ret = dx_frame_init(dx, &dx->frame[0],
			    F4_DX_ROOT_INFO_OFF + info->info_length, 0);
	if (!ret)
		dx_search(&dx->frame[0], dx->hash);
	return ret;
}

/* Advance to the next leaf that may hold more names with our hash. */
static int dx_next_leaf(struct dx_lookup *dx, uint64_t *leaf)
{
	int level = (int)dx->levels;

	while (level >= 0 && dx->frame[level].at + 1 >= dx->frame[level].count)
		level--;
	if (level < 0)
		return 1;
	dx->frame[level].at++;
	if ((dx_hash(&dx->frame[level], dx->frame[level].at) & ~1u) != dx->hash)
		return 1;
	return dx_descend(dx, (unsigned)level, leaf, false);
}

static int dx_lookup(struct f4_fs *f4, ext2_ino_t dir,
		     const struct ext2_inode_large *inode, struct name_match *m)
{
	struct dx_lookup dx = {
		.f4 = f4, .dir = dir, .inode = inode,
		.nblocks = EXT2_I_SIZE(inode) >> f4->blockbits,
	};
	uint64_t leaf;
	unsigned i, steps;
	int ret;

	for (i = 0; i < F4_DX_MAX_LEVELS; i++) {
		dx.frame[i].buf = malloc(f4->blocksize);
		if (!dx.frame[i].buf) {
			ret = -ENOMEM;
			goto out;
		}
	}
	ret = dx_root(&dx, m->name, m->len);
	if (!ret)
		ret = dx_descend(&dx, 0, &leaf, true);
	/* Each step visits a new leaf; a directory has at most nblocks. */
	for (steps = 0; !ret && steps <= dx.nblocks; steps++) {
		if (leaf >= dx.nblocks) {
			ret = dx_bad(&dx, leaf, "htree leaf beyond directory end");
			break;
		}
		ret = f4_dir_walk_block(f4, dir, inode, leaf, match_fn, m);
		if (ret == 1) {
			ret = 0;
			goto out;
		}
		if (ret == -ENOENT)
			ret = dx_bad(&dx, leaf, "htree leaf is a hole");
		if (ret)
			break;
		ret = dx_next_leaf(&dx, &leaf);
		if (ret == 1) {
			ret = -ENOENT;
			break;
		}
	}
	if (ret == -EUCLEAN)
		ret = -EAGAIN;
out:
	for (i = 0; i < F4_DX_MAX_LEVELS; i++)
		free(dx.frame[i].buf);
	return ret;
}

int f4_namei(struct f4_fs *f4, ext2_ino_t dir,
	     const struct ext2_inode_large *dinode, const char *name,
	     size_t len, ext2_ino_t *ino)
{
	uint64_t lblk;

	return f4_namei_at(f4, dir, dinode, name, len, ino, &lblk);
}

int f4_namei_at(struct f4_fs *f4, ext2_ino_t dir,
		const struct ext2_inode_large *dinode, const char *name,
		size_t len, ext2_ino_t *ino, uint64_t *lblk)
{
	struct name_match m = { .name = name, .len = len };
	int ret;

	if (!S_ISDIR(dinode->i_mode))
		return -ENOTDIR;
	if (len > EXT2_NAME_LEN)
		return -ENAMETOOLONG;
	if (len == 0)
		return -ENOENT;
	if (len == 1 && name[0] == '.') {
		*ino = dir;
		*lblk = 0;
		return 0;
	}
	/* ".." sits in block 0, outside any htree leaf. */
	if (len == 2 && name[0] == '.' && name[1] == '.' &&
	    !(dinode->i_flags & EXT4_INLINE_DATA_FL)) {
		ret = f4_dir_walk_block(f4, dir, dinode, 0, match_fn, &m);
		ret = ret == 1 ? 0 : ret ? ret : -ENOENT;
		goto out;
	}
	if ((dinode->i_flags & EXT2_INDEX_FL) &&
	    !(dinode->i_flags & EXT4_INLINE_DATA_FL) &&
	    ext2fs_has_feature_dir_index(f4->fs->super)) {
		ret = dx_lookup(f4, dir, dinode, &m);
		if (ret != -EAGAIN)
			goto out;
	}
	ret = f4_dir_walk(f4, dir, dinode, match_fn, &m);
	if (ret == 0)
		ret = -ENOENT;
	else if (ret == 1)
		ret = 0;
out:
	if (!ret) {
		*ino = m.ino;
		*lblk = m.lblk;
	}
	return ret;
}
