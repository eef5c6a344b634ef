/* Owns mounting and unmounting the image, the big lock and statfs. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <et/com_err.h>

#include "iomap/mapping.h"
#include "src/mount/features.h"
#include "src/fs/fs.h"
#include "src/inode/icache.h"
#include "src/io/chan.h"
#include "src/base/log.h"
#include "src/mount/mmp.h"
#include "src/ns/orphan.h"
#include "src/fs/sysmap.h"

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

/* Set in the loader thread: its f4_fs_lock does not wait for itself. */
static __thread bool is_loader;

void f4_fs_lock(struct f4_fs *f4)
{
	pthread_mutex_lock(&f4->lock);
	while (f4->loading && !is_loader)
		pthread_cond_wait(&f4->loaded, &f4->lock);
	f4->lock_taken_ns = now_ns();
	f4->lock_stats.acquisitions++;
}

void f4_fs_unlock(struct f4_fs *f4)
{
	uint64_t held = now_ns() - f4->lock_taken_ns;

	f4->lock_stats.total_hold_ns += held;
	if (held > f4->lock_stats.max_hold_ns)
		f4->lock_stats.max_hold_ns = held;
	pthread_mutex_unlock(&f4->lock);
}

int f4_fs_writable(const struct f4_fs *f4)
{
	return f4->rw && !__atomic_load_n(&f4->went_ro, __ATOMIC_RELAXED) ?
		0 : -EROFS;
}

/* Group 0 must hold the superblock, the descriptors and the reserved
 * GDT blocks (libext2fs marks them in bitmaps sized by the block count,
 * complaining on stderr when they do not fit). blocks > first data
 * block; without meta_bg, where the descriptors follow the superblock. */
static bool too_small(const struct ext2_super_block *sb, uint64_t blocks)
{
	uint64_t bpg = sb->s_blocks_per_group, groups, per, need;
	unsigned dsz = 32;

	if (!bpg || (sb->s_feature_incompat & EXT2_FEATURE_INCOMPAT_META_BG))
		return false;	/* libext2fs refuses, or another layout */
	if ((sb->s_feature_incompat & EXT4_FEATURE_INCOMPAT_64BIT) &&
	    sb->s_desc_size >= 32)
		dsz = sb->s_desc_size;
	per = ((uint64_t)EXT2_MIN_BLOCK_SIZE << sb->s_log_block_size) / dsz;
	if (!per)
		return false;	/* libext2fs refuses the descriptor size */
	groups = (blocks - sb->s_first_data_block + bpg - 1) / bpg;
	need = (uint64_t)sb->s_first_data_block + 1 + (groups + per - 1) / per +
	       sb->s_reserved_gdt_blocks;
	return need > blocks;
}

/* As the kernel: a block size out of range, a first inode below 11, a
 * first data block other than mke2fs's, or a filesystem larger than its
 * device, is refused before libext2fs sizes anything from the superblock
 * (it would read, and a rw mount write, past the end). */
static int check_geometry(struct f4_fs *f4, const struct ext2_super_block *sb,
			  char *msg, size_t len)
{
	uint64_t blocks = sb->s_blocks_count;

	if (sb->s_log_block_size > EXT2_MAX_BLOCK_LOG_SIZE - EXT2_MIN_BLOCK_LOG_SIZE) {
		snprintf(msg, len, "cannot mount %s: bad block size (log %u)",
			 f4->dev.path, sb->s_log_block_size);
		return -1;
	}
	/* ext4 refuses this too; libext2fs would allocate inode 0 (its
	 * search for a free inode starts at s_first_ino). */
	if (sb->s_rev_level >= EXT2_DYNAMIC_REV &&
	    sb->s_first_ino < EXT2_GOOD_OLD_FIRST_INO) {
		snprintf(msg, len, "cannot mount %s: invalid first inode %u",
			 f4->dev.path, sb->s_first_ino);
		return -1;
	}
	/* Block 1 with 1 KiB blocks (the superblock fills block 1), else 0
	 * (as e2fsck wants it; libext2fs sizes its bitmaps from it). */
	if (sb->s_first_data_block !=
	    (sb->s_log_block_size == 0 &&
	     !(sb->s_feature_ro_compat & EXT4_FEATURE_RO_COMPAT_BIGALLOC) ? 1u : 0u)) {
		snprintf(msg, len, "cannot mount %s: bad geometry: first data block %u",
			 f4->dev.path, sb->s_first_data_block);
		return -1;
	}
	if (sb->s_feature_incompat & EXT4_FEATURE_INCOMPAT_64BIT)
		blocks |= (uint64_t)sb->s_blocks_count_hi << 32;
	if (blocks <= sb->s_first_data_block || too_small(sb, blocks)) {
		snprintf(msg, len, "cannot mount %s: bad geometry: %llu blocks cannot hold the superblock and group descriptors",
			 f4->dev.path, (unsigned long long)blocks);
		return -1;
	}
	if (blocks > f4->dev.size >> (EXT2_MIN_BLOCK_LOG_SIZE + sb->s_log_block_size)) {
		snprintf(msg, len, "cannot mount %s: bad geometry: %llu blocks of %u bytes do not fit in %llu bytes",
			 f4->dev.path, (unsigned long long)blocks,
			 EXT2_MIN_BLOCK_SIZE << sb->s_log_block_size,
			 (unsigned long long)f4->dev.size);
		return -1;
	}
	return 0;
}

/* Read the primary superblock ourselves, so that a non-ext image and
 * unsupported features get a precise message before libext2fs runs. */
static int precheck_super(struct f4_fs *f4, const struct f4_opts *opts,
			  bool *rw, char *msg, size_t len)
{
	struct ext2_super_block sb;
	char why[256];

	if (f4_dev_pread(&f4->dev, &sb, sizeof(sb), SUPERBLOCK_OFFSET) ||
	    ext2fs_le16_to_cpu(sb.s_magic) != EXT2_SUPER_MAGIC) {
		snprintf(msg, len, "%s does not contain an ext2/ext3/ext4 filesystem%s",
			 f4->dev.path, opts->offset ? " at that offset" : "");
		return -EINVAL;
	}
#ifdef WORDS_BIGENDIAN
	ext2fs_swap_super(&sb);
#endif
	if (sb.s_feature_incompat & EXT3_FEATURE_INCOMPAT_JOURNAL_DEV) {
		snprintf(msg, len, "%s is an external journal device, not a filesystem",
			 f4->dev.path);
		return -EINVAL;
	}
	if (check_geometry(f4, &sb, msg, len))
		return -EUCLEAN;
	switch (f4_features_check(&sb, *rw, why, sizeof(why))) {
	case F4_FEATURES_REFUSE:
		snprintf(msg, len, "cannot mount %s: %s", f4->dev.path, why);
		return -EOPNOTSUPP;
	case F4_FEATURES_READ_ONLY:
		f4_warn("%s: %s", f4->dev.path, why);
		*rw = false;
		break;
	case F4_FEATURES_OK:
		break;
	}
	if ((sb.s_feature_incompat & EXT3_FEATURE_INCOMPAT_RECOVER) &&
	    (sb.s_feature_compat & EXT3_FEATURE_COMPAT_HAS_JOURNAL)) {
		if (!opts->norecovery) {
			snprintf(msg, len, "%s: the journal needs recovery; run e2fsck, or mount with -o ro,norecovery (read-only; the view may be inconsistent)",
				 f4->dev.path);
			return -EUCLEAN;
		}
		if (*rw) {
			snprintf(msg, len, "%s: -o norecovery needs -o ro (the journal needs recovery)",
				 f4->dev.path);
			return -EINVAL;
		}
	}
	return 0;
}

/* Freed blocks may come back as file data written around the metadata
 * cache: drop them from it (unwritten, so stale metadata never lands on
 * them later). Allocations are left alone: libext2fs may fill a block
 * before it accounts for it. */
static void block_stats_changed(ext2_filsys fs, blk64_t blk, int inuse)
{
	if (inuse < 0)
		f4_chan_invalidate(fs->io, blk, 1);
}

static void block_range_stats_changed(ext2_filsys fs, blk64_t blk, blk_t num,
				      int inuse)
{
	if (inuse < 0)
		f4_chan_invalidate(fs->io, blk, num);
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

static int open_ext2fs(struct f4_fs *f4, const struct f4_opts *opts, bool rw,
		       char *msg, size_t len)
{
	int flags = EXT2_FLAG_64BITS | EXT2_FLAG_SKIP_MMP;
	char name[96];
	errcode_t err;

	if (rw)
		flags |= EXT2_FLAG_RW;
	f4_chan_name(&f4->dev, opts->cache_size ? opts->cache_size :
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

/* libext2fs 1.47.0 gives an inode without extra fields
 * s_want_extra_isize bytes of them when it writes its xattrs, with a
 * memset of that many bytes into the inode buffer, unchecked: a hostile
 * value overflows the heap. e2fsck calls such a value corrupt (ext4
 * clamps it); refuse to write with it. */
static int check_extra_isize(struct f4_fs *f4, char *msg, size_t len)
{
	const struct ext2_super_block *sb = f4->fs->super;
	unsigned room = EXT2_INODE_SIZE(sb) > EXT2_GOOD_OLD_INODE_SIZE ?
			EXT2_INODE_SIZE(sb) - EXT2_GOOD_OLD_INODE_SIZE : 0;

	if (sb->s_want_extra_isize <= room && !(sb->s_want_extra_isize & 3) &&
	    sb->s_min_extra_isize <= room && !(sb->s_min_extra_isize & 3))
		return 0;
	snprintf(msg, len, "cannot mount %s read-write: invalid extra inode size (want %u, min %u, room %u); run e2fsck (or mount read-only)",
		 f4->dev.path, sb->s_want_extra_isize, sb->s_min_extra_isize, room);
	return -1;
}

/* What a read-write mount needs before its first change: the
 * allocation bitmaps, read and checked; the filesystem marked in use
 * (not cleanly unmounted), so that a crash forces a check (a clean
 * unmount restores the state it found); and the orphans left by a crash
 * released. Runs under the lock (or before any other thread). */
static int load_rw(struct f4_fs *f4, char *msg, size_t len)
{
	struct ext2_super_block *sb = f4->fs->super;
	errcode_t err = ext2fs_read_bitmaps(f4->fs);

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
	f4->mount_state = sb->s_state;
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
		return f4_errcode_to_errno(err);
	}
	f4->marked_in_use = true;
	f4->next_generation = (uint32_t)time(NULL) ^ (uint32_t)getpid() << 16;
	f4_orphan_cleanup(f4);	/* problems are reported; e2fsck finishes */
	return 0;
}

/* load_rw after mounting. A failure leaves the mount readable and stops
 * every change, as errors=remount-ro does (nothing was written). */
static void *loader_main(void *arg)
{
	struct f4_fs *f4 = arg;
	char msg[512];

	is_loader = true;
	f4_fs_lock(f4);
	if (load_rw(f4, msg, sizeof(msg))) {
		f4_err("%s; the filesystem stays mounted read-only", msg);
		f4->went_ro = true;
	}
	f4->loading = false;
	pthread_cond_broadcast(&f4->loaded);
	f4_fs_unlock(f4);
	return NULL;
}

static void start_loader(struct f4_fs *f4)
{
	if (!f4->loading || f4->loader_started)
		return;
	if (!pthread_create(&f4->loader, NULL, loader_main, f4))
		f4->loader_started = true;
	else	/* no thread: load here, before any request is served */
		loader_main(f4);
}

static void stop_loader(struct f4_fs *f4)
{
	if (f4->loader_started)
		pthread_join(f4->loader, NULL);
	f4->loader_started = false;
	f4->loading = false;	/* never started: nothing was loaded */
}

/* io_uring unless asked otherwise or refused (old kernel, seccomp,
 * kernel.io_uring_disabled); pread/pwrite always works. */
static int create_data_io(struct f4_fs *f4, const struct f4_opts *opts)
{
	int ret = opts->io_pread ? -EOPNOTSUPP :
		  f4_data_io_uring_create(&f4->dev, &f4->dio);

	if (ret && !opts->io_pread && ret != -EOPNOTSUPP)
		f4_info("io_uring unavailable (%s): using pread/pwrite",
			strerror(-ret));
	if (ret)
		ret = f4_data_io_pread_create(&f4->dev, &f4->dio);
	if (!ret)
		f4_dbg("file data through %s", f4->dio->ops->name);
	return ret;
}

static void load_error_tables(void)
{
	initialize_ext2_error_table();
}

int f4_fs_open(const struct f4_opts *opts, struct f4_fs **out, char *msg,
	       size_t msglen)
{
	static pthread_once_t tables_once = PTHREAD_ONCE_INIT;

	struct f4_fs *f4 = calloc(1, sizeof(*f4));
	bool rw = !opts->readonly;
	int ret;

	pthread_once(&tables_once, load_error_tables);
	if (!f4)
		return -ENOMEM;
	pthread_mutex_init(&f4->lock, NULL);
	pthread_cond_init(&f4->loaded, NULL);
	f4->dev.fd = -1;
	f4->idmap = opts->idmap;
	ret = f4_dev_open(&f4->dev, opts->image, opts->offset, rw, msg, msglen);
	if (ret)
		goto fail;
	ret = precheck_super(f4, opts, &rw, msg, msglen);
	if (ret)
		goto fail;
	if (!rw && f4->dev.rw) {	/* features forced read-only: reopen */
		f4_dev_close(&f4->dev);
		ret = f4_dev_open(&f4->dev, opts->image, opts->offset, false,
				  msg, msglen);
		if (ret)
			goto fail;
	}
	f4->rw = rw;
	ret = open_ext2fs(f4, opts, rw, msg, msglen);
	if (ret)
		goto fail;
	f4->errors = opts->errors ? opts->errors : policy_from_super(f4->fs->super);
	ret = f4_icache_create(&f4->icache);
	if (!ret && rw && check_extra_isize(f4, msg, msglen))
		ret = -EUCLEAN;
	if (!ret && rw)	/* multiple-mount protection, before any write */
		ret = f4_mmp_claim(f4, msg, msglen);
	if (!ret && rw && opts->load_in_background)
		f4->loading = true;	/* f4_fs_start_background */
	else if (!ret && rw)
		ret = load_rw(f4, msg, msglen);
	if (ret)
		goto fail;
	ret = create_data_io(f4, opts);
	if (ret) {
		snprintf(msg, msglen, "out of memory");
		goto fail;
	}
	*out = f4;
	return 0;
fail:
	f4_fs_close(f4);
	return ret;
}

int f4_fs_writeback(struct f4_fs *f4)
{
	int ret = 0;

	f4_fs_lock(f4);
	if (!f4->went_ro)	/* a mount that stopped writing stays stopped */
		ret = f4_chan_writeback(f4->fs->io);
	f4_fs_unlock(f4);
	return ret;
}

#define F4_FLUSH_INTERVAL_S 5

struct f4_flusher {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;		/* protected by lock */
};

static void *flusher_main(void *arg)
{
	struct f4_fs *f4 = arg;
	struct f4_flusher *fl = f4->flusher;

	pthread_mutex_lock(&fl->lock);
	while (!fl->stop) {
		struct timespec until;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += F4_FLUSH_INTERVAL_S;
		pthread_cond_timedwait(&fl->wake, &fl->lock, &until);
		if (fl->stop)
			break;
		pthread_mutex_unlock(&fl->lock);
		if (f4_fs_writeback(f4))
			f4_err("%s: writing metadata back failed", f4->dev.path);
		pthread_mutex_lock(&fl->lock);
	}
	pthread_mutex_unlock(&fl->lock);
	return NULL;
}

int f4_fs_start_background(struct f4_fs *f4)
{
	struct f4_flusher *fl;

	start_loader(f4);
	f4_mmp_run(f4);
	if (!f4->rw || f4->flusher)
		return 0;
	fl = calloc(1, sizeof(*fl));
	if (!fl)
		return -ENOMEM;
	pthread_mutex_init(&fl->lock, NULL);
	pthread_cond_init(&fl->wake, NULL);
	f4->flusher = fl;
	if (pthread_create(&fl->thread, NULL, flusher_main, f4)) {
		f4->flusher = NULL;
		free(fl);
		return -EAGAIN;
	}
	return 0;
}

static void stop_flusher(struct f4_fs *f4)
{
	struct f4_flusher *fl = f4->flusher;

	if (!fl)
		return;
	pthread_mutex_lock(&fl->lock);
	fl->stop = true;
	pthread_cond_signal(&fl->wake);
	pthread_mutex_unlock(&fl->lock);
	pthread_join(fl->thread, NULL);
	pthread_cond_destroy(&fl->wake);
	pthread_mutex_destroy(&fl->lock);
	free(fl);
	f4->flusher = NULL;
}

/* The mount stopped writing (errors=remount-ro, or another node took
 * the filesystem over MMP): nothing pending is written now, except, for
 * detected corruption, the superblock with its error record. */
static void close_stopped(struct f4_fs *f4)
{
	f4_chan_drop_dirty(f4->fs->io);
	f4->fs->flags &= ~(EXT2_FLAG_BB_DIRTY | EXT2_FLAG_IB_DIRTY);
	if (f4_mmp_lost(f4)) {
		f4->fs->flags &= ~EXT2_FLAG_DIRTY;
		return;
	}
	f4->fs->flags |= EXT2_FLAG_SUPER_ONLY;
	ext2fs_mark_super_dirty(f4->fs);
}

int f4_fs_close(struct f4_fs *f4)
{
	int ret = 0;

	if (!f4)
		return 0;
	stop_loader(f4);
	stop_flusher(f4);
	if (f4->fs && f4->marked_in_use && f4->went_ro) {
		close_stopped(f4);
	} else if (f4->fs && f4->marked_in_use) {
		struct ext2_super_block *sb = f4->fs->super;

		/* Unlinked files the kernel still held at unmount are ours to
		 * free now; they are exactly the orphan list. */
		if (!f4->went_ro)
			f4_orphan_cleanup(f4);

		/* Clean again, unless errors were recorded meanwhile. */
		sb->s_state = (uint16_t)((f4->mount_state & EXT2_VALID_FS) |
					 (sb->s_state & EXT2_ERROR_FS) |
					 (f4->mount_state & EXT2_ERROR_FS));
		sb->s_wtime = (uint32_t)time(NULL);
		ext2fs_mark_super_dirty(f4->fs);
	}
	if (f4->fs) {
		ret = f4_errcode_to_errno(ext2fs_close_free(&f4->fs));
		if (ret)
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
	pthread_mutex_destroy(&f4->lock);
	free(f4);
	return ret;
}

/* Blocks the kernel does not count as capacity: superblocks, descriptors,
 * bitmaps and inode tables of every group, and the internal journal. */
static uint64_t overhead_blocks(ext2_filsys fs)
{
	uint64_t total = 0;
	dgrp_t g;

	for (g = 0; g < fs->group_desc_count; g++) {
		blk64_t super = 0, old_desc = 0, new_desc = 0;
		blk_t used = 0;

		ext2fs_super_and_bgd_loc2(fs, g, &super, &old_desc, &new_desc,
					  &used);
		total += used;
	}
	total += (uint64_t)fs->group_desc_count *
		 (2 + fs->inode_blocks_per_group);
	total += fs->super->s_first_data_block;
	if (ext2fs_has_feature_journal(fs->super) && fs->super->s_journal_inum) {
		struct ext2_inode ji;

		if (!ext2fs_read_inode(fs, fs->super->s_journal_inum, &ji))
			total += EXT2_I_SIZE(&ji) / fs->blocksize;
	}
	return total;
}

/* ext4 keeps 2% of the blocks (at most 4096 clusters) back from every
 * user when the filesystem uses extents, for metadata it may need later
 * (splitting extents, converting unwritten ones). */
static uint64_t reserved_for_metadata(ext2_filsys fs)
{
	uint64_t clusters;

	if (!ext2fs_has_feature_extents(fs->super))
		return 0;
	clusters = EXT2FS_B2C(fs, ext2fs_blocks_count(fs->super)) / 50;
	if (clusters > 4096)
		clusters = 4096;
	return EXT2FS_C2B(fs, clusters);
}

int f4_fs_statfs(struct f4_fs *f4, struct f4_statfs *st)
{
	struct ext2_super_block *sb;
	uint64_t reserved, overhead;

	f4_fs_lock(f4);
	sb = f4->fs->super;
	if (!f4->overhead)
		f4->overhead = sb->s_overhead_clusters ?
			EXT2FS_C2B(f4->fs, (uint64_t)sb->s_overhead_clusters) :
			overhead_blocks(f4->fs);
	overhead = f4->overhead;
	st->bsize = f4->blocksize;
	st->blocks = ext2fs_blocks_count(sb);
	st->blocks = st->blocks > overhead ? st->blocks - overhead : 0;
	st->bfree = ext2fs_free_blocks_count(sb);
	reserved = ext2fs_r_blocks_count(sb) + reserved_for_metadata(f4->fs);
	st->bavail = st->bfree > reserved ? st->bfree - reserved : 0;
	st->files = sb->s_inodes_count;
	st->ffree = sb->s_free_inodes_count;
	st->namemax = EXT2_NAME_LEN;
	memcpy(&st->fsid, sb->s_uuid, sizeof(st->fsid));
	f4_fs_unlock(f4);
	return 0;
}
