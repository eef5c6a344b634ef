/* fcreplay IMAGE: replays IMAGE's journal in place with fuse4fs's own
 * engines and nothing else: the jbd2 plan (src/journal/recover.h)
 * written through libext2fs's unix I/O manager, the journal superblock
 * reset, then the fast commits (src/journal/fc.h) and needs_recovery
 * cleared (F4_FC_SKIP set in the environment: no fast commits). For
 * tests/journal/fc_replay.sh, which judges the result by
 * the kernel's own replay. Prints what it did; exit 0, or 1 with the
 * reason (a refused journal: 2). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ext2fs/ext2fs.h>

#include "src/journal/fc.h"
#include "src/journal/recover.h"

struct jfile {
	ext2_filsys fs;
	struct ext2_inode inode;
	ext2_ino_t ino;
};

static int jmap(struct jfile *jf, uint64_t jblk, blk64_t *pblk)
{
	errcode_t err = ext2fs_bmap2(jf->fs, jf->ino, &jf->inode, NULL, 0,
				     jblk, NULL, pblk);

	return err || !*pblk ? -EIO : 0;
}

static int jread(void *ctx, uint64_t jblk, void *buf)
{
	struct jfile *jf = ctx;
	blk64_t p;

	if (jmap(jf, jblk, &p))
		return -EIO;
	return io_channel_read_blk64(jf->fs->io, p, 1, buf) ? -EIO : 0;
}

static int fswrite(void *ctx, uint64_t fsblk, const void *buf)
{
	ext2_filsys fs = ctx;

	return io_channel_write_blk64(fs->io, fsblk, 1, buf) ? -EIO : 0;
}

static int die(const char *what, const char *why)
{
	fprintf(stderr, "fcreplay: %s: %s\n", what, why);
	return 1;
}

/* The jbd2 part: plan, apply, journal superblock. */
static int replay_log(ext2_filsys fs, struct jfile *jf, struct f4_jdev *j,
		      struct f4_jplan *p)
{
	char msg[200] = "";
	uint8_t *buf;
	blk64_t sb;
	int rc;

	rc = f4_jrec_scan(j, ext2fs_blocks_count(fs->super), p, msg,
			  sizeof(msg));
	if (rc)
		return die("jbd2 scan", msg) + 1;
	printf("jbd2: %u transactions, %zu blocks, next tid %u\n",
	       p->transactions, p->n, p->next_seq);
	rc = f4_jrec_apply(j, p, fswrite, fs);
	buf = malloc(fs->blocksize);
	if (!rc && buf)
		rc = f4_jrec_reset_sb(j, p, buf);
	if (!rc && buf)
		rc = jmap(jf, 0, &sb) || fswrite(fs, sb, buf);
	free(buf);
	if (rc || !buf)
		return die("jbd2 apply", "failed");
	return io_channel_flush(fs->io) ? die("flush", "failed") : 0;
}

static int open_fs(const char *img, ext2_filsys *fs)
{
	errcode_t err = ext2fs_open(img, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0,
				    unix_io_manager, fs);

	return err ? die(img, error_message(err)) : 0;
}

static int replay_fc(const char *img, struct f4_jdev *j,
		     const struct f4_jplan *p)
{
	struct f4_fc_stats st;
	struct jfile jf;
	ext2_filsys fs;
	char msg[200] = "";
	int rc;

	if (open_fs(img, &fs))
		return 1;
	jf.fs = fs;
	jf.ino = fs->super->s_journal_inum;
	if (ext2fs_read_inode(fs, jf.ino, &jf.inode))
		return die(img, "cannot read the journal inode");
	j->ctx = &jf;
	memset(&st, 0, sizeof(st));
	/* F4_FC_SKIP: the jbd2 part alone, to show what the fast commits
	 * add. */
	rc = getenv("F4_FC_SKIP") ? 0 :
	     f4_fc_replay(fs, j, p, &st, msg, sizeof(msg));
	printf("fc: rc %d, %u tags, %u commits, %u applied, %u skipped, "
	       "%u inodes, %u blocks mapped (%s)\n", rc, st.tags, st.commits,
	       st.ops_applied, st.ops_skipped, st.inodes, st.blocks_mapped,
	       msg);
	if (rc)
		return rc == -EUCLEAN ? 2 : 1;
	ext2fs_clear_feature_journal_needs_recovery(fs->super);
	ext2fs_mark_super_dirty(fs);
	return ext2fs_close_free(&fs) ? die(img, "close failed") : 0;
}

int main(int argc, char **argv)
{
	struct f4_jplan p;
	struct f4_jdev j;
	struct jfile jf;
	ext2_filsys fs;
	int rc;

	if (argc != 2) {
		fprintf(stderr, "usage: fcreplay IMAGE\n");
		return 1;
	}
	if (open_fs(argv[1], &fs))
		return 1;
	jf.fs = fs;
	jf.ino = fs->super->s_journal_inum;
	if (!jf.ino || ext2fs_read_inode(fs, jf.ino, &jf.inode))
		return die(argv[1], "no journal inode");
	j = (struct f4_jdev){ jread, &jf, fs->blocksize,
			      EXT2_I_SIZE(&jf.inode) / fs->blocksize };
	rc = replay_log(fs, &jf, &j, &p);
	ext2fs_close_free(&fs);	/* nothing of libext2fs's is dirty yet */
	if (!rc)
		rc = replay_fc(argv[1], &j, &p);
	f4_jplan_free(&p);
	return rc;
}
