/* Owns fk_basic's checks of names and contents (see fk_basic.h): what
 * LOOKUP, GETATTR, READ and READLINK answer, against libext2fs and the
 * seed's known bytes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fk_basic.h"
#include "fk_seed.h"

static const char *const names[] = {
	"hello.txt", "data.bin", "empty", "sub", "link", "sparse", "sub/inner.txt",
};
#define NNAMES (sizeof(names) / sizeof(names[0]))
static uint64_t nodes[NNAMES], lookups[NNAMES];

uint64_t f4_fkb_node(const char *path)
{
	for (size_t i = 0; i < NNAMES; i++)
		if (!strcmp(names[i], path))
			return nodes[i];
	return 0;
}

/* ATTR as the server gave it for PATH, against the inode. */
static void check_attr(ext2_filsys fs, const char *op, const char *path,
		       const struct fuse_attr *a, ext2_ino_t ino,
		       const struct ext2_inode_large *in)
{
	const struct ext2_inode *i = (const struct ext2_inode *)in;

	f4_fkt_check(a->ino == ino, "%s %s: ino %u (%llu)", op, path, ino,
		     (unsigned long long)a->ino);
	f4_fkt_check(a->mode == i->i_mode && a->nlink == i->i_links_count,
		     "%s %s: mode 0%o nlink %u (0%o %u)", op, path, i->i_mode,
		     i->i_links_count, a->mode, a->nlink);
	f4_fkt_check(a->size == EXT2_I_SIZE(i) &&
		     a->blocks == ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)i),
		     "%s %s: size %llu blocks %llu (%llu %llu)", op, path,
		     (unsigned long long)EXT2_I_SIZE(i),
		     (unsigned long long)ext2fs_get_stat_i_blocks(fs, (struct ext2_inode *)i),
		     (unsigned long long)a->size, (unsigned long long)a->blocks);
	f4_fkt_check(a->uid == inode_uid(*i) && a->gid == inode_gid(*i),
		     "%s %s: owner %u:%u (%u:%u)", op, path, inode_uid(*i), inode_gid(*i),
		     a->uid, a->gid);
}

static void check_name(struct f4_fk *fk, ext2_filsys fs, size_t k)
{
	const char *path = names[k], *slash = strrchr(path, '/');
	uint64_t parent = slash ? f4_fkb_node("sub") : FUSE_ROOT_ID;
	struct ext2_inode_large in;
	struct fuse_entry_out e;
	struct fuse_attr_out ao;
	ext2_ino_t ino;
	int ret;

	if (f4_fkt_namei(fs, path, &ino, &in))
		f4_fkt_bail("libext2fs does not find a seed name");
	ret = f4_fk_lookup(fk, parent, slash ? slash + 1 : path, &e);
	if (!f4_fkt_check(ret == 0 && e.nodeid != 0, "LOOKUP %s: answered (%s)", path,
			  strerror(-ret)))
		return;
	nodes[k] = e.nodeid;
	lookups[k]++;
	check_attr(fs, "LOOKUP", path, &e.attr, ino, &in);
	f4_fkt_check(e.generation == in.i_generation, "LOOKUP %s: generation %u (%llu)", path,
		     in.i_generation, (unsigned long long)e.generation);
	ret = f4_fk_getattr(fk, e.nodeid, &ao);
	if (f4_fkt_check(ret == 0, "GETATTR %s: answered (%s)", path, strerror(-ret)))
		check_attr(fs, "GETATTR", path, &ao.attr, ino, &in);
}

void f4_fkb_check_names(struct f4_fk *fk, ext2_filsys fs)
{
	struct fuse_entry_out e;
	struct fuse_attr_out ao;
	int ret;

	ret = f4_fk_getattr(fk, FUSE_ROOT_ID, &ao);
	f4_fkt_check(ret == 0 && ao.attr.ino == EXT2_ROOT_INO, "GETATTR root: ino 2 (%s, %llu)",
		     strerror(-ret), (unsigned long long)ao.attr.ino);
	for (size_t k = 0; k < NNAMES; k++)
		check_name(fk, fs, k);
	/* No such name: ENOENT, or node id 0 (a negative entry to cache). */
	ret = f4_fk_lookup(fk, FUSE_ROOT_ID, "no-such-name", &e);
	f4_fkt_check((ret == 0 && e.nodeid == 0 && e.entry_valid > 0) || ret == -ENOENT,
		     "LOOKUP of a missing name: a negative entry or ENOENT (%s, node %llu)",
		     strerror(-ret), ret ? 0ull : (unsigned long long)e.nodeid);
	ret = f4_fk_lookup(fk, f4_fkb_node("hello.txt"), "x", &e);
	f4_fkt_check(ret == -ENOTDIR, "LOOKUP under a file: ENOTDIR (%s)", strerror(-ret));
}

/* Read PATH's bytes [OFF, OFF + LEN) in chunks of 64 KiB into BUF and
 * say whether they equal WANT; *total: the bytes that came. */
static int read_range(struct f4_fk *fk, uint64_t node, uint64_t fh, uint64_t off,
		      size_t len, unsigned char *buf, size_t *total)
{
	size_t got;
	int ret = 0;

	*total = 0;
	while (*total < len) {
		size_t want = len - *total > 65536 ? 65536 : len - *total;

		ret = f4_fk_read(fk, node, fh, off + *total, (uint32_t)want, buf + *total, &got);
		if (ret || got == 0)
			break;
		*total += got;
	}
	return ret;
}

/* Open PATH, read LEN bytes at OFF (asking for ASK more past them), and
 * compare with EXPECT (NULL: the seed pattern at OFF; ZERO: a hole). */
static void check_read(struct f4_fk *fk, const char *path, uint64_t off, size_t len,
		       size_t ask, const void *expect, int zero)
{
	uint64_t node = f4_fkb_node(path), fh;
	unsigned char *buf = calloc(1, len + ask + 1), *want = calloc(1, len + 1);
	size_t got = 0;
	int ret;

	if (!buf || !want)
		f4_fkt_bail("out of memory");
	for (size_t i = 0; !zero && i < len; i++)
		want[i] = expect ? ((const unsigned char *)expect)[i] : f4_fks_byte(off + i);
	ret = f4_fk_open(fk, node, 0 /* O_RDONLY */, &fh);
	if (f4_fkt_check(ret == 0, "OPEN %s: answered (%s)", path, strerror(-ret))) {
		ret = read_range(fk, node, fh, off, len + ask, buf, &got);
		f4_fkt_check(ret == 0 && got == len && !memcmp(buf, want, len),
			     "READ %s at %llu: %zu bytes as seeded (%s, %zu bytes%s)", path,
			     (unsigned long long)off, len, strerror(-ret), got,
			     got == len && memcmp(buf, want, len) ? ", different" : "");
		ret = f4_fk_release(fk, node, fh, 0);
		f4_fkt_check(ret == 0, "RELEASE %s (%s)", path, strerror(-ret));
	}
	free(buf);
	free(want);
}

void f4_fkb_check_contents(struct f4_fk *fk, ext2_filsys fs)
{
	char target[256];
	int ret;

	(void)fs;
	check_read(fk, "hello.txt", 0, strlen(F4_FKS_HELLO), 100, F4_FKS_HELLO, 0);
	check_read(fk, "sub/inner.txt", 0, strlen(F4_FKS_INNER), 4096, F4_FKS_INNER, 0);
	check_read(fk, "data.bin", 0, F4_FKS_DATA_LEN, 5000, NULL, 0);
	check_read(fk, "data.bin", 4095, 10, 0, NULL, 0);
	check_read(fk, "empty", 0, 0, 4096, NULL, 0);
	check_read(fk, "sparse", 1ull << 30, 8192, 0, NULL, 1);
	check_read(fk, "sparse", F4_FKS_SPARSE_OFF, F4_FKS_SPARSE_LEN, 0, NULL, 0);
	/* The tail: one block of hole, then end of file. */
	check_read(fk, "sparse", F4_FKS_SPARSE_OFF + F4_FKS_SPARSE_LEN, F4_FKS_SPARSE_LEN,
		   4096, NULL, 1);
	ret = f4_fk_readlink(fk, f4_fkb_node("link"), target, sizeof(target));
	f4_fkt_check(ret == (int)strlen(F4_FKS_LINK) && !strcmp(target, F4_FKS_LINK),
		     "READLINK link: %s (%d, %s)", F4_FKS_LINK, ret, ret >= 0 ? target : "");
	ret = f4_fk_readlink(fk, f4_fkb_node("hello.txt"), target, sizeof(target));
	f4_fkt_check(ret == -EINVAL, "READLINK of a file: EINVAL (%d)", ret);
}

void f4_fkb_forget_all(struct f4_fk *fk)
{
	for (size_t k = 0; k < NNAMES; k++)
		if (nodes[k] && f4_fk_forget(fk, nodes[k], lookups[k]))
			f4_fkt_bail("cannot send FORGET");
}
