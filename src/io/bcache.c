/* Owns the metadata block cache (see bcache.h). Blocks hang in a hash
 * table (chained) and on one LRU list; the head is the most recently
 * used. In journaled mode a dirty block is also pinned until its
 * transaction commits: pinned blocks never leave for the device. */
#include "config.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "src/io/bcache.h"

struct cblock {
	uint64_t blk;
	struct cblock *hnext;
	struct cblock *prev, *next;	/* LRU */
	bool dirty;
	bool pinned;		/* dirty, not committed yet (journaled mode) */
	uint32_t verified_for;	/* f4_bcache_set_verified's owner, or 0 */
	char data[];
};

struct f4_bcache {
	const struct f4_dev *dev;
	size_t bsize;
	size_t max_bytes;
	size_t max_blocks;
	struct cblock **hash;
	size_t hsize;			/* power of two */
	struct cblock lru;		/* sentinel */
	bool journaled;
	struct f4_bcache_stats st;
};

static size_t slot(const struct f4_bcache *c, uint64_t blk)
{
	return (size_t)((blk * 0x9E3779B97F4A7C15ULL) >> 20) & (c->hsize - 1);
}

static void lru_unlink(struct cblock *b)
{
	b->prev->next = b->next;
	b->next->prev = b->prev;
}

static void lru_push(struct f4_bcache *c, struct cblock *b)
{
	b->next = c->lru.next;
	b->prev = &c->lru;
	c->lru.next->prev = b;
	c->lru.next = b;
}

static struct cblock *find(struct f4_bcache *c, uint64_t blk)
{
	struct cblock *b = c->hash[slot(c, blk)];

	while (b && b->blk != blk)
		b = b->hnext;
	return b;
}

static void unhash(struct f4_bcache *c, struct cblock *b)
{
	struct cblock **pp = &c->hash[slot(c, b->blk)];

	while (*pp != b)
		pp = &(*pp)->hnext;
	*pp = b->hnext;
}

static void drop(struct f4_bcache *c, struct cblock *b)
{
	unhash(c, b);
	lru_unlink(b);
	if (b->dirty)
		c->st.dirty--;
	if (b->pinned)
		c->st.pinned--;
	c->st.blocks--;
	free(b);
}

static int write_out(struct f4_bcache *c, struct cblock *b)
{
	int ret = f4_dev_pwrite(c->dev, b->data, c->bsize, b->blk * c->bsize);

	if (!ret) {
		b->dirty = false;
		c->st.dirty--;
		c->st.writebacks++;
	}
	return ret;
}

/* Make room for one more block: evict from the cold end. Pinned blocks
 * cannot leave: they go back to the hot end, and when nothing else is
 * left the cache grows past its size until the next commit. */
static int evict(struct f4_bcache *c)
{
	size_t skipped = 0;

	while (c->st.blocks >= c->max_blocks && c->lru.prev != &c->lru &&
	       skipped < c->st.pinned) {
		struct cblock *b = c->lru.prev;

		if (b->pinned) {
			lru_unlink(b);
			lru_push(c, b);
			skipped++;
			continue;
		}
		if (b->dirty) {
			int ret = write_out(c, b);

			if (ret)
				return ret;
		}
		drop(c, b);
		c->st.evictions++;
	}
	return 0;
}

static struct cblock *insert(struct f4_bcache *c, uint64_t blk, const void *data)
{
	struct cblock *b;
	size_t h;

	if (evict(c))
		return NULL;
	b = malloc(sizeof(*b) + c->bsize);
	if (!b)
		return NULL;
	b->blk = blk;
	b->dirty = false;
	b->pinned = false;
	b->verified_for = 0;
	memcpy(b->data, data, c->bsize);
	h = slot(c, blk);
	b->hnext = c->hash[h];
	c->hash[h] = b;
	lru_push(c, b);
	c->st.blocks++;
	return b;
}

static int alloc_table(struct f4_bcache *c)
{
	c->max_blocks = c->max_bytes / (c->bsize + sizeof(struct cblock));
	if (c->max_blocks < 16)
		c->max_blocks = 16;
	for (c->hsize = 64; c->hsize < c->max_blocks; c->hsize *= 2)
		;
	free(c->hash);
	c->hash = calloc(c->hsize, sizeof(*c->hash));
	return c->hash ? 0 : -ENOMEM;
}

struct f4_bcache *f4_bcache_create(const struct f4_dev *dev, size_t bsize,
				   size_t max_bytes)
{
	struct f4_bcache *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->dev = dev;
	c->bsize = bsize;
	c->max_bytes = max_bytes;
	c->lru.next = c->lru.prev = &c->lru;
	if (alloc_table(c)) {
		free(c);
		return NULL;
	}
	return c;
}

static void drop_all(struct f4_bcache *c)
{
	while (c->lru.next != &c->lru)
		drop(c, c->lru.next);
}

void f4_bcache_destroy(struct f4_bcache *c)
{
	if (!c)
		return;
	drop_all(c);
	free(c->hash);
	free(c);
}

int f4_bcache_read(struct f4_bcache *c, uint64_t blk, size_t count, void *buf)
{
	char *out = buf;
	size_t i;
	int ret;

	/* All hits: serve from memory. */
	for (i = 0; i < count; i++) {
		struct cblock *b = find(c, blk + i);

		if (!b)
			break;
		memcpy(out + i * c->bsize, b->data, c->bsize);
		lru_unlink(b);
		lru_push(c, b);
	}
	if (i == count) {
		c->st.hits += count;
		return 0;
	}
	/* Otherwise read the rest from the device; cached copies (possibly
	 * newer than the device) win; single blocks are kept. */
	ret = f4_dev_pread(c->dev, out + i * c->bsize, (count - i) * c->bsize,
			   (blk + i) * c->bsize);
	if (ret)
		return ret;
	for (; i < count; i++) {
		struct cblock *b = find(c, blk + i);

		if (b) {
			memcpy(out + i * c->bsize, b->data, c->bsize);
			c->st.hits++;
		} else {
			c->st.misses++;
			if (count <= 8)
				insert(c, blk + i, out + i * c->bsize);
		}
	}
	return 0;
}

int f4_bcache_write(struct f4_bcache *c, uint64_t blk, size_t count,
		    const void *buf)
{
	const char *in = buf;
	size_t i;

	if (!f4_dev_takes_writes(c->dev))
		return -EROFS;
	if (!f4_dev_range_ok(c->dev, blk * c->bsize, count * c->bsize))
		return -EIO;
	for (i = 0; i < count; i++) {
		struct cblock *b = find(c, blk + i);

		if (b) {
			memcpy(b->data, in + i * c->bsize, c->bsize);
			b->verified_for = 0;
			lru_unlink(b);
			lru_push(c, b);
		} else {
			b = insert(c, blk + i, in + i * c->bsize);
			if (!b && c->journaled)	/* never around the journal */
				return -ENOMEM;
			if (!b)	/* no memory: write through */
				return f4_dev_pwrite(c->dev, in + i * c->bsize,
						     (count - i) * c->bsize,
						     (blk + i) * c->bsize);
		}
		if (!b->dirty) {
			b->dirty = true;
			c->st.dirty++;
		}
		if (c->journaled && !b->pinned) {
			b->pinned = true;
			c->st.pinned++;
		}
	}
	return 0;
}

/* Write back dirty blocks overlapping [off, off + len). */
static int writeback_range(struct f4_bcache *c, uint64_t off, size_t len)
{
	uint64_t blk;

	for (blk = off / c->bsize; blk * c->bsize < off + len; blk++) {
		struct cblock *b = find(c, blk);
		int ret;

		if (b && b->dirty && (ret = write_out(c, b)))
			return ret;
	}
	return 0;
}

/* The part of block b that [off, off + len) covers, as offsets. */
static void overlap(const struct f4_bcache *c, uint64_t blk, uint64_t off,
		    size_t len, uint64_t *from, uint64_t *to)
{
	uint64_t bstart = blk * c->bsize;

	*from = off > bstart ? off : bstart;
	*to = off + len < bstart + c->bsize ? off + len : bstart + c->bsize;
}

/* The device's bytes, with every cached copy (never older) laid over. */
int f4_bcache_read_bytes(struct f4_bcache *c, uint64_t off, size_t len,
			 void *buf)
{
	uint64_t blk, from, to;
	int ret = f4_dev_pread(c->dev, buf, len, off);

	for (blk = off / c->bsize; !ret && blk * c->bsize < off + len; blk++) {
		struct cblock *b = find(c, blk);

		if (!b)
			continue;
		overlap(c, blk, off, len, &from, &to);
		memcpy((char *)buf + (from - off), b->data + (from - blk * c->bsize),
		       to - from);
	}
	return ret;
}

/* Journaled mode: bytes become block writes through the cache, so they
 * join the running transaction like any other change. */
static int write_bytes_journaled(struct f4_bcache *c, uint64_t off, size_t len,
				 const void *buf)
{
	char *tmp = malloc(c->bsize);
	uint64_t blk, from, to;
	int ret = tmp ? 0 : -ENOMEM;

	for (blk = off / c->bsize; !ret && blk * c->bsize < off + len; blk++) {
		overlap(c, blk, off, len, &from, &to);
		ret = f4_bcache_read(c, blk, 1, tmp);
		if (ret)
			break;
		memcpy(tmp + (from - blk * c->bsize), (const char *)buf + (from - off),
		       to - from);
		ret = f4_bcache_write(c, blk, 1, tmp);
	}
	free(tmp);
	return ret;
}

int f4_bcache_write_bytes(struct f4_bcache *c, uint64_t off, size_t len,
			  const void *buf)
{
	uint64_t blk, from, to;
	int ret;

	if (c->journaled)
		return write_bytes_journaled(c, off, len, buf);
	ret = writeback_range(c, off, len);
	if (!ret)
		ret = f4_dev_pwrite(c->dev, buf, len, off);
	if (ret)
		return ret;
	/* Keep cached copies in step with what we just wrote. */
	for (blk = off / c->bsize; blk * c->bsize < off + len; blk++) {
		struct cblock *b = find(c, blk);

		if (!b)
			continue;
		overlap(c, blk, off, len, &from, &to);
		memcpy(b->data + (from - blk * c->bsize), (const char *)buf + (from - off),
		       to - from);
		b->verified_for = 0;
	}
	return 0;
}

void f4_bcache_set_verified(struct f4_bcache *c, uint64_t blk, uint32_t owner)
{
	struct cblock *b = find(c, blk);

	if (b)
		b->verified_for = owner;
}

bool f4_bcache_verified(struct f4_bcache *c, uint64_t blk, uint32_t owner)
{
	struct cblock *b = find(c, blk);

	return b && owner && b->verified_for == owner;
}

static int cmp_blk(const void *a, const void *b)
{
	uint64_t x = (*(struct cblock *const *)a)->blk;
	uint64_t y = (*(struct cblock *const *)b)->blk;

	return x < y ? -1 : x > y;
}

int f4_bcache_writeback(struct f4_bcache *c)
{
	struct cblock **v, *b;
	size_t n = 0, i;
	int ret = 0;

	if (!c->st.dirty)
		return 0;
	v = malloc(c->st.dirty * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (b = c->lru.next; b != &c->lru; b = b->next)
		if (b->dirty && !b->pinned)
			v[n++] = b;
	qsort(v, n, sizeof(*v), cmp_blk);
	for (i = 0; i < n && !ret; i++)
		ret = write_out(c, v[i]);
	free(v);
	return ret;
}

void f4_bcache_set_journaled(struct f4_bcache *c, bool on)
{
	c->journaled = on;
}

int f4_bcache_pinned(struct f4_bcache *c, struct f4_bcache_ref **out,
		     size_t *n)
{
	struct cblock **v, *b;
	struct f4_bcache_ref *r;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	if (!c->st.pinned)
		return 0;
	v = malloc(c->st.pinned * sizeof(*v));
	r = malloc(c->st.pinned * sizeof(*r));
	if (!v || !r) {
		free(v);
		free(r);
		return -ENOMEM;
	}
	for (b = c->lru.next; b != &c->lru; b = b->next)
		if (b->pinned)
			v[k++] = b;
	qsort(v, k, sizeof(*v), cmp_blk);
	for (i = 0; i < k; i++)
		r[i] = (struct f4_bcache_ref){ v[i]->blk, v[i]->data };
	free(v);
	*out = r;
	*n = k;
	return 0;
}

void f4_bcache_unpin_all(struct f4_bcache *c)
{
	struct cblock *b;

	for (b = c->lru.next; b != &c->lru && c->st.pinned; b = b->next)
		if (b->pinned) {
			b->pinned = false;
			c->st.pinned--;
		}
}

int f4_bcache_flush_out(struct f4_bcache *c, uint64_t blk, uint64_t count)
{
	uint64_t i;

	for (i = 0; i < count; i++) {
		struct cblock *b = find(c, blk + i);
		int ret;

		if (!b)
			continue;
		if (b->dirty && (ret = write_out(c, b)))
			return ret;
		drop(c, b);
	}
	return 0;
}

void f4_bcache_invalidate(struct f4_bcache *c, uint64_t blk, uint64_t count)
{
	uint64_t i;

	if (count > c->st.blocks) {	/* cheaper to scan what we hold */
		struct cblock *b = c->lru.next, *next;

		for (; b != &c->lru; b = next) {
			next = b->next;
			if (b->blk >= blk && b->blk - blk < count)
				drop(c, b);
		}
		return;
	}
	for (i = 0; i < count; i++) {
		struct cblock *b = find(c, blk + i);

		if (b)
			drop(c, b);
	}
}

void f4_bcache_drop_dirty(struct f4_bcache *c)
{
	struct cblock *b = c->lru.next, *next;

	for (; b != &c->lru; b = next) {
		next = b->next;
		if (b->dirty)
			drop(c, b);
	}
}

int f4_bcache_set_bsize(struct f4_bcache *c, size_t bsize)
{
	int ret;

	if (bsize == c->bsize)
		return 0;
	ret = f4_bcache_writeback(c);
	if (ret)
		return ret;
	drop_all(c);
	c->bsize = bsize;
	return alloc_table(c);
}

void f4_bcache_get_stats(const struct f4_bcache *c, struct f4_bcache_stats *s)
{
	*s = c->st;
}
