/* Unit tests for directory lookup and listing (src/dir/namei.h, src/dir/dir.h,
 * src/dir/dirsnap.h) through f4_mount_open on images built in setup: htree
 * directories of a few thousand entries (one and two index levels, with
 * and without metadata_csum), inline directories, and linear ones on
 * ext2 without dir_index or filetype. libext2fs's own directory iterator
 * is the oracle for every name, inode number and type. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "src/dir/dir.h"
#include "src/dir/dirsnap.h"
#include "src/fs/fs.h"
#include "src/inode/inode.h"
#include "src/base/log.h"
#include "src/dir/namei.h"
#include "src/mount/mount.h"
#include "testimg.h"

#define BIG_ENTRIES 5000

/* ---------------------------------------------------------------------
 * The oracle: a directory as libext2fs lists it
 */

struct ent {
	char name[EXT2_NAME_LEN + 1];
	ext2_ino_t ino;
	unsigned char dtype;
};

struct listing {
	struct ent *e;
	size_t n, cap;
};

static int collect(struct ext2_dir_entry *de, int offset, int blocksize,
		   char *buf, void *priv)
{
	struct listing *l = priv;
	unsigned len = ext2fs_dirent_name_len(de);

	(void)offset;
	(void)blocksize;
	(void)buf;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 256;
		l->e = realloc(l->e, l->cap * sizeof(*l->e));
		if (!l->e)
			return DIRENT_ABORT;
	}
	memcpy(l->e[l->n].name, de->name, len);
	l->e[l->n].name[len] = '\0';
	l->e[l->n].ino = de->inode;
	l->n++;
	return 0;
}

static int ent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct ent *)a)->name, ((const struct ent *)b)->name);
}

/* Every entry of dir, sorted by name, with the type its inode says. */
static void oracle_list(const char *img, ext2_ino_t dir, struct listing *l)
{
	ext2_filsys fs = f4t_open(img, false);
	size_t i;

	memset(l, 0, sizeof(*l));
	assert_int_equal(ext2fs_dir_iterate(fs, dir, 0, NULL, collect, l), 0);
	assert_non_null(l->e);
	for (i = 0; i < l->n; i++) {
		struct ext2_inode inode;

		assert_int_equal(ext2fs_read_inode(fs, l->e[i].ino, &inode), 0);
		l->e[i].dtype = (unsigned char)((inode.i_mode & S_IFMT) >> 12);
	}
	qsort(l->e, l->n, sizeof(*l->e), ent_cmp);
	f4t_close(fs);
}

/* ---------------------------------------------------------------------
 * Images
 */

struct img {
	char *path;
	struct f4_fs *f4;
	ext2_ino_t big, small, types, tiny, spill, grown, lin;
};

struct env {
	char *dir;
	struct img csum1k;	/* ext4 1 KiB, metadata_csum: 2-level htree */
	struct img plain4k;	/* ext4 4 KiB, no metadata_csum: 1 level */
	struct img inl;		/* inline_data */
	struct img ext2;	/* ext2 without dir_index and filetype */
};

static void seed_dir(const char *seed, const char *sub, unsigned n,
		     const char *fmt)
{
	char *d = f4t_join(seed, sub);
	char name[PATH_MAX];
	unsigned i;

	assert_true(mkdir(seed, 0755) == 0 || errno == EEXIST);
	assert_true(mkdir(d, 0755) == 0 || errno == EEXIST);
	for (i = 0; i < n; i++) {
		int fd;

		snprintf(name, sizeof(name), "%s/", d);
		snprintf(name + strlen(name), sizeof(name) - strlen(name), fmt, i);
		fd = open(name, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
		assert_true(fd >= 0);
		close(fd);
	}
	free(d);
}

/* One entry of every type, created with libext2fs. */
static void add_types(const char *path)
{
	ext2_filsys fs = f4t_open(path, true);
	ext2_ino_t d = f4t_create(fs, EXT2_ROOT_INO, "types", S_IFDIR | 0755);
	char target[201];

	memset(target, 'x', 200);
	target[200] = '\0';
	f4t_create(fs, d, "reg", S_IFREG | 0644);
	f4t_create(fs, d, "dir", S_IFDIR | 0755);
	f4t_create(fs, d, "fifo", S_IFIFO | 0644);
	f4t_create(fs, d, "chr", S_IFCHR | 0644);
	f4t_create(fs, d, "blk", S_IFBLK | 0644);
	f4t_create(fs, d, "sock", S_IFSOCK | 0644);
	assert_int_equal(ext2fs_symlink(fs, d, 0, "fastlink", "reg"), 0);
	assert_int_equal(ext2fs_symlink(fs, d, 0, "slowlink", target), 0);
	f4t_close_flush(fs);
}

/* One directory entry at p (header written byte-wise: p is not an
 * ext2_dir_entry_2 with room for a full name). */
static unsigned put_dirent(char *p, ext2_ino_t ino, const char *name,
			   unsigned rec_len)
{
	uint32_t le_ino = ext2fs_cpu_to_le32(ino);
	uint16_t le_rec = ext2fs_cpu_to_le16((uint16_t)rec_len);
	size_t len = strlen(name);

	memcpy(p, &le_ino, 4);
	memcpy(p + 4, &le_rec, 2);
	p[6] = (char)len;
	p[7] = EXT2_FT_REG_FILE;
	memcpy(p + 8, name, len);
	return rec_len;
}

static ext2_ino_t unlinked_file(ext2_filsys fs, ext2_ino_t dir)
{
	struct ext2_inode inode;
	ext2_ino_t ino;

	assert_int_equal(ext2fs_new_inode(fs, dir, S_IFREG | 0644, NULL, &ino), 0);
	memset(&inode, 0, sizeof(inode));
	inode.i_mode = S_IFREG | 0644;
	inode.i_links_count = 1;
	assert_int_equal(ext2fs_write_new_inode(fs, ino, &inode), 0);
	ext2fs_inode_alloc_stats2(fs, ino, +1, 0);
	return ino;
}

/*
 * An inline directory whose entries continue in the system.data
 * attribute, as the kernel makes them when i_block fills up (libext2fs
 * moves such a directory to a block instead): 4 entries in i_block,
 * 3 more in 40 bytes of the attribute.
 */
static void add_spilled_inline_dir(const char *path)
{
	ext2_filsys fs = f4t_open(path, true);
	ext2_ino_t d = f4t_create(fs, EXT2_ROOT_INO, "spill", S_IFDIR | 0755);
	struct ext2_inode_large inode;
	char buf[100], *p = buf + 4;
	uint32_t parent = ext2fs_cpu_to_le32(EXT2_ROOT_INO);

	memset(buf, 0, sizeof(buf));
	memcpy(buf, &parent, 4);	/* ".." is just the parent's number */
	p += put_dirent(p, unlinked_file(fs, d), "a-0", 12);
	p += put_dirent(p, unlinked_file(fs, d), "a-1", 12);
	p += put_dirent(p, unlinked_file(fs, d), "a-2", 12);
	p += put_dirent(p, unlinked_file(fs, d), "a-3", 20);
	assert_ptr_equal(p, buf + EXT4_MIN_INLINE_DATA_SIZE);
	p += put_dirent(p, unlinked_file(fs, d), "b-0", 12);
	p += put_dirent(p, unlinked_file(fs, d), "b-1", 12);
	p += put_dirent(p, unlinked_file(fs, d), "b-2", 16);
	assert_ptr_equal(p, buf + sizeof(buf));
	f4t_read_inode(fs, d, &inode);
	assert_true(inode.i_flags & EXT4_INLINE_DATA_FL);
	assert_int_equal(ext2fs_inline_data_set(fs, d, (struct ext2_inode *)&inode,
						buf, sizeof(buf)), 0);
	f4t_set_size(fs, d, sizeof(buf));
	f4t_close_flush(fs);
}

static void open_img(struct img *im)
{
	struct f4_conf o = { .image = im->path, .readonly = true };
	char msg[256] = "";
	int ret = f4_mount_open(&o, &im->f4, msg, sizeof(msg));

	if (ret)
		print_error("f4_mount_open %s: %d %s\n", im->path, ret, msg);
	assert_int_equal(ret, 0);
	assert_false(im->f4->rw);
}

static ext2_ino_t ino_of(struct img *im, const char *name)
{
	ext2_filsys fs = f4t_open(im->path, false);
	ext2_ino_t ino = f4t_lookup(fs, EXT2_ROOT_INO, name);

	f4t_close(fs);
	return ino;
}

/* indirect_levels of an htree directory's root. */
static int htree_levels(struct img *im, ext2_ino_t dir)
{
	ext2_filsys fs = f4t_open(im->path, false);
	struct ext2_inode inode;
	struct ext2_dx_root_info *info;
	blk64_t pblk = 0;
	char *buf = malloc(fs->blocksize);
	int levels;

	assert_non_null(buf);
	assert_int_equal(ext2fs_read_inode(fs, dir, &inode), 0);
	assert_true(inode.i_flags & EXT2_INDEX_FL);
	assert_int_equal(ext2fs_bmap2(fs, dir, &inode, NULL, 0, 0, NULL, &pblk), 0);
	assert_int_equal(io_channel_read_blk64(fs->io, pblk, 1, buf), 0);
	info = (struct ext2_dx_root_info *)(buf + 24);
	levels = info->indirect_levels;
	free(buf);
	f4t_close(fs);
	return levels;
}

static void build_htree_img(struct env *e, struct img *im, const char *name,
			    const char *mkfs_opts)
{
	char *seed = f4t_join(e->dir, "seed-htree");

	im->path = f4t_join(e->dir, name);
	/* ASCII names, and UTF-8 ones whose bytes are negative as chars
	 * (the signed/unsigned hash variants differ on those). */
	seed_dir(seed, "big", BIG_ENTRIES - 200, "entry-number-%u-abcdefgh");
	seed_dir(seed, "big", 100, "entr\xc3\xa9""e-%u");
	seed_dir(seed, "big", 100, "\xe5\x90\x8d\xe5\x89\x8d-%u");
	seed_dir(seed, "small", 5, "f%u");
	f4t_must_sh(1, "mke2fs -F -q -t ext4 %s -N 16384 -d '%s' '%s' 64M",
		    mkfs_opts, seed, im->path);
	add_types(im->path);
	/* Index every directory bigger than a block. */
	f4t_must_sh(3, "e2fsck -fyD '%s'", im->path);
	f4t_fsck_clean(im->path);
	im->big = ino_of(im, "big");
	im->small = ino_of(im, "small");
	im->types = ino_of(im, "types");
	free(seed);
}

static int env_setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	char *seed;

	assert_non_null(e);
	*state = e;	/* from here on, teardown cleans up */
	e->dir = f4t_mkdtemp("namei");

	build_htree_img(e, &e->csum1k, "csum1k.img", "-b 1024 -O metadata_csum");
	f4t_rmtree(f4t_join(e->dir, "seed-htree"));
	build_htree_img(e, &e->plain4k, "plain4k.img", "-b 4096 -O ^metadata_csum");
	assert_int_equal(htree_levels(&e->csum1k, e->csum1k.big), 1);
	assert_int_equal(htree_levels(&e->plain4k, e->plain4k.big), 0);

	/* Inline directories: all in i_block, spilling into system.data,
	 * and one grown out of the inode into blocks. */
	seed = f4t_join(e->dir, "seed-inline");
	seed_dir(seed, "tiny", 2, "t%u");
	seed_dir(seed, "grown", 100, "grown-entry-%u");
	e->inl.path = f4t_join(e->dir, "inline.img");
	f4t_must_sh(1, "mke2fs -F -q -t ext4 -O inline_data -I 256 -d '%s' '%s' 16M",
		    seed, e->inl.path);
	add_types(e->inl.path);
	add_spilled_inline_dir(e->inl.path);
	f4t_fsck_clean(e->inl.path);
	e->inl.tiny = ino_of(&e->inl, "tiny");
	e->inl.spill = ino_of(&e->inl, "spill");
	e->inl.grown = ino_of(&e->inl, "grown");
	e->inl.types = ino_of(&e->inl, "types");
	free(seed);

	/* ext2: block-mapped, linear, no type byte in the entries. */
	seed = f4t_join(e->dir, "seed-ext2");
	seed_dir(seed, "lin", 300, "linear-entry-%u");
	e->ext2.path = f4t_join(e->dir, "ext2.img");
	f4t_must_sh(1, "mke2fs -F -q -t ext2 -b 1024 -O ^dir_index,^filetype -d '%s' '%s' 16M",
		    seed, e->ext2.path);
	add_types(e->ext2.path);
	f4t_fsck_clean(e->ext2.path);
	e->ext2.lin = ino_of(&e->ext2, "lin");
	e->ext2.types = ino_of(&e->ext2, "types");
	free(seed);

	open_img(&e->csum1k);
	open_img(&e->plain4k);
	open_img(&e->inl);
	open_img(&e->ext2);
	return 0;
}

static void close_img(struct img *im)
{
	if (im->f4)
		assert_int_equal(f4_mount_close(im->f4), 0);
	free(im->path);
}

static int env_teardown(void **state)
{
	struct env *e = *state;

	if (!e)
		return 0;
	close_img(&e->csum1k);
	close_img(&e->plain4k);
	close_img(&e->inl);
	close_img(&e->ext2);
	f4t_rmtree(e->dir);
	free(e);
	return 0;
}

/* ---------------------------------------------------------------------
 * Lookups
 */

static int lookup_len(struct img *im, ext2_ino_t dir, const char *name,
		      size_t len, ext2_ino_t *ino)
{
	struct ext2_inode_large dinode;
	int ret;

	*ino = 0;
	f4_fs_lock(im->f4);
	ret = f4_inode_read(im->f4, dir, &dinode);
	if (!ret)
		ret = f4_namei(im->f4, dir, &dinode, name, len, ino);
	f4_fs_unlock(im->f4);
	return ret;
}

static int lookup(struct img *im, ext2_ino_t dir, const char *name,
		  ext2_ino_t *ino)
{
	return lookup_len(im, dir, name, strlen(name), ino);
}

static uint64_t bytes_read(struct img *im)
{
	io_stats stats = NULL;

	assert_int_equal(im->f4->fs->io->manager->get_stats(im->f4->fs->io,
							     &stats), 0);
	return stats->bytes_read;
}

/* Every name the oracle lists is found, with its inode number; no
 * corruption is reported on the way. Returns the bytes read. */
static uint64_t find_all(struct img *im, ext2_ino_t dir, size_t expect_n)
{
	struct listing l;
	uint64_t before;
	size_t i;

	oracle_list(im->path, dir, &l);
	assert_int_equal(l.n, expect_n);
	before = bytes_read(im);
	for (i = 0; i < l.n; i++) {
		ext2_ino_t ino;
		int ret;

		/* "." and ".." have tests of their own. */
		if (!strcmp(l.e[i].name, ".") || !strcmp(l.e[i].name, ".."))
			continue;
		ret = lookup(im, dir, l.e[i].name, &ino);

		if (ret || ino != l.e[i].ino)
			print_error("'%s': ret %d ino %u, expected ino %u\n",
				    l.e[i].name, ret, ino, l.e[i].ino);
		assert_int_equal(ret, 0);
		assert_int_equal(ino, l.e[i].ino);
	}
	free(l.e);
	assert_int_equal(im->f4->fs->super->s_error_count, 0);
	return bytes_read(im) - before;
}

static void expect_missing(struct img *im, ext2_ino_t dir)
{
	static const char *const missing[] = {
		"entry-number-5000-abcdefgh", "entry-number-1-abcdefg",
		"entry-number-1-abcdefghi", "Entry-number-1-abcdefgh",
		"f5", "t9", "a-4", "b-3", "linear-entry-300", "x", "..."
	};
	char longname[EXT2_NAME_LEN + 2];
	ext2_ino_t ino;
	size_t i;

	for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		int ret = lookup(im, dir, missing[i], &ino);

		if (ret != -ENOENT)
			print_error("'%s': %d\n", missing[i], ret);
		assert_int_equal(ret, -ENOENT);
	}
	assert_int_equal(lookup_len(im, dir, "", 0, &ino), -ENOENT);
	memset(longname, 'a', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(lookup(im, dir, longname, &ino), -ENAMETOOLONG);
	assert_int_equal(im->f4->fs->super->s_error_count, 0);
}

static void expect_dots(struct img *im, ext2_ino_t dir, ext2_ino_t parent)
{
	ext2_ino_t ino;

	assert_int_equal(lookup(im, dir, ".", &ino), 0);
	assert_int_equal(ino, dir);
	assert_int_equal(lookup(im, dir, "..", &ino), 0);
	assert_int_equal(ino, parent);
}

static void test_htree_2level(void **state)
{
	struct env *e = *state;
	struct img *im = &e->csum1k;
	uint64_t bytes;
	ext2_ino_t ino;

	bytes = find_all(im, im->big, BIG_ENTRIES + 2);
	/* The index is used: a lookup reads a handful of blocks, where a
	 * linear scan would read the whole directory (200+ blocks). */
	print_message("htree, 1 KiB blocks: %llu bytes read per lookup\n",
		      (unsigned long long)(bytes / (BIG_ENTRIES + 2)));
	assert_true(bytes / (BIG_ENTRIES + 2) <= 8 * 1024);
	assert_true(bytes >= BIG_ENTRIES * 1024ULL);	/* really counted */
	expect_missing(im, im->big);
	/* Only len bytes of the name count. */
	assert_int_equal(lookup_len(im, im->big, "entry-number-12-abcdefghXYZ",
				    strlen("entry-number-12-abcdefgh"), &ino), 0);
	assert_int_equal(ino, f4t_lookup(im->f4->fs, im->big,
					 "entry-number-12-abcdefgh"));
}

static void test_htree_1level(void **state)
{
	struct env *e = *state;
	struct img *im = &e->plain4k;
	uint64_t bytes;

	bytes = find_all(im, im->big, BIG_ENTRIES + 2);
	assert_true(bytes / (BIG_ENTRIES + 2) <= 8 * 4096);
	assert_true(bytes >= BIG_ENTRIES * 4096ULL);
	expect_missing(im, im->big);
}

/* "." and ".." live in the first block of an htree directory, outside
 * the index: the kernel looks them up there (NFS export asks for ".."),
 * and so must we. */
static void test_htree_dots(void **state)
{
	struct env *e = *state;

	expect_dots(&e->csum1k, e->csum1k.big, EXT2_ROOT_INO);
	expect_dots(&e->plain4k, e->plain4k.big, EXT2_ROOT_INO);
}

static void test_linear(void **state)
{
	struct env *e = *state;

	find_all(&e->csum1k, e->csum1k.small, 7);
	expect_missing(&e->csum1k, e->csum1k.small);
	find_all(&e->csum1k, EXT2_ROOT_INO, 6);	/* . .. lost+found big small types */
	expect_dots(&e->csum1k, EXT2_ROOT_INO, EXT2_ROOT_INO);
	/* ext2, many blocks, block-mapped, no dir_index. */
	find_all(&e->ext2, e->ext2.lin, 302);
	expect_missing(&e->ext2, e->ext2.lin);
	expect_dots(&e->ext2, e->ext2.lin, EXT2_ROOT_INO);
	find_all(&e->ext2, e->ext2.types, 10);
}

static void test_inline(void **state)
{
	struct env *e = *state;
	struct img *im = &e->inl;
	struct ext2_inode_large inode;
	size_t size = 0;

	f4t_read_inode(im->f4->fs, im->tiny, &inode);
	assert_true(inode.i_flags & EXT4_INLINE_DATA_FL);
	assert_int_equal(ext2fs_inline_data_size(im->f4->fs, im->tiny, &size), 0);
	assert_true(size <= EXT4_MIN_INLINE_DATA_SIZE);
	find_all(im, im->tiny, 4);
	expect_missing(im, im->tiny);
	expect_dots(im, im->tiny, EXT2_ROOT_INO);

	f4t_read_inode(im->f4->fs, im->spill, &inode);
	assert_true(inode.i_flags & EXT4_INLINE_DATA_FL);
	assert_int_equal(ext2fs_inline_data_size(im->f4->fs, im->spill, &size), 0);
	assert_true(size > EXT4_MIN_INLINE_DATA_SIZE);
	find_all(im, im->spill, 9);
	expect_missing(im, im->spill);
	expect_dots(im, im->spill, EXT2_ROOT_INO);

	f4t_read_inode(im->f4->fs, im->grown, &inode);
	assert_false(inode.i_flags & EXT4_INLINE_DATA_FL);
	find_all(im, im->grown, 102);
	expect_missing(im, im->grown);
}

static void test_not_dir(void **state)
{
	struct env *e = *state;
	struct img *im = &e->csum1k;
	ext2_ino_t reg = f4t_lookup(im->f4->fs, im->types, "reg"), ino;

	assert_int_equal(lookup(im, reg, "x", &ino), -ENOTDIR);
	assert_int_equal(ino, 0);
}

/* ---------------------------------------------------------------------
 * Listings
 */

/* The snapshot holds exactly the oracle's entries: each name once, with
 * the oracle's inode number and the type its inode has. */
static void check_snapshot(struct img *im, ext2_ino_t dir, size_t expect_n)
{
	struct f4_dirsnap *snap = NULL;
	struct listing l;
	struct ent *got;
	size_t i;

	oracle_list(im->path, dir, &l);
	assert_int_equal(l.n, expect_n);
	assert_int_equal(f4_dirsnap_build(im->f4, dir, &snap), 0);
	assert_non_null(snap);
	assert_int_equal(snap->n, expect_n);
	got = calloc(snap->n, sizeof(*got));
	assert_non_null(got);
	for (i = 0; i < snap->n; i++) {
		const char *name = f4_dirsnap_name(snap, i);

		assert_int_equal(strlen(name), snap->ents[i].name_len);
		strcpy(got[i].name, name);
		got[i].ino = snap->ents[i].ino;
		got[i].dtype = snap->ents[i].dtype;
	}
	qsort(got, snap->n, sizeof(*got), ent_cmp);
	for (i = 0; i < snap->n; i++) {
		if (strcmp(got[i].name, l.e[i].name) || got[i].ino != l.e[i].ino ||
		    got[i].dtype != l.e[i].dtype)
			print_error("entry %zu: '%s' ino %u type %u, expected '%s' ino %u type %u\n",
				    i, got[i].name, got[i].ino, got[i].dtype,
				    l.e[i].name, l.e[i].ino, l.e[i].dtype);
		assert_string_equal(got[i].name, l.e[i].name);
		assert_int_equal(got[i].ino, l.e[i].ino);
		assert_int_equal(got[i].dtype, l.e[i].dtype);
	}
	free(got);
	free(l.e);
	f4_dirsnap_free(snap);
	assert_int_equal(im->f4->fs->super->s_error_count, 0);
}

static unsigned char snap_type(struct img *im, ext2_ino_t dir, const char *name)
{
	struct f4_dirsnap *snap = NULL;
	unsigned char dt = 255;
	size_t i;

	assert_int_equal(f4_dirsnap_build(im->f4, dir, &snap), 0);
	for (i = 0; i < snap->n; i++)
		if (!strcmp(f4_dirsnap_name(snap, i), name))
			dt = snap->ents[i].dtype;
	f4_dirsnap_free(snap);
	return dt;
}

static void check_types(struct img *im)
{
	assert_int_equal(snap_type(im, im->types, "."), DT_DIR);
	assert_int_equal(snap_type(im, im->types, ".."), DT_DIR);
	assert_int_equal(snap_type(im, im->types, "reg"), DT_REG);
	assert_int_equal(snap_type(im, im->types, "dir"), DT_DIR);
	assert_int_equal(snap_type(im, im->types, "fifo"), DT_FIFO);
	assert_int_equal(snap_type(im, im->types, "chr"), DT_CHR);
	assert_int_equal(snap_type(im, im->types, "blk"), DT_BLK);
	assert_int_equal(snap_type(im, im->types, "sock"), DT_SOCK);
	assert_int_equal(snap_type(im, im->types, "fastlink"), DT_LNK);
	assert_int_equal(snap_type(im, im->types, "slowlink"), DT_LNK);
	check_snapshot(im, im->types, 10);
}

static void test_snapshot_types(void **state)
{
	struct env *e = *state;

	assert_true(ext2fs_has_feature_filetype(e->csum1k.f4->fs->super));
	check_types(&e->csum1k);
	check_types(&e->inl);
	/* Without the type byte, the type comes from each inode. */
	assert_false(ext2fs_has_feature_filetype(e->ext2.f4->fs->super));
	check_types(&e->ext2);
}

static void test_snapshot_dirs(void **state)
{
	struct env *e = *state;

	check_snapshot(&e->csum1k, e->csum1k.big, BIG_ENTRIES + 2);
	check_snapshot(&e->plain4k, e->plain4k.big, BIG_ENTRIES + 2);
	check_snapshot(&e->csum1k, EXT2_ROOT_INO, 6);
	check_snapshot(&e->inl, e->inl.tiny, 4);
	check_snapshot(&e->inl, e->inl.spill, 9);
	check_snapshot(&e->inl, e->inl.grown, 102);
	check_snapshot(&e->ext2, e->ext2.lin, 302);
}

static void test_snapshot_errors(void **state)
{
	struct env *e = *state;
	struct img *im = &e->csum1k;
	struct f4_dirsnap *snap = NULL;
	ext2_ino_t reg = f4t_lookup(im->f4->fs, im->types, "reg");

	assert_int_equal(f4_dirsnap_build(im->f4, reg, &snap), -ENOTDIR);
	assert_null(snap);
	assert_int_equal(f4_dirsnap_build(im->f4, 0, &snap), -ESTALE);
	assert_int_equal(f4_dirsnap_build(im->f4,
					  im->f4->fs->super->s_inodes_count + 1,
					  &snap), -ESTALE);
	assert_null(snap);
	f4_dirsnap_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_htree_2level),
		cmocka_unit_test(test_htree_1level),
		cmocka_unit_test(test_htree_dots),
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_inline),
		cmocka_unit_test(test_not_dir),
		cmocka_unit_test(test_snapshot_types),
		cmocka_unit_test(test_snapshot_dirs),
		cmocka_unit_test(test_snapshot_errors),
	};

	if (!f4t_have_e2fsprogs()) {
		fprintf(stderr, "mke2fs/debugfs/e2fsck not found: skipping\n");
		return F4T_SKIP;
	}
	return cmocka_run_group_tests_name("namei and dirsnap", tests,
					   env_setup, env_teardown);
}
