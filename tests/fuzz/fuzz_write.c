/* fuzz_write: a (mutated) image mounted read-write (the bitmaps are read,
 * orphans processed, the filesystem marked in use), then changed by the
 * operations in the control block: create, mkdir, symlink, mknod, link,
 * unlink, rmdir, rename, write, truncate, fallocate (punch, zero,
 * preallocate), read, xattrs, copy_file_range, fsync, setattr, lookups
 * and forgets (so unlinked-but-held inodes go through the orphan list),
 * on inodes found in the image and on ones just made. After closing, no
 * byte outside the image may have changed and the image keeps its size;
 * optionally it is then mounted read-only and walked again. See harness.h
 * for the input format. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#include "harness.h"
#include "src/dir/dirsnap.h"
#include "src/file/falloc.h"
#include "src/file/read.h"
#include "src/ns/handle.h"
#include "src/inode/iflags.h"
#include "src/mount/mount.h"
#include "src/ns/namespace.h"
#include "src/ns/node.h"
#include "src/ns/rename.h"
#include "src/ns/setattr.h"
#include "src/file/copyrange.h"
#include "src/file/fsync.h"
#include "src/file/write.h"
#include "src/xattr/xattr.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_OPS 64
#define MAX_INODES 48
#define MAX_NAMES 24
#define IO_MAX (64u << 10)

struct node {
	ext2_ino_t ino;
	bool dir;
	uint64_t refs;		/* kernel references we hold */
	unsigned opens;
};

struct wstate {
	struct f4_fs *f4;
	struct f4_cred cred;
	struct node t[MAX_INODES];
	unsigned n;
	char *names[MAX_NAMES];
	unsigned nnames;
	char *buf;
};

static const char *const fixed_names[] = {
	"a", "b", "c", "new", "sub", "lnk", "lost+found", ".", "..",
	"name with spaces", "f4fz-0123456789-0123456789-0123456789-0123456789",
};

static void add_node(struct wstate *s, ext2_ino_t ino, bool dir, bool ref)
{
	unsigned i;

	for (i = 0; i < s->n; i++) {
		if (s->t[i].ino == ino) {
			s->t[i].refs += ref;
			s->t[i].dir = dir;
			return;
		}
	}
	if (s->n < MAX_INODES) {
		s->t[s->n++] = (struct node){ .ino = ino, .dir = dir, .refs = ref };
		return;
	}
	if (ref)	/* no room to remember it: give it back at once */
		f4_node_forget(s->f4, ino, 1);
}

static void add_name(struct wstate *s, const char *name)
{
	if (s->nnames < MAX_NAMES && strcmp(name, ".") && strcmp(name, ".."))
		s->names[s->nnames++] = strdup(name);
}

/* Inodes and names to work on: the root, and entries one or two levels
 * down. References are returned at once. */
static void discover(struct wstate *s, ext2_ino_t dir, unsigned depth)
{
	struct f4_dirsnap *snap = NULL;
	size_t i;

	if (f4_dirsnap_build(s->f4, dir, &snap))
		return;
	for (i = 0; i < snap->n && i < 40; i++) {
		const char *name = f4_dirsnap_name(snap, i);
		struct f4_attr a;

		if (!strcmp(name, ".") || !strcmp(name, ".."))
			continue;
		if (depth == 0)
			add_name(s, name);
		if (f4_node_lookup(s->f4, dir, name, &a))
			continue;
		add_node(s, a.ino, S_ISDIR(a.st.st_mode), false);
		f4_node_forget(s->f4, a.ino, 1);
		if (S_ISDIR(a.st.st_mode) && depth == 0 && a.ino != dir)
			discover(s, a.ino, 1);
	}
	f4_dirsnap_free(snap);
}

static struct node *pick(struct wstate *s, uint8_t a)
{
	return &s->t[a % s->n];
}

static ext2_ino_t pick_dir(struct wstate *s, uint8_t a)
{
	unsigned i;

	for (i = 0; i < s->n; i++) {
		struct node *nd = &s->t[(a + i) % s->n];

		if (nd->dir)
			return nd->ino;
	}
	return EXT2_ROOT_INO;
}

static const char *pick_name(struct wstate *s, uint8_t b)
{
	static char longname[256];
	unsigned nf = sizeof(fixed_names) / sizeof(fixed_names[0]);

	if (b == 0xff) {
		memset(longname, 'L', 255);	/* the longest name */
		return longname;
	}
	if (b == 0xfe) {
		memset(longname, 'M', sizeof(longname) - 1);	/* too long */
		return longname;
	}
	if (s->nnames && (b & 0x80))
		return s->names[(b & 0x7f) % s->nnames];
	return fixed_names[b % nf];
}

static uint64_t pick_off(struct wstate *s, uint8_t b)
{
	uint64_t bs = s->f4->blocksize;
	const uint64_t v[] = {
		0, 1, 100, bs - 1, bs, 2 * bs + 3, 12 * bs - 1, 12 * bs,
		(12 + bs / 4) * bs, (12 + bs / 4 + 1) * bs + 5, 65536,
		300000, 1u << 20, (1ULL << 32) - 1, 1ULL << 32,
		((1ULL << 32) - 2) * bs, ((1ULL << 32) - 1) * bs,
		1ULL << 40, (1ULL << 62), INT64_MAX - 10,
	};

	return v[b % (sizeof(v) / sizeof(v[0]))] + (b >> 5) * (bs / 2) * (b & 1);
}

static size_t pick_len(struct wstate *s, uint8_t c)
{
	size_t bs = s->f4->blocksize;
	const size_t v[] = { 0, 1, 7, 100, bs, 3 * bs + 1, 16384, IO_MAX };

	return v[c % (sizeof(v) / sizeof(v[0]))];
}

static void fill(struct wstate *s, size_t len, uint8_t seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		s->buf[i] = (char)(seed + i * 7 + (i >> 8));
}

static int trace = -1;

static void check_ret(const char *what, int ret)
{
	if (trace < 0)
		trace = getenv("F4FZ_TRACE") != NULL;
	if (trace)
		fprintf(stderr, "f4fz op %s: %d\n", what, ret);
	if (ret > 0 || ret < -4095) {
		fprintf(stderr, "f4fz FINDING: %s returned %d\n", what, ret);
		abort();
	}
}

static void op_make(struct wstate *s, uint8_t kind, uint8_t a, uint8_t b,
		    uint8_t c)
{
	static char target[4097];
	const size_t tl[] = { 1, 59, 60, 61, 200, 1023, 2047, 4095 };
	struct f4_make_args m = { .cred = &s->cred, .umask = 022 };
	struct f4_attr attr;
	int ret;

	switch (kind) {
	case 0:
		m.mode = S_IFREG | 0644;
		break;
	case 1:
		m.mode = S_IFDIR | 0755;
		break;
	case 2:
		memset(target, 't', tl[c % 8]);
		target[tl[c % 8]] = '\0';
		m.mode = S_IFLNK | 0777;
		m.target = target;
		break;
	default: {
		const mode_t modes[] = { S_IFIFO, S_IFCHR, S_IFBLK, S_IFSOCK };

		m.mode = modes[c % 4] | 0600;
		m.rdev = makedev(c, (unsigned)c * 4099u);
		break;
	}
	}
	ret = f4_ns_make(s->f4, pick_dir(s, a), pick_name(s, b), &m, &attr);
	check_ret("make", ret);
	if (!ret)
		add_node(s, attr.ino, S_ISDIR(attr.st.st_mode), true);
}

static void op_rename(struct wstate *s, uint8_t a, uint8_t b, uint8_t c)
{
	const unsigned flags[] = {
		0, 0, 0, F4_RENAME_NOREPLACE, F4_RENAME_EXCHANGE,
		F4_RENAME_WHITEOUT, F4_RENAME_EXCHANGE | F4_RENAME_NOREPLACE,
		F4_RENAME_WHITEOUT | F4_RENAME_NOREPLACE,
	};

	check_ret("rename", f4_ns_rename(s->f4, &s->cred, pick_dir(s, a),
					 pick_name(s, b), pick_dir(s, c >> 3),
					 pick_name(s, (uint8_t)(b + c)),
					 flags[c & 7]));
}

static void op_fallocate(struct wstate *s, uint8_t a, uint8_t b, uint8_t c)
{
	const int modes[] = { 0, 0x01, 0x03, 0x10, 0x11, 0x02, 0x08, 0x20 };
	uint64_t len = pick_len(s, (uint8_t)(c >> 3));

	check_ret("fallocate",
		  f4_file_fallocate(s->f4, &s->cred, pick(s, a)->ino,
				    modes[c & 7], pick_off(s, b),
				    len ? len : (uint64_t)s->f4->blocksize * 40));
}

static void op_setattr(struct wstate *s, uint8_t a, uint8_t b, uint8_t c,
		       bool size)
{
	struct f4_setattr sa = { 0 };
	struct f4_attr out;

	if (size) {
		sa.valid = F4_SA_SIZE;
		sa.size = pick_off(s, b);
	} else {
		sa.valid = (unsigned)c & (F4_SA_MODE | F4_SA_UID | F4_SA_GID |
					   F4_SA_ATIME | F4_SA_MTIME |
					   F4_SA_ATIME_NOW | F4_SA_MTIME_NOW);
		sa.mode = (mode_t)(b * 37u) & 07777;
		sa.uid = b * 1000u;
		sa.gid = b;
		sa.atime.tv_sec = (time_t)b << 30;
		sa.mtime.tv_sec = -((time_t)c << 24);
		sa.mtime.tv_nsec = 999999999;
	}
	check_ret("setattr", f4_node_setattr(s->f4, pick(s, a)->ino, &sa, &out));
}

static void op_xattr(struct wstate *s, uint8_t a, uint8_t b, uint8_t c)
{
	static const char *const names[] = {
		"user.a", "user.bb", "trusted.t", "security.s",
		"system.posix_acl_access", "user.f4fz-a-somewhat-longer-name",
		"system.data", "user.",
	};
	const size_t sizes[] = { 0, 1, 50, 200, 1000, 3000, 5000, 65536 };
	const char *name = names[b % 8];
	size_t len = sizes[c % 8];
	ext2_ino_t ino = pick(s, a)->ino;

	if (b & 0x80) {
		check_ret("removexattr", f4_xattr_remove(s->f4, &s->cred, ino, name));
		return;
	}
	fill(s, len, c);
	check_ret("setxattr", f4_xattr_set(s->f4, &s->cred, ino, name, s->buf,
					   len, (c >> 3) & 3));
}

static void op_iflags(struct wstate *s, uint8_t a, uint8_t b, uint8_t c)
{
	static const uint32_t bits[] = {
		EXT4_EXTENTS_FL, EXT4_EXTENTS_FL, EXT2_APPEND_FL,
		EXT2_IMMUTABLE_FL, EXT2_NOATIME_FL, EXT4_INLINE_DATA_FL,
		EXT2_INDEX_FL, EXT4_PROJINHERIT_FL,
	};
	ext2_ino_t ino = pick(s, a)->ino;
	struct f4_fsxattr fa;
	uint32_t fl = 0;
	int ret = f4_iflags_get(s->f4, ino, &fl);

	check_ret("getflags", ret);
	if (ret)
		return;
	if (c & 0x40) {
		check_ret("fsgetxattr", ret = f4_iflags_fsget(s->f4, ino, &fa));
		if (!ret) {
			fa.projid = (uint32_t)b * 1000u;
			fa.xflags ^= (uint32_t)c & 0x3ff;
			check_ret("fssetxattr", f4_iflags_fsset(s->f4, &s->cred, ino, &fa));
		}
		return;
	}
	check_ret("setflags", f4_iflags_set(s->f4, &s->cred, ino,
					    fl ^ bits[b % 8] ^ (c & 1 ? bits[c % 8] : 0)));
}

static void op_readdir(struct wstate *s, uint8_t a)
{
	struct f4_dirsnap *snap = NULL;
	ext2_ino_t dir = pick_dir(s, a);
	size_t i;

	if (f4_dirsnap_build(s->f4, dir, &snap))
		return;
	for (i = 0; i < snap->n && i < 64; i++) {
		struct f4_attr at;
		const char *name = f4_dirsnap_name(snap, i);

		if (!f4_node_lookup(s->f4, dir, name, &at))
			f4_node_forget(s->f4, at.ino, 1);
	}
	f4_dirsnap_free(snap);
}

static void run_op(struct wstate *s, const uint8_t *op)
{
	uint8_t a = op[1], b = op[2], c = op[3];
	struct node *nd = pick(s, a);
	size_t done = 0;
	struct f4_attr at;
	struct f4_statfs sf;
	uint64_t res;
	int ret;

	switch (op[0] % 24) {
	case 0: case 1: case 2: case 3:
		op_make(s, op[0] % 22, a, b, c);
		break;
	case 4:
		ret = f4_ns_link(s->f4, nd->ino, pick_dir(s, c), pick_name(s, b), &at);
		check_ret("link", ret);
		if (!ret)
			add_node(s, at.ino, S_ISDIR(at.st.st_mode), true);
		break;
	case 5:
		check_ret("unlink", f4_ns_unlink(s->f4, pick_dir(s, a), pick_name(s, b)));
		break;
	case 6:
		check_ret("rmdir", f4_ns_rmdir(s->f4, pick_dir(s, a), pick_name(s, b)));
		break;
	case 7:
		op_rename(s, a, b, c);
		break;
	case 8: case 9: {
		size_t len = pick_len(s, c);

		fill(s, len, c);
		ret = f4_file_write(s->f4, &s->cred, nd->ino, pick_off(s, b),
				    s->buf, len, NULL, &done);
		check_ret("write", ret);
		if (!ret && done > len) {
			fprintf(stderr, "f4fz FINDING: wrote %zu of %zu\n", done, len);
			abort();
		}
		break;
	}
	case 10:
		op_setattr(s, a, b, c, true);
		break;
	case 11:
		op_fallocate(s, a, b, c);
		break;
	case 12:
		ret = f4_file_read(s->f4, nd->ino, pick_off(s, b), pick_len(s, c),
				   s->buf, &done);
		check_ret("read", ret);
		check_ret("seek", f4_file_seek(s->f4, nd->ino, pick_off(s, b),
					       (c & 1) ? SEEK_DATA : SEEK_HOLE, &res));
		break;
	case 13:
		op_xattr(s, a, b, c);
		break;
	case 14:
		check_ret("copy_range",
			  f4_file_copy_range(s->f4, &s->cred, nd->ino, pick_off(s, b),
					     pick(s, c)->ino, pick_off(s, (uint8_t)(b ^ c)),
					     pick_len(s, c), &done));
		break;
	case 15:
		check_ret("fsync", f4_file_fsync(s->f4, nd->ino, c & 1));
		break;
	case 16:
		op_setattr(s, a, b, c, false);
		break;
	case 17:
		ret = f4_node_lookup(s->f4, pick_dir(s, a), pick_name(s, b), &at);
		check_ret("lookup", ret);
		if (!ret)
			add_node(s, at.ino, S_ISDIR(at.st.st_mode), true);
		break;
	case 18:
		if (nd->refs) {		/* the kernel lets go */
			f4_node_forget(s->f4, nd->ino, nd->refs);
			nd->refs = 0;
		}
		break;
	case 19:
		if (nd->opens) {
			f4_handle_release(s->f4, nd->ino);
			nd->opens--;
		} else if (!f4_handle_open(s->f4, nd->ino,
					   (c & 1) ? O_RDWR : O_RDONLY)) {
			nd->opens++;
		}
		break;
	case 20:
		op_readdir(s, a);
		break;
	case 21:	/* chattr: toggling the extents flag migrates the map */
		op_iflags(s, a, b, c);
		break;
	default:
		check_ret("statfs", f4_fs_statfs(s->f4, &sf));
		check_ret("getattr", f4_node_getattr(s->f4, nd->ino, &at));
		break;
	}
}

static void run(struct f4fz_img *img, const struct f4fz_ctl *ctl)
{
	struct wstate s = { .cred = { .uid = 0, .gid = 0 } };
	size_t i, nops = ctl->nops / 4;
	unsigned k;

	s.f4 = f4fz_open(img, true, ctl->flags);
	if (getenv("F4FZ_TRACE"))
		fprintf(stderr, "f4fz open rw: %s\n", s.f4 ? "ok" : "refused");
	if (!s.f4)
		return;
	s.buf = malloc(IO_MAX);
	if (!s.buf)
		abort();
	add_node(&s, EXT2_ROOT_INO, true, false);
	discover(&s, EXT2_ROOT_INO, 0);
	if (nops > MAX_OPS)
		nops = MAX_OPS;
	for (i = 0; i < nops; i++) {
		const uint8_t *op = ctl->ops + 4 * i;

		s.cred.uid = (op[3] & 0x80) ? 1000 : 0;
		s.cred.gid = s.cred.uid;
		run_op(&s, op);
	}
	/* Release everything as the kernel would: open files first, then
	 * (optionally: an unmount sends no forgets) the references. */
	for (k = 0; k < s.n; k++) {
		while (s.t[k].opens) {
			f4_handle_release(s.f4, s.t[k].ino);
			s.t[k].opens--;
		}
		if ((ctl->flags & F4FZ_F_FORGET) && s.t[k].refs)
			f4_node_forget(s.f4, s.t[k].ino, s.t[k].refs);
	}
	check_ret("close", f4_mount_close(s.f4));
	for (k = 0; k < s.nnames; k++)
		free(s.names[k]);
	free(s.buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct f4fz_ctl ctl;
	struct f4fz_img img;

	if (f4fz_input_begin(data, size, &ctl, &img))
		return 0;
	run(&img, &ctl);
	f4fz_img_check(&img);
	if (ctl.flags & F4FZ_F_REWALK) {
		struct f4_fs *f4 = f4fz_open(&img, false, ctl.flags);

		if (f4) {
			f4fz_walk(f4, NULL);
			check_ret("close", f4_mount_close(f4));
		}
		f4fz_img_check(&img);
	}
	f4fz_img_destroy(&img);
	return 0;
}
