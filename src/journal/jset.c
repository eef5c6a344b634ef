/* Owns the set of block numbers (see jset.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/journal/jset.h"

static size_t home(const struct f4_jset *s, uint64_t key)
{
	return (size_t)((key * 0x9E3779B97F4A7C15ULL) >> 17) & (s->cap - 1);
}

static void put(struct f4_jset *s, uint64_t key)
{
	size_t i = home(s, key);

	while (s->slot[i] && s->slot[i] != key)
		i = (i + 1) & (s->cap - 1);
	if (!s->slot[i]) {
		s->slot[i] = key;
		s->n++;
	}
}

static int grow(struct f4_jset *s)
{
	struct f4_jset bigger = { .cap = s->cap ? s->cap * 2 : 1024 };
	size_t i;

	bigger.slot = calloc(bigger.cap, sizeof(*bigger.slot));
	if (!bigger.slot)
		return -ENOMEM;
	for (i = 0; i < s->cap; i++)
		if (s->slot[i])
			put(&bigger, s->slot[i]);
	free(s->slot);
	*s = bigger;
	return 0;
}

int f4_jset_add(struct f4_jset *s, uint64_t blk)
{
	if ((s->n + 1) * 2 > s->cap) {
		int ret = grow(s);

		if (ret)
			return ret;
	}
	put(s, blk + 1);
	return 0;
}

bool f4_jset_has(const struct f4_jset *s, uint64_t blk)
{
	size_t i;

	if (!s->cap)
		return false;
	for (i = home(s, blk + 1); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == blk + 1)
			return true;
	return false;
}

void f4_jset_clear(struct f4_jset *s)
{
	if (s->cap)
		memset(s->slot, 0, s->cap * sizeof(*s->slot));
	s->n = 0;
}

void f4_jset_free(struct f4_jset *s)
{
	free(s->slot);
	memset(s, 0, sizeof(*s));
}
