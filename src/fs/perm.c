/* Owns mode-bit permission checks (see perm.h). */
#include "config.h"

#include <errno.h>
#include <unistd.h>

#include "src/fs/perm.h"

bool f4_cred_in_group(const struct f4_cred *c, gid_t gid)
{
	int i;

	struct f4_lazy_groups *lz = c->lazy;

	if (c->gid == gid)
		return true;
	for (i = 0; i < c->ngroups; i++)
		if (c->groups[i] == gid)
			return true;
	if (!lz)
		return false;
	if (lz->n < 0) {
		lz->n = lz->fetch(lz->ctx, lz->buf, lz->max);
		if (lz->n < 0)
			lz->n = 0;	/* unknown: the primary group only */
		else if (lz->n > lz->max)
			lz->n = lz->max;	/* (the rest is cut off) */
	}
	for (i = 0; i < lz->n; i++)
		if (lz->buf[i] == gid)
			return true;
	return false;
}

int f4_perm_check(const struct stat *st, const struct f4_cred *c, int mask)
{
	mode_t m = st->st_mode;
	int allowed;

	mask &= R_OK | W_OK | X_OK;
	if (c->uid == 0) {
		/* Root may do anything but execute a file nobody may. */
		if ((mask & X_OK) && !S_ISDIR(m) && !(m & (S_IXUSR | S_IXGRP | S_IXOTH)))
			return -EACCES;
		return 0;
	}
	if (c->uid == st->st_uid)
		allowed = (m >> 6) & 7;
	else if (f4_cred_in_group(c, st->st_gid))
		allowed = (m >> 3) & 7;
	else
		allowed = m & 7;
	return (mask & ~allowed) ? -EACCES : 0;
}
