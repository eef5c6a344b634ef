/* Owns inode reads and inode -> stat conversion. */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <time.h>

#include "src/fs/errors.h"
#include "src/inode/inode.h"

#define F4_NSEC_MAX 999999999L

bool f4_inode_nameable(const struct f4_fs *f4, ext2_ino_t ino)
{
	const struct ext2_super_block *sb = f4->fs->super;

	if (ino == EXT2_ROOT_INO)
		return true;
	return ino >= EXT2_FIRST_INO(sb) && ino <= sb->s_inodes_count;
}

int f4_inode_read(struct f4_fs *f4, ext2_ino_t ino,
		  struct ext2_inode_large *inode)
{
	errcode_t err;

	if (!f4_inode_nameable(f4, ino))
		return -ESTALE;
	memset(inode, 0, sizeof(*inode));
	err = ext2fs_read_inode_full(f4->fs, ino, (struct ext2_inode *)inode,
				     sizeof(*inode));
	if (err)
		return f4_fs_errcode(f4, ino, err, "read_inode");
	/* As ext4_iget: the extra fields must fit the inode, in 4-byte
	 * steps (libext2fs's xattr code trusts i_extra_isize). */
	if (EXT2_INODE_SIZE(f4->fs->super) > EXT2_GOOD_OLD_INODE_SIZE &&
	    (EXT2_GOOD_OLD_INODE_SIZE + inode->i_extra_isize >
		     EXT2_INODE_SIZE(f4->fs->super) ||
	     (inode->i_extra_isize & 3)))
		return f4_fs_corrupt(f4, ino, 0, "read_inode", "bad i_extra_isize");
	return 0;
}

bool f4_inode_has_extra(const struct f4_fs *f4,
			const struct ext2_inode_large *inode, size_t end)
{
	unsigned isize = EXT2_INODE_SIZE(f4->fs->super);
	unsigned extra = inode->i_extra_isize;

	if (isize <= EXT2_GOOD_OLD_INODE_SIZE ||
	    extra > isize - EXT2_GOOD_OLD_INODE_SIZE)
		return false;
	return EXT2_GOOD_OLD_INODE_SIZE + extra >= end;
}

struct timespec f4_time_decode(uint32_t base, uint32_t extra, bool has_extra)
{
	struct timespec ts = { .tv_sec = (int32_t)base, .tv_nsec = 0 };

	if (has_extra) {
		ts.tv_sec += (int64_t)(extra & EXT4_EPOCH_MASK) << 32;
		ts.tv_nsec = (long)(extra >> EXT4_EPOCH_BITS);
		if (ts.tv_nsec > F4_NSEC_MAX)
			ts.tv_nsec = F4_NSEC_MAX;
	}
	return ts;
}

static dev_t decode_rdev(const struct ext2_inode_large *inode)
{
	uint32_t old = ext2fs_le32_to_cpu(inode->i_block[0]);
	uint32_t new = ext2fs_le32_to_cpu(inode->i_block[1]);

	if (old)
		return makedev((old >> 8) & 0xff, old & 0xff);
	return makedev((new & 0xfff00) >> 8, (new & 0xff) | ((new >> 12) & 0xfff00));
}

uid_t f4_inode_uid(const struct f4_fs *f4, const struct ext2_inode_large *inode)
{
	return f4_idmap_show(&f4->idmap.uid, inode_uid(*inode));
}

gid_t f4_inode_gid(const struct f4_fs *f4, const struct ext2_inode_large *inode)
{
	return f4_idmap_show(&f4->idmap.gid, inode_gid(*inode));
}

void f4_inode_to_attr(const struct f4_fs *f4, ext2_ino_t ino,
		      const struct ext2_inode_large *inode, struct f4_attr *a)
{
	struct stat *st = &a->st;

	memset(a, 0, sizeof(*a));
	a->ino = ino;
	a->generation = inode->i_generation;
	st->st_ino = ino;
	st->st_mode = inode->i_mode;
	st->st_nlink = inode->i_links_count;
	st->st_uid = f4_inode_uid(f4, inode);
	st->st_gid = f4_inode_gid(f4, inode);
	st->st_size = (off_t)EXT2_I_SIZE(inode);
	st->st_blksize = (blksize_t)f4->blocksize;
	st->st_blocks = (blkcnt_t)ext2fs_get_stat_i_blocks(f4->fs,
				(struct ext2_inode *)inode);
	/* Like ext4, inline file bytes count as if they took sectors. */
	if (S_ISREG(inode->i_mode) && (inode->i_flags & EXT4_INLINE_DATA_FL))
		st->st_blocks += (blkcnt_t)((EXT2_I_SIZE(inode) + 511) >> 9);
	if (S_ISCHR(inode->i_mode) || S_ISBLK(inode->i_mode))
		st->st_rdev = decode_rdev(inode);
	st->st_atim = f4_time_decode(inode->i_atime, inode->i_atime_extra,
			f4_inode_has_extra(f4, inode, F4_EXTRA_END(i_atime_extra)));
	st->st_mtim = f4_time_decode(inode->i_mtime, inode->i_mtime_extra,
			f4_inode_has_extra(f4, inode, F4_EXTRA_END(i_mtime_extra)));
	st->st_ctim = f4_time_decode(inode->i_ctime, inode->i_ctime_extra,
			f4_inode_has_extra(f4, inode, F4_EXTRA_END(i_ctime_extra)));
	a->has_btime = f4_inode_has_extra(f4, inode, F4_EXTRA_END(i_crtime_extra));
	if (a->has_btime)
		a->btime = f4_time_decode(inode->i_crtime, inode->i_crtime_extra, true);
}

int f4_inode_get_attr(struct f4_fs *f4, ext2_ino_t ino, struct f4_attr *a)
{
	struct ext2_inode_large inode;
	int ret = f4_inode_read(f4, ino, &inode);

	if (!ret)
		f4_inode_to_attr(f4, ino, &inode, a);
	return ret;
}

struct timespec f4_time_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts;
}

/* ext4's range: 32-bit seconds, extended by two epoch bits when the
 * inode has room for the extra words. */
#define F4_TIME_MIN ((int64_t)INT32_MIN)
#define F4_TIME_MAX_EXTRA ((int64_t)INT32_MIN + (1LL << 34) - 1)

static void encode_time(uint32_t *base, uint32_t *extra, bool has_extra,
			struct timespec ts)
{
	int64_t sec = ts.tv_sec;
	int64_t max = has_extra ? F4_TIME_MAX_EXTRA : INT32_MAX;

	if (sec < F4_TIME_MIN)
		sec = F4_TIME_MIN;
	if (sec > max)
		sec = max;
	*base = (uint32_t)sec;
	if (has_extra)
		*extra = (uint32_t)(((sec - (int32_t)sec) >> 32) & EXT4_EPOCH_MASK) |
			 ((uint32_t)ts.tv_nsec << EXT4_EPOCH_BITS);
}

void f4_inode_set_times(const struct f4_fs *f4, struct ext2_inode_large *inode,
			unsigned which, struct timespec ts)
{
	if (which & F4_ATIME)
		encode_time(&inode->i_atime, &inode->i_atime_extra,
			    f4_inode_has_extra(f4, inode, F4_EXTRA_END(i_atime_extra)), ts);
	if (which & F4_MTIME)
		encode_time(&inode->i_mtime, &inode->i_mtime_extra,
			    f4_inode_has_extra(f4, inode, F4_EXTRA_END(i_mtime_extra)), ts);
	if (which & F4_CTIME)
		encode_time(&inode->i_ctime, &inode->i_ctime_extra,
			    f4_inode_has_extra(f4, inode, F4_EXTRA_END(i_ctime_extra)), ts);
	if ((which & F4_CRTIME) &&
	    f4_inode_has_extra(f4, inode, F4_EXTRA_END(i_crtime_extra)))
		encode_time(&inode->i_crtime, &inode->i_crtime_extra, true, ts);
}

void f4_inode_set_ids(struct ext2_inode_large *inode, uid_t uid, gid_t gid)
{
	inode->i_uid = (uint16_t)uid;
	inode->osd2.linux2.l_i_uid_high = (uint16_t)(uid >> 16);
	inode->i_gid = (uint16_t)gid;
	inode->osd2.linux2.l_i_gid_high = (uint16_t)(gid >> 16);
}

int f4_inode_write(struct f4_fs *f4, ext2_ino_t ino,
		   struct ext2_inode_large *inode)
{
	uint64_t version = inode->osd1.linux1.l_i_version;
	bool has_hi = f4_inode_has_extra(f4, inode, F4_EXTRA_END(i_version_hi));
	errcode_t err;

	if (has_hi)
		version |= (uint64_t)inode->i_version_hi << 32;
	version++;
	inode->osd1.linux1.l_i_version = (uint32_t)version;
	if (has_hi)
		inode->i_version_hi = (uint32_t)(version >> 32);
	err = ext2fs_write_inode_full(f4->fs, ino, (struct ext2_inode *)inode,
				      sizeof(*inode));
	return err ? f4_fs_errcode(f4, ino, err, "write_inode") : 0;
}

uint64_t f4_inode_max_size(const struct f4_fs *f4,
			   const struct ext2_inode_large *inode)
{
	uint64_t bs = f4->blocksize, apb = bs / 4, blocks;

	if (inode->i_flags & EXT4_EXTENTS_FL)
		return ((1ULL << 32) - 1) * bs;
	/* Block maps: 12 direct, then single, double, triple indirect;
	 * also bounded by i_blocks counting 512-byte sectors in 32 bits
	 * unless huge_file. */
	blocks = EXT2_NDIR_BLOCKS + apb + apb * apb + apb * apb * apb;
	if (!ext2fs_has_feature_huge_file(f4->fs->super) &&
	    blocks > ((1ULL << 32) - 1) / (bs / 512))
		blocks = ((1ULL << 32) - 1) / (bs / 512);
	if (blocks > (1ULL << 32) - 1)
		blocks = (1ULL << 32) - 1;
	return blocks * bs;
}
