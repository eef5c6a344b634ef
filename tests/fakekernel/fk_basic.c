/* fk_basic: fuse4fs answering a fake kernel (tests/fakekernel/fk.h) on
 * an image built from a known seed: INIT negotiation, lookups, attributes
 * and contents against libext2fs, directory listings, statfs against the
 * superblock, what it answers to opcodes it does not serve, requests
 * around INIT and DESTROY, a clean exit. The read-write session is in
 * fk_rw.c. Exit 0: all passed, 1: a check failed, 77: skipped. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fk_seed.h"
#include "fk_test.h"
#include "fk_basic.h"

/* What a 6.x kernel offers (FUSE_INIT_EXT implied by a high bit). */
#define FK_KERNEL_FLAGS (FUSE_ASYNC_READ | FUSE_POSIX_LOCKS | FUSE_ATOMIC_O_TRUNC | \
	FUSE_EXPORT_SUPPORT | FUSE_BIG_WRITES | FUSE_DONT_MASK | FUSE_FLOCK_LOCKS | \
	FUSE_HAS_IOCTL_DIR | FUSE_AUTO_INVAL_DATA | FUSE_DO_READDIRPLUS | \
	FUSE_READDIRPLUS_AUTO | FUSE_ASYNC_DIO | FUSE_WRITEBACK_CACHE | \
	FUSE_NO_OPEN_SUPPORT | FUSE_PARALLEL_DIROPS | FUSE_HANDLE_KILLPRIV | \
	FUSE_POSIX_ACL | FUSE_ABORT_ERROR | FUSE_MAX_PAGES | FUSE_CACHE_SYMLINKS | \
	FUSE_NO_OPENDIR_SUPPORT | FUSE_EXPLICIT_INVAL_DATA | FUSE_HANDLE_KILLPRIV_V2 | \
	FUSE_SETXATTR_EXT | FUSE_INIT_EXT | FUSE_SECURITY_CTX)

/* What fuse4fs asks for (src/fuse/op_fs.c) when offered, and what it must
 * not take even when offered. */
#define FK_WANTED (FUSE_ASYNC_READ | FUSE_EXPORT_SUPPORT | FUSE_DONT_MASK | \
	FUSE_DO_READDIRPLUS | FUSE_ASYNC_DIO | \
	FUSE_POSIX_ACL | FUSE_CACHE_SYMLINKS | FUSE_BIG_WRITES)
#define FK_REFUSED (FUSE_ATOMIC_O_TRUNC | FUSE_HANDLE_KILLPRIV | FUSE_WRITEBACK_CACHE)

static void check_init_full(struct f4_fk *fk)
{
	const struct fuse_init_out *o = &fk->init_out;
	uint64_t f = fk->init_flags;

	/* libfuse 3.14 as built here answers 7.31 (and flags of later
	 * minors: the kernel reads them all the same). */
	f4_fkt_check(o->major == 7 && o->minor >= 31, "INIT: 7.%u, at least 7.31", o->minor);
	f4_fkt_check(f & FUSE_INIT_EXT, "INIT: FUSE_INIT_EXT answered (flags2 0x%x)", o->flags2);
	f4_fkt_check(o->max_write == 1u << 20, "INIT: max_write 1 MiB (%u)", o->max_write);
	f4_fkt_check((f & FUSE_MAX_PAGES) && o->max_pages == 256,
		     "INIT: max_pages 256 for 1 MiB (%u)", o->max_pages);
	f4_fkt_check((f & FK_WANTED) == FK_WANTED, "INIT: flags fuse4fs wants (missing 0x%llx)",
		     (unsigned long long)(FK_WANTED & ~f));
	f4_fkt_check(!(f & FK_REFUSED), "INIT: no O_TRUNC, KILLPRIV v1, writeback (0x%llx)",
		     (unsigned long long)(f & FK_REFUSED));
	f4_fkt_check(f & FUSE_HANDLE_KILLPRIV_V2, "INIT: FUSE_HANDLE_KILLPRIV_V2 answered when offered");
	/* fuse4fs asks for FUSE_CAP_PARALLEL_DIROPS, but libfuse 3.14 never
	 * puts it in the reply: the kernel serializes lookups and readdirs
	 * of one folder. Whatever grants it changes this expectation. */
	f4_fkt_check(!(f & FUSE_PARALLEL_DIROPS), "INIT: no FUSE_PARALLEL_DIROPS today (libfuse 3.14 drops it)");
	f4_fkt_check(o->time_gran == 1, "INIT: time_gran 1 ns (%u)", o->time_gran);
	f4_fkt_check(o->max_background == 64 && o->congestion_threshold == 48,
		     "INIT: max_background 64, congestion_threshold 48 (%u, %u)",
		     o->max_background, o->congestion_threshold);
}

/* A kernel of 7.31 offering no ACLs nor KILLPRIV v2 gets neither. */
static void session_init_old(const char *img)
{
	struct f4_fk *fk = f4_fkt_start(img, NULL, "init_old.log");
	int ret = f4_fk_init(fk, 7, 31, FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_DO_READDIRPLUS);

	f4_fkt_check(ret == 0, "INIT 7.31: answered (%s)", strerror(-ret));
	f4_fkt_check(!(fk->init_flags & (FUSE_POSIX_ACL | FUSE_HANDLE_KILLPRIV_V2 | FUSE_INIT_EXT)),
		     "INIT 7.31: no POSIX_ACL, KILLPRIV_V2 nor INIT_EXT when not offered (0x%llx)",
		     (unsigned long long)fk->init_flags);
	f4_fkt_check(fk->init_out.max_pages == 0, "INIT 7.31: no max_pages without FUSE_MAX_PAGES (%u)",
		     fk->init_out.max_pages);
	f4_fkt_end(fk, 0, "INIT 7.31 session");
}

/* What it answers to opcodes nobody serves today. */
/* FUSE_STATX, answered by fuse4fs's transport (libfuse 3.14 has no
 * statx): the basic fields and the birth time, as libext2fs has them. */
static void check_statx(struct f4_fk *fk, ext2_filsys fs)
{
	struct { uint32_t getattr_flags, reserved; uint64_t fh; uint32_t sx_flags, sx_mask; }
		statx_in = { .sx_mask = 0x7ff | 0x800 };
	struct iovec v = { &statx_in, sizeof(statx_in) };
	struct ext2_inode_large root;
	struct f4_fk_reply r;
	/* fuse_statx_out: 32 bytes, then struct statx's layout: mask at 0,
	 * mode at 28, ino at 32, btime at 80 (sec) and 88 (nsec). */
	const unsigned char *sx;
	uint32_t mask, nsec;
	int64_t sec;
	int ret = f4_fk_call(fk, F4_FK_STATX, FUSE_ROOT_ID, &v, 1, &r);

	if (!f4_fkt_check(!ret && r.hdr.error == 0 && r.len == 288,
			  "FUSE_STATX answered, 288 bytes (%s, reply %d, %zu bytes)",
			  strerror(-ret), r.hdr.error, r.len)) {
		f4_fk_reply_free(&r);
		return;
	}
	sx = (const unsigned char *)r.data + 32;
	memcpy(&mask, sx, 4);
	memcpy(&sec, sx + 80, 8);
	memcpy(&nsec, sx + 88, 4);
	ext2fs_read_inode_full(fs, EXT2_ROOT_INO, (struct ext2_inode *)&root, sizeof(root));
	f4_fkt_check((mask & 0xfff) == 0xfff, "FUSE_STATX: basic stats and btime in the mask (%#x)",
		     mask);
	f4_fkt_check((uint32_t)sec == root.i_crtime && nsec == root.i_crtime_extra >> 2,
		     "FUSE_STATX: the root's btime is its i_crtime (%lld.%09u)",
		     (long long)sec, nsec);
	f4_fk_reply_free(&r);
}

static void check_unserved(struct f4_fk *fk)
{
	struct f4_fk_reply r;
	int ret = f4_fk_call(fk, 4095, FUSE_ROOT_ID, NULL, 0, &r);

	f4_fkt_check(!ret && r.hdr.error == -ENOSYS && r.len == 0,
		     "opcode 4095: ENOSYS (%s, reply %d)", strerror(-ret), r.hdr.error);
	f4_fk_reply_free(&r);
	ret = f4_fk_call(fk, FUSE_SYNCFS, FUSE_ROOT_ID, &(struct iovec){ &(uint64_t){ 0 }, 8 }, 1, &r);
	f4_fkt_check(!ret && r.hdr.error == 0 && r.len == 0,
		     "FUSE_SYNCFS: answered (%s, reply %d)",
		     strerror(-ret), r.hdr.error);
	f4_fk_reply_free(&r);
	ret = f4_fk_call(fk, FUSE_INIT, 0, &(struct iovec){ &(struct fuse_init_in){ .major = 7, .minor = 38 },
			 sizeof(struct fuse_init_in) }, 1, &r);
	f4_fkt_check(!ret && r.hdr.error == -EIO, "a second INIT: EIO (%s, reply %d)",
		     strerror(-ret), r.hdr.error);
	f4_fk_reply_free(&r);
}

static void session_main(const char *img, const char *seed)
{
	struct f4_fk *fk = f4_fkt_start(img, NULL, "main.log");
	ext2_filsys fs = f4_fkt_fs_open(img);
	struct fuse_attr_out ao;
	int ret;

	ret = f4_fk_getattr(fk, FUSE_ROOT_ID, &ao);
	f4_fkt_check(ret == -EIO, "GETATTR before INIT: EIO (%s)", strerror(-ret));
	ret = f4_fk_init(fk, 7, 38, FK_KERNEL_FLAGS);
	if (!f4_fkt_check(ret == 0, "INIT 7.38 answered (%s)", strerror(-ret)))
		f4_fkt_bail("no INIT");
	check_init_full(fk);
	f4_fkt_note("largest message the socket takes: %zu bytes", fk->max_msg);
	f4_fkb_check_names(fk, fs);
	f4_fkb_check_contents(fk, fs);
	f4_fkb_check_readdir(fk, fs, seed);
	f4_fkb_check_statfs(fk, fs);
	check_statx(fk, fs);
	check_unserved(fk);
	f4_fkb_forget_all(fk);
	ret = f4_fk_getattr(fk, FUSE_ROOT_ID, &ao);
	f4_fkt_check(ret == 0, "after the FORGETs the server still answers (%s)", strerror(-ret));
	ret = f4_fk_destroy(fk);
	f4_fkt_check(ret == 0, "DESTROY answered (%s)", strerror(-ret));
	/* The kernel sends nothing after DESTROY; libfuse 3.14 still serves. */
	ret = f4_fk_getattr(fk, FUSE_ROOT_ID, &ao);
	f4_fkt_check(ret == 0 && ao.attr.ino == EXT2_ROOT_INO,
		     "GETATTR after DESTROY: answered as before today (%s)", strerror(-ret));
	f4_fkt_note("sent: LOOKUP %u, GETATTR %u, READ %u, READDIR %u, READDIRPLUS %u, FORGET %u, other %u; notifications %u",
		    fk->sent[FUSE_LOOKUP], fk->sent[FUSE_GETATTR], fk->sent[FUSE_READ],
		    fk->sent[FUSE_READDIR], fk->sent[FUSE_READDIRPLUS], fk->sent[FUSE_FORGET],
		    fk->sent_other, fk->notify_other + fk->notify[0] + fk->notify[1] +
		    fk->notify[2] + fk->notify[3] + fk->notify[4] + fk->notify[5] + fk->notify[6]);
	f4_fkt_end(fk, 0, "main session");
	ext2fs_close_free(&fs);
	f4_fkt_check(f4_fkt_fsck(img, "fsck_main.log") == 0, "e2fsck -fn clean after the main session");
}

int main(void)
{
	const char *seed, *img;

	f4_fkt_setup("fk_basic");
	seed = strdup(f4_fkt_path("seed"));
	img = strdup(f4_fkt_path("fs.img"));
	if (!seed || !img || f4_fks_build(seed, img))
		f4_fkt_bail("cannot build the seed image");
	f4_fkt_note("server %s, image %s", f4_fk_prog(), img);
	session_main(img, seed);
	session_init_old(img);
	f4_fkr_session(img);
	return f4_fkt_finish();
}
