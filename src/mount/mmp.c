/* Owns multiple-mount protection (see mmp.h). */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "compat/direct.h"
#include "src/base/log.h"
#include "src/fs/errors.h"
#include "src/mount/mmp.h"

/* ext4's bounds for the check interval (fs/ext4/mmp.c). */
#define F4_MMP_MIN_CHECK_S 5u
#define F4_MMP_MAX_CHECK_S 300u
#define F4_MMP_CHECK_MULT 2u
/* Read window of a direct read: the 1 KiB structure at any offset. */
#define F4_MMP_WINDOW (2 * F4_DIRECT_ALIGN)

struct f4_mmp {
	struct f4_fs *f4;
	int dfd;		/* direct descriptor, or -1: read via f4->dev */
	uint64_t off;		/* of the MMP block, from the filesystem start */
	unsigned update_s;	/* s_mmp_update_interval */
	bool csum;		/* metadata_csum: the block carries a crc32c */
	uint32_t csum_seed;
	void *window;		/* F4_MMP_WINDOW bytes, aligned */
	struct mmp_struct mine;	/* what we last wrote; the thread's own */
	bool claimed;		/* the block is ours: CLEAN it at the end */
	bool lost;		/* another node wrote it (set by the thread) */
	bool running;

	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	bool stop;		/* protected by lock */
};

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_s(unsigned s)
{
	struct timespec ts = { .tv_sec = s };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

/* A fresh sequence number in 1..EXT4_MMP_SEQ_MAX. It only needs to
 * differ from what another node might have written. */
static uint32_t new_seq(void)
{
	struct timespec ts;
	uint64_t x;

	clock_gettime(CLOCK_REALTIME, &ts);
	x = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 30) ^
	    ((uint64_t)getpid() << 12);
	for (;;) {
		x += 0x9E3779B97F4A7C15ULL;	/* splitmix64 */
		uint64_t z = x;

		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
		z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
		z ^= z >> 31;
		if ((uint32_t)z && (uint32_t)z <= EXT4_MMP_SEQ_MAX)
			return (uint32_t)z;
	}
}

static uint32_t checksum(const struct f4_mmp *m, const struct mmp_struct *p)
{
	/* What ext2fs_mmp_csum_set computes, without needing the open
	 * filesystem (the last write comes after it is closed). */
	return ext2fs_crc32c_le(m->csum_seed, (const unsigned char *)p,
				offsetof(struct mmp_struct, mmp_checksum));
}

static int read_block(struct f4_mmp *m, struct mmp_struct *out)
{
	const struct f4_dev *dev = &m->f4->dev;
	uint64_t abs = dev->offset + m->off, start = abs & ~(uint64_t)(F4_DIRECT_ALIGN - 1);
	size_t need = (size_t)(abs - start) + sizeof(*out);
	size_t len = (need + F4_DIRECT_ALIGN - 1) & ~(size_t)(F4_DIRECT_ALIGN - 1);
	ssize_t n;

	if (!f4_dev_range_ok(dev, m->off, sizeof(*out)))
		return -EIO;
	if (m->dfd < 0)
		return f4_dev_pread(dev, out, sizeof(*out), m->off);
	do
		n = pread(m->dfd, m->window, len, (off_t)start);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if ((size_t)n < need)
		return -EIO;
	memcpy(out, (char *)m->window + (abs - start), sizeof(*out));
	return 0;
}

/* 0, or -EUCLEAN with why set for a block that is not an MMP block. */
static int check_block(const struct f4_mmp *m, const struct mmp_struct *p,
		       const char **why)
{
	if (ext2fs_le32_to_cpu(p->mmp_magic) != EXT4_MMP_MAGIC)
		*why = "bad magic number";
	else if (m->csum && ext2fs_le32_to_cpu(p->mmp_checksum) != checksum(m, p))
		*why = "bad checksum";
	else
		return 0;
	return -EUCLEAN;
}

static int write_block(struct f4_mmp *m, struct mmp_struct *p)
{
	const struct f4_dev *dev = &m->f4->dev;
	int ret;

	if (m->csum)
		p->mmp_checksum = ext2fs_cpu_to_le32(checksum(m, p));
	ret = f4_dev_pwrite(dev, p, sizeof(*p), m->off);
	if (!ret)
		ret = f4_compat_sync_range(dev->fd, dev->offset + m->off,
					   sizeof(*p));
	return ret;
}

/* A name from the block (untrusted, maybe without a NUL) for messages. */
static void name_of(const __u8 *src, size_t len, char *dst)
{
	size_t i;

	for (i = 0; i < len && src[i]; i++)
		dst[i] = src[i] >= 0x20 && src[i] < 0x7f ? (char)src[i] : '?';
	dst[i] = '\0';
}

static void who(const struct mmp_struct *p, char *buf, size_t len)
{
	char node[sizeof(p->mmp_nodename) + 1], bdev[sizeof(p->mmp_bdevname) + 1];

	name_of(p->mmp_nodename, sizeof(p->mmp_nodename), node);
	name_of(p->mmp_bdevname, sizeof(p->mmp_bdevname), bdev);
	snprintf(buf, len, "node %s, device %s", node[0] ? node : "?",
		 bdev[0] ? bdev : "?");
}

/* Our node and device names, as the kernel writes them. */
static void sign(const struct f4_mmp *m, struct mmp_struct *p)
{
	const char *path = m->f4->dev.path, *base = strrchr(path, '/');
	struct utsname u;

	memset(p->mmp_nodename, 0, sizeof(p->mmp_nodename));
	if (uname(&u) == 0)
		memcpy(p->mmp_nodename, u.nodename,
		       strnlen(u.nodename, sizeof(p->mmp_nodename)));
	base = base && base[1] ? base + 1 : path;
	memset(p->mmp_bdevname, 0, sizeof(p->mmp_bdevname));
	memcpy(p->mmp_bdevname, base, strnlen(base, sizeof(p->mmp_bdevname)));
}

static int setup(struct f4_fs *f4, struct f4_mmp *m, char *msg, size_t msglen)
{
	struct ext2_super_block *sb = f4->fs->super;
	uint64_t blk = sb->s_mmp_block;

	m->f4 = f4;
	if (blk < sb->s_first_data_block || blk >= ext2fs_blocks_count(sb)) {
		snprintf(msg, msglen, "%s: the MMP block number (%llu) is invalid; run e2fsck",
			 f4->dev.path, (unsigned long long)blk);
		return -EUCLEAN;
	}
	m->off = blk << f4->blockbits;
	m->update_s = sb->s_mmp_update_interval ? sb->s_mmp_update_interval :
						   EXT4_MMP_UPDATE_INTERVAL;
	if (m->update_s > EXT4_MMP_MAX_UPDATE_INTERVAL)
		m->update_s = EXT4_MMP_MAX_UPDATE_INTERVAL;
	m->csum = ext2fs_has_feature_metadata_csum(sb);
	m->csum_seed = f4->fs->csum_seed;
	if (posix_memalign(&m->window, F4_DIRECT_ALIGN, F4_MMP_WINDOW))
		return -ENOMEM;
	/* Another machine's writes to a shared device are only seen around
	 * the page cache; an image file may live where direct IO is not
	 * offered, and is then read through the cache. */
	m->dfd = f4_compat_reopen_direct(f4->dev.fd);
	if (m->dfd < 0 && f4->dev.is_bdev) {
		snprintf(msg, msglen, "%s: cannot open the device for direct IO (needed for multiple-mount protection): %s",
			 f4->dev.path, strerror(-m->dfd));
		return m->dfd;
	}
	return 0;
}

static int read_checked(struct f4_mmp *m, struct mmp_struct *p, char *msg,
			size_t msglen)
{
	const char *why = NULL;
	int ret = read_block(m, p);

	if (ret) {
		snprintf(msg, msglen, "%s: cannot read the MMP block: %s",
			 m->f4->dev.path, strerror(-ret));
		return ret;
	}
	ret = check_block(m, p, &why);
	if (ret)
		snprintf(msg, msglen, "%s: the MMP block is damaged (%s); run e2fsck",
			 m->f4->dev.path, why);
	return ret;
}

static int refuse_busy(struct f4_mmp *m, const struct mmp_struct *p,
		       char *msg, size_t msglen)
{
	char w[128];

	who(p, w, sizeof(w));
	snprintf(msg, msglen, "%s is in use by another node (multiple-mount protection; last update by %s)",
		 m->f4->dev.path, w);
	return -EBUSY;
}

/* Waits wait_s, then reads the block into cur again: still seq, or
 * another node is updating it. */
static int wait_unchanged(struct f4_mmp *m, uint32_t seq, unsigned wait_s,
			  struct mmp_struct *cur, char *msg, size_t msglen)
{
	int ret;

	sleep_s(wait_s);
	ret = read_checked(m, cur, msg, msglen);
	if (ret)
		return ret;
	if (ext2fs_le32_to_cpu(cur->mmp_seq) != seq)
		return refuse_busy(m, cur, msg, msglen);
	return 0;
}

/* The claim itself (see mmp.h): the waits are ext4's. */
static int claim(struct f4_mmp *m, char *msg, size_t msglen)
{
	struct mmp_struct cur;
	unsigned check_s = m->update_s, wait_s;
	uint32_t seq;
	char w[128];
	int ret;

	if (check_s < F4_MMP_MIN_CHECK_S)
		check_s = F4_MMP_MIN_CHECK_S;
	ret = read_checked(m, &cur, msg, msglen);
	if (ret)
		return ret;
	if (ext2fs_le16_to_cpu(cur.mmp_check_interval) > check_s)
		check_s = ext2fs_le16_to_cpu(cur.mmp_check_interval);
	/* No node writes more than ext4's maximum; a larger value only
	 * makes a hostile image hold the mount for hours. */
	if (check_s > F4_MMP_MAX_CHECK_S)
		check_s = F4_MMP_MAX_CHECK_S;
	wait_s = check_s * 2 + 1 < check_s + 60 ? check_s * 2 + 1 : check_s + 60;
	seq = ext2fs_le32_to_cpu(cur.mmp_seq);
	if (seq == EXT4_MMP_SEQ_FSCK) {
		who(&cur, w, sizeof(w));
		snprintf(msg, msglen, "%s: e2fsck is running on the filesystem (multiple-mount protection; %s)",
			 m->f4->dev.path, w);
		return -EBUSY;
	}
	if (seq != EXT4_MMP_SEQ_CLEAN) {
		f4_info("%s: multiple-mount protection: waiting %u s to see whether another node still updates it (it was not released cleanly)",
			m->f4->dev.path, wait_s);
		ret = wait_unchanged(m, seq, wait_s, &cur, msg, msglen);
		if (ret)
			return ret;
	}
	/* 11 to 22 s with nothing to show: say what the wait is for. */
	f4_info("%s: multiple-mount protection: waiting %u s to make sure no other node is using it",
		m->f4->dev.path, wait_s);
	m->mine = cur;
	seq = new_seq();
	m->mine.mmp_seq = ext2fs_cpu_to_le32(seq);
	m->mine.mmp_time = ext2fs_cpu_to_le64((uint64_t)time(NULL));
	sign(m, &m->mine);
	ret = write_block(m, &m->mine);
	if (ret) {
		snprintf(msg, msglen, "%s: cannot write the MMP block: %s",
			 m->f4->dev.path, strerror(-ret));
		return ret;
	}
	f4_dbg("%s: MMP sequence %#x written, checking it stays (%u s)",
	       m->f4->dev.path, seq, wait_s);
	ret = wait_unchanged(m, seq, wait_s, &cur, msg, msglen);
	if (!ret)
		m->claimed = true;
	return ret;
}

int f4_mmp_claim(struct f4_fs *f4, char *msg, size_t msglen)
{
	struct f4_mmp *m;
	int ret;

	if (!f4->rw || f4->mmp || !ext2fs_has_feature_mmp(f4->fs->super))
		return 0;	/* (claimed already: before a replay) */
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	pthread_mutex_init(&m->lock, NULL);
	pthread_cond_init(&m->wake, NULL);
	m->dfd = -1;
	f4->mmp = m;	/* freed by f4_mmp_stop, also after a failure */
	f4_fs_lock(f4);
	ret = setup(f4, m, msg, msglen);
	f4_fs_unlock(f4);
	if (ret == -ENOMEM)
		snprintf(msg, msglen, "out of memory");
	if (!ret)
		ret = claim(m, msg, msglen);
	return ret;
}

/* Another node wrote the block: stop writing at all. */
static void lose(struct f4_mmp *m, const char *why)
{
	struct f4_fs *f4 = m->f4;

	m->lost = true;
	f4_err("%s: multiple-mount protection: %s; no further changes will be written",
	       f4->dev.path, why);
	f4_fs_lock(f4);
	f4->went_ro = true;
	f4_fs_unlock(f4);
}

/* After an update that came late, is the block still as we wrote it? */
static bool still_ours(struct f4_mmp *m)
{
	struct mmp_struct cur;
	const char *why;
	char w[128], text[200];
	int ret = read_block(m, &cur);

	if (!ret)
		ret = check_block(m, &cur, &why);
	if (ret) {
		lose(m, "the MMP block cannot be read back");
		return false;
	}
	if (cur.mmp_seq == m->mine.mmp_seq &&
	    !memcmp(cur.mmp_nodename, m->mine.mmp_nodename,
		    sizeof(cur.mmp_nodename)))
		return true;
	who(&cur, w, sizeof(w));
	snprintf(text, sizeof(text),
		 "the filesystem seems to be mounted elsewhere too (%s)", w);
	lose(m, text);
	return false;
}

/* Wait until deadline_ms (monotonic) or a stop request; m->lock held. */
static void wait_until(struct f4_mmp *m, uint64_t deadline_ms)
{
	while (!m->stop) {
		uint64_t now = mono_ms();
		struct timespec until;

		if (now >= deadline_ms)
			return;
		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += (time_t)((deadline_ms - now) / 1000);
		until.tv_nsec += (long)((deadline_ms - now) % 1000) * 1000000;
		if (until.tv_nsec >= 1000000000L) {
			until.tv_sec++;
			until.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&m->wake, &m->lock, &until);
	}
}

/* ext4's kmmpd: a new sequence every update interval; a check when an
 * update came later than the check interval, which follows how long
 * updates take. */
static void *updater(void *arg)
{
	struct f4_mmp *m = arg;
	unsigned check_s = F4_MMP_CHECK_MULT * m->update_s, failures = 0;
	uint32_t seq = 0;

	if (check_s < F4_MMP_MIN_CHECK_S)
		check_s = F4_MMP_MIN_CHECK_S;
	pthread_mutex_lock(&m->lock);
	while (!m->stop) {
		uint64_t t0 = mono_ms(), took;

		if (++seq > EXT4_MMP_SEQ_MAX)
			seq = 1;
		m->mine.mmp_seq = ext2fs_cpu_to_le32(seq);
		m->mine.mmp_time = ext2fs_cpu_to_le64((uint64_t)time(NULL));
		m->mine.mmp_check_interval = ext2fs_cpu_to_le16((uint16_t)check_s);
		pthread_mutex_unlock(&m->lock);
		if (write_block(m, &m->mine) && failures++ % 60 == 0)
			f4_err("%s: cannot update the MMP block", m->f4->dev.path);
		pthread_mutex_lock(&m->lock);
		wait_until(m, t0 + (uint64_t)m->update_s * 1000);
		if (m->stop)
			break;
		took = mono_ms() - t0;
		if (took > (uint64_t)check_s * 1000) {
			pthread_mutex_unlock(&m->lock);
			if (!still_ours(m))
				return NULL;
			pthread_mutex_lock(&m->lock);
		}
		check_s = (unsigned)(F4_MMP_CHECK_MULT * took / 1000);
		if (check_s < F4_MMP_MIN_CHECK_S)
			check_s = F4_MMP_MIN_CHECK_S;
		if (check_s > F4_MMP_MAX_CHECK_S)
			check_s = F4_MMP_MAX_CHECK_S;
	}
	pthread_mutex_unlock(&m->lock);
	return NULL;
}

void f4_mmp_run(struct f4_fs *f4)
{
	struct f4_mmp *m = f4->mmp;

	if (!m || !m->claimed || m->running)
		return;
	if (pthread_create(&m->thread, NULL, updater, m) == 0) {
		m->running = true;
		return;
	}
	lose(m, "cannot start the thread that keeps the MMP block current");
}

void f4_mmp_stop(struct f4_fs *f4)
{
	struct f4_mmp *m = f4->mmp;

	if (!m)
		return;
	if (m->running) {
		pthread_mutex_lock(&m->lock);
		m->stop = true;
		pthread_cond_signal(&m->wake);
		pthread_mutex_unlock(&m->lock);
		pthread_join(m->thread, NULL);
	}
	if (m->claimed && !m->lost) {
		m->mine.mmp_seq = ext2fs_cpu_to_le32(EXT4_MMP_SEQ_CLEAN);
		m->mine.mmp_time = ext2fs_cpu_to_le64((uint64_t)time(NULL));
		if (write_block(m, &m->mine))
			f4_err("%s: cannot mark the MMP block clean; e2fsck will have to wait for it",
			       f4->dev.path);
	}
	if (m->dfd >= 0)
		close(m->dfd);
	pthread_cond_destroy(&m->wake);
	pthread_mutex_destroy(&m->lock);
	free(m->window);
	free(m);
	f4->mmp = NULL;
}

bool f4_mmp_lost(struct f4_fs *f4)
{
	struct f4_mmp *m = f4->mmp;
	bool lost = false;

	if (m) {
		pthread_mutex_lock(&m->lock);
		lost = m->lost;
		pthread_mutex_unlock(&m->lock);
	}
	return lost;
}
