/* Owns what the fuzz targets share (see harness.h): the control block,
 * the memfd image with its guard, checksum fix-ups, opening, and the
 * bounded read-side walk. Findings abort() so that libFuzzer (or the
 * replay driver) reports them with the input that caused them. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <et/com_err.h>

#include "harness.h"
#include "src/dir/dirsnap.h"
#include "src/file/read.h"
#include "src/ns/handle.h"
#include "src/inode/iflags.h"
#include "src/io/chan.h"
#include "src/base/log.h"
#include "src/mount/mount.h"
#include "src/ns/node.h"
#include "src/xattr/xattr.h"

#define W_MAX_DEPTH 12
#define W_MAX_ENTRIES 600
#define W_MAX_DIRS 128
#define W_FILE_BYTES (64u << 10)
#define W_TOTAL_BYTES (1u << 20)
#define W_CHUNK (32u << 10)
#define W_MAX_XATTRS 64

static const uint8_t guard_byte = 0xA5;

uint64_t f4fz_hash(const uint8_t *data, size_t size)
{
	uint64_t h = 0xcbf29ce484222325ULL;
	size_t i;

	for (i = 0; i < size; i++) {
		h ^= data[i];
		h *= 0x100000001b3ULL;
	}
	return h;
}

void f4fz_ctl_parse(const uint8_t *data, size_t size, struct f4fz_ctl *ctl)
{
	uint64_t h;
	size_t i;

	memset(ctl, 0, sizeof(*ctl));
	if (size >= F4FZ_CTL_SIZE && !memcmp(data, "F4FZ", 4)) {
		ctl->flags = data[4];
		ctl->ops = data + F4FZ_OPS_OFF;
		ctl->nops = F4FZ_CTL_SIZE - F4FZ_OPS_OFF;
		return;
	}
	/* A plain image: derive everything from its hash (stable per input). */
	h = f4fz_hash(data, size < (64u << 10) ? size : (64u << 10));
	for (i = 0; i < sizeof(ctl->synth); i++) {
		h ^= h >> 33;
		h *= 0xff51afd7ed558ccdULL;
		h ^= h >> 29;
		ctl->synth[i] = (uint8_t)h;
	}
	ctl->flags = ctl->synth[0] & ~F4FZ_F_SMALLCACHE;
	ctl->ops = ctl->synth + F4FZ_OPS_OFF;
	ctl->nops = sizeof(ctl->synth) - F4FZ_OPS_OFF;
}

static void finding(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("f4fz FINDING: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	abort();
}

int f4fz_img_create(struct f4fz_img *img, const uint8_t *data, size_t size)
{
	static uint8_t guard[F4FZ_GUARD];
	size_t off = 0;

	memset(img, 0, sizeof(*img));
	img->fd = memfd_create("f4fz-image", MFD_CLOEXEC);
	if (img->fd < 0)
		return -errno;
	if (!guard[0])
		memset(guard, guard_byte, sizeof(guard));
	img->size = size;
	if (pwrite(img->fd, guard, sizeof(guard), 0) != (ssize_t)sizeof(guard))
		goto fail;
	while (off < size) {
		ssize_t n = pwrite(img->fd, data + off, size - off,
				   (off_t)(F4FZ_GUARD + off));

		if (n <= 0)
			goto fail;
		off += (size_t)n;
	}
	snprintf(img->path, sizeof(img->path), "/dev/fd/%d", img->fd);
	return 0;
fail:
	close(img->fd);
	img->fd = -1;
	return -EIO;
}

void f4fz_img_check(const struct f4fz_img *img)
{
	uint8_t buf[F4FZ_GUARD];
	struct stat st;
	size_t i;

	if (fstat(img->fd, &st) < 0)
		finding("cannot stat the image memfd: %s", strerror(errno));
	if ((uint64_t)st.st_size != F4FZ_GUARD + (uint64_t)img->size)
		finding("the image changed size: %llu bytes, was %zu",
			(unsigned long long)st.st_size - F4FZ_GUARD, img->size);
	if (pread(img->fd, buf, sizeof(buf), 0) != (ssize_t)sizeof(buf))
		finding("cannot read the guard bytes");
	for (i = 0; i < sizeof(buf); i++)
		if (buf[i] != guard_byte)
			finding("write outside the image: guard byte %zu before it changed",
				sizeof(buf) - i);
}

void f4fz_img_destroy(struct f4fz_img *img)
{
	if (img->fd >= 0)
		close(img->fd);
	img->fd = -1;
}

static void null_sink(enum f4_log_level level, const char *fmt, va_list ap)
{
	(void)level;
	(void)fmt;
	(void)ap;
}

/* libext2fs reports some misuse (a bitmap bit out of range...) through
 * com_err on stderr and carries on; with F4FZ_COMERR_ABORT it is a
 * finding, so the input and the stack that got there are kept. */
static void comerr_hook(const char *whoami, errcode_t code, const char *fmt,
			va_list ap)
{
	fprintf(stderr, "f4fz com_err: %s: %s ", whoami ? whoami : "?",
		error_message(code));
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	if (getenv("F4FZ_COMERR_ABORT"))
		finding("libext2fs reported misuse through com_err");
}

void f4fz_quiet(void)
{
	static bool done;

	if (done)
		return;
	done = true;
	if (!getenv("F4FZ_VERBOSE"))
		f4_log_set_sink(null_sink);
	set_com_err_hook(comerr_hook);
}

/* ----- checksum fix-ups ------------------------------------------------ */

static void fix_super_csum(struct f4_dev *dev)
{
	struct ext2_super_block sb;

	if (f4_dev_pread(dev, &sb, sizeof(sb), SUPERBLOCK_OFFSET) ||
	    sb.s_magic != EXT2_SUPER_MAGIC ||
	    !(sb.s_feature_ro_compat & EXT4_FEATURE_RO_COMPAT_METADATA_CSUM))
		return;
	sb.s_checksum = ext2fs_crc32c_le(~0U, (unsigned char *)&sb,
					 offsetof(struct ext2_super_block, s_checksum));
	f4_dev_pwrite(dev, &sb, sizeof(sb), SUPERBLOCK_OFFSET);
}

static void fix_inode_csums(ext2_filsys fs, dgrp_t g, char *buf)
{
	blk64_t blk = ext2fs_inode_table_loc(fs, g);
	unsigned isz = EXT2_INODE_SIZE(fs->super), per = fs->blocksize / isz;
	uint64_t total = ext2fs_blocks_count(fs->super), b;

	if (isz < EXT2_GOOD_OLD_INODE_SIZE || !per || blk == 0 ||
	    blk >= total || fs->inode_blocks_per_group > total - blk)
		return;
	for (b = 0; b < fs->inode_blocks_per_group; b++) {
		unsigned i;
		bool dirty = false;

		if (io_channel_read_blk64(fs->io, blk + b, 1, buf))
			return;
		for (i = 0; i < per; i++) {
			uint64_t ino = (uint64_t)g * fs->super->s_inodes_per_group +
				       b * per + i + 1;
			char *p = buf + (size_t)i * isz;
			unsigned j;

			if (ino > fs->super->s_inodes_count)
				break;
			for (j = 0; j < isz && !p[j]; j++)
				;
			if (j == isz)
				continue;
			ext2fs_inode_csum_set(fs, (ext2_ino_t)ino,
					      (struct ext2_inode_large *)p);
			dirty = true;
		}
		if (dirty)
			io_channel_write_blk64(fs->io, blk + b, 1, buf);
	}
}

void f4fz_fix_csums(struct f4fz_img *img)
{
	struct f4_dev dev;
	ext2_filsys fs = NULL;
	char msg[256], name[96];
	char *buf;
	dgrp_t g;

	if (f4_dev_open(&dev, img->path, F4FZ_GUARD, true, msg, sizeof(msg)))
		return;
	fix_super_csum(&dev);
	f4_chan_name(&dev, 1u << 20, name, sizeof(name));
	if (ext2fs_open2(name, NULL, EXT2_FLAG_RW | EXT2_FLAG_64BITS |
			 EXT2_FLAG_IGNORE_CSUM_ERRORS | EXT2_FLAG_SKIP_MMP,
			 0, 0, f4_chan_manager(), &fs)) {
		f4_dev_close(&dev);
		return;
	}
	buf = malloc(fs->blocksize);
	for (g = 0; g < fs->group_desc_count && g < 64; g++) {
		if (buf && ext2fs_has_feature_metadata_csum(fs->super))
			fix_inode_csums(fs, g, buf);
		ext2fs_group_desc_csum_set(fs, g);
	}
	free(buf);
	fs->flags |= EXT2_FLAG_MASTER_SB_ONLY | EXT2_FLAG_SUPER_ONLY;
	ext2fs_mark_super_dirty(fs);
	ext2fs_close_free(&fs);
	f4_dev_close(&dev);
}

/* ----- opening ---------------------------------------------------------- */

struct f4_fs *f4fz_open(struct f4fz_img *img, bool rw, uint8_t flags)
{
	struct f4_conf o;
	struct f4_fs *f4 = NULL;
	char msg[512] = "";
	int ret;

	memset(&o, 0, sizeof(o));
	o.image = img->path;
	o.readonly = !rw;
	o.offset = F4FZ_GUARD;
	o.norecovery = !rw && (flags & F4FZ_F_NORECOVERY);
	/* errors=panic would _exit() by design: not a finding. */
	o.errors = (flags & F4FZ_F_REMOUNT_RO) ? F4_ERRORS_RO : F4_ERRORS_CONTINUE;
	o.io_pread = true;
	o.cache_size = (flags & F4FZ_F_SMALLCACHE) ? (64u << 10) : (1u << 20);
	ret = f4_mount_open(&o, &f4, msg, sizeof(msg));
	if (ret) {
		/* A refusal must say why, on one line. */
		if (!msg[0] || strchr(msg, '\n'))
			finding("f4_mount_open failed (%d) without a one-line reason: '%s'",
				ret, msg);
		if (getenv("F4FZ_VERBOSE"))
			fprintf(stderr, "f4fz: refused: %s\n", msg);
		return NULL;
	}
	return f4;
}

/* ----- the walk ----------------------------------------------------------- */

struct walk {
	struct f4_fs *f4;
	struct f4fz_found *found;
	unsigned entries, dirs;
	uint64_t bytes;
	uint32_t seen[W_MAX_DIRS];
	unsigned nseen;
	char *buf;
};

static void note(struct walk *w, uint32_t ino, bool dir)
{
	struct f4fz_found *f = w->found;
	unsigned i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++)
		if (f->ino[i] == ino)
			return;
	if (f->n < sizeof(f->ino) / sizeof(f->ino[0])) {
		f->ino[f->n] = ino;
		f->dir[f->n++] = dir;
	}
}

static void check_ret(const char *what, int ret)
{
	/* Every failure is a negative errno a FUSE reply can carry. */
	if (ret > 0 || ret < -4095)
		finding("%s returned %d, not 0 or -errno", what, ret);
}

static void walk_xattrs(struct walk *w, ext2_ino_t ino)
{
	char *names = NULL;
	size_t len = 0, off, n = 0;
	int ret = f4_xattr_list(w->f4, ino, true, &names, &len);

	check_ret("xattr_list", ret);
	if (ret)
		return;
	if (len && names[len - 1] != '\0')
		finding("xattr list of inode %u is not NUL-terminated", ino);
	for (off = 0; off < len && n < W_MAX_XATTRS; n++) {
		void *val = NULL;
		size_t vlen = 0;
		size_t nl = strnlen(names + off, len - off);

		check_ret("xattr_get", ret = f4_xattr_get(w->f4, ino, names + off,
							 &val, &vlen));
		if (!ret && vlen > F4_XATTR_SIZE_MAX)
			finding("xattr value of %zu bytes", vlen);
		free(val);
		off += nl + 1;
	}
	free(names);
	/* Names that are not listed must still be safe to ask for. */
	{
		void *val = NULL;
		size_t vlen;

		ret = f4_xattr_get(w->f4, ino, "system.posix_acl_access", &val, &vlen);
		check_ret("xattr_get acl", ret);
		free(val);
		val = NULL;
		ret = f4_xattr_get(w->f4, ino, "system.data", &val, &vlen);
		check_ret("xattr_get system.data", ret);
		free(val);
	}
}

static void walk_file(struct walk *w, ext2_ino_t ino, uint64_t size)
{
	uint64_t off = 0, res;
	size_t got;
	int ret;

	ret = f4_handle_open(w->f4, ino, O_RDONLY);
	check_ret("open", ret);
	if (ret)
		return;
	while (off < size && off < W_FILE_BYTES && w->bytes < W_TOTAL_BYTES) {
		ret = f4_file_read(w->f4, ino, off, W_CHUNK, w->buf, &got);
		check_ret("read", ret);
		if (ret)
			break;
		if (got > W_CHUNK)
			finding("read returned %zu bytes for %u asked", got, W_CHUNK);
		w->bytes += got;
		if (!got)
			break;
		off += got;
	}
	if (size > W_FILE_BYTES) {	/* and the far end */
		ret = f4_file_read(w->f4, ino, size - 1, 4096, w->buf, &got);
		check_ret("read at end", ret);
		if (!ret && got > 1)
			finding("read past the end returned %zu bytes", got);
	}
	ret = f4_file_read(w->f4, ino, size + 4096, 4096, w->buf, &got);
	check_ret("read past end", ret);
	if (!ret && got)
		finding("read past the end returned %zu bytes", got);
	check_ret("seek", f4_file_seek(w->f4, ino, 0, SEEK_DATA, &res));
	check_ret("seek", f4_file_seek(w->f4, ino, 0, SEEK_HOLE, &res));
	for (size_t i = 0; size > 1 && i < 2; i++) {
		static const struct { int whence; const char *name; } mid[] = {
			{ SEEK_DATA, "SEEK_DATA" }, { SEEK_HOLE, "SEEK_HOLE" },
		};

		ret = f4_file_seek(w->f4, ino, size / 2, mid[i].whence, &res);
		check_ret("seek", ret);
		if (!ret && (res < size / 2 || res > size))
			finding("%s from %llu gave %llu (size %llu)", mid[i].name,
				(unsigned long long)size / 2, (unsigned long long)res,
				(unsigned long long)size);
	}
	f4_handle_release(w->f4, ino);
}

static bool seen_dir(struct walk *w, uint32_t ino)
{
	unsigned i;

	for (i = 0; i < w->nseen; i++)
		if (w->seen[i] == ino)
			return true;
	if (w->nseen >= W_MAX_DIRS)
		return true;
	w->seen[w->nseen++] = ino;
	return false;
}

static void walk_dir(struct walk *w, ext2_ino_t dir, unsigned depth);

static void visit(struct walk *w, ext2_ino_t ino, unsigned depth)
{
	struct f4_attr a;
	uint32_t flags;
	int ret = f4_node_getattr(w->f4, ino, &a);

	check_ret("getattr", ret);
	if (ret)
		return;
	if (a.ino != ino || a.st.st_ino != ino)
		finding("getattr of %u answered for %u", ino, a.ino);
	check_ret("get_flags", f4_iflags_get(w->f4, ino, &flags));
	check_ret("fsgetxattr", f4_iflags_fsget(w->f4, ino, &(struct f4_fsxattr){ 0 }));
	walk_xattrs(w, ino);
	note(w, ino, S_ISDIR(a.st.st_mode));
	if (S_ISREG(a.st.st_mode)) {
		walk_file(w, ino, (uint64_t)a.st.st_size);
	} else if (S_ISLNK(a.st.st_mode)) {
		char *t = NULL;

		ret = f4_node_readlink(w->f4, ino, &t);
		check_ret("readlink", ret);
		if (!ret && strlen(t) >= w->f4->blocksize)
			finding("symlink target of %zu bytes", strlen(t));
		free(t);
	} else if (S_ISDIR(a.st.st_mode)) {
		uint64_t res;

		/* Reading a directory as a file is refused, not crashed. */
		ret = f4_file_read(w->f4, ino, 0, 16, w->buf, &(size_t){ 0 });
		check_ret("read dir", ret);
		check_ret("seek dir", f4_file_seek(w->f4, ino, 0, SEEK_DATA, &res));
		if (depth < W_MAX_DEPTH && !seen_dir(w, ino))
			walk_dir(w, ino, depth + 1);
	}
}

static void walk_dir(struct walk *w, ext2_ino_t dir, unsigned depth)
{
	struct f4_dirsnap *snap = NULL;
	static const char *const missing[] = {
		"f4fz-not-there", "lost+found", "..", ".",
	};
	struct f4_attr a;
	size_t i;
	int ret;

	if (++w->dirs > W_MAX_DIRS)
		return;
	ret = f4_dirsnap_build(w->f4, dir, &snap);
	check_ret("dirsnap", ret);
	if (ret)
		return;
	for (i = 0; i < snap->n && w->entries < W_MAX_ENTRIES; i++, w->entries++) {
		const char *name = f4_dirsnap_name(snap, i);

		if (strlen(name) != snap->ents[i].name_len || !name[0])
			finding("readdir name length mismatch in dir %u", dir);
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		ret = f4_node_lookup(w->f4, dir, name, &a);
		check_ret("lookup", ret);
		if (ret)
			continue;
		visit(w, a.ino, depth);
		f4_node_forget(w->f4, a.ino, 1);
	}
	f4_dirsnap_free(snap);
	for (i = 0; i < sizeof(missing) / sizeof(missing[0]); i++) {
		ret = f4_node_lookup(w->f4, dir, missing[i], &a);
		check_ret("lookup", ret);
		if (!ret)
			f4_node_forget(w->f4, a.ino, 1);
	}
}

void f4fz_walk(struct f4_fs *f4, struct f4fz_found *found)
{
	struct walk w = { .f4 = f4, .found = found };
	struct f4_statfs sf;
	struct f4_attr a;
	ext2_ino_t ino;

	w.buf = malloc(W_CHUNK);
	if (!w.buf)
		return;
	check_ret("statfs", f4_fs_statfs(f4, &sf));
	/* Inode numbers straight, as a kernel holding old handles may ask. */
	for (ino = 0; ino < 16; ino++)
		check_ret("getattr", f4_node_getattr(f4, ino, &a));
	check_ret("getattr", f4_node_getattr(f4, UINT32_MAX, &a));
	visit(&w, EXT2_ROOT_INO, 0);
	if (getenv("F4FZ_STATS"))
		fprintf(stderr, "f4fz walk: %u dirs, %u entries, %llu bytes read\n",
			w.dirs, w.entries, (unsigned long long)w.bytes);
	free(w.buf);
}

int f4fz_input_begin(const uint8_t *data, size_t size, struct f4fz_ctl *ctl,
		     struct f4fz_img *img)
{
	if (size < F4FZ_MIN_INPUT || size > F4FZ_MAX_INPUT)
		return -1;
	f4fz_quiet();
	f4fz_ctl_parse(data, size, ctl);
	if (f4fz_img_create(img, data, size))
		return -1;
	if (ctl->flags & F4FZ_F_FIXCSUM)
		f4fz_fix_csums(img);
	return 0;
}
