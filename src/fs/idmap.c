/* Owns the id mapping rules (see idmap.h). */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "src/fs/idmap.h"

/* The last valid id: (uint32_t)-1 means "no id" to chown and ACLs. */
#define F4_ID_LAST 0xfffffffeu

/* One decimal number of a map; *p moves past it. */
static int parse_num(const char **p, uint32_t *out)
{
	unsigned long long n;
	char *end;

	if (!isdigit((unsigned char)**p))
		return -EINVAL;
	errno = 0;
	n = strtoull(*p, &end, 10);
	if (errno || n > UINT32_MAX)
		return -EINVAL;
	*out = (uint32_t)n;
	*p = end;
	return 0;
}

/* Do [a, a + n) and [b, b + m) share an id? (Both end by F4_ID_LAST.) */
static bool overlap(uint32_t a, uint32_t n, uint32_t b, uint32_t m)
{
	return a < b + m && b < a + n;
}

static int check_range(const struct f4_idmap_ids *ids,
		       const struct f4_idmap_range *r, char *msg, size_t len)
{
	unsigned i;

	if (r->count == 0) {
		snprintf(msg, len, "a range of 0 ids");
		return -EINVAL;
	}
	if (r->inside > F4_ID_LAST || r->ondisk > F4_ID_LAST ||
	    r->count - 1 > F4_ID_LAST - r->inside ||
	    r->count - 1 > F4_ID_LAST - r->ondisk) {
		snprintf(msg, len, "range %u:%u:%u goes past id %u",
			 r->inside, r->ondisk, r->count, F4_ID_LAST);
		return -EINVAL;
	}
	for (i = 0; i < ids->nranges; i++) {
		const struct f4_idmap_range *o = &ids->r[i];

		if (overlap(r->inside, r->count, o->inside, o->count) ||
		    overlap(r->ondisk, r->count, o->ondisk, o->count)) {
			snprintf(msg, len, "ranges %u:%u:%u and %u:%u:%u overlap",
				 o->inside, o->ondisk, o->count, r->inside,
				 r->ondisk, r->count);
			return -EINVAL;
		}
	}
	return 0;
}

int f4_idmap_parse(const char *spec, struct f4_idmap_ids *ids, char *msg,
		   size_t msglen)
{
	const char *p = spec;
	int ret = 0;

	memset(ids, 0, sizeof(*ids));
	ids->kind = F4_IDMAP_RANGES;
	while (!ret) {
		struct f4_idmap_range r;

		if (ids->nranges == F4_IDMAP_MAX_RANGES) {
			snprintf(msg, msglen, "more than %d ranges",
				 F4_IDMAP_MAX_RANGES);
			return -EINVAL;
		}
		if (parse_num(&p, &r.inside) || *p++ != ':' ||
		    parse_num(&p, &r.ondisk) || *p++ != ':' ||
		    parse_num(&p, &r.count) || (*p && *p != ':')) {
			snprintf(msg, msglen, "expected INSIDE:ONDISK:COUNT[:INSIDE:ONDISK:COUNT...] (decimal ids)");
			return -EINVAL;
		}
		ret = check_range(ids, &r, msg, msglen);
		if (!ret)
			ids->r[ids->nranges++] = r;
		if (!*p)
			break;
		p++;
	}
	return ret;
}

void f4_idmap_set_fixed(struct f4_idmap_ids *ids, uint32_t id)
{
	memset(ids, 0, sizeof(*ids));
	ids->kind = F4_IDMAP_FIXED;
	ids->fixed = id;
}

bool f4_idmap_is_identity(const struct f4_idmap_ids *ids)
{
	return ids->kind == F4_IDMAP_IDENTITY;
}

uint32_t f4_idmap_show(const struct f4_idmap_ids *ids, uint32_t ondisk)
{
	unsigned i;

	switch (ids->kind) {
	case F4_IDMAP_FIXED:
		return ids->fixed;
	case F4_IDMAP_RANGES:
		for (i = 0; i < ids->nranges; i++)
			if (ondisk - ids->r[i].ondisk < ids->r[i].count)
				return ids->r[i].inside + (ondisk - ids->r[i].ondisk);
		return F4_IDMAP_OVERFLOW;
	default:
		return ondisk;
	}
}

/* inside -> on disk through the ranges; -EOVERFLOW when unmapped. */
static int ranges_to_disk(const struct f4_idmap_ids *ids, uint32_t seen,
			  uint32_t *ondisk)
{
	unsigned i;

	for (i = 0; i < ids->nranges; i++)
		if (seen - ids->r[i].inside < ids->r[i].count) {
			*ondisk = ids->r[i].ondisk + (seen - ids->r[i].inside);
			return 0;
		}
	return -EOVERFLOW;
}

int f4_idmap_store(const struct f4_idmap_ids *ids, uint32_t seen,
		   uint32_t *ondisk)
{
	if (ids->kind == F4_IDMAP_RANGES)
		return ranges_to_disk(ids, seen, ondisk);
	*ondisk = seen;
	return 0;
}
