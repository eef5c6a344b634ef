/* Owns the write-side drivers' fixture (see wfix.h): images made by
 * mke2fs, mounting them through the core, and the libext2fs oracle that
 * reads them back once the core has let go. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <cmocka.h>

#include "src/inode/inode.h"
#include "src/file/write.h"
#include "src/journal/txn.h"
#include "src/mount/mount.h"
#include "src/ns/namespace.h"
#include "src/ns/node.h"
#include "src/ns/setattr.h"
#include "testimg.h"
#include "wfix.h"

const struct f4_cred wfx_root = { .uid = 0, .gid = 0 };
const struct f4_cred wfx_user = { .uid = 1000, .gid = 1000 };

struct wfx *wfx_new(void **state, const char *mkfs, const char *size)
{
	struct wfx *x = calloc(1, sizeof(*x));

	assert_non_null(x);
	*state = x;
	x->dir = f4t_mkdtemp("write");
	x->img = f4t_join(x->dir, "img");
	f4t_must_sh(1, "mke2fs -F -q %s '%s' %s", mkfs, x->img, size);
	return x;
}

static int setup_soiled(void **state, const char *mkfs)
{
	wfx_soil_free_space(wfx_new(state, mkfs, "16M"));
	return 0;
}

int wfx_setup_ext4_4k(void **state)
{
	return setup_soiled(state, "-t ext4 -b 4096 -O metadata_csum");
}

int wfx_setup_ext4_1k(void **state)
{
	return setup_soiled(state, "-t ext4 -b 1024 -O ^metadata_csum");
}

int wfx_setup_ext3_1k(void **state)
{
	return setup_soiled(state, "-t ext3 -b 1024");
}

int wfx_setup_ext2_4k(void **state)
{
	return setup_soiled(state, "-t ext2 -b 4096");
}

int wfx_setup_inline(void **state)
{
	return setup_soiled(state, "-t ext4 -b 4096 -I 256 -O inline_data,metadata_csum");
}

int wfx_run(const char *name, const struct CMUnitTest *tests, size_t n)
{
	if (!f4t_have_e2fsprogs()) {
		fprintf(stderr, "%s: e2fsprogs not found: skipping\n", name);
		return F4T_SKIP;
	}
	return _cmocka_run_group_tests(name, tests, n, NULL, NULL);
}

int wfx_teardown(void **state)
{
	struct wfx *x = *state;

	if (!x)
		return 0;
	if (x->f4)
		f4_mount_close(x->f4);
	f4t_rmtree(x->dir);
	free(x->img);
	free(x);
	*state = NULL;
	return 0;
}

void wfx_mount(struct wfx *x)
{
	struct f4_conf conf = { .image = x->img, .errors = F4_ERRORS_CONTINUE };
	char msg[256] = "";
	int ret = f4_mount_open(&conf, &x->f4, msg, sizeof(msg));

	if (ret)
		print_error("f4_mount_open %s: %d %s\n", x->img, ret, msg);
	assert_int_equal(ret, 0);
	assert_true(x->f4->rw);
}

void wfx_umount(struct wfx *x)
{
	int ret = f4_mount_close(x->f4);

	x->f4 = NULL;
	assert_int_equal(ret, 0);
	f4t_fsck_clean(x->img);
}

char *wfx_snapshot(struct wfx *x, const char *name)
{
	char *copy = f4t_join(x->dir, name);
	errcode_t err;

	f4_fs_lock(x->f4);
	if (x->f4->journal) {	/* committed and checkpointed: all home */
		err = 0;
		assert_int_equal(f4_txn_checkpoint(x->f4), 0);
	} else {
		err = ext2fs_write_bitmaps(x->f4->fs);
		if (!err)
			err = ext2fs_flush(x->f4->fs);
	}
	f4_fs_unlock(x->f4);
	assert_int_equal(err, 0);
	assert_int_equal(f4_fs_commit(x->f4, false), 0);
	f4t_must_sh(1, "cp --sparse=always '%s' '%s'", x->img, copy);
	return copy;
}

ext2_ino_t wfx_make(struct wfx *x, const struct f4_cred *cred, ext2_ino_t dir,
		    const char *name, mode_t mode, const char *target)
{
	struct f4_make_args a = { .cred = cred, .mode = mode, .target = target };
	struct f4_attr attr;
	int ret = f4_ns_make(x->f4, dir, name, &a, &attr);

	if (ret)
		print_error("f4_ns_make %s: %d\n", name, ret);
	assert_int_equal(ret, 0);
	f4_node_forget(x->f4, attr.ino, 1);
	return attr.ino;
}

void wfx_write(struct wfx *x, ext2_ino_t ino, uint64_t off, const void *buf,
	       size_t len)
{
	size_t done = 0;

	assert_int_equal(f4_file_write(x->f4, &wfx_root, ino, off, buf, len, NULL, &done), 0);
	assert_int_equal(done, len);
}

int wfx_truncate(struct wfx *x, ext2_ino_t ino, uint64_t size)
{
	struct f4_setattr sa = { .valid = F4_SA_SIZE, .size = size };
	struct f4_attr out;

	return f4_node_setattr(x->f4, ino, &sa, &out);
}

void wfx_fill(void *buf, size_t len, unsigned seed)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)	/* never 0: zeros are what we look for */
		p[i] = (unsigned char)(1 + (seed * 31 + i * 13 + (i >> 9)) % 255);
}

ext2_ino_t wfx_build_file(struct wfx *x, const char *name, uint64_t count,
			  uint64_t size)
{
	ext2_filsys fs = f4t_open(x->img, true);
	ext2_ino_t ino = f4t_create(fs, EXT2_ROOT_INO, name, S_IFREG | 0644);

	if (count)
		f4t_write_blocks(fs, ino, 0, count);
	f4t_set_size(fs, ino, size ? size : count * fs->blocksize);
	f4t_close_flush(fs);
	return ino;
}

void wfx_add_iflags(struct wfx *x, ext2_ino_t ino, uint32_t flags)
{
	ext2_filsys fs = f4t_open(x->img, true);
	struct ext2_inode_large inode;

	f4t_read_inode(fs, ino, &inode);
	inode.i_flags |= flags;
	f4t_write_inode(fs, ino, &inode);
	f4t_close_flush(fs);
}

void wfx_pattern(void *buf, uint64_t off, size_t len, unsigned blocksize)
{
	unsigned char *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = f4t_pattern((off + i) / blocksize, (unsigned)((off + i) % blocksize));
}

void wfx_soil_free_space(struct wfx *x)
{
	ext2_filsys fs = f4t_open(x->img, true);
	uint64_t n = ext2fs_free_blocks_count(fs->super) * 3 / 4;
	struct ext2_inode_large inode;
	ext2_ino_t ino;

	if (n > 4096)
		n = 4096;
	ino = f4t_create(fs, EXT2_ROOT_INO, "soil", S_IFREG | 0644);
	f4t_write_blocks(fs, ino, 0, n);
	assert_int_equal(ext2fs_punch(fs, ino, NULL, NULL, 0, ~0ULL), 0);
	assert_int_equal(ext2fs_unlink(fs, EXT2_ROOT_INO, "soil", ino, 0), 0);
	f4t_read_inode(fs, ino, &inode);
	inode.i_links_count = 0;
	inode.i_size = inode.i_size_high = 0;
	inode.i_dtime = 1700000000;
	f4t_write_inode(fs, ino, &inode);
	ext2fs_inode_alloc_stats2(fs, ino, -1, 0);
	f4t_close_flush(fs);
}

ext2_filsys wfx_open(const char *img)
{
	ext2_filsys fs = f4t_open(img, false);

	assert_int_equal(ext2fs_read_bitmaps(fs), 0);
	return fs;
}

ext2_ino_t wfx_namei(ext2_filsys fs, const char *path)
{
	ext2_ino_t ino = 0;

	if (ext2fs_namei(fs, EXT2_ROOT_INO, EXT2_ROOT_INO, path, &ino))
		return 0;
	return ino;
}

uint64_t wfx_size(ext2_filsys fs, ext2_ino_t ino)
{
	struct ext2_inode_large inode;

	f4t_read_inode(fs, ino, &inode);
	return EXT2_I_SIZE(&inode);
}

struct ext2_inode_large wfx_inode(ext2_filsys fs, ext2_ino_t ino)
{
	struct ext2_inode_large inode;

	f4t_read_inode(fs, ino, &inode);
	return inode;
}

void wfx_expect_bytes(ext2_filsys fs, ext2_ino_t ino, uint64_t off,
		      const void *want, size_t len)
{
	unsigned char *got = malloc(len ? len : 1);
	const unsigned char *w = want;
	unsigned n = 0;
	ext2_file_t f;
	size_t i;

	assert_non_null(got);
	assert_int_equal(ext2fs_file_open(fs, ino, 0, &f), 0);
	assert_int_equal(ext2fs_file_llseek(f, off, EXT2_SEEK_SET, NULL), 0);
	assert_int_equal(ext2fs_file_read(f, got, (unsigned)len, &n), 0);
	assert_int_equal(ext2fs_file_close(f), 0);
	assert_int_equal(n, len);
	for (i = 0; i < len; i++) {
		unsigned char e = w ? w[i] : 0;

		if (got[i] != e) {
			print_error("inode %u byte %llu: 0x%02x, want 0x%02x\n", ino,
				    (unsigned long long)(off + i), got[i], e);
			fail();
		}
	}
	free(got);
}

uint64_t wfx_pblk(ext2_filsys fs, ext2_ino_t ino, uint64_t lblk,
		  bool *unwritten)
{
	blk64_t pblk = 0;
	int flags = 0;

	assert_int_equal(ext2fs_bmap2(fs, ino, NULL, NULL, 0, lblk, &flags, &pblk), 0);
	if (unwritten)
		*unwritten = (flags & BMAP_RET_UNINIT) != 0;
	return pblk;
}

struct blklist {
	uint64_t *b;
	size_t n, cap;
};

static int collect_block(ext2_filsys fs, blk64_t *blocknr, e2_blkcnt_t blockcnt,
			 blk64_t ref_blk, int ref_offset, void *priv)
{
	struct blklist *l = priv;

	(void)fs;
	(void)blockcnt;
	(void)ref_blk;
	(void)ref_offset;
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		l->b = realloc(l->b, l->cap * sizeof(*l->b));
		if (!l->b)
			return BLOCK_ABORT;
	}
	l->b[l->n++] = *blocknr;
	return 0;
}

size_t wfx_file_blocks(ext2_filsys fs, ext2_ino_t ino, uint64_t **blks)
{
	struct blklist l = { NULL, 0, 0 };
	errcode_t err = ext2fs_block_iterate3(fs, ino, BLOCK_FLAG_READ_ONLY, NULL,
					      collect_block, &l);

	if (err != EXT2_ET_INLINE_DATA_CANT_ITERATE)
		assert_int_equal(err, 0);
	*blks = l.b;
	return l.n;
}

size_t wfx_blocks_of(const char *img, ext2_ino_t ino, uint64_t **blks)
{
	ext2_filsys fs = wfx_open(img);
	size_t n = wfx_file_blocks(fs, ino, blks);

	f4t_close(fs);
	return n;
}

size_t wfx_expect_freed(ext2_filsys fs, ext2_ino_t ino, const uint64_t *old,
			size_t n)
{
	uint64_t *now = NULL;
	size_t nnow = ino ? wfx_file_blocks(fs, ino, &now) : 0, i, j, gone = 0;

	for (i = 0; i < n; i++) {
		for (j = 0; j < nnow && now[j] != old[i]; j++)
			;
		if (j < nnow)
			continue;
		gone++;
		if (wfx_block_used(fs, old[i])) {
			print_error("block %llu left inode %u but is still in use\n",
				    (unsigned long long)old[i], ino);
			fail();
		}
	}
	free(now);
	return gone;
}

bool wfx_block_used(ext2_filsys fs, uint64_t blk)
{
	return ext2fs_test_block_bitmap2(fs->block_map, blk) != 0;
}

bool wfx_inode_used(ext2_filsys fs, ext2_ino_t ino)
{
	return ext2fs_test_inode_bitmap2(fs->inode_map, ino) != 0;
}

uint64_t wfx_used_blocks(ext2_filsys fs)
{
	uint64_t b, n = 0;

	for (b = fs->super->s_first_data_block; b < ext2fs_blocks_count(fs->super); b++)
		n += wfx_block_used(fs, b);
	return n;
}
