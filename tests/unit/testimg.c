/* Owns the unit tests' shared helpers: scratch directories, running
 * e2fsprogs, and building files inside images with libext2fs. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>
#include <ext2fs/ext3_extents.h>

#include "testimg.h"

char *f4t_mkdtemp(const char *tag)
{
	const char *base = getenv("TMPDIR");
	char *path;

	if (!base || !*base)
		base = "/tmp";
	assert_true(asprintf(&path, "%s/f4unit-%s.XXXXXX", base, tag) > 0);
	if (!mkdtemp(path)) {
		print_error("mkdtemp %s: %s\n", path, strerror(errno));
		fail();
	}
	return path;
}

static int rm_one(const char *path, const struct stat *st, int flag,
		  struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(path) ? -1 : 0;
	return unlink(path) ? -1 : 0;
}

void f4t_rmtree(char *path)
{
	if (!path)
		return;
	if (nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS) != 0)
		print_error("could not remove %s: %s\n", path, strerror(errno));
	free(path);
}

char *f4t_join(const char *dir, const char *name)
{
	char *p;

	assert_true(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static int run_sh(unsigned ok_mask, const char *fmt, va_list ap)
{
	char *cmd, *full, *out = NULL;
	size_t len = 0, cap = 0;
	FILE *p;
	int status;

	assert_true(vasprintf(&cmd, fmt, ap) > 0);
	assert_true(asprintf(&full, "PATH=\"$PATH:/sbin:/usr/sbin\"; export PATH; exec 2>&1; %s",
			     cmd) > 0);
	p = popen(full, "r");
	assert_non_null(p);
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 8192;
			out = realloc(out, cap);
			assert_non_null(out);
		}
		n = fread(out + len, 1, cap - len - 1, p);
		if (!n)
			break;
		len += n;
	}
	out[len] = '\0';
	status = pclose(p);
	status = WIFEXITED(status) ? WEXITSTATUS(status) : 255;
	if (status >= 32 || !(ok_mask & (1u << status)))
		print_error("command failed (status %d): %s\n%s", status, cmd,
			    out);
	free(out);
	free(full);
	free(cmd);
	return status;
}

int f4t_sh(unsigned ok_mask, const char *fmt, ...)
{
	va_list ap;
	int status;

	va_start(ap, fmt);
	status = run_sh(ok_mask, fmt, ap);
	va_end(ap);
	return status;
}

void f4t_must_sh(unsigned ok_mask, const char *fmt, ...)
{
	va_list ap;
	int status;

	va_start(ap, fmt);
	status = run_sh(ok_mask, fmt, ap);
	va_end(ap);
	assert_true(status < 32 && (ok_mask & (1u << status)));
}

bool f4t_have_e2fsprogs(void)
{
	return f4t_sh(~0u, "command -v mke2fs && command -v debugfs && command -v e2fsck") == 0;
}

void f4t_fsck_clean(const char *img)
{
	/* no_optimize_extents: the trees we build on purpose (deep, with
	 * separate but mergeable extents) are valid, only not minimal. */
	f4t_must_sh(1u << 0, "e2fsck -fn -E no_optimize_extents '%s'", img);
}

ext2_filsys f4t_open(const char *img, bool rw)
{
	ext2_filsys fs = NULL;
	errcode_t err;

	err = ext2fs_open2(img, NULL,
			   EXT2_FLAG_64BITS | (rw ? EXT2_FLAG_RW : 0), 0, 0,
			   unix_io_manager, &fs);
	if (err) {
		print_error("ext2fs_open2 %s: %ld\n", img, (long)err);
		fail();
	}
	if (rw) {
		err = ext2fs_read_bitmaps(fs);
		assert_int_equal(err, 0);
	}
	return fs;
}

void f4t_close(ext2_filsys fs)
{
	if (fs)
		ext2fs_free(fs);
}

void f4t_close_flush(ext2_filsys fs)
{
	assert_int_equal(ext2fs_close_free(&fs), 0);
}

static int mode_to_ftype(uint16_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFREG:
		return EXT2_FT_REG_FILE;
	case S_IFDIR:
		return EXT2_FT_DIR;
	case S_IFCHR:
		return EXT2_FT_CHRDEV;
	case S_IFBLK:
		return EXT2_FT_BLKDEV;
	case S_IFIFO:
		return EXT2_FT_FIFO;
	case S_IFSOCK:
		return EXT2_FT_SOCK;
	case S_IFLNK:
		return EXT2_FT_SYMLINK;
	}
	return EXT2_FT_UNKNOWN;
}

static void link_name(ext2_filsys fs, ext2_ino_t dir, const char *name,
		      ext2_ino_t ino, int ftype)
{
	errcode_t err = ext2fs_link(fs, dir, name, ino, ftype);

	if (err == EXT2_ET_DIR_NO_SPACE) {
		assert_int_equal(ext2fs_expand_dir(fs, dir), 0);
		err = ext2fs_link(fs, dir, name, ino, ftype);
	}
	assert_int_equal(err, 0);
}

ext2_ino_t f4t_create(ext2_filsys fs, ext2_ino_t dir, const char *name,
		      uint16_t mode)
{
	struct ext2_inode inode;
	ext2_ino_t ino;

	if (S_ISDIR(mode)) {
		errcode_t err = ext2fs_mkdir(fs, dir, 0, name);

		if (err == EXT2_ET_DIR_NO_SPACE) {
			assert_int_equal(ext2fs_expand_dir(fs, dir), 0);
			err = ext2fs_mkdir(fs, dir, 0, name);
		}
		assert_int_equal(err, 0);
		return f4t_lookup(fs, dir, name);
	}
	assert_int_equal(ext2fs_new_inode(fs, dir, mode, NULL, &ino), 0);
	memset(&inode, 0, sizeof(inode));
	inode.i_mode = mode;
	inode.i_links_count = 1;
	inode.i_atime = inode.i_ctime = inode.i_mtime = fs->now ? fs->now : 1700000000;
	if (S_ISREG(mode) && ext2fs_has_feature_extents(fs->super)) {
		struct ext3_extent_header *eh = (void *)inode.i_block;

		inode.i_flags |= EXT4_EXTENTS_FL;
		eh->eh_magic = ext2fs_cpu_to_le16(EXT3_EXT_MAGIC);
		eh->eh_max = ext2fs_cpu_to_le16(4);
	}
	assert_int_equal(ext2fs_write_new_inode(fs, ino, &inode), 0);
	link_name(fs, dir, name, ino, mode_to_ftype(mode));
	ext2fs_inode_alloc_stats2(fs, ino, +1, 0);
	return ino;
}

ext2_ino_t f4t_lookup(ext2_filsys fs, ext2_ino_t dir, const char *name)
{
	ext2_ino_t ino = 0;
	errcode_t err = ext2fs_lookup(fs, dir, name, strlen(name), NULL, &ino);

	if (err) {
		print_error("lookup %s: %ld\n", name, (long)err);
		fail();
	}
	return ino;
}

void f4t_write_blocks(ext2_filsys fs, ext2_ino_t ino, uint64_t lblk,
		      uint64_t count)
{
	ext2_file_t f;
	char *buf = malloc(fs->blocksize);
	uint64_t b;

	assert_non_null(buf);
	assert_int_equal(ext2fs_file_open(fs, ino, EXT2_FILE_WRITE, &f), 0);
	for (b = lblk; b < lblk + count; b++) {
		unsigned i, got = 0;

		for (i = 0; i < fs->blocksize; i++)
			buf[i] = (char)f4t_pattern(b, i);
		assert_int_equal(ext2fs_file_llseek(f, b * fs->blocksize,
						    EXT2_SEEK_SET, NULL), 0);
		assert_int_equal(ext2fs_file_write(f, buf, fs->blocksize, &got), 0);
		assert_int_equal(got, fs->blocksize);
	}
	assert_int_equal(ext2fs_file_close(f), 0);
	free(buf);
}

void f4t_read_inode(ext2_filsys fs, ext2_ino_t ino,
		    struct ext2_inode_large *inode)
{
	memset(inode, 0, sizeof(*inode));
	assert_int_equal(ext2fs_read_inode_full(fs, ino, (struct ext2_inode *)inode,
						sizeof(*inode)), 0);
}

void f4t_write_inode(ext2_filsys fs, ext2_ino_t ino,
		     struct ext2_inode_large *inode)
{
	assert_int_equal(ext2fs_write_inode_full(fs, ino, (struct ext2_inode *)inode,
						 sizeof(*inode)), 0);
}

void f4t_set_size(ext2_filsys fs, ext2_ino_t ino, uint64_t size)
{
	struct ext2_inode_large inode;

	f4t_read_inode(fs, ino, &inode);
	assert_int_equal(ext2fs_inode_size_set(fs, (struct ext2_inode *)&inode,
					       size), 0);
	f4t_write_inode(fs, ino, &inode);
}

int f4t_extent_depth(ext2_filsys fs, ext2_ino_t ino)
{
	ext2_extent_handle_t h;
	struct ext2_extent_info info;

	assert_int_equal(ext2fs_extent_open(fs, ino, &h), 0);
	assert_int_equal(ext2fs_extent_get_info(h, &info), 0);
	ext2fs_extent_free(h);
	return info.max_depth;
}

unsigned f4t_extent_count(ext2_filsys fs, ext2_ino_t ino)
{
	ext2_extent_handle_t h;
	struct ext2fs_extent ext;
	unsigned n = 0;
	errcode_t err;

	assert_int_equal(ext2fs_extent_open(fs, ino, &h), 0);
	for (err = ext2fs_extent_get(h, EXT2_EXTENT_ROOT, &ext); !err;
	     err = ext2fs_extent_get(h, EXT2_EXTENT_NEXT, &ext))
		if (ext.e_flags & EXT2_EXTENT_FLAGS_LEAF)
			n++;
	ext2fs_extent_free(h);
	return n;
}

void f4t_write_host_file(const char *path, const void *buf, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, buf, len), (ssize_t)len);
	assert_int_equal(close(fd), 0);
}
