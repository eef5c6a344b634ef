/* Owns fk_basic's checks of directories and statfs (see fk_basic.h):
 * READDIR and READDIRPLUS listings against libext2fs's and the seed
 * folder's, STATFS against the superblock. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fk_basic.h"

#define MAXENT 64

struct listing {
	char name[MAXENT][256];
	uint64_t ino[MAXENT];
	unsigned n;
	int overflow;
};

static void add(struct listing *l, const char *name, size_t len, uint64_t ino)
{
	if (l->n >= MAXENT || len >= sizeof(l->name[0])) {
		l->overflow = 1;
		return;
	}
	memcpy(l->name[l->n], name, len);
	l->name[l->n][len] = '\0';
	l->ino[l->n++] = ino;
}

static int find(const struct listing *l, const char *name)
{
	for (unsigned i = 0; i < l->n; i++)
		if (!strcmp(l->name[i], name))
			return (int)i;
	return -1;
}

static int ext2_entry(ext2_ino_t dir, int kind, struct ext2_dir_entry *d, int off,
		      int bs, char *buf, void *priv)
{
	(void)dir;
	(void)kind;
	(void)off;
	(void)bs;
	(void)buf;
	add(priv, d->name, (size_t)ext2fs_dirent_name_len(d), d->inode);
	return 0;
}

/* The whole listing of NODE through READDIR(PLUS), 4 KiB at a time;
 * READDIRPLUS's node ids are forgotten again. 0 or -errno. */
static int server_listing(struct f4_fk *fk, uint64_t node, int plus, struct listing *l)
{
	static char buf[4096];
	uint64_t fh, off = 0;
	int ret = f4_fk_opendir(fk, node, &fh), r;

	for (int round = 0; !ret && round < 1000; round++) {
		const struct fuse_entry_out *e;
		const struct fuse_dirent *d;
		size_t got, pos = 0;

		ret = f4_fk_readdir(fk, node, fh, off, plus, buf, sizeof(buf), &got);
		if (ret || got == 0)
			break;
		while ((r = f4_fk_dirent_next(buf, got, &pos, plus, &d, &e)) == 1) {
			add(l, d->name, d->namelen, d->ino);
			off = d->off;
			if (plus && e->nodeid && e->attr.ino != d->ino)
				l->overflow = 1;	/* shows as a mismatch */
			if (plus && e->nodeid)
				f4_fk_forget(fk, e->nodeid, 1);
		}
		if (r < 0)
			ret = r;
	}
	r = f4_fk_releasedir(fk, node, fh);
	return ret ? ret : r;
}

static int same(const struct listing *a, const struct listing *b)
{
	if (a->overflow || b->overflow || a->n != b->n)
		return 0;
	for (unsigned i = 0; i < a->n; i++) {
		int j = find(b, a->name[i]);

		if (j < 0 || b->ino[j] != a->ino[i])
			return 0;
	}
	return 1;
}

/* Every name in the seed folder SEED (but . and ..) is in L. */
static int has_seed(const struct listing *l, const char *seed)
{
	DIR *d = opendir(seed);
	struct dirent *de;
	int ok = d != NULL;

	while (ok && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			ok = find(l, de->d_name) >= 0;
	if (d)
		closedir(d);
	return ok;
}

static void check_dir(struct f4_fk *fk, ext2_filsys fs, const char *path,
		      uint64_t node, const char *seed)
{
	struct listing want = { 0 }, got = { 0 }, plus = { 0 };
	ext2_ino_t ino;
	errcode_t err;
	int ret;

	if (f4_fkt_namei(fs, path, &ino, NULL))
		f4_fkt_bail("libext2fs does not find a seed folder");
	err = ext2fs_dir_iterate2(fs, ino, 0, NULL, ext2_entry, &want);
	if (err)
		f4_fkt_bail("libext2fs cannot list a seed folder");
	ret = server_listing(fk, node, 0, &got);
	f4_fkt_check(!ret && same(&want, &got), "READDIR %s: %u names and inos as libext2fs lists (%s, %u)",
		     path, want.n, strerror(-ret), got.n);
	f4_fkt_check(has_seed(&got, seed), "READDIR %s: every seed name", path);
	ret = server_listing(fk, node, 1, &plus);
	f4_fkt_check(!ret && same(&want, &plus),
		     "READDIRPLUS %s: names, inos and attributes as libext2fs (%s, %u)",
		     path, strerror(-ret), plus.n);
}

void f4_fkb_check_readdir(struct f4_fk *fk, ext2_filsys fs, const char *seed)
{
	char sub[4096];

	snprintf(sub, sizeof(sub), "%s/sub", seed);
	check_dir(fk, fs, "/", FUSE_ROOT_ID, seed);
	check_dir(fk, fs, "sub", f4_fkb_node("sub"), sub);
}

/* The blocks ext4 does not count as the filesystem's (ext4's statfs):
 * the superblock's s_overhead_clusters, else every group's superblock
 * and descriptor copies, bitmaps and inode table, and the journal. */
static uint64_t overhead(ext2_filsys fs)
{
	struct ext2_super_block *sb = fs->super;
	struct ext2_inode j;
	uint64_t total = sb->s_first_data_block;
	blk_t used;
	errcode_t err;

	if (sb->s_overhead_clusters)
		return EXT2FS_C2B(fs, (uint64_t)sb->s_overhead_clusters);
	for (dgrp_t g = 0; g < fs->group_desc_count; g++) {
		err = ext2fs_super_and_bgd_loc2(fs, g, NULL, NULL, NULL, &used);
		if (err)
			f4_fkt_bail("libext2fs cannot locate a group's metadata");
		total += used + 2 + fs->inode_blocks_per_group;
	}
	if (ext2fs_has_feature_journal(sb) && sb->s_journal_inum) {
		err = ext2fs_read_inode(fs, sb->s_journal_inum, &j);
		if (err)
			f4_fkt_bail("libext2fs cannot read the journal inode");
		total += EXT2_I_SIZE(&j) / fs->blocksize;
	}
	return total;
}

void f4_fkb_check_statfs(struct f4_fk *fk, ext2_filsys fs)
{
	struct ext2_super_block *sb = fs->super;
	uint64_t blocks = ext2fs_blocks_count(sb), bfree = ext2fs_free_blocks_count(sb);
	/* ext4 keeps 2% (at most 4096 clusters) back for metadata. */
	uint64_t resv = ext2fs_has_feature_extents(sb) ?
		EXT2FS_C2B(fs, (blocks >> sb->s_log_cluster_size) / 50 < 4096 ?
			   (blocks >> sb->s_log_cluster_size) / 50 : 4096) : 0;
	uint64_t reserved = ext2fs_r_blocks_count(sb) + resv;
	struct fuse_kstatfs st;
	int ret = f4_fk_statfs(fk, &st);

	if (!f4_fkt_check(ret == 0, "STATFS answered (%s)", strerror(-ret)))
		return;
	f4_fkt_check(st.bsize == fs->blocksize && st.frsize == fs->blocksize,
		     "STATFS: block size %u (%u, %u)", fs->blocksize, st.bsize, st.frsize);
	f4_fkt_check(st.blocks == blocks - overhead(fs), "STATFS: blocks %llu (%llu)",
		     (unsigned long long)(blocks - overhead(fs)), (unsigned long long)st.blocks);
	f4_fkt_check(st.bfree == bfree, "STATFS: free blocks %llu (%llu)",
		     (unsigned long long)bfree, (unsigned long long)st.bfree);
	f4_fkt_check(st.bavail == (bfree > reserved ? bfree - reserved : 0),
		     "STATFS: available blocks %llu (%llu)",
		     (unsigned long long)(bfree > reserved ? bfree - reserved : 0),
		     (unsigned long long)st.bavail);
	f4_fkt_check(st.files == sb->s_inodes_count && st.ffree == sb->s_free_inodes_count,
		     "STATFS: inodes %u, free %u (%llu, %llu)", sb->s_inodes_count,
		     sb->s_free_inodes_count, (unsigned long long)st.files,
		     (unsigned long long)st.ffree);
	f4_fkt_check(st.namelen == EXT2_NAME_LEN, "STATFS: namelen 255 (%u)", st.namelen);
}
