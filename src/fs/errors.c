/* Owns errcode_t -> errno translation and the corruption policy. */
#include "config.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <et/com_err.h>

#include "src/fs/errors.h"
#include "src/fs/fs.h"
#include "src/base/log.h"

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
