/* Owns fk_basic's read-write session (see fk_basic.h): files made and
 * written through the fake kernel must be in the image, byte for byte,
 * once the server has exited, and the image must pass e2fsck; a change
 * FUSE_SYNCFS made durable survives a crash, one it did not does not. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "fk_basic.h"
#include "fk_seed.h"

#define A_LEN 10000u		/* first write at 0 */
#define B_OFF 20000u		/* second write here, a hole before it */
#define B_LEN 5000u
#define MADE "made through the fake kernel\n"

static unsigned char new_byte(uint64_t off)
{
	return f4_fks_byte(off) ^ 0x5a;
}

static void write_new(struct f4_fk *fk, const unsigned char *buf)
{
	struct fuse_entry_out e;
	struct fuse_attr_out ao;
	uint32_t done = 0;
	uint64_t fh;
	int ret = f4_fk_create(fk, FUSE_ROOT_ID, "new.txt", O_WRONLY | O_CREAT, S_IFREG | 0640,
			       &e, &fh);

	if (!f4_fkt_check(ret == 0 && e.nodeid && e.attr.size == 0,
			  "CREATE new.txt (%s)", strerror(-ret)))
		return;
	ret = f4_fk_write(fk, e.nodeid, fh, 0, buf, A_LEN, &done);
	f4_fkt_check(ret == 0 && done == A_LEN, "WRITE %u bytes at 0 (%s, %u)", A_LEN,
		     strerror(-ret), done);
	ret = f4_fk_write(fk, e.nodeid, fh, B_OFF, buf + B_OFF, B_LEN, &done);
	f4_fkt_check(ret == 0 && done == B_LEN, "WRITE %u bytes at %u (%s, %u)", B_LEN, B_OFF,
		     strerror(-ret), done);
	ret = f4_fk_getattr(fk, e.nodeid, &ao);
	f4_fkt_check(ret == 0 && ao.attr.size == B_OFF + B_LEN, "GETATTR new.txt: size %u (%llu)",
		     B_OFF + B_LEN, (unsigned long long)ao.attr.size);
	ret = f4_fk_fsync(fk, e.nodeid, fh, 0);
	f4_fkt_check(ret == 0, "FSYNC new.txt (%s)", strerror(-ret));
	ret = f4_fk_release(fk, e.nodeid, fh, O_WRONLY);
	f4_fkt_check(ret == 0, "RELEASE new.txt (%s)", strerror(-ret));
	ret = f4_fk_create(fk, FUSE_ROOT_ID, "new.txt", O_WRONLY | O_CREAT | O_EXCL,
			   S_IFREG | 0640, &e, &fh);
	f4_fkt_check(ret == -EEXIST, "CREATE of an existing name with O_EXCL: EEXIST (%s)",
		     strerror(-ret));
}

static void write_made(struct f4_fk *fk)
{
	struct fuse_entry_out sub, e;
	uint32_t done = 0;
	uint64_t fh;
	int ret = f4_fk_lookup(fk, FUSE_ROOT_ID, "sub", &sub);

	if (!f4_fkt_check(ret == 0, "LOOKUP sub (%s)", strerror(-ret)))
		return;
	ret = f4_fk_create(fk, sub.nodeid, "made", O_RDWR | O_CREAT, S_IFREG | 0600, &e, &fh);
	if (!f4_fkt_check(ret == 0, "CREATE sub/made (%s)", strerror(-ret)))
		return;
	ret = f4_fk_write(fk, e.nodeid, fh, 0, MADE, strlen(MADE), &done);
	f4_fkt_check(ret == 0 && done == strlen(MADE), "WRITE sub/made (%s)", strerror(-ret));
	ret = f4_fk_fsync(fk, e.nodeid, fh, 1);
	f4_fkt_check(ret == 0, "FSYNC (datasync) sub/made (%s)", strerror(-ret));
	ret = f4_fk_release(fk, e.nodeid, fh, O_RDWR);
	f4_fkt_check(ret == 0, "RELEASE sub/made (%s)", strerror(-ret));
}

#define SYNCED "made durable by FUSE_SYNCFS\n"

/* What a crash now would leave: a copy of IMG, its journal replayed
 * (e2fsck -fy), then clean; 1 when NAME is there holding SYNCED. */
static int survives_crash(const char *img, const char *name)
{
	char *const cp[] = { "cp", "--sparse=always", (char *)img,
			     (char *)f4_fkt_path("crash.img"), NULL };
	char *const fix[] = { "e2fsck", "-fy", (char *)f4_fkt_path("crash.img"), NULL };
	char got[64] = "";
	ext2_filsys fs;
	long n;

	if (f4_fkt_run(cp, "crash_cp.log") != 0 || f4_fkt_run(fix, "crash_fix.log") > 1)
		f4_fkt_bail("cannot copy and replay the image");
	f4_fkt_check(f4_fkt_fsck(f4_fkt_path("crash.img"), "crash_fsck.log") == 0,
		     "the image as a crash would leave it: consistent after replay");
	fs = f4_fkt_fs_open(f4_fkt_path("crash.img"));
	n = f4_fkt_file_read(fs, name, 0, got, sizeof(got) - 1);
	ext2fs_close_free(&fs);
	return n == (long)strlen(SYNCED) && !memcmp(got, SYNCED, strlen(SYNCED));
}

/* FUSE_SYNCFS (sync(2) on kernels that send it to FUSE servers) makes a
 * change no fsync covered durable: before it, a crash loses the file
 * (commit=3600: no timer commits); after it, the file is there. */
static void check_syncfs(struct f4_fk *fk, const char *img)
{
	struct fuse_entry_out e;
	struct f4_fk_reply r;
	uint32_t done = 0;
	uint64_t fh;
	int ret = f4_fk_create(fk, FUSE_ROOT_ID, "synced.txt", O_WRONLY | O_CREAT,
			       S_IFREG | 0644, &e, &fh);

	if (!f4_fkt_check(ret == 0, "CREATE synced.txt (%s)", strerror(-ret)))
		return;
	ret = f4_fk_write(fk, e.nodeid, fh, 0, SYNCED, strlen(SYNCED), &done);
	f4_fkt_check(ret == 0 && done == strlen(SYNCED), "WRITE synced.txt (%s)", strerror(-ret));
	f4_fk_release(fk, e.nodeid, fh, O_WRONLY);
	f4_fkt_check(!survives_crash(img, "synced.txt"),
		     "before FUSE_SYNCFS, a crash loses synced.txt (nothing committed it)");
	ret = f4_fk_call(fk, FUSE_SYNCFS, FUSE_ROOT_ID, &(struct iovec){ &(uint64_t){ 0 }, 8 },
			 1, &r);
	f4_fkt_check(!ret && r.hdr.error == 0, "FUSE_SYNCFS answered (%s, reply %d)",
		     strerror(-ret), r.hdr.error);
	f4_fk_reply_free(&r);
	f4_fkt_check(survives_crash(img, "synced.txt"),
		     "after FUSE_SYNCFS, a crash keeps synced.txt and its bytes");
}

/* After the server exited: what libext2fs reads is what was written. */
static void read_back(const char *img, const unsigned char *buf)
{
	ext2_filsys fs = f4_fkt_fs_open(img);
	unsigned char got[B_OFF + B_LEN + 100];
	struct ext2_inode_large in;
	ext2_ino_t ino;
	long n;

	n = f4_fkt_namei(fs, "new.txt", &ino, &in);
	f4_fkt_check(n == 0 && EXT2_I_SIZE((struct ext2_inode *)&in) == B_OFF + B_LEN &&
		     in.i_mode == (S_IFREG | 0640),
		     "libext2fs: new.txt is there, size %u, mode 0100640 (0%o)", B_OFF + B_LEN,
		     n == 0 ? in.i_mode : 0);
	n = f4_fkt_file_read(fs, "new.txt", 0, got, sizeof(got));
	f4_fkt_check(n == B_OFF + B_LEN && !memcmp(got, buf, B_OFF + B_LEN),
		     "libext2fs: new.txt holds the written bytes and a zero hole (%ld bytes)", n);
	n = f4_fkt_file_read(fs, "sub/made", 0, got, sizeof(got));
	f4_fkt_check(n == (long)strlen(MADE) && !memcmp(got, MADE, strlen(MADE)),
		     "libext2fs: sub/made holds the written bytes (%ld bytes)", n);
	ext2fs_close_free(&fs);
}

void f4_fkr_session(const char *img)
{
	unsigned char *buf = calloc(1, B_OFF + B_LEN);
	static const char *const args[] = { "-o", "commit=3600", NULL };
	struct f4_fk *fk = f4_fkt_start(img, args, "rw.log");
	int ret;

	if (!buf)
		f4_fkt_bail("out of memory");
	for (unsigned i = 0; i < A_LEN; i++)
		buf[i] = new_byte(i);
	for (unsigned i = B_OFF; i < B_OFF + B_LEN; i++)
		buf[i] = new_byte(i);
	fk->uid = (uint32_t)geteuid();
	fk->gid = (uint32_t)getegid();
	ret = f4_fk_init(fk, 7, 38, FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_DONT_MASK |
			 FUSE_POSIX_ACL | FUSE_MAX_PAGES | FUSE_INIT_EXT);
	if (f4_fkt_check(ret == 0, "rw: INIT answered (%s)", strerror(-ret))) {
		write_new(fk, buf);
		write_made(fk);
		check_syncfs(fk, img);
	}
	f4_fkt_end(fk, 0, "rw session");
	f4_fkt_check(f4_fkt_fsck(img, "fsck_rw.log") == 0, "e2fsck -fn clean after the rw session");
	read_back(img, buf);
	free(buf);
}
