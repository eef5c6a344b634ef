/* Owns journal recovery at mount (see replay.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <et/com_err.h>

#include "iomap/mapping.h"
#include "src/io/chan.h"
#include "src/io/overlay.h"
#include "src/journal/fc.h"
#include "src/journal/jformat.h"
#include "src/journal/jmap.h"
#include "src/journal/recover.h"
#include "src/journal/replay.h"

/* Journal blocks are read in windows of this many: a scan walks the log
 * in order, and one read per block costs more than the replay itself. */
#define F4_JWINDOW_BLOCKS 256

/* The journal inode's blocks, as device byte ranges in journal order,
 * and a window of the journal read ahead. */
struct jsource {
	struct f4_dev *dev;
	uint32_t bsize;
	unsigned inode_size;	/* for the fast-commit checks */
	struct f4_jmap map;
	uint8_t *win;		/* F4_JWINDOW_BLOCKS blocks, or NULL */
	uint64_t win_first;	/* journal block in win[0] */
	unsigned win_count;	/* blocks held */
	/* The filesystem's size in blocks before the replay, and the bound
	 * on targets (fs_limit). */
	uint64_t fs_blocks, limit;
};

/* Device offset of journal block jblk (the map has no holes). */
static uint64_t jblk_addr(const struct jsource *s, uint64_t jblk)
{
	return f4_jmap_addr(&s->map, jblk);
}

/* Fill the window from jblk on: as many blocks as are contiguous on
 * the device (one record), up to the window's size. */
static int fill_window(struct jsource *s, uint64_t jblk)
{
	uint64_t left = f4_jmap_run(&s->map, jblk);
	unsigned count = left < F4_JWINDOW_BLOCKS ? (unsigned)left : F4_JWINDOW_BLOCKS;
	int ret;

	s->win_count = 0;
	ret = f4_dev_pread_base(s->dev, s->win, (size_t)count * s->bsize,
				jblk_addr(s, jblk));
	if (!ret) {
		s->win_first = jblk;
		s->win_count = count;
	}
	return ret;
}

static int jsource_read(void *ctx, uint64_t jblk, void *buf)
{
	struct jsource *s = ctx;
	int ret;

	if (!s->win)
		return f4_dev_pread_base(s->dev, buf, s->bsize, jblk_addr(s, jblk));
	if (jblk < s->win_first || jblk - s->win_first >= s->win_count) {
		ret = fill_window(s, jblk);
		if (ret)
			return ret;
	}
	memcpy(buf, s->win + (jblk - s->win_first) * s->bsize, s->bsize);
	return 0;
}

/* A replay target the mount forbids: past the filesystem (fs_limit), or
 * inside the journal itself. */
static bool forbidden(void *ctx, uint64_t fsblk)
{
	const struct jsource *s = ctx;

	return fsblk >= s->limit || f4_jmap_holds(&s->map, fsblk * s->bsize);
}

/* libext2fs, read-only through our io manager, only to find the journal. */
static int find_journal(struct f4_dev *dev, struct jsource *s, char *msg,
			size_t len)
{
	ext2_filsys fs = NULL;
	char name[96];
	errcode_t err;
	int ret;

	f4_chan_name(dev, 4u << 20, name, sizeof(name));
	err = ext2fs_open2(name, NULL, EXT2_FLAG_64BITS | EXT2_FLAG_SKIP_MMP,
			   0, 0, f4_chan_manager(), &fs);
	if (err) {
		snprintf(msg, len, "cannot open the filesystem to find its journal: %s",
			 error_message(err));
		return -EUCLEAN;
	}
	s->bsize = fs->blocksize;
	s->inode_size = EXT2_INODE_SIZE(fs->super);
	s->fs_blocks = ext2fs_blocks_count(fs->super);
	if (fs->super->s_journal_dev || !fs->super->s_journal_inum) {
		snprintf(msg, len, "the journal is on an external device, which fuse4fs cannot replay");
		ret = -EOPNOTSUPP;
	} else {
		ret = f4_jmap_build(fs, dev, &s->map, msg, len);
	}
	ext2fs_close_free(&fs);
	return ret;
}

/* The fast commits, applied through libext2fs on the replayed image (or
 * on the overlay, which then takes libext2fs's writes into memory). */
static int replay_fast_commits(struct jsource *s, const struct f4_jdev *jd,
			       const struct f4_jplan *p,
			       struct f4_replay_result *res, char *msg,
			       size_t len)
{
	struct f4_fc_stats st = { 0 };
	ext2_filsys fs = NULL;
	char name[96];
	errcode_t err;
	int ret;

	f4_chan_name(s->dev, 8u << 20, name, sizeof(name));
	err = ext2fs_open2(name, NULL, EXT2_FLAG_64BITS | EXT2_FLAG_SKIP_MMP |
			   EXT2_FLAG_RW, 0, 0, f4_chan_manager(), &fs);
	if (err) {
		snprintf(msg, len, "cannot open the replayed filesystem for its fast commits: %s",
			 error_message(err));
		return -EUCLEAN;
	}
	fs->flags |= EXT2_FLAG_MASTER_SB_ONLY;
	ret = f4_fc_replay(fs, jd, p, &st, msg, len);
	err = ext2fs_close_free(&fs);
	if (!ret && err) {
		snprintf(msg, len, "cannot write the fast commits' changes: %s",
			 error_message(err));
		ret = -EIO;
	}
	res->fast_commits = st.commits;
	return ret;
}

/* How far a replay may write: the filesystem's blocks, or those of the
 * superblock the replay writes when it is bigger (a journaled online
 * resize). The device may go on past the filesystem (offset= into a
 * larger file, a partition table's next partition): a target there is
 * a corrupt tag, not a block of ours. The engine already bounded every
 * target by the device. */
static int fs_limit(struct jsource *s, const struct f4_jdev *jd,
		    const struct f4_jplan *p)
{
	uint32_t sbblk = s->bsize == 1024 ? 1 : 0;
	const struct f4_jplan_entry *e = f4_jplan_find(p, sbblk);
	const struct ext2_super_block *sb;
	uint8_t *buf;
	uint64_t n;
	int ret;

	s->limit = s->fs_blocks;
	if (!e)
		return 0;
	buf = malloc(s->bsize);
	if (!buf)
		return -ENOMEM;
	ret = f4_jrec_read_block(jd, e, buf);
	sb = (const void *)(buf + (sbblk ? 0 : SUPERBLOCK_OFFSET));
	if (!ret && ext2fs_le16_to_cpu(sb->s_magic) == EXT2_SUPER_MAGIC) {
		n = ext2fs_le32_to_cpu(sb->s_blocks_count);
		if (ext2fs_le32_to_cpu(sb->s_feature_incompat) &
		    EXT4_FEATURE_INCOMPAT_64BIT)
			n |= (uint64_t)ext2fs_le32_to_cpu(sb->s_blocks_count_hi) << 32;
		if (n > s->limit)
			s->limit = n;
	}
	free(buf);
	return ret;
}

static int write_home(void *ctx, uint64_t fsblk, const void *buf)
{
	const struct jsource *s = ctx;

	return f4_dev_pwrite(s->dev, buf, s->bsize, fsblk * s->bsize);
}

/* Read-write: the plan onto the image, durable, then the fast commits,
 * then the journal emptied and that durable too (a crash in between
 * replays again: the log still holds everything). */
static int replay_onto_image(struct jsource *s, const struct f4_jdev *jd,
			     const struct f4_jplan *p, bool fc,
			     struct f4_replay_result *res, char *msg,
			     size_t len)
{
	uint8_t *jsb = malloc(s->bsize);
	int ret = jsb ? f4_jrec_apply(jd, p, write_home, s) : -ENOMEM;

	if (!ret)
		ret = f4_dev_sync(s->dev);
	if (!ret && fc)
		ret = replay_fast_commits(s, jd, p, res, msg, len);
	if (!ret)
		ret = f4_jrec_reset_sb(jd, p, jsb);
	if (!ret)
		ret = f4_dev_pwrite(s->dev, jsb, s->bsize, jblk_addr(s, 0));
	if (!ret)
		ret = f4_dev_sync(s->dev);
	free(jsb);
	return ret;
}

/* Read-only: every planned block a reference to its journal copy. */
static int replay_in_memory(struct jsource *s, const struct f4_jplan *p,
			    struct f4_replay_result *res)
{
	static const uint8_t magic[4] = {
		F4_JMAGIC >> 24, (F4_JMAGIC >> 16) & 0xff,
		(F4_JMAGIC >> 8) & 0xff, F4_JMAGIC & 0xff,
	};
	struct f4_overlay *o;
	size_t i;
	int ret = f4_overlay_create(s->bsize, f4_dev_pread_base, s->dev, &o);

	for (i = 0; !ret && i < p->n; i++)
		ret = f4_overlay_map(o, p->v[i].fsblk, jblk_addr(s, p->v[i].jblk),
				     p->v[i].escaped, magic);
	if (ret) {
		f4_overlay_destroy(o);
		return ret;
	}
	s->dev->ovl = o;
	res->in_memory = true;
	res->overlay_bytes = f4_overlay_bytes(o);
	return 0;
}

/* Does the fast-commit area hold commits that follow the log (a head
 * tag, 0x9, naming the tid after the last full commit)? Only then is
 * libext2fs opened to replay them. */
static int fast_commits_pending(const struct f4_jdev *jd,
				const struct f4_jplan *p, bool *pending)
{
	uint8_t *b;
	int ret;

	*pending = false;
	if (!p->fc_count || !p->needs_replay)
		return 0;
	b = malloc(jd->blocksize);
	if (!b)
		return -ENOMEM;
	ret = jd->read(jd->ctx, p->fc_first, b);
	if (!ret)
		*pending = (b[0] | b[1] << 8) == 0x9 &&
			   (uint32_t)(b[8] | b[9] << 8 | b[10] << 16 |
				      (uint32_t)b[11] << 24) == p->next_seq;
	free(b);
	return ret;
}

static int run(struct jsource *s, struct f4_replay_result *res, char *msg,
	       size_t len)
{
	struct f4_jdev jd = {
		.read = jsource_read, .ctx = s, .blocksize = s->bsize,
		.nblocks = s->map.nblocks,
	};
	struct f4_jplan p;
	bool fc = false;
	int ret;

	memset(&p, 0, sizeof(p));
	ret = f4_jrec_scan(&jd, s->dev->size / s->bsize, &p, msg, len);
	if (!ret)
		ret = fs_limit(s, &jd, &p);
	if (!ret)
		ret = f4_jplan_check_targets(&p, forbidden, s, msg, len);
	if (!ret && p.failed) {
		snprintf(msg, len, "journal recovery failed: %s", p.reason);
		ret = -EUCLEAN;
	}
	if (!ret)
		ret = fast_commits_pending(&jd, &p, &fc);
	/* A fast-commit area the kernel would refuse fails the recovery
	 * as a whole: find out before anything is written. */
	if (!ret && fc)
		ret = f4_fc_check(&jd, &p, s->inode_size, msg, len);
	if (!ret && p.needs_replay && s->dev->rw)
		ret = replay_onto_image(s, &jd, &p, fc, res, msg, len);
	else if (!ret && p.needs_replay)
		ret = replay_in_memory(s, &p, res);
	if (!ret && fc && !s->dev->rw) {
		f4_overlay_take_writes(s->dev->ovl);
		ret = replay_fast_commits(s, &jd, &p, res, msg, len);
		res->overlay_bytes = f4_overlay_bytes(s->dev->ovl);
	}
	if (!ret) {
		res->transactions = p.transactions;
		res->blocks = p.n;
		res->mark_error = p.mark_error;
		snprintf(res->note, sizeof(res->note), "%s", p.reason);
	}
	f4_jplan_free(&p);
	return ret;
}

int f4_journal_replay(struct f4_dev *dev, struct f4_replay_result *res,
		      char *msg, size_t msglen)
{
	struct jsource s = { .dev = dev };
	int ret;

	memset(res, 0, sizeof(*res));
	ret = find_journal(dev, &s, msg, msglen);
	if (!ret) {
		/* Without memory for the window, one read per block. */
		s.win = malloc((size_t)F4_JWINDOW_BLOCKS * s.bsize);
		ret = run(&s, res, msg, msglen);
	}
	free(s.win);
	f4_jmap_free(&s.map);
	return ret;
}
