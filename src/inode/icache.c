/* Owns the in-core inode table (see icache.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "src/inode/icache.h"

struct f4_icache {
	pthread_mutex_t lock;
	struct f4_inode_state **buckets;
	size_t nbuckets;	/* power of two */
	uint64_t count;
};

static size_t bucket_of(const struct f4_icache *ic, ext2_ino_t ino)
{
	return (size_t)((ino * 0x9E3779B1u) & (ic->nbuckets - 1));
}

int f4_icache_create(struct f4_icache **out)
{
	struct f4_icache *ic = calloc(1, sizeof(*ic));

	if (!ic)
		return -ENOMEM;
	ic->nbuckets = 1024;
	ic->buckets = calloc(ic->nbuckets, sizeof(*ic->buckets));
	if (!ic->buckets) {
		free(ic);
		return -ENOMEM;
	}
	pthread_mutex_init(&ic->lock, NULL);
	*out = ic;
	return 0;
}

void f4_icache_destroy(struct f4_icache *ic)
{
	size_t i;

	if (!ic)
		return;
	for (i = 0; i < ic->nbuckets; i++) {
		struct f4_inode_state *st = ic->buckets[i], *next;

		for (; st; st = next) {
			next = st->next;
			pthread_rwlock_destroy(&st->io_lock);
			free(st);
		}
	}
	pthread_mutex_destroy(&ic->lock);
	free(ic->buckets);
	free(ic);
}

static void grow(struct f4_icache *ic)
{
	size_t n = ic->nbuckets * 2, i;
	struct f4_inode_state **nb = calloc(n, sizeof(*nb));
	struct f4_inode_state **old = ic->buckets;
	size_t oldn = ic->nbuckets;

	if (!nb)
		return;		/* keep the longer chains; still correct */
	ic->buckets = nb;
	ic->nbuckets = n;
	for (i = 0; i < oldn; i++) {
		struct f4_inode_state *st = old[i], *next;

		for (; st; st = next) {
			size_t b = bucket_of(ic, st->ino);

			next = st->next;
			st->next = nb[b];
			nb[b] = st;
		}
	}
	free(old);
}

static struct f4_inode_state *find(struct f4_icache *ic, ext2_ino_t ino)
{
	struct f4_inode_state *st = ic->buckets[bucket_of(ic, ino)];

	while (st && st->ino != ino)
		st = st->next;
	return st;
}

static struct f4_inode_state *find_or_add(struct f4_icache *ic, ext2_ino_t ino)
{
	struct f4_inode_state *st = find(ic, ino);
	size_t b;

	if (st)
		return st;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NULL;
	st->ino = ino;
	pthread_rwlock_init(&st->io_lock, NULL);
	if (ic->count >= ic->nbuckets * 2)
		grow(ic);
	b = bucket_of(ic, ino);
	st->next = ic->buckets[b];
	ic->buckets[b] = st;
	ic->count++;
	return st;
}

static bool idle(const struct f4_inode_state *st)
{
	return !st->pins && !st->nlookup && !st->nopen;
}

/* Drop st if nothing holds it. Returns whether it was unlinked. */
static bool maybe_free(struct f4_icache *ic, struct f4_inode_state *st)
{
	struct f4_inode_state **pp = &ic->buckets[bucket_of(ic, st->ino)];
	bool unlinked = st->unlinked;

	if (!idle(st))
		return false;
	while (*pp != st)
		pp = &(*pp)->next;
	*pp = st->next;
	ic->count--;
	pthread_rwlock_destroy(&st->io_lock);
	free(st);
	return unlinked;
}

struct f4_inode_state *f4_icache_get(struct f4_icache *ic, ext2_ino_t ino)
{
	struct f4_inode_state *st;

	pthread_mutex_lock(&ic->lock);
	st = find_or_add(ic, ino);
	if (st)
		st->pins++;
	pthread_mutex_unlock(&ic->lock);
	return st;
}

void f4_icache_put(struct f4_icache *ic, struct f4_inode_state *st)
{
	if (!st)
		return;
	pthread_mutex_lock(&ic->lock);
	st->pins--;
	maybe_free(ic, st);
	pthread_mutex_unlock(&ic->lock);
}

int f4_icache_ref(struct f4_icache *ic, ext2_ino_t ino)
{
	struct f4_inode_state *st;

	pthread_mutex_lock(&ic->lock);
	st = find_or_add(ic, ino);
	if (st)
		st->nlookup++;
	pthread_mutex_unlock(&ic->lock);
	return st ? 0 : -ENOMEM;
}

bool f4_icache_forget(struct f4_icache *ic, ext2_ino_t ino, uint64_t n)
{
	struct f4_inode_state *st;
	bool release = false;

	pthread_mutex_lock(&ic->lock);
	st = find(ic, ino);
	if (st) {
		st->nlookup = n > st->nlookup ? 0 : st->nlookup - n;
		release = maybe_free(ic, st);
	}
	pthread_mutex_unlock(&ic->lock);
	return release;
}

int f4_icache_open(struct f4_icache *ic, ext2_ino_t ino)
{
	struct f4_inode_state *st;

	pthread_mutex_lock(&ic->lock);
	st = find_or_add(ic, ino);
	if (st)
		st->nopen++;
	pthread_mutex_unlock(&ic->lock);
	return st ? 0 : -ENOMEM;
}

bool f4_icache_close(struct f4_icache *ic, ext2_ino_t ino)
{
	struct f4_inode_state *st;
	bool release = false;

	pthread_mutex_lock(&ic->lock);
	st = find(ic, ino);
	if (st && st->nopen) {
		st->nopen--;
		release = maybe_free(ic, st);
	}
	pthread_mutex_unlock(&ic->lock);
	return release;
}

bool f4_icache_mark_unlinked(struct f4_icache *ic, ext2_ino_t ino)
{
	struct f4_inode_state *st;
	bool release = true;

	pthread_mutex_lock(&ic->lock);
	st = find(ic, ino);
	if (st) {
		st->unlinked = true;
		release = idle(st);
	}
	pthread_mutex_unlock(&ic->lock);
	return release;
}

bool f4_icache_in_use(struct f4_icache *ic, ext2_ino_t ino)
{
	struct f4_inode_state *st;
	bool used;

	pthread_mutex_lock(&ic->lock);
	st = find(ic, ino);
	used = st && (st->nlookup || st->nopen);
	pthread_mutex_unlock(&ic->lock);
	return used;
}

uint64_t f4_icache_count(struct f4_icache *ic)
{
	uint64_t n;

	pthread_mutex_lock(&ic->lock);
	n = ic->count;
	pthread_mutex_unlock(&ic->lock);
	return n;
}
