/* Owns mounting and unmounting: opening the image and libext2fs through
 * our io manager, the checks of a mount, and starting and stopping its
 * background threads. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <et/com_err.h>

#include "compat/kmount.h"
#include "src/base/log.h"
#include "src/fs/errors.h"
#include "src/fs/sysmap.h"
#include "src/inode/icache.h"
#include "src/io/chan.h"
#include "src/journal/replay.h"
#include "src/journal/txn.h"
#include "src/mount/flusher.h"
#include "src/mount/loader.h"
#include "src/mount/mmp.h"
#include "src/mount/mount.h"
#include "src/mount/super.h"
#include "src/ns/orphan.h"

/* Freed blocks may come back as file data written around the metadata
 * cache: drop them from it (unwritten, so stale metadata never lands on
 * them later). Allocations are left alone: libext2fs may fill a block
 * before it accounts for it. The running transaction learns of both
 * (its groups changed; freed blocks wait for its commit). */
static void block_range_stats_changed(ext2_filsys fs, blk64_t blk, blk_t num,
				      int inuse)
{
	if (inuse < 0)
		f4_chan_invalidate(fs->io, blk, num);
	f4_txn_blocks_changed(fs->priv_data, blk, num, inuse);
}

static void block_stats_changed(ext2_filsys fs, blk64_t blk, int inuse)
{
	block_range_stats_changed(fs, blk, 1, inuse);
}

/* Default metadata cache: 1/32 of the RAM, between 8 MiB and 512 MiB. */
static size_t default_cache_bytes(void)
{
	long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
	uint64_t ram = pages > 0 && psize > 0 ? (uint64_t)pages * (uint64_t)psize
					      : 1ULL << 30;
	uint64_t c = ram / 32;

	if (c < (8ULL << 20))
		c = 8ULL << 20;
	if (c > (512ULL << 20))
		c = 512ULL << 20;
	return (size_t)c;
}

static int open_ext2fs(struct f4_fs *f4, const struct f4_conf *conf, bool rw,
		       char *msg, size_t len)
{
	int flags = EXT2_FLAG_64BITS | EXT2_FLAG_SKIP_MMP;
	char name[96];
	errcode_t err;

	if (rw)
		flags |= EXT2_FLAG_RW;
	f4_chan_name(&f4->dev, conf->cache_size ? conf->cache_size :
			       default_cache_bytes(), name, sizeof(name));
	err = ext2fs_open2(name, NULL, flags, 0, 0, f4_chan_manager(), &f4->fs);
	if (err) {
		f4->fs = NULL;
		snprintf(msg, len, "cannot open the filesystem on %s: %s",
			 f4->dev.path, error_message(err));
		return f4_errcode_to_errno(err) == -ENOMEM ? -ENOMEM : -EINVAL;
	}
	f4->fs->default_bitmap_type = EXT2FS_BMAP64_RBTREE;
	f4->fs->priv_data = f4;
	ext2fs_set_block_alloc_stats_callback(f4->fs, block_stats_changed, NULL);
	ext2fs_set_block_alloc_stats_range_callback(f4->fs,
						    block_range_stats_changed, NULL);
	f4->blocksize = f4->fs->blocksize;
	f4->blockbits = EXT2_BLOCK_SIZE_BITS(f4->fs->super);
	/* Nothing past the filesystem's last block is ever ours to touch
	 * (offset= images may sit inside a larger file). */
	if (ext2fs_blocks_count(f4->fs->super) << f4->blockbits < f4->dev.size)
		f4->dev.size = ext2fs_blocks_count(f4->fs->super) << f4->blockbits;
	return f4_sysmap_build(f4, msg, len);
}

/* Multiple-mount protection before a replay writes anything, as the
 * kernel orders it: the journal of a filesystem another node has
 * mounted (fuse4fs keeps needs_recovery set while mounted) is live.
 * libext2fs is opened only to claim, and closed again: the replay
 * changes what it read. */
static int claim_before_replay(struct f4_fs *f4, char *msg, size_t len)
{
	char name[96];
	errcode_t err;
	int ret = 0;

	f4_chan_name(&f4->dev, 1u << 20, name, sizeof(name));	/* 1 MiB: enough */
	err = ext2fs_open2(name, NULL, EXT2_FLAG_64BITS | EXT2_FLAG_SKIP_MMP,
			   0, 0, f4_chan_manager(), &f4->fs);
	if (err) {	/* the replay's own checks say why */
		f4->fs = NULL;
		return 0;
	}
	if (ext2fs_has_feature_mmp(f4->fs->super)) {
		f4->rw = true;
		f4->blockbits = EXT2_BLOCK_SIZE_BITS(f4->fs->super);
		ret = f4_mmp_claim(f4, msg, len);
	}
	ext2fs_close_free(&f4->fs);
	return ret;
}

static enum f4_errors_policy policy_from_super(const struct ext2_super_block *sb)
{
	switch (sb->s_errors) {
	case EXT2_ERRORS_RO:
		return F4_ERRORS_RO;
	case EXT2_ERRORS_PANIC:
		return F4_ERRORS_PANIC;
	default:
		return F4_ERRORS_CONTINUE;
	}
}

/* io_uring unless asked otherwise or refused (old kernel, seccomp,
 * kernel.io_uring_disabled); pread/pwrite always works. */
static int create_data_io(struct f4_fs *f4, const struct f4_conf *conf)
{
	/* An overlay is seen through f4_dev_pread only. */
	bool pread_only = conf->io_pread || f4->dev.ovl || f4->dev.wlog;
	int ret = pread_only ? -EOPNOTSUPP :
		  f4_data_io_uring_create(&f4->dev, &f4->dio);

	if (ret && !pread_only && ret != -EOPNOTSUPP)
		f4_info("io_uring unavailable (%s): using pread/pwrite",
			strerror(-ret));
	if (ret)
		ret = f4_data_io_pread_create(&f4->dev, &f4->dio);
	if (!ret)
		f4_dbg("file data through %s", f4->dio->ops->name);
	return ret;
}

/* Features forced a read-only mount of an image opened read-write:
 * reopen it read-only. */
static int reopen_if_read_only(struct f4_fs *f4, const struct f4_conf *conf,
			       bool rw, char *msg, size_t len)
{
	if (rw || !f4->dev.rw)
		return 0;
	f4_dev_close(&f4->dev);
	return f4_dev_open(&f4->dev, conf->image, conf->offset, false, msg, len);
}

/* Two writers of one filesystem corrupt it (and the kernel's journal
 * is live: replaying it under the kernel is certain corruption). */
static int refuse_kernel_mounted(struct f4_fs *f4, char *msg, size_t len)
{
	char who[2400];

	if (!f4_compat_kernel_mount(f4->dev.fd, who, sizeof(who)))
		return 0;
	snprintf(msg, len, "cannot mount %s read-write: the kernel has it mounted (%s); unmount it there first, or mount with -o ro",
		 f4->dev.path, who);
	return -EBUSY;
}

/* Replay the journal (onto the image, or in memory for a read-only
 * mount), say what was done, then check the replayed superblock again:
 * a journal may rewrite any block. */
static int replay_journal(struct f4_fs *f4, const struct f4_conf *conf,
			  bool *rw, struct f4_replay_result *res, char *msg,
			  size_t len)
{
	char why[400];
	int ret = f4_journal_replay(&f4->dev, res, why, sizeof(why));

	if (ret) {
		snprintf(msg, len, "%s: the journal cannot be replayed: %s; mount with -o ro,norecovery to see the filesystem without it (it may be inconsistent)",
			 f4->dev.path, why);
		return ret;
	}
	f4_info("%s: replayed %u transactions, %llu blocks, %u fast commits%s",
		f4->dev.path, res->transactions,
		(unsigned long long)res->blocks, res->fast_commits,
		res->in_memory ? ", in memory (the image is not changed)" : "");
	if (res->in_memory)
		f4_info("%s: the replayed journal holds %zu KiB of memory",
			f4->dev.path, (res->overlay_bytes + 1023) / 1024);
	if (res->mark_error)
		f4_warn("%s: %s; the filesystem is marked as having errors: run e2fsck",
			f4->dev.path, res->note);
	ret = f4_super_precheck(f4, conf, rw, NULL, msg, len);
	return ret ? ret : reopen_if_read_only(f4, conf, *rw, msg, len);
}

/* What the kernel does after replaying: the free counts summed from the
 * group descriptors (the superblock's are not journaled), the error
 * state recorded, and (read-write) needs_recovery cleared on disk. */
static int after_replay(struct f4_fs *f4, const struct f4_replay_result *res,
			char *msg, size_t len)
{
	ext2_filsys fs = f4->fs;
	uint64_t blocks = 0, inodes = 0;
	errcode_t err;
	dgrp_t g;

	for (g = 0; g < fs->group_desc_count; g++) {
		blocks += ext2fs_bg_free_blocks_count(fs, g);
		inodes += ext2fs_bg_free_inodes_count(fs, g);
	}
	ext2fs_free_blocks_count_set(fs->super, EXT2FS_C2B(fs, blocks));
	fs->super->s_free_inodes_count = (uint32_t)inodes;
	fs->super->s_feature_incompat &= ~EXT3_FEATURE_INCOMPAT_RECOVER;
	if (res->mark_error)
		fs->super->s_state |= EXT2_ERROR_FS;
	if (!f4->rw)
		return 0;
	fs->flags |= EXT2_FLAG_MASTER_SB_ONLY | EXT2_FLAG_SUPER_ONLY;
	ext2fs_mark_super_dirty(fs);
	err = ext2fs_flush(fs);
	fs->flags &= ~EXT2_FLAG_SUPER_ONLY;
	if (err) {
		snprintf(msg, len, "%s: cannot clear needs_recovery after the replay: %s",
			 f4->dev.path, error_message(err));
		return f4_errcode_to_errno(err);
	}
	return 0;
}

static void load_error_tables(void)
{
	initialize_ext2_error_table();
}

int f4_mount_open(const struct f4_conf *conf, struct f4_fs **out, char *msg,
		  size_t msglen)
{
	static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

	struct f4_fs *f4 = calloc(1, sizeof(*f4));
	bool rw = !conf->readonly, replay = false;
	struct f4_replay_result res;
	int ret;

	pthread_once(&tables_once, load_error_tables);
	if (!f4)
		return -ENOMEM;
	pthread_mutex_init(&f4->lock, NULL);
	pthread_cond_init(&f4->loaded, NULL);
	pthread_cond_init(&f4->handles_cv, NULL);
	f4->dev.fd = -1;
	f4->commit_s = conf->commit_s;
	f4->atime = conf->atime;
	f4->nodiratime = conf->nodiratime;
	f4->dirsync = conf->dirsync;
	f4->noblock_validity = conf->noblock_validity;
	f4->idmap = conf->idmap;
	ret = f4_dev_open(&f4->dev, conf->image, conf->offset, rw, msg, msglen);
	if (rw && (ret == -EROFS || ret == -EACCES)) {
		/* As mount(8) does for the kernel's filesystems (and fstab's
		 * defaults say rw): write-protected storage mounts read-only. */
		f4_warn("%s is write-protected (%s): mounting read-only",
			conf->image, strerror(-ret));
		rw = false;
		ret = f4_dev_open(&f4->dev, conf->image, conf->offset, false,
				  msg, msglen);
	}
	if (ret)
		goto fail;
	ret = f4_super_precheck(f4, conf, &rw, &replay, msg, msglen);
	if (!ret)
		ret = reopen_if_read_only(f4, conf, rw, msg, msglen);
	if (!ret && rw)
		ret = refuse_kernel_mounted(f4, msg, msglen);
	if (!ret && replay && rw)
		ret = claim_before_replay(f4, msg, msglen);
	if (!ret && replay)
		ret = replay_journal(f4, conf, &rw, &res, msg, msglen);
	if (ret)
		goto fail;
	f4->rw = rw;
	ret = open_ext2fs(f4, conf, rw, msg, msglen);
	if (!ret && replay)
		ret = after_replay(f4, &res, msg, msglen);
	if (ret)
		goto fail;
	f4->errors = conf->errors ? conf->errors : policy_from_super(f4->fs->super);
	ret = f4_icache_create(&f4->icache);
	if (!ret && rw && f4_super_check_extra_isize(f4, msg, msglen))
		ret = -EUCLEAN;
	if (!ret && rw)	/* multiple-mount protection, before any write */
		ret = f4_mmp_claim(f4, msg, msglen);
	if (!ret && rw && conf->load_in_background)
		f4->loading = true;	/* f4_mount_start_background */
	else if (!ret && rw)
		ret = f4_loader_load(f4, msg, msglen);
	if (ret)
		goto fail;
	ret = create_data_io(f4, conf);
	if (ret) {
		snprintf(msg, msglen, "out of memory");
		goto fail;
	}
	*out = f4;
	return 0;
fail:
	f4_mount_close(f4);
	return ret;
}

int f4_mount_start_background(struct f4_fs *f4)
{
	f4_loader_start(f4);
	f4_mmp_run(f4);
	return f4_flusher_start(f4);
}

/* The mount stopped writing (errors=remount-ro, or another node took
 * the filesystem over MMP): nothing pending is written now, except, for
 * detected corruption, the superblock with its error record. */
static void close_stopped(struct f4_fs *f4)
{
	/* The journal keeps what was committed for the next mount's
	 * replay, and records the error (not on a device lost over MMP:
	 * that one is not ours to write any more). */
	f4_txn_abort(f4, f4_mmp_lost(f4) ? 0 : -EIO);
	f4_txn_stop(f4);
	f4_chan_drop_dirty(f4->fs->io);
	f4->fs->flags &= ~(EXT2_FLAG_BB_DIRTY | EXT2_FLAG_IB_DIRTY);
	if (f4_mmp_lost(f4)) {
		f4->fs->flags &= ~EXT2_FLAG_DIRTY;
		return;
	}
	f4->fs->flags |= EXT2_FLAG_SUPER_ONLY;
	ext2fs_mark_super_dirty(f4->fs);
}

int f4_mount_mark_clean(struct f4_fs *f4)
{
	struct ext2_super_block *sb = f4->fs->super;
	int ret = 0;

	/* With a journal: the last commit, the log emptied; what is left
	 * to write in place is the superblock (clean state). */
	if (f4->journal) {
		if (f4_txn_stop(f4))
			ret = -EIO;
		f4->fs->flags &= ~(EXT2_FLAG_BB_DIRTY | EXT2_FLAG_IB_DIRTY);
		f4->fs->flags |= EXT2_FLAG_SUPER_ONLY;
	}
	/* Clean again, unless errors were recorded meanwhile. */
	sb->s_state = (uint16_t)((f4->mount_state & EXT2_VALID_FS) |
				 (sb->s_state & EXT2_ERROR_FS) |
				 (f4->mount_state & EXT2_ERROR_FS));
	sb->s_wtime = (uint32_t)time(NULL);
	ext2fs_mark_super_dirty(f4->fs);
	f4->marked_in_use = false;
	return ret;
}

int f4_mount_close(struct f4_fs *f4)
{
	int ret = 0;

	if (!f4)
		return 0;
	f4_loader_stop(f4);
	f4_flusher_stop(f4);
	if (f4->fs && f4->marked_in_use && f4->went_ro) {
		close_stopped(f4);
	} else if (f4->fs && f4->marked_in_use) {
		/* Unlinked files the kernel still held at unmount are ours to
		 * free now; they are exactly the orphan list. */
		if (!f4->went_ro)
			f4_orphan_cleanup(f4);

		ret = f4_mount_mark_clean(f4);
	}
	if (f4->fs) {
		int cret = f4_errcode_to_errno(ext2fs_close_free(&f4->fs));

		ret = ret ? ret : cret;
		if (cret)
			f4_err("%s: closing the filesystem failed: %s",
			       f4->dev.path, strerror(-ret));
	}
	f4_mmp_stop(f4);	/* clean only after the last write, as ext4 */
	f4_icache_destroy(f4->icache);
	f4_data_io_destroy(f4->dio);
	f4_dev_close(&f4->dev);
	free(f4->corrupt_seen);
	f4_sysmap_free(f4->sysmap);
	pthread_cond_destroy(&f4->loaded);
	pthread_cond_destroy(&f4->handles_cv);
	pthread_mutex_destroy(&f4->lock);
	free(f4);
	return ret;
}
