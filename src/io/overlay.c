/* Owns the device overlay (see overlay.h): a sorted array of blocks,
 * each a reference to device bytes or a copy in memory. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "src/io/overlay.h"

struct ovl_blk {
	uint64_t blk;
	uint64_t src_off;	/* device offset of the contents, unless mem */
	uint8_t *mem;		/* a copy of our own, or NULL */
	bool mapped;		/* src_off is set */
	bool patch;
	uint8_t patch4[4];
};

struct f4_overlay {
	uint32_t bsize;
	f4_overlay_base_fn base;
	const void *base_ctx;
	bool take_writes;
	struct ovl_blk *v;	/* sorted by blk, unique */
	size_t n, cap;
	size_t mem_bytes;	/* copies held */
};

int f4_overlay_create(uint32_t bsize, f4_overlay_base_fn base,
		      const void *base_ctx, struct f4_overlay **out)
{
	struct f4_overlay *o = calloc(1, sizeof(*o));

	if (!o)
		return -ENOMEM;
	o->bsize = bsize;
	o->base = base;
	o->base_ctx = base_ctx;
	*out = o;
	return 0;
}

void f4_overlay_destroy(struct f4_overlay *o)
{
	size_t i;

	if (!o)
		return;
	for (i = 0; i < o->n; i++)
		free(o->v[i].mem);
	free(o->v);
	free(o);
}

/* Index of the first entry with blk >= the one asked for. */
static size_t lower_bound(const struct f4_overlay *o, uint64_t blk)
{
	size_t lo = 0, hi = o->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (o->v[mid].blk < blk)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The entry for blk, created (empty) where there is none. Appending in
 * ascending order, as a replay plan comes, costs no moves. */
static struct ovl_blk *slot(struct f4_overlay *o, uint64_t blk)
{
	size_t i = lower_bound(o, blk);

	if (i < o->n && o->v[i].blk == blk)
		return &o->v[i];
	if (o->n == o->cap) {
		size_t cap = o->cap ? o->cap * 2 : 64;
		struct ovl_blk *v = realloc(o->v, cap * sizeof(*v));

		if (!v)
			return NULL;
		o->v = v;
		o->cap = cap;
	}
	memmove(&o->v[i + 1], &o->v[i], (o->n - i) * sizeof(*o->v));
	o->n++;
	memset(&o->v[i], 0, sizeof(o->v[i]));
	o->v[i].blk = blk;
	return &o->v[i];
}

int f4_overlay_map(struct f4_overlay *o, uint64_t blk, uint64_t src_off,
		   bool patch, const uint8_t patch4[4])
{
	struct ovl_blk *b = slot(o, blk);

	if (!b)
		return -ENOMEM;
	if (b->mem) {
		free(b->mem);
		b->mem = NULL;
		o->mem_bytes -= o->bsize;
	}
	b->src_off = src_off;
	b->mapped = true;
	b->patch = patch;
	if (patch)
		memcpy(b->patch4, patch4, 4);
	return 0;
}

void f4_overlay_take_writes(struct f4_overlay *o)
{
	o->take_writes = true;
}

bool f4_overlay_takes_writes(const struct f4_overlay *o)
{
	return o->take_writes;
}

/* The whole current contents of one block: its copy, its source, or
 * (not in the overlay yet) its home. */
static int block_contents(const struct f4_overlay *o, const struct ovl_blk *b,
			  uint8_t *out)
{
	int ret;

	if (b->mem) {
		memcpy(out, b->mem, o->bsize);
		return 0;
	}
	ret = o->base(o->base_ctx, out, o->bsize,
		      b->mapped ? b->src_off : b->blk * o->bsize);
	if (!ret && b->patch)
		memcpy(out, b->patch4, 4);
	return ret;
}

int f4_overlay_read(const struct f4_overlay *o, void *buf, size_t len,
		    uint64_t off)
{
	uint64_t first = off / o->bsize, end = off + len;
	uint8_t *blk = NULL;
	size_t i;
	int ret = 0;

	for (i = lower_bound(o, first); i < o->n && !ret; i++) {
		uint64_t bstart = o->v[i].blk * o->bsize, from, to;

		if (bstart >= end)
			break;
		if (!blk && !(blk = malloc(o->bsize)))
			return -ENOMEM;
		ret = block_contents(o, &o->v[i], blk);
		from = bstart > off ? bstart : off;
		to = bstart + o->bsize < end ? bstart + o->bsize : end;
		if (!ret)
			memcpy((uint8_t *)buf + (from - off), blk + (from - bstart),
			       to - from);
	}
	free(blk);
	return ret;
}

/* One block's worth of a write, into the block's own copy. */
static int write_block(struct f4_overlay *o, uint64_t blk, const uint8_t *src,
		       size_t at, size_t n)
{
	struct ovl_blk *b = slot(o, blk);

	if (!b)
		return -ENOMEM;
	if (!b->mem) {
		uint8_t *mem = malloc(o->bsize);
		int ret;

		if (!mem)
			return -ENOMEM;
		ret = n == o->bsize ? 0 : block_contents(o, b, mem);
		if (ret) {
			free(mem);
			return ret;
		}
		b->mem = mem;
		o->mem_bytes += o->bsize;
	}
	memcpy(b->mem + at, src, n);
	return 0;
}

int f4_overlay_write(struct f4_overlay *o, const void *buf, size_t len,
		     uint64_t off)
{
	const uint8_t *p = buf;

	if (!o->take_writes)
		return 0;
	while (len) {
		uint64_t blk = off / o->bsize;
		size_t at = (size_t)(off % o->bsize);
		size_t n = o->bsize - at < len ? o->bsize - at : len;
		int ret = write_block(o, blk, p, at, n);

		if (ret)
			return ret;
		p += n;
		off += n;
		len -= n;
	}
	return 1;
}

size_t f4_overlay_blocks(const struct f4_overlay *o)
{
	return o ? o->n : 0;
}

size_t f4_overlay_bytes(const struct f4_overlay *o)
{
	return o ? o->cap * sizeof(*o->v) + o->mem_bytes : 0;
}
