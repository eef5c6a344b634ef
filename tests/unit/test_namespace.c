/* Unit tests for the namespace operations (src/ns/namespace.h) on
 * read-write images: create (owner, mode, directory entry type), mkdir
 * ("." and "..", link counts), fast and slow symlinks, device nodes,
 * hard links, unlink (the last link frees inode and blocks), rmdir
 * (ENOTEMPTY, ENOTDIR, EISDIR, EINVAL), EEXIST, ENAMETOOLONG, and a
 * directory grown by hundreds of names then thinned. Formats: ext4
 * (htree, metadata_csum), inline directories, ext3/ext2 block maps. The
 * oracle is libext2fs on the closed image (lookups, directory iteration,
 * inodes, bitmaps) and e2fsck -fn (which checks link counts). */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <cmocka.h>

#include "src/ns/namespace.h"
#include "src/ns/node.h"
#include "testimg.h"
#include "wfix.h"

struct find {
	const char *name;
	int ftype;
};

static int find_ent(struct ext2_dir_entry *de, int offset, int blocksize,
		    char *buf, void *priv)
{
	struct find *f = priv;
	unsigned len = ext2fs_dirent_name_len(de);

	(void)offset;
	(void)blocksize;
	(void)buf;
	if (len != strlen(f->name) || memcmp(de->name, f->name, len))
		return 0;
	f->ftype = ext2fs_dirent_file_type(de);
	return DIRENT_ABORT;
}

/* The file type stored in dir's entry for name (-1: no entry). */
static int dirent_ftype(ext2_filsys fs, ext2_ino_t dir, const char *name)
{
	struct find f = { name, -1 };

	assert_int_equal(ext2fs_dir_iterate(fs, dir, 0, NULL, find_ent, &f), 0);
	return f.ftype;
}

static int make(struct wfx *x, ext2_ino_t dir, const char *name, mode_t mode,
		const char *target, ext2_ino_t *ino)
{
	struct f4_make_args a = { .cred = &wfx_user, .mode = mode, .umask = 022,
				  .target = target, .rdev = makedev(8, 1) };
	struct f4_attr attr;
	int ret;

	if (ino)
		*ino = 0;
	ret = f4_ns_make(x->f4, dir, name, &a, &attr);
	if (!ret) {
		f4_node_forget(x->f4, attr.ino, 1);
		if (ino)
			*ino = attr.ino;
	}
	return ret;
}

static void test_create_mkdir(void **state)
{
	struct wfx *x = *state;
	struct ext2_inode_large in;
	ext2_ino_t f, d, e;
	ext2_filsys fs = wfx_open(x->img);
	uint16_t root_links = wfx_inode(fs, EXT2_ROOT_INO).i_links_count;

	f4t_close(fs);
	wfx_mount(x);
	assert_int_equal(make(x, EXT2_ROOT_INO, "f", S_IFREG | 0666, NULL, &f), 0);
	assert_int_equal(make(x, EXT2_ROOT_INO, "d", S_IFDIR | 0777, NULL, &d), 0);
	assert_int_equal(make(x, d, "e", S_IFDIR | 0700, NULL, &e), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_namei(fs, "f"), f);
	in = wfx_inode(fs, f);
	assert_int_equal(in.i_mode, S_IFREG | 0644);	/* umask */
	assert_int_equal(inode_uid(in), 1000);
	assert_int_equal(inode_gid(in), 1000);
	assert_int_equal(in.i_links_count, 1);
	assert_int_equal(dirent_ftype(fs, EXT2_ROOT_INO, "f"), EXT2_FT_REG_FILE);
	assert_true(wfx_inode_used(fs, f));
	assert_int_equal(wfx_namei(fs, "d/e"), e);
	assert_int_equal(wfx_namei(fs, "d/e/.."), d);
	assert_int_equal(wfx_namei(fs, "d/.."), EXT2_ROOT_INO);
	assert_int_equal(wfx_namei(fs, "d/."), d);
	assert_int_equal(dirent_ftype(fs, EXT2_ROOT_INO, "d"), EXT2_FT_DIR);
	assert_int_equal(wfx_inode(fs, d).i_mode, S_IFDIR | 0755);
	assert_int_equal(wfx_inode(fs, d).i_links_count, 3);
	assert_int_equal(wfx_inode(fs, e).i_links_count, 2);
	assert_int_equal(wfx_inode(fs, EXT2_ROOT_INO).i_links_count, root_links + 1);
	f4t_close(fs);
}

static char *target_of(ext2_filsys fs, ext2_ino_t ino)
{
	struct ext2_inode_large in = wfx_inode(fs, ino);
	char *t = calloc(1, EXT2_I_SIZE(&in) + 1);
	unsigned got = 0;
	ext2_file_t f;

	assert_non_null(t);
	if (ext2fs_is_fast_symlink((struct ext2_inode *)&in)) {
		memcpy(t, in.i_block, EXT2_I_SIZE(&in));
		return t;
	}
	assert_int_equal(ext2fs_file_open(fs, ino, 0, &f), 0);
	assert_int_equal(ext2fs_file_read(f, t, (unsigned)EXT2_I_SIZE(&in), &got), 0);
	assert_int_equal(ext2fs_file_close(f), 0);
	assert_int_equal(got, EXT2_I_SIZE(&in));
	return t;
}

/* Short targets live in the inode, long ones in a block; a target of a
 * block or more is ENAMETOOLONG. */
static void test_symlinks(void **state)
{
	struct wfx *x = *state;
	char shortt[21], longt[4097];
	struct ext2_inode_large in;
	ext2_ino_t s, l;
	ext2_filsys fs;
	unsigned bs;
	char *t;

	memset(shortt, 's', 20);
	shortt[20] = '\0';
	wfx_mount(x);
	bs = x->f4->blocksize;
	memset(longt, 'L', bs);
	longt[bs] = '\0';
	assert_int_equal(make(x, EXT2_ROOT_INO, "toolong", S_IFLNK | 0777, longt, NULL),
			 -ENAMETOOLONG);
	longt[bs - 1] = '\0';
	assert_int_equal(make(x, EXT2_ROOT_INO, "s", S_IFLNK | 0777, shortt, &s), 0);
	assert_int_equal(make(x, EXT2_ROOT_INO, "l", S_IFLNK | 0777, longt, &l), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_namei(fs, "toolong"), 0);
	assert_int_equal(dirent_ftype(fs, EXT2_ROOT_INO, "s"), EXT2_FT_SYMLINK);
	assert_int_equal(wfx_inode(fs, s).i_mode, S_IFLNK | 0777);
	in = wfx_inode(fs, s);
	assert_true(ext2fs_is_fast_symlink((struct ext2_inode *)&in));
	t = target_of(fs, s);
	assert_string_equal(t, shortt);
	free(t);
	in = wfx_inode(fs, l);
	assert_false(ext2fs_is_fast_symlink((struct ext2_inode *)&in));
	assert_int_not_equal(wfx_pblk(fs, l, 0, NULL), 0);
	t = target_of(fs, l);
	assert_string_equal(t, longt);
	free(t);
	f4t_close(fs);
}

/* Device numbers as ext2 stores them: the old 16-bit form in i_block[0]
 * when major and minor are below 256, else the new one in i_block[1]. */
static void test_mknod(void **state)
{
	struct wfx *x = *state;
	struct f4_make_args a = { .cred = &wfx_root, .mode = S_IFCHR | 0600,
				  .rdev = makedev(300, 70000) };
	struct ext2_inode_large in;
	struct f4_attr attr;
	ext2_ino_t p, blk;
	ext2_filsys fs;
	uint32_t nw;

	wfx_mount(x);
	assert_int_equal(f4_ns_make(x->f4, EXT2_ROOT_INO, "c", &a, &attr), 0);
	f4_node_forget(x->f4, attr.ino, 1);
	assert_int_equal(make(x, EXT2_ROOT_INO, "b", S_IFBLK | 0600, NULL, &blk), 0);
	assert_int_equal(make(x, EXT2_ROOT_INO, "p", S_IFIFO | 0600, NULL, &p), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	in = wfx_inode(fs, attr.ino);
	nw = in.i_block[1];
	assert_int_equal(in.i_block[0], 0);
	assert_int_equal((nw & 0xfff00) >> 8, 300);
	assert_int_equal((nw & 0xff) | ((nw >> 12) & 0xfff00), 70000);
	assert_int_equal(dirent_ftype(fs, EXT2_ROOT_INO, "c"), EXT2_FT_CHRDEV);
	in = wfx_inode(fs, blk);
	assert_int_equal(in.i_block[0], (8 << 8) | 1);
	assert_int_equal(dirent_ftype(fs, EXT2_ROOT_INO, "b"), EXT2_FT_BLKDEV);
	assert_int_equal(dirent_ftype(fs, EXT2_ROOT_INO, "p"), EXT2_FT_FIFO);
	assert_int_equal(wfx_inode(fs, p).i_mode, S_IFIFO | 0600);
	f4t_close(fs);
}

/* Links count up and down; the last unlink frees inode and blocks. */
static void test_link_unlink(void **state)
{
	struct wfx *x = *state;
	ext2_ino_t f = wfx_build_file(x, "f", 3, 0), d;
	uint64_t *old = NULL;
	size_t nold = wfx_blocks_of(x->img, f, &old);
	struct f4_attr attr;
	ext2_filsys fs;

	wfx_mount(x);
	assert_int_equal(make(x, EXT2_ROOT_INO, "d", S_IFDIR | 0755, NULL, &d), 0);
	assert_int_equal(f4_ns_link(x->f4, f, d, "g", &attr), 0);
	f4_node_forget(x->f4, attr.ino, 1);
	assert_int_equal(attr.ino, f);
	assert_int_equal(f4_ns_link(x->f4, f, d, "g", &attr), -EEXIST);
	assert_int_equal(f4_ns_link(x->f4, d, EXT2_ROOT_INO, "dl", &attr), -EPERM);
	assert_int_equal(f4_ns_unlink(x->f4, EXT2_ROOT_INO, "f"), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_namei(fs, "f"), 0);
	assert_int_equal(wfx_namei(fs, "dl"), 0);
	assert_int_equal(wfx_namei(fs, "d/g"), f);
	assert_int_equal(wfx_inode(fs, f).i_links_count, 1);
	assert_int_equal(wfx_expect_freed(fs, f, old, nold), 0);
	f4t_close(fs);

	wfx_mount(x);
	assert_int_equal(f4_ns_unlink(x->f4, d, "g"), 0);
	assert_int_equal(f4_ns_unlink(x->f4, d, "g"), -ENOENT);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_namei(fs, "d/g"), 0);
	assert_false(wfx_inode_used(fs, f));
	assert_int_equal(wfx_expect_freed(fs, 0, old, nold), nold);
	f4t_close(fs);
	free(old);
}

static void test_rmdir(void **state)
{
	struct wfx *x = *state;
	uint64_t *old = NULL;
	size_t nold;
	ext2_ino_t d, e, f;
	ext2_filsys fs;
	uint16_t root_links;

	wfx_mount(x);
	assert_int_equal(make(x, EXT2_ROOT_INO, "d", S_IFDIR | 0755, NULL, &d), 0);
	assert_int_equal(make(x, d, "e", S_IFDIR | 0755, NULL, &e), 0);
	assert_int_equal(make(x, d, "f", S_IFREG | 0644, NULL, &f), 0);
	assert_int_equal(f4_ns_rmdir(x->f4, EXT2_ROOT_INO, "d"), -ENOTEMPTY);
	assert_int_equal(f4_ns_rmdir(x->f4, d, "f"), -ENOTDIR);
	assert_int_equal(f4_ns_unlink(x->f4, d, "e"), -EISDIR);
	assert_int_equal(f4_ns_rmdir(x->f4, d, "."), -EINVAL);
	assert_int_equal(f4_ns_rmdir(x->f4, d, ".."), -ENOTEMPTY);
	assert_int_equal(f4_ns_rmdir(x->f4, d, "missing"), -ENOENT);
	wfx_umount(x);

	fs = wfx_open(x->img);
	root_links = wfx_inode(fs, EXT2_ROOT_INO).i_links_count;
	assert_int_equal(wfx_inode(fs, d).i_links_count, 3);
	f4t_close(fs);
	nold = wfx_blocks_of(x->img, e, &old);

	wfx_mount(x);
	assert_int_equal(f4_ns_rmdir(x->f4, d, "e"), 0);
	assert_int_equal(f4_ns_unlink(x->f4, d, "f"), 0);
	assert_int_equal(f4_ns_rmdir(x->f4, EXT2_ROOT_INO, "d"), 0);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_namei(fs, "d"), 0);
	assert_false(wfx_inode_used(fs, d));
	assert_false(wfx_inode_used(fs, e));
	assert_false(wfx_inode_used(fs, f));
	assert_int_equal(wfx_expect_freed(fs, 0, old, nold), nold);
	assert_int_equal(wfx_inode(fs, EXT2_ROOT_INO).i_links_count, root_links - 1);
	f4t_close(fs);
	free(old);
}

static void test_names(void **state)
{
	struct wfx *x = *state;
	char name[258];
	ext2_ino_t ino;
	ext2_filsys fs;

	memset(name, 'n', 256);
	name[256] = '\0';
	wfx_mount(x);
	assert_int_equal(make(x, EXT2_ROOT_INO, name, S_IFREG | 0644, NULL, NULL),
			 -ENAMETOOLONG);
	assert_int_equal(f4_ns_unlink(x->f4, EXT2_ROOT_INO, name), -ENAMETOOLONG);
	name[255] = '\0';
	assert_int_equal(make(x, EXT2_ROOT_INO, name, S_IFREG | 0644, NULL, &ino), 0);
	assert_int_equal(make(x, EXT2_ROOT_INO, name, S_IFREG | 0644, NULL, NULL), -EEXIST);
	assert_int_equal(make(x, EXT2_ROOT_INO, name, S_IFDIR | 0755, NULL, NULL), -EEXIST);
	assert_int_equal(make(x, EXT2_ROOT_INO, "lost+found", S_IFREG | 0644, NULL, NULL),
			 -EEXIST);
	wfx_umount(x);

	fs = wfx_open(x->img);
	assert_int_equal(wfx_namei(fs, name), ino);
	f4t_close(fs);
}

/* Enough names to take a directory past one block (an htree on ext4),
 * then every other one removed. */
static void test_many_entries(void **state)
{
	enum { N = 400 };
	struct wfx *x = *state;
	ext2_ino_t d, ino[N];
	struct ext2_inode_large in;
	char name[64], path[80];
	ext2_filsys fs;
	unsigned i;

	wfx_mount(x);
	assert_int_equal(make(x, EXT2_ROOT_INO, "big", S_IFDIR | 0755, NULL, &d), 0);
	for (i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "entry-with-a-longish-name-%05u", i * 7919);
		assert_int_equal(make(x, d, name, S_IFREG | 0644, NULL, &ino[i]), 0);
	}
	for (i = 0; i < N; i += 2) {
		snprintf(name, sizeof(name), "entry-with-a-longish-name-%05u", i * 7919);
		assert_int_equal(f4_ns_unlink(x->f4, d, name), 0);
	}
	wfx_umount(x);

	fs = wfx_open(x->img);
	in = wfx_inode(fs, d);
	assert_true(EXT2_I_SIZE(&in) > fs->blocksize);
	for (i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "big/entry-with-a-longish-name-%05u", i * 7919);
		assert_int_equal(wfx_namei(fs, path), i % 2 ? ino[i] : 0);
		assert_int_equal(wfx_inode_used(fs, ino[i]), i % 2 == 1);
	}
	f4t_close(fs);
}

#define FORMATS(t) WFX_ON(t, ext4_4k), WFX_ON(t, inline), WFX_ON(t, ext3_1k), \
	WFX_ON(t, ext2_4k)

int main(void)
{
	const struct CMUnitTest tests[] = {
		FORMATS(test_create_mkdir),
		FORMATS(test_symlinks),
		FORMATS(test_mknod),
		FORMATS(test_link_unlink),
		FORMATS(test_rmdir),
		FORMATS(test_names),
		FORMATS(test_many_entries),
	};

	return WFX_RUN(tests);
}
