/* The recovery engine against an independent implementation: journals
 * written by debugfs's own journal writer (jo/jw/jc) into images made by
 * mke2fs, in every checksum variant debugfs writes (none, v1, v2, v3),
 * 1 KiB and 4 KiB blocks, 32- and 64-bit, ext3 and ext4, with the log
 * rotated to wrap past the end of the journal and tids about to wrap.
 * Copy A is replayed by our engine (journal read through libext2fs's
 * block map), copy B by e2fsprogs (debugfs "jr"); then every block of
 * the two images must be identical, journal superblock included, except
 * the filesystem superblock (e2fsprogs also updates its flags and
 * counters there). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <unistd.h>
#include <cmocka.h>

#include "src/journal/jformat.h"
#include "src/journal/recover.h"
#include "testimg.h"

struct cfg {
	const char *name;
	const char *mkfs;	/* mke2fs options */
	const char *jo;		/* debugfs journal_open command */
	unsigned bs;
	bool rotate;		/* move the log to wrap past the end */
	uint32_t seq;		/* s_sequence to start from, 0: keep */
};

static const struct cfg cfgs[] = {
	{ "ext4 4k, csum v3, 64bit", "-t ext4 -b 4096 -O 64bit,metadata_csum",
	  "jo -c", 4096, false, 0 },
	{ "ext4 4k, csum v2, wrapped log", "-t ext4 -b 4096", "jo -c -v 2",
	  4096, true, 0 },
	{ "ext4 1k, csum v3, ^64bit, tid wrap", "-t ext4 -b 1024 -O ^64bit",
	  "jo -c", 1024, false, 0xfffffffeu },
	{ "ext4 1k, checksum v1, ^metadata_csum ^64bit, wrapped",
	  "-t ext4 -b 1024 -O ^metadata_csum,^64bit", "jo -c", 1024, true,
	  0 },
	{ "ext4 4k, no checksums, 64bit, tid wrap",
	  "-t ext4 -b 4096 -O ^metadata_csum,64bit", "jo", 4096, false,
	  0xfffffffdu },
	{ "ext3 1k, no checksums, wrapped", "-t ext3 -b 1024", "jo", 1024,
	  true, 0 },
	{ "ext3 4k, checksum v1", "-t ext3 -b 4096", "jo -c", 4096, false, 0 },
};

struct jfile {
	ext2_filsys fs;
	ext2_ino_t ino;
};

static int jf_read(void *ctx, uint64_t jblk, void *buf)
{
	struct jfile *jf = ctx;
	blk64_t pblk = 0;
	errcode_t err;

	err = ext2fs_bmap2(jf->fs, jf->ino, NULL, NULL, 0, jblk, NULL, &pblk);
	if (err || !pblk)
		return -EIO;
	err = io_channel_read_blk64(jf->fs->io, pblk, 1, buf);
	return err ? -EIO : 0;
}

static uint64_t jphys(struct jfile *jf, uint64_t jblk)
{
	blk64_t pblk = 0;

	assert_int_equal(ext2fs_bmap2(jf->fs, jf->ino, NULL, NULL, 0, jblk,
				      NULL, &pblk), 0);
	return pblk;
}

static struct f4_jdev jf_open(struct jfile *jf, const char *img)
{
	struct ext2_inode inode;
	struct f4_jdev d;

	jf->fs = f4t_open(img, false);
	jf->ino = jf->fs->super->s_journal_inum;
	assert_int_equal(ext2fs_read_inode(jf->fs, jf->ino, &inode), 0);
	d.read = jf_read;
	d.ctx = jf;
	d.blocksize = jf->fs->blocksize;
	d.nblocks = EXT2_I_SIZE(&inode) / jf->fs->blocksize;
	return d;
}

static void rw_block(const char *img, uint64_t blk, unsigned bs, void *buf,
		     bool write)
{
	int fd = open(img, write ? O_WRONLY : O_RDONLY);
	ssize_t n;

	assert_true(fd >= 0);
	n = write ? pwrite(fd, buf, bs, (off_t)(blk * bs)) :
		    pread(fd, buf, bs, (off_t)(blk * bs));
	assert_int_equal(n, (ssize_t)bs);
	close(fd);
}

static void fix_jsb_csum(uint8_t *sb)
{
	uint32_t inc = f4_jget32(sb + F4_JSB_INCOMPAT);

	if (!(inc & (F4_JF_INCOMPAT_CSUM_V2 | F4_JF_INCOMPAT_CSUM_V3)))
		return;
	f4_jput32(sb + F4_JSB_CHECKSUM, 0);
	f4_jput32(sb + F4_JSB_CHECKSUM, ext2fs_crc32c_le(~0u, sb, F4_JSB_SIZE));
}

/* Set s_sequence of the empty journal debugfs will write into. */
static void set_sequence(const char *img, uint32_t seq)
{
	struct jfile jf;
	struct f4_jdev d = jf_open(&jf, img);
	uint8_t *b = malloc(d.blocksize);
	uint64_t p = jphys(&jf, 0);

	rw_block(img, p, d.blocksize, b, false);
	f4_jput32(b + F4_JSB_SEQUENCE, seq);
	fix_jsb_csum(b);
	rw_block(img, p, d.blocksize, b, true);
	free(b);
	f4t_close(jf.fs);
}

/* Rotate the whole log area so that s_start lands 3 blocks before its
 * end: the same journal, wrapping. Contents do not depend on position. */
static void rotate_log(const char *img)
{
	struct jfile jf;
	struct f4_jdev d = jf_open(&jf, img);
	uint8_t *sb = malloc(d.blocksize), *all;
	uint32_t first, last, ring, k, i;

	rw_block(img, jphys(&jf, 0), d.blocksize, sb, false);
	first = f4_jget32(sb + F4_JSB_FIRST);
	last = f4_jget32(sb + F4_JSB_MAXLEN);
	ring = last - first;
	k = ring - 3;
	all = malloc((size_t)ring * d.blocksize);
	assert_non_null(all);
	for (i = 0; i < ring; i++)
		assert_int_equal(jf_read(&jf, first + i,
					 all + (size_t)i * d.blocksize), 0);
	for (i = 0; i < ring; i++)
		rw_block(img, jphys(&jf, first + (i + k) % ring), d.blocksize,
			 all + (size_t)i * d.blocksize, true);
	f4_jput32(sb + F4_JSB_START,
		  first + (f4_jget32(sb + F4_JSB_START) - first + k) % ring);
	fix_jsb_csum(sb);
	rw_block(img, jphys(&jf, 0), d.blocksize, sb, true);
	free(all);
	free(sb);
	f4t_close(jf.fs);
}

/* Data for debugfs to log: 16 blocks, two of them beginning with the
 * journal magic so that they must be escaped. */
static void write_data(const char *path, unsigned bs, unsigned salt)
{
	uint8_t *d = malloc(16 * bs);
	unsigned i;

	for (i = 0; i < 16 * bs; i++)
		d[i] = (uint8_t)(i * 13 + salt + i / bs);
	f4_jput32(d + 2 * bs, F4_JMAGIC);
	f4_jput32(d + 5 * bs, F4_JMAGIC);
	f4t_write_host_file(path, d, 16 * bs);
	free(d);
}

static void make_journal(const struct cfg *c, const char *dir,
			 const char *img)
{
	unsigned b = c->bs == 1024 ? 20000 : 9000;

	f4t_must_sh(1, "mke2fs -q -F %s '%s' 64M", c->mkfs, img);
	if (c->seq)
		set_sequence(img, c->seq);
	write_data(f4t_join(dir, "d1"), c->bs, 1);
	write_data(f4t_join(dir, "d2"), c->bs, 2);
	/* debugfs leaves a transaction with both -b and -r uncommitted:
	 * it comes last, as the torn tail of the log. */
	f4t_must_sh(1, "cd '%s' && printf '%%s\\n' '%s' "
		    "'jw -b %u-%u d1' 'jw -r %u,%u' 'jw -b %u,%u,%u d2' "
		    "'jw -b %u,%u d2' 'jw -b %u -r %u d1' 'jc' > cmds && "
		    "debugfs -w -f cmds '%s'",
		    dir, c->jo, b, b + 7, b + 1, b + 3, b + 3, b + 8, b + 9,
		    b, b + 5, b + 20, b + 20, img);
	if (c->rotate)
		rotate_log(img);
}

struct wctx {
	const char *img;
	unsigned bs;
};

static int img_write(void *ctx, uint64_t fsblk, const void *buf)
{
	struct wctx *w = ctx;

	rw_block(w->img, fsblk, w->bs, (void *)buf, true);
	return 0;
}

/* Replay copy A with the engine. */
static void replay_ours(const char *img, struct f4_jplan *p)
{
	struct jfile jf;
	struct f4_jdev d = jf_open(&jf, img);
	struct wctx w = { img, d.blocksize };
	uint8_t *sb = malloc(d.blocksize);
	char msg[200];
	int rc;

	rc = f4_jrec_scan(&d, ext2fs_blocks_count(jf.fs->super), p, msg,
			  sizeof(msg));
	if (rc)
		print_error("scan: %s\n", msg);
	assert_int_equal(rc, 0);
	assert_true(p->needs_replay);
	assert_false(p->failed);
	assert_int_equal(f4_jrec_apply(&d, p, img_write, &w), 0);
	assert_int_equal(f4_jrec_reset_sb(&d, p, sb), 0);
	rw_block(img, jphys(&jf, 0), d.blocksize, sb, true);
	free(sb);
	f4t_close(jf.fs);
}

/* Every block equal but the filesystem superblock's; returns how many
 * differ from the original image. */
static unsigned compare(const char *orig, const char *a, const char *b,
			unsigned bs)
{
	uint8_t *o = malloc(bs), *x = malloc(bs), *y = malloc(bs);
	uint64_t blk, n = 64ull * 1024 * 1024 / bs, sbblk = bs == 1024;
	unsigned changed = 0;

	for (blk = 0; blk < n; blk++) {
		rw_block(orig, blk, bs, o, false);
		rw_block(a, blk, bs, x, false);
		rw_block(b, blk, bs, y, false);
		if (blk == sbblk)
			continue;
		if (memcmp(x, y, bs))
			print_error("block %llu differs\n",
				    (unsigned long long)blk);
		assert_memory_equal(x, y, bs);
		changed += memcmp(o, y, bs) != 0;
	}
	free(o);
	free(x);
	free(y);
	return changed;
}

/* e2fsprogs records a corrupt transaction as a filesystem error. */
static bool fs_error(const char *img)
{
	ext2_filsys fs = f4t_open(img, false);
	bool e = fs->super->s_state & EXT2_ERROR_FS;

	f4t_close(fs);
	return e;
}

static void test_against_e2fsprogs(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(cfgs) / sizeof(cfgs[0]); i++) {
		const struct cfg *c = &cfgs[i];
		char *dir = f4t_mkdtemp("jrec");
		char *img = f4t_join(dir, "img"), *a = f4t_join(dir, "a");
		char *b = f4t_join(dir, "b");
		struct f4_jplan p;
		unsigned changed;

		print_message("%s\n", c->name);
		make_journal(c, dir, img);
		f4t_must_sh(1, "cp '%s' '%s' && cp '%s' '%s'", img, a, img, b);
		replay_ours(a, &p);
		f4t_must_sh(1, "debugfs -w -R jr '%s'", b);
		changed = compare(img, a, b, c->bs);
		print_message("  %u transactions from %u, %zu blocks, %u "
			      "revoked copies, %u blocks changed, error %d\n",
			      p.transactions, p.first_seq, p.n, p.revoke_hits,
			      changed, p.mark_error);
		assert_true(p.n > 0);
		assert_int_equal(p.mark_error, fs_error(b));
		if (!p.mark_error)
			assert_true(p.revoke_hits > 0);
		assert_true(changed >= p.n);
		f4_jplan_free(&p);
		free(img);
		free(a);
		free(b);
		f4t_rmtree(dir);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_against_e2fsprogs),
	};

	if (!f4t_have_e2fsprogs())
		return F4T_SKIP;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
