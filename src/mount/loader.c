/* Owns what a read-write mount loads before its first change (the
 * allocation bitmaps, read and checked; the in-use mark; orphans
 * released), in a background thread that every request waits for. */
#include "config.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>
#include <et/com_err.h>

#include "src/base/log.h"
#include "src/fs/errors.h"
#include "src/journal/txn.h"
#include "src/mount/loader.h"
#include "src/ns/orphan.h"

/* A journal that cannot be written leaves the mount read-only: the
 * guarantee would not hold. */
static int open_journal(struct f4_fs *f4, char *msg, size_t len)
{
	char why[256];
	int ret = f4_txn_open(f4, f4->commit_s, why, sizeof(why));

	if (ret)
		snprintf(msg, len, "%s: %s; changes cannot be journaled", f4->dev.path,
			 why);
	return ret;
}

/* Does the block bitmap mark [blk, blk + n) in use? (Bits copied out in
 * chunks: libext2fs 1.47.0's find_first_zero answers ENOENT on an empty
 * rbtree bitmap, so it cannot be asked.) */
static bool all_used(ext2_filsys fs, blk64_t blk, blk64_t n)
{
	unsigned char bits[256];

	while (n) {
		unsigned chunk = n < sizeof(bits) * 8 ? (unsigned)n : sizeof(bits) * 8;
		unsigned i;

		if (ext2fs_get_block_bitmap_range2(fs->block_map, blk, chunk, bits))
			return false;
		for (i = 0; i < chunk; i++)
			if (!(bits[i / 8] & (1u << (i % 8))))
				return false;
		blk += chunk;
		n -= chunk;
	}
	return true;
}

/* As the kernel's ext4_validate_block_bitmap: a block bitmap that lets
 * a group's own bitmaps or inode table look free would hand them out as
 * file data. The allocator trusts the bitmaps, so refuse to write. */
static int check_bitmaps(struct f4_fs *f4, char *msg, size_t len)
{
	ext2_filsys fs = f4->fs;
	dgrp_t g;

	for (g = 0; g < fs->group_desc_count; g++) {
		if (all_used(fs, ext2fs_block_bitmap_loc(fs, g), 1) &&
		    all_used(fs, ext2fs_inode_bitmap_loc(fs, g), 1) &&
		    all_used(fs, ext2fs_inode_table_loc(fs, g),
			     fs->inode_blocks_per_group))
			continue;
		snprintf(msg, len, "cannot mount %s read-write: the block bitmap of group %u marks its own metadata free; run e2fsck (or mount read-only)",
			 f4->dev.path, g);
		return -1;
	}
	return 0;
}

/* What a read-write mount needs before its first change: the
 * allocation bitmaps, read and checked; the filesystem marked in use
 * (not cleanly unmounted), so that a crash forces a check (a clean
 * unmount restores the state it found); and the orphans left by a crash
 * released. Runs under the lock (or before any other thread). */
int f4_loader_load(struct f4_fs *f4, char *msg, size_t len)
{
	struct ext2_super_block *sb = f4->fs->super;
	errcode_t err = ext2fs_read_bitmaps(f4->fs);
	int ret;

	if (err) {
		snprintf(msg, len, "%s: cannot read the allocation bitmaps: %s",
			 f4->dev.path, error_message(err));
		return f4_errcode_to_errno(err);
	}
	if (check_bitmaps(f4, msg, len))
		return -EUCLEAN;
	if (!(sb->s_state & EXT2_VALID_FS))
		f4_warn("%s: mounting a filesystem that was not cleanly unmounted; running e2fsck is recommended",
			f4->dev.path);
	if (sb->s_state & EXT2_ERROR_FS)
		f4_warn("%s: the filesystem has recorded errors; running e2fsck is recommended",
			f4->dev.path);
	ret = f4_loader_mark_in_use(f4, msg, len);
	if (ret)
		return ret;
	f4->next_generation = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
	f4_orphan_cleanup(f4);	/* problems are reported; e2fsck finishes */
	return 0;
}

int f4_loader_mark_in_use(struct f4_fs *f4, char *msg, size_t len)
{
	struct ext2_super_block *sb = f4->fs->super;
	errcode_t err;

	if (ext2fs_has_feature_journal(sb) && open_journal(f4, msg, len))
		return -EROFS;
	f4->mount_state = sb->s_state;
	/* In use: with a journal, as ext4 marks it (needs_recovery; a
	 * replay then leaves it consistent, no check needed); without
	 * one, not clean (a crash needs e2fsck). */
	if (ext2fs_has_feature_journal(sb))
		ext2fs_set_feature_journal_needs_recovery(sb);
	else
		sb->s_state &= (uint16_t)~EXT2_VALID_FS;
	sb->s_mnt_count++;
	sb->s_mtime = (uint32_t)time(NULL);
	/* Like the kernel, keep the backup superblocks and descriptors as
	 * they are; only the primary copies change. */
	f4->fs->flags |= EXT2_FLAG_MASTER_SB_ONLY;
	ext2fs_mark_super_dirty(f4->fs);
	err = ext2fs_flush(f4->fs);
	if (err) {
		snprintf(msg, len, "%s: cannot mark the filesystem in use: %s",
			 f4->dev.path, error_message(err));
		f4_txn_close(f4);
		return f4_errcode_to_errno(err);
	}
	f4->marked_in_use = true;
	if (f4->journal) {
		char why[256];
		int ret = f4_txn_begin(f4, why, sizeof(why));

		if (ret) {
			snprintf(msg, len, "%s: %s", f4->dev.path, why);
			return ret;
		}
	}
	return 0;
}

/* f4_loader_load in a thread of its own, after mounting. A failure
 * leaves the mount readable and stops every change, as
 * errors=remount-ro does (nothing was written). */
static void *loader_main(void *arg)
{
	struct f4_fs *f4 = arg;
	char msg[512];

	f4_fs_set_loader_thread();
	f4_fs_lock(f4);
	if (f4_loader_load(f4, msg, sizeof(msg))) {
		f4_err("%s; the filesystem stays mounted read-only", msg);
		f4->went_ro = true;
	}
	f4->loading = false;
	pthread_cond_broadcast(&f4->loaded);
	f4_fs_unlock(f4);
	return NULL;
}

void f4_loader_start(struct f4_fs *f4)
{
	if (!f4->loading || f4->loader_started)
		return;
	if (!pthread_create(&f4->loader, NULL, loader_main, f4))
		f4->loader_started = true;
	else	/* no thread: load here, before any request is served */
		loader_main(f4);
}

void f4_loader_stop(struct f4_fs *f4)
{
	if (f4->loader_started)
		pthread_join(f4->loader, NULL);
	f4->loader_started = false;
	f4->loading = false;	/* never started: nothing was loaded */
}
