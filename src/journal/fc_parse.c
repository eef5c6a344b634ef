/* Owns the scan of the fast-commit area: reading its blocks, walking the
 * tag-length-value records, checking each length, the HEAD's tid and
 * features, and every TAIL's tid and crc32c; the result is the list of
 * tags up to the last good TAIL. Which conditions stop the scan quietly
 * and which fail the recovery follows the kernel's scan pass (see
 * docs/journal-recovery.md, "Fast commits"). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ext2fs/ext2fs.h>

#include "src/journal/fc.h"
#include "src/journal/fcint.h"
#include "src/journal/jint.h"

const char *f4_fc_tag_name(unsigned tag)
{
	static const char *const names[] = {
		"?", "ADD_RANGE", "DEL_RANGE", "CREAT", "LINK",
		"UNLINK", "INODE", "PAD", "TAIL", "HEAD",
	};

	return tag < sizeof(names) / sizeof(names[0]) ? names[tag] : "?";
}

/* The kernel's value-length rule for each tag; an unknown tag fails. */
static bool len_ok(unsigned tag, unsigned len, unsigned inode_size)
{
	switch (tag) {
	case F4_FC_ADD_RANGE:
		return len == F4_FC_ADD_RANGE_SIZE;
	case F4_FC_DEL_RANGE:
		return len == F4_FC_DEL_RANGE_SIZE;
	case F4_FC_CREAT:
	case F4_FC_LINK:
	case F4_FC_UNLINK:
		return len > F4_FC_DENTRY_SIZE &&
		       len <= F4_FC_DENTRY_SIZE + F4_FC_NAME_MAX;
	case F4_FC_INODE:
		return len >= F4_FC_INODE_HDR + F4_FC_GOOD_OLD_INODE &&
		       len <= F4_FC_INODE_HDR + inode_size;
	case F4_FC_PAD:
		return true;
	case F4_FC_TAIL:
		return len >= F4_FC_TAIL_SIZE;
	case F4_FC_HEAD:
		return len == F4_FC_HEAD_SIZE;
	}
	return false;
}

/* Scan state across blocks: the crc runs from one good tail to the
 * next, over every record in between, whatever block it is in. */
struct fc_scan {
	struct f4_fc_area *a;
	uint32_t tid;		/* the transaction the area must belong to */
	unsigned inode_size;
	uint32_t crc;
	size_t cur;		/* records since the start (n counts the valid) */
	size_t cap;
	bool stop;
	char *msg;
	size_t msglen;
};

/* val points into the block being scanned; the record keeps its offset
 * in the area buffer (which grows) and gets its pointer at the end. */
static int push(struct fc_scan *s, unsigned tag, unsigned len,
		const uint8_t *val)
{
	uintptr_t off = (uintptr_t)(val - s->a->buf);

	struct f4_fc_tlv *v;

	if (s->cur == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64;

		v = realloc(s->a->v, ncap * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->a->v = v;
		s->cap = ncap;
	}
	s->a->v[s->cur++] = (struct f4_fc_tlv){ tag, len,
						(const uint8_t *)off };
	return 0;
}

/* Where the kernel ends its scan: quietly once a fast commit was good,
 * else the whole recovery fails. */
static int end_scan(struct fc_scan *s, const char *what, uint64_t blk,
		    size_t off)
{
	s->stop = true;
	if (s->a->n) {
		snprintf(s->a->why, sizeof(s->a->why),
			 "%s at fast-commit block %llu offset %zu ends the area",
			 what, (unsigned long long)blk, off);
		return 0;
	}
	return f4_jrefuse(s->msg, s->msglen,
			  "fast commit: %s at fast-commit block %llu offset %zu "
			  "before any valid tail", what, (unsigned long long)blk,
			  off);
}

static int on_tail(struct fc_scan *s, const uint8_t *rec, uint64_t blk,
		   size_t off)
{
	uint32_t tid = f4_fc_le32(rec + F4_FC_TL_SIZE);
	uint32_t crc = f4_fc_le32(rec + F4_FC_TL_SIZE + 4);

	/* The tail's crc covers its own tag, length and tid. */
	s->crc = ext2fs_crc32c_le(s->crc, rec, F4_FC_TL_SIZE + 4);
	if (tid != s->tid || crc != s->crc)
		return end_scan(s, tid != s->tid ? "a tail of another tid" :
				"a tail failing its crc32c", blk, off);
	s->a->n = s->cur;
	s->a->commits++;
	s->crc = 0;
	return 0;
}

static int on_head(struct fc_scan *s, const uint8_t *rec, uint64_t blk,
		   size_t off)
{
	uint32_t feat = f4_fc_le32(rec + F4_FC_TL_SIZE);
	uint32_t tid = f4_fc_le32(rec + F4_FC_TL_SIZE + 4);

	if (feat & ~F4_FC_KNOWN_FEATURES)
		return f4_jrefuse(s->msg, s->msglen,
				  "fast commit: head with unknown features 0x%x",
				  feat);
	if (tid != s->tid) {
		s->stop = true;
		if (!s->a->n)
			snprintf(s->a->why, sizeof(s->a->why),
				 "the fast-commit head is for tid %u, not %u: "
				 "nothing to replay", tid, s->tid);
		else
			(void)end_scan(s, "a head of another tid", blk, off);
		return 0;
	}
	s->crc = ext2fs_crc32c_le(s->crc, rec, F4_FC_TL_SIZE + F4_FC_HEAD_SIZE);
	return push(s, F4_FC_HEAD, F4_FC_HEAD_SIZE, rec + F4_FC_TL_SIZE);
}

/* One block of the area: records from offset 0 while a header fits. */
static int scan_block(struct fc_scan *s, const uint8_t *b, uint32_t bs,
		      uint64_t blk)
{
	size_t off = 0;
	int rc = 0;

	while (!s->stop && !rc && off + F4_FC_TL_SIZE <= bs) {
		const uint8_t *rec = b + off;
		unsigned tag = f4_fc_le16(rec), len = f4_fc_le16(rec + 2);

		if (len > bs - off - F4_FC_TL_SIZE ||
		    !len_ok(tag, len, s->inode_size))
			return end_scan(s, tag >= 1 && tag <= 9 ?
					"a record with a bad length" :
					"an unknown tag", blk, off);
		if (tag == F4_FC_TAIL) {
			rc = push(s, tag, len, rec + F4_FC_TL_SIZE);
			if (!rc)
				rc = on_tail(s, rec, blk, off);
		} else if (tag == F4_FC_HEAD) {
			rc = on_head(s, rec, blk, off);
		} else {
			s->crc = ext2fs_crc32c_le(s->crc, rec,
						  F4_FC_TL_SIZE + len);
			rc = push(s, tag, len, rec + F4_FC_TL_SIZE);
		}
		off += F4_FC_TL_SIZE + len;
	}
	return rc;
}

static int scan_area(struct fc_scan *s, const struct f4_jdev *j,
		     const struct f4_jplan *p)
{
	uint32_t bs = j->blocksize;
	uint64_t i;
	int rc;

	for (i = 0; i < p->fc_count && !s->stop; i++) {
		uint8_t *b;

		if (p->fc_first + i >= j->nblocks)
			return -EIO;
		/* One block more each time: the buffer holds only what the
		 * scan reached, not the whole area a superblock claims. */
		b = realloc(s->a->buf, (i + 1) * bs);
		if (!b)
			return -ENOMEM;
		s->a->buf = b;
		b += i * bs;
		rc = j->read(j->ctx, p->fc_first + i, b);
		if (rc)
			return rc;
		if (i == 0 && f4_fc_le16(b) != F4_FC_HEAD) {
			snprintf(s->a->why, sizeof(s->a->why),
				 "the fast-commit area does not start with a "
				 "head: nothing to replay");
			return 0;
		}
		rc = scan_block(s, b, bs, i);
		if (rc)
			return rc;
	}
	if (!s->stop && s->a->n)
		snprintf(s->a->why, sizeof(s->a->why),
			 "the fast-commit area ends after %u fast commits",
			 s->a->commits);
	else if (!s->stop)
		return end_scan(s, "the end of the area", p->fc_count, 0);
	return 0;
}

int f4_fc_parse(const struct f4_jdev *j, const struct f4_jplan *p,
		unsigned inode_size, struct f4_fc_area *a, char *msg,
		size_t msglen)
{
	struct fc_scan s = { .a = a, .tid = p->next_seq,
			     .inode_size = inode_size, .msg = msg,
			     .msglen = msglen };
	size_t i;
	int rc;

	memset(a, 0, sizeof(*a));
	if (msg && msglen)
		msg[0] = 0;
	if (!p->needs_replay || !p->fc_count) {
		snprintf(a->why, sizeof(a->why), "%s",
			 !p->needs_replay ? "the journal needs no recovery" :
			 "the journal has no fast-commit area");
		return 0;
	}
	if (j->blocksize < 1024 || p->fc_count > j->nblocks)
		return f4_jrefuse(msg, msglen, "fast commit: area of %llu "
				  "blocks in a journal of %llu",
				  (unsigned long long)p->fc_count,
				  (unsigned long long)j->nblocks);
	rc = scan_area(&s, j, p);
	for (i = 0; i < s.cur; i++)
		a->v[i].val = a->buf + (uintptr_t)a->v[i].val;
	return rc;
}

void f4_fc_area_free(struct f4_fc_area *a)
{
	free(a->buf);
	free(a->v);
	memset(a, 0, sizeof(*a));
}

int f4_fc_check(const struct f4_jdev *j, const struct f4_jplan *p,
		unsigned inode_size, char *msg, size_t msglen)
{
	struct f4_fc_area a;
	int rc = f4_fc_parse(j, p, inode_size, &a, msg, msglen);

	if (!rc && msg && msglen)
		snprintf(msg, msglen, "%s", a.why);
	f4_fc_area_free(&a);
	return rc;
}
