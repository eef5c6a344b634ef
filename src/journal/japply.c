/* Owns using a replay plan: looking a block up, reading a copy back
 * (un-escaped), writing the plan through the caller, the journal
 * superblock after a replay, and the caller's target veto. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/journal/jint.h"

const struct f4_jplan_entry *f4_jplan_find(const struct f4_jplan *p,
					   uint64_t fsblk)
{
	size_t lo = 0, hi = p->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->v[mid].fsblk == fsblk)
			return &p->v[mid];
		if (p->v[mid].fsblk < fsblk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

int f4_jrec_read_block(const struct f4_jdev *j,
		       const struct f4_jplan_entry *e, void *buf)
{
	int rc;

	if (e->jblk >= j->nblocks)
		return -EUCLEAN;
	rc = j->read(j->ctx, e->jblk, buf);
	if (!rc && e->escaped)	/* the writer zeroed a leading magic */
		f4_jput32(buf, F4_JMAGIC);
	return rc;
}

int f4_jrec_apply(const struct f4_jdev *j, const struct f4_jplan *p,
		  int (*write)(void *ctx, uint64_t fsblk, const void *buf),
		  void *wctx)
{
	uint8_t *buf = malloc(j->blocksize);
	size_t i;
	int rc = buf ? 0 : -ENOMEM;

	for (i = 0; !rc && i < p->n; i++) {
		rc = f4_jrec_read_block(j, &p->v[i], buf);
		if (!rc)
			rc = write(wctx, p->v[i].fsblk, buf);
	}
	free(buf);
	return rc;
}

int f4_jrec_reset_sb(const struct f4_jdev *j, const struct f4_jplan *p,
		     void *buf)
{
	uint8_t *sb = buf;
	uint32_t incompat;
	int rc;

	if (j->blocksize < F4_JSB_SIZE || !j->nblocks)
		return -EINVAL;
	rc = j->read(j->ctx, 0, buf);
	if (rc || !p->needs_replay)
		return rc;
	f4_jput32(sb + F4_JSB_START, 0);
	f4_jput32(sb + F4_JSB_SEQUENCE, p->next_seq + 1);
	f4_jput32(sb + F4_JSB_ERRNO, 0);
	incompat = f4_jget32(sb + F4_JH_TYPE) == F4_JB_SB_V2 ?
		   f4_jget32(sb + F4_JSB_INCOMPAT) : 0;
	if (incompat & (F4_JF_INCOMPAT_CSUM_V2 | F4_JF_INCOMPAT_CSUM_V3))
		f4_jput32(sb + F4_JSB_CHECKSUM, f4_jcsum_sb(sb));
	return 0;
}

int f4_jplan_check_targets(const struct f4_jplan *p,
			   bool (*forbidden)(void *ctx, uint64_t fsblk),
			   void *ctx, char *msg, size_t msglen)
{
	size_t i;

	for (i = 0; i < p->n; i++)
		if (forbidden(ctx, p->v[i].fsblk))
			return f4_jrefuse(msg, msglen, "journal replay would "
					  "write block %llu, which it must not",
					  (unsigned long long)p->v[i].fsblk);
	return 0;
}

void f4_jplan_free(struct f4_jplan *p)
{
	free(p->v);
	p->v = NULL;
	p->n = 0;
}
