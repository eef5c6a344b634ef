/* fk_teardown: the fake kernel closes its end mid-session, as a
 * connection abort does (no DESTROY): with files open, with an unlinked
 * file still open, with a request whose reply nobody reads, before INIT.
 * Each time the server must exit 0, leave no process behind, and leave
 * an image that e2fsck -fn passes. Exit 0 / 1 / 77. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fk_seed.h"
#include "fk_test.h"

#define INIT_FLAGS (FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_DONT_MASK | \
		    FUSE_MAX_PAGES | FUSE_INIT_EXT)

static struct f4_fk *started(const char *img, const char *label)
{
	struct f4_fk *fk = f4_fkt_start(img, NULL, label);
	int ret = f4_fk_init(fk, 7, 38, INIT_FLAGS);

	if (!f4_fkt_check(ret == 0, "%s: INIT answered (%s)", label, strerror(-ret)))
		f4_fkt_bail("no INIT");
	return fk;
}

/* CREATE NAME in the root and WRITE LEN bytes; the handle stays open. */
static int made(struct f4_fk *fk, const char *name, size_t len, uint64_t *node)
{
	static unsigned char buf[1 << 16];
	struct fuse_entry_out e;
	uint32_t done;
	uint64_t fh;
	int ret = f4_fk_create(fk, FUSE_ROOT_ID, name, O_RDWR | O_CREAT, S_IFREG | 0644, &e, &fh);

	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = f4_fks_byte(i);
	if (!ret)
		ret = f4_fk_write(fk, e.nodeid, fh, 0, buf, (uint32_t)len, &done);
	*node = e.nodeid;
	return ret;
}

static void after(const char *img, struct f4_fk *fk, const char *label)
{
	char fsck[64];

	f4_fkt_end(fk, 1, label);
	strcpy(fsck, label);
	strcat(fsck, ".fsck");
	f4_fkt_check(f4_fkt_fsck(img, fsck) == 0, "%s: e2fsck -fn clean", label);
}

static void abort_open_files(const char *img)
{
	struct f4_fk *fk = started(img, "open-files");
	uint64_t kept, gone;
	int ret;

	ret = made(fk, "kept", 50000, &kept);
	f4_fkt_check(ret == 0, "open-files: CREATE+WRITE kept, left open (%s)", strerror(-ret));
	ret = made(fk, "gone", 20000, &gone);
	if (!ret)
		ret = f4_fk_call_fixed(fk, FUSE_UNLINK, FUSE_ROOT_ID, "gone", 5, NULL, 0);
	f4_fkt_check(ret == 0, "open-files: gone written and unlinked while open (%s)",
		     strerror(-ret));
	after(img, fk, "open-files");
}

static void abort_in_flight(const char *img)
{
	struct f4_fk *fk = started(img, "in-flight");
	static unsigned char big[256 << 10];	/* fits an ordinary user's buffers */
	struct fuse_write_in in = { .size = sizeof(big) };
	struct fuse_entry_out e;
	struct iovec v[2] = { { &in, sizeof(in) }, { big, sizeof(big) } };
	int ret = f4_fk_create(fk, FUSE_ROOT_ID, "inflight", O_RDWR | O_CREAT, S_IFREG | 0644,
			       &e, &in.fh);

	if (!ret)
		ret = f4_fk_send(fk, FUSE_WRITE, e.nodeid, v, 2, NULL);
	f4_fkt_check(ret == 0, "in-flight: a 256 KiB WRITE sent, its reply never read (%s)",
		     strerror(-ret));
	after(img, fk, "in-flight");
}

int main(void)
{
	const char *seed, *img;
	struct f4_fk *fk;

	f4_fkt_setup("fk_teardown");
	seed = strdup(f4_fkt_path("seed"));
	img = strdup(f4_fkt_path("fs.img"));
	if (!seed || !img || f4_fks_build(seed, img))
		f4_fkt_bail("cannot build the seed image");
	abort_open_files(img);
	abort_in_flight(img);
	fk = f4_fkt_start(img, NULL, "before-init");
	after(img, fk, "before-init");
	return f4_fkt_finish();
}
