/* Owns errcode_t -> errno translation and the corruption policy. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <et/com_err.h>

#include "err.h"
#include "fs.h"
#include "log.h"

struct errmap {
	errcode_t code;
	int err;
};

static const struct errmap errmap[] = {
	{ EXT2_ET_NO_MEMORY, ENOMEM },
	{ EXT2_ET_RO_FILSYS, EROFS },
	{ EXT2_ET_FILE_RO, EROFS },
	{ EXT2_ET_BLOCK_ALLOC_FAIL, ENOSPC },
	{ EXT2_ET_INODE_ALLOC_FAIL, ENOSPC },
	{ EXT2_ET_DIR_NO_SPACE, ENOSPC },
	{ EXT2_ET_EA_NO_SPACE, ENOSPC },
	{ EXT2_ET_INLINE_DATA_NO_SPACE, ENOSPC },
	{ EXT2_ET_EXTENT_NO_SPACE, ENOSPC },
	{ EXT2_ET_DIR_NO_SPACE_FOR_CSUM, ENOSPC },
	{ EXT2_ET_TOO_MANY_INODES, ENOSPC },
	{ EXT2_ET_FILE_NOT_FOUND, ENOENT },
	{ EXT2_ET_NO_DIRECTORY, ENOTDIR },
	{ EXT2_ET_DIR_EXISTS, EEXIST },
	{ EXT2_ET_FILE_EXISTS, EEXIST },
	{ EXT2_ET_TOO_MANY_REFS, EMLINK },
	{ EXT2_ET_FILE_TOO_BIG, EFBIG },
	{ EXT2_ET_EA_KEY_NOT_FOUND, ENODATA },
	{ EXT2_ET_NO_INLINE_DATA, ENODATA },
	{ EXT2_ET_SYMLINK_LOOP, ELOOP },
	{ EXT2_ET_INVALID_ARGUMENT, EINVAL },
	{ EXT2_ET_OP_NOT_SUPPORTED, EOPNOTSUPP },
	{ EXT2_ET_UNIMPLEMENTED, EOPNOTSUPP },
	{ EXT2_ET_EXTENT_NOT_SUPPORTED, EOPNOTSUPP },
	{ EXT2_ET_INODE_NOT_EXTENT, EOPNOTSUPP },
	{ EXT2_ET_MISSING_EA_FEATURE, EOPNOTSUPP },
	{ EXT2_ET_SHORT_READ, EIO },
	{ EXT2_ET_SHORT_WRITE, EIO },
	{ EXT2_ET_LLSEEK_FAILED, EIO },
	{ EXT2_ET_MMP_FAILED, EBUSY },
	{ EXT2_ET_MMP_FSCK_ON, EBUSY },
};

/* Codes that mean the on-disk structure is wrong. */
static const errcode_t corrupt_codes[] = {
	EXT2_ET_DIR_CORRUPTED, EXT2_ET_BAD_BLOCK_NUM, EXT2_ET_BAD_INODE_NUM,
	EXT2_ET_BAD_IND_BLOCK, EXT2_ET_BAD_DIND_BLOCK, EXT2_ET_BAD_TIND_BLOCK,
	EXT2_ET_EXTENT_HEADER_BAD, EXT2_ET_EXTENT_INDEX_BAD,
	EXT2_ET_EXTENT_LEAF_BAD, EXT2_ET_EXTENT_INVALID_LENGTH,
	EXT2_ET_EXTENT_CYCLE, EXT2_ET_INODE_CSUM_INVALID,
	EXT2_ET_EXTENT_CSUM_INVALID, EXT2_ET_DIR_CSUM_INVALID,
	EXT2_ET_EXT_ATTR_CSUM_INVALID, EXT2_ET_SB_CSUM_INVALID,
	EXT2_ET_BLOCK_BITMAP_CSUM_INVALID, EXT2_ET_INODE_BITMAP_CSUM_INVALID,
	EXT2_ET_EA_BAD_NAME_LEN, EXT2_ET_EA_BAD_VALUE_SIZE, EXT2_ET_BAD_EA_HASH,
	EXT2_ET_BAD_EA_HEADER, EXT2_ET_BAD_EA_BLOCK_NUM,
	EXT2_ET_EA_BAD_VALUE_OFFSET, EXT2_ET_EA_INODE_CORRUPTED,
	EXT2_ET_INODE_CORRUPTED, EXT2_ET_INODE_IS_GARBAGE,
	EXT2_ET_FILESYSTEM_CORRUPTED, EXT2_ET_BAD_CRC, EXT2_ET_CORRUPT_SUPERBLOCK,
	EXT2_ET_INLINE_DATA_NO_BLOCK, EXT2_ET_RESIZE_INODE_CORRUPT,
	EXT2_ET_GDESC_BAD_BLOCK_MAP, EXT2_ET_GDESC_BAD_INODE_MAP,
	EXT2_ET_GDESC_BAD_INODE_TABLE, EXT2_ET_MISSING_INODE_TABLE,
};

static bool is_corrupt_code(errcode_t err)
{
	size_t i;

	for (i = 0; i < sizeof(corrupt_codes) / sizeof(corrupt_codes[0]); i++)
		if (corrupt_codes[i] == err)
			return true;
	return false;
}

int f4_errcode_to_errno(errcode_t err)
{
	size_t i;

	if (err == 0)
		return 0;
	if (err > 0 && err < 4096)	/* a plain errno from the io layer */
		return -(int)err;
	for (i = 0; i < sizeof(errmap) / sizeof(errmap[0]); i++)
		if (errmap[i].code == err)
			return -errmap[i].err;
	if (is_corrupt_code(err))
		return -EUCLEAN;
	return -EIO;
}

int f4_errors_parse(const char *s, enum f4_errors_policy *out)
{
	if (!s)
		return -EINVAL;
	if (!strcmp(s, "continue"))
		*out = F4_ERRORS_CONTINUE;
	else if (!strcmp(s, "remount-ro"))
		*out = F4_ERRORS_RO;
	else if (!strcmp(s, "panic"))
		*out = F4_ERRORS_PANIC;
	else
		return -EINVAL;
	return 0;
}

/* Objects already reported, so that each is logged once: a small
 * open-addressed set; when full, further reports are still counted in
 * the superblock but no longer logged individually. */
#define F4_CORRUPT_SEEN_MAX 1024

struct f4_corrupt_seen {
	uint64_t key[F4_CORRUPT_SEEN_MAX];
	unsigned used;
	bool overflow_logged;
};

static bool first_report(struct f4_fs *f4, ext2_ino_t ino, uint64_t blk)
{
	struct f4_corrupt_seen *s = f4->corrupt_seen;
	uint64_t key = ((uint64_t)ino << 40) ^ blk ^ 1;
	unsigned i, h;

	if (!s) {
		s = f4->corrupt_seen = calloc(1, sizeof(*s));
		if (!s)
			return true;
	}
	h = (unsigned)((key * 0x9E3779B97F4A7C15ULL) >> 54) % F4_CORRUPT_SEEN_MAX;
	for (i = 0; i < F4_CORRUPT_SEEN_MAX; i++) {
		uint64_t *slot = &s->key[(h + i) % F4_CORRUPT_SEEN_MAX];

		if (*slot == key)
			return false;
		if (*slot == 0) {
			if (s->used >= F4_CORRUPT_SEEN_MAX / 2)
				break;
			*slot = key;
			s->used++;
			return true;
		}
	}
	if (!s->overflow_logged) {
		s->overflow_logged = true;
		f4_err("too many corrupted objects; no longer logging each one");
	}
	return false;
}

static void record_in_super(struct f4_fs *f4, ext2_ino_t ino, uint64_t blk,
			    const char *func)
{
	struct ext2_super_block *sb = f4->fs->super;
	uint32_t now = (uint32_t)time(NULL);

	sb->s_state |= EXT2_ERROR_FS;
	if (sb->s_error_count < UINT32_MAX)
		sb->s_error_count++;
	if (!sb->s_first_error_time) {
		sb->s_first_error_time = now;
		sb->s_first_error_ino = ino;
		sb->s_first_error_block = blk;
		strncpy((char *)sb->s_first_error_func, func,
			sizeof(sb->s_first_error_func));
		sb->s_first_error_errcode = EUCLEAN;
	}
	sb->s_last_error_time = now;
	sb->s_last_error_ino = ino;
	sb->s_last_error_block = blk;
	strncpy((char *)sb->s_last_error_func, func,
		sizeof(sb->s_last_error_func));
	sb->s_last_error_errcode = EUCLEAN;
	/* Written out with the next superblock flush of a rw mount. */
	if (f4->rw)
		ext2fs_mark_super_dirty(f4->fs);
}

static void apply_policy(struct f4_fs *f4)
{
	switch (f4->errors) {
	case F4_ERRORS_PANIC:
		/* Stop at once, writing nothing more (the kernel then sees
		 * the connection fail); this is not a crash of ours. */
		f4_err("errors=panic: stopping the server");
		_exit(EXIT_FAILURE);
	case F4_ERRORS_RO:
		if (f4->rw && !f4->went_ro) {
			f4->went_ro = true;
			f4_err("errors=remount-ro: no further changes will be written");
		}
		break;
	default:
		break;
	}
}

int f4_fs_corrupt(struct f4_fs *f4, ext2_ino_t ino, uint64_t blk,
		  const char *func, const char *what)
{
	if (first_report(f4, ino, blk))
		f4_err("corruption detected in %s: %s (inode %u, block %llu)",
		       func, what, ino, (unsigned long long)blk);
	record_in_super(f4, ino, blk, func);
	apply_policy(f4);
	return -EUCLEAN;
}

int f4_fs_errcode(struct f4_fs *f4, ext2_ino_t ino, errcode_t err,
		  const char *func)
{
	int ret = f4_errcode_to_errno(err);

	if (ret == -EUCLEAN)
		return f4_fs_corrupt(f4, ino, 0, func, error_message(err));
	return ret;
}
