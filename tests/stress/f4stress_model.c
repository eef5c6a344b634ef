/* f4stress_model.c - the models f4stress checks the file system against:
 * a seeded random number generator (so a run is reproducible from its seed),
 * the expected contents of each regular file, and the expected namespace
 * tree of one worker (names, types, hard-link groups, symlink targets). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "f4stress.h"

/* ---- random numbers: xoshiro256** seeded through splitmix64 ---------- */

static uint64_t splitmix64(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

/* Each worker gets its own stream, derived from the seed and its index, so
 * one process's sequence does not depend on how many others run. */
void f4s_rng_init(uint64_t st[4], uint64_t seed, int stream)
{
	uint64_t s = seed ^ (0xd1b54a32d192ed03ull * (uint64_t)(stream + 1));

	for (int i = 0; i < 4; i++)
		st[i] = splitmix64(&s);
}

static inline uint64_t rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

uint64_t f4s_rand(struct wk *w)
{
	uint64_t *s = w->rng;
	uint64_t r = rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = rotl(s[3], 45);
	return r;
}

uint64_t f4s_rnd(struct wk *w, uint64_t n)
{
	return n ? f4s_rand(w) % n : 0;
}

int f4s_pct(struct wk *w, int percent)
{
	return (int)f4s_rnd(w, 100) < percent;
}

void *f4s_xmalloc(size_t n)
{
	void *p = calloc(1, n ? n : 1);

	if (!p) {
		perror("f4stress: calloc");
		exit(2);
	}
	return p;
}

char *f4s_xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = f4s_xmalloc(n);

	memcpy(p, s, n);
	return p;
}

/* ---- expected file contents ---------------------------------------- */

void fm_init(struct fmodel *m)
{
	memset(m, 0, sizeof(*m));
}

void fm_free(struct fmodel *m)
{
	for (size_t i = 0; i < m->nchunk; i++)
		free(m->chunk[i]);
	free(m->chunk);
	fm_init(m);
}

static uint8_t *fm_chunk(struct fmodel *m, uint64_t idx, int create)
{
	if (idx >= m->nchunk) {
		if (!create)
			return NULL;
		size_t n = idx + 16;
		uint8_t **c = realloc(m->chunk, n * sizeof(*c));

		if (!c) {
			perror("f4stress: realloc");
			exit(2);
		}
		memset(c + m->nchunk, 0, (n - m->nchunk) * sizeof(*c));
		m->chunk = c;
		m->nchunk = n;
	}
	if (!m->chunk[idx] && create)
		m->chunk[idx] = f4s_xmalloc(F4S_CHUNK);
	return m->chunk[idx];
}

void fm_read(const struct fmodel *m, uint64_t off, uint8_t *buf, size_t len)
{
	while (len) {
		uint64_t idx = off / F4S_CHUNK;
		size_t in = off % F4S_CHUNK;
		size_t n = F4S_CHUNK - in;
		const uint8_t *c = idx < m->nchunk ? m->chunk[idx] : NULL;

		if (n > len)
			n = len;
		if (c)
			memcpy(buf, c + in, n);
		else
			memset(buf, 0, n);
		buf += n;
		off += n;
		len -= n;
	}
}

/* Store bytes (NULL = zeros); the size is the caller's business. */
void fm_write(struct fmodel *m, uint64_t off, const uint8_t *buf, size_t len)
{
	while (len) {
		uint64_t idx = off / F4S_CHUNK;
		size_t in = off % F4S_CHUNK;
		size_t n = F4S_CHUNK - in;

		if (n > len)
			n = len;
		if (buf) {
			memcpy(fm_chunk(m, idx, 1) + in, buf, n);
			buf += n;
		} else {
			uint8_t *c = fm_chunk(m, idx, 0);

			if (c && n == F4S_CHUNK) {
				free(c);
				m->chunk[idx] = NULL;
			} else if (c) {
				memset(c + in, 0, n);
			}
		}
		off += n;
		len -= n;
	}
}

void fm_zero(struct fmodel *m, uint64_t off, uint64_t len)
{
	fm_write(m, off, NULL, len);
}

void fm_set_size(struct fmodel *m, uint64_t size)
{
	if (size < m->size)
		fm_zero(m, size, m->size - size);
	m->size = size;
}

int fm_is_zero(const struct fmodel *m, uint64_t off, uint64_t len,
	       uint64_t *first_nonzero)
{
	while (len) {
		uint64_t idx = off / F4S_CHUNK;
		size_t in = off % F4S_CHUNK;
		uint64_t n = F4S_CHUNK - in;
		const uint8_t *c = idx < m->nchunk ? m->chunk[idx] : NULL;

		if (n > len)
			n = len;
		for (size_t i = 0; c && i < n; i++) {
			if (c[in + i]) {
				*first_nonzero = off + i;
				return 0;
			}
		}
		off += n;
		len -= n;
	}
	return 1;
}

/* ---- namespace tree ------------------------------------------------- */

struct node *node_new(struct wk *w, enum f4s_type type, mode_t mode)
{
	struct node *n = f4s_xmalloc(sizeof(*n));

	n->id = w->next_id++;
	n->type = type;
	n->mode = mode & 07777;
	n->fd = -1;
	fm_init(&n->fm);
	if (w->nnodes == w->capnodes) {
		w->capnodes = w->capnodes ? 2 * w->capnodes : 64;
		w->nodes = realloc(w->nodes, w->capnodes * sizeof(*w->nodes));
		if (!w->nodes) {
			perror("f4stress: realloc");
			exit(2);
		}
	}
	w->nodes[w->nnodes++] = n;
	return n;
}

/* Drop a node that no longer exists (no names, no open fd). */
void node_forget(struct wk *w, struct node *n)
{
	for (int i = 0; i < w->nnodes; i++) {
		if (w->nodes[i] == n) {
			memmove(&w->nodes[i], &w->nodes[i + 1],
				(w->nnodes - i - 1) * sizeof(*w->nodes));
			w->nnodes--;
			break;
		}
	}
	if (n->fd >= 0) {
		close(n->fd);
		w->nfds--;
	}
	for (int i = 0; i < n->nxa; i++) {
		free(n->xa[i].name);
		free(n->xa[i].val);
	}
	free(n->xa);
	free(n->ent);
	free(n->target);
	fm_free(&n->fm);
	free(n);
}

int dir_find(const struct node *d, const char *name)
{
	for (int i = 0; i < d->nent; i++)
		if (!strcmp(d->ent[i].name, name))
			return i;
	return -1;
}

void dir_add(struct node *d, const char *name, struct node *n)
{
	if (d->nent == d->capent) {
		d->capent = d->capent ? 2 * d->capent : 8;
		d->ent = realloc(d->ent, d->capent * sizeof(*d->ent));
		if (!d->ent) {
			perror("f4stress: realloc");
			exit(2);
		}
	}
	d->ent[d->nent].name = f4s_xstrdup(name);
	d->ent[d->nent].node = n;
	d->nent++;
	if (n->type == T_DIR)
		n->parent = d;
	else
		n->nlink++;
}

/* Take a name out of a directory; the node lives on (for a move). */
struct node *dir_detach(struct node *d, int idx)
{
	struct node *n = d->ent[idx].node;

	free(d->ent[idx].name);
	memmove(&d->ent[idx], &d->ent[idx + 1],
		(d->nent - idx - 1) * sizeof(*d->ent));
	d->nent--;
	if (n->type == T_DIR)
		n->parent = NULL;
	else
		n->nlink--;
	return n;
}

/* Remove a name; the node goes away with its last name unless it is a
 * regular file we still hold open (then it is an orphan until closed). */
void dir_unlink(struct wk *w, struct node *d, int idx)
{
	struct node *n = dir_detach(d, idx);

	if (n->type == T_DIR || (n->nlink == 0 && n->fd < 0))
		node_forget(w, n);
}

int node_nlink(const struct node *n)
{
	int k = 2;

	if (n->type != T_DIR)
		return n->nlink;
	for (int i = 0; i < n->nent; i++)
		if (n->ent[i].node->type == T_DIR)
			k++;
	return k;
}

/* Is directory x the directory top or below it? */
int node_in_subtree(const struct node *x, const struct node *top)
{
	for (; x; x = x->parent)
		if (x == top)
			return 1;
	return 0;
}

int node_depth(const struct node *d)
{
	int k = 0;

	for (; d->parent; d = d->parent)
		k++;
	return k;
}

/* Levels of directories below d (0 if none). */
int node_height(const struct node *d)
{
	int h = 0;

	for (int i = 0; i < d->nent; i++) {
		const struct node *c = d->ent[i].node;

		if (c->type == T_DIR) {
			int k = 1 + node_height(c);

			if (k > h)
				h = k;
		}
	}
	return h;
}

int node_count(struct wk *w, enum f4s_type type)
{
	int k = 0;

	for (int i = 0; i < w->nnodes; i++)
		if (w->nodes[i]->type == type)
			k++;
	return k;
}

size_t dir_path(struct wk *w, const struct node *d, char *buf)
{
	const struct node *chain[64];
	int k = 0;
	size_t len = strlen(w->root);

	memcpy(buf, w->root, len + 1);
	for (; d->parent && k < 64; d = d->parent)
		chain[k++] = d;
	while (k-- > 0) {
		const struct node *p = chain[k]->parent;
		int i;

		for (i = 0; i < p->nent; i++)
			if (p->ent[i].node == chain[k])
				break;
		size_t n = strlen(p->ent[i].name);

		if (len + n + 2 >= F4S_PATHBUF) {
			fprintf(stderr, "f4stress: path too long\n");
			exit(2);
		}
		buf[len++] = '/';
		memcpy(buf + len, p->ent[i].name, n + 1);
		len += n;
	}
	return len;
}

size_t ent_path(struct wk *w, const struct node *d, const char *name,
		char *buf)
{
	size_t len = dir_path(w, d, buf);
	size_t n = strlen(name);

	if (len + n + 2 >= F4S_PATHBUF) {
		fprintf(stderr, "f4stress: path too long\n");
		exit(2);
	}
	buf[len++] = '/';
	memcpy(buf + len, name, n + 1);
	return len + n;
}

/* A path naming n (a random one of its hard links); -1 for an orphan. */
int node_path(struct wk *w, struct node *n, char *buf)
{
	int links = 0, pick;

	if (n->type == T_DIR) {
		dir_path(w, n, buf);
		return 0;
	}
	if (n->nlink == 0)
		return -1;
	pick = (int)f4s_rnd(w, n->nlink);
	for (int i = 0; i < w->nnodes; i++) {
		struct node *d = w->nodes[i];

		if (d->type != T_DIR)
			continue;
		for (int j = 0; j < d->nent; j++) {
			if (d->ent[j].node != n)
				continue;
			if (links++ == pick) {
				ent_path(w, d, d->ent[j].name, buf);
				return 0;
			}
		}
	}
	fprintf(stderr, "f4stress: model inconsistency: node %d\n", n->id);
	exit(2);
}

struct node *pick_dir(struct wk *w)
{
	int k = node_count(w, T_DIR), pick = (int)f4s_rnd(w, k);

	for (int i = 0; i < w->nnodes; i++)
		if (w->nodes[i]->type == T_DIR && pick-- == 0)
			return w->nodes[i];
	return w->top;
}

/* A random (directory, index) entry of the tree; -1 if the tree is empty. */
int pick_entry(struct wk *w, struct node **dir)
{
	int total = 0, pick;

	for (int i = 0; i < w->nnodes; i++)
		if (w->nodes[i]->type == T_DIR)
			total += w->nodes[i]->nent;
	if (!total)
		return -1;
	pick = (int)f4s_rnd(w, total);
	for (int i = 0; i < w->nnodes; i++) {
		struct node *d = w->nodes[i];

		if (d->type != T_DIR)
			continue;
		if (pick < d->nent) {
			*dir = d;
			return pick;
		}
		pick -= d->nent;
	}
	return -1;
}

/* A random node whose type is in the bit set `types` (1 << T_*). */
struct node *pick_node(struct wk *w, int types)
{
	int k = 0, pick;

	for (int i = 0; i < w->nnodes; i++)
		if (types & (1 << w->nodes[i]->type))
			k++;
	if (!k)
		return NULL;
	pick = (int)f4s_rnd(w, k);
	for (int i = 0; i < w->nnodes; i++)
		if ((types & (1 << w->nodes[i]->type)) && pick-- == 0)
			return w->nodes[i];
	return NULL;
}

size_t gen_name_len(struct wk *w)
{
	int r = (int)f4s_rnd(w, 100);

	if (r < 70)
		return 1 + f4s_rnd(w, 12);
	if (r < 85)
		return 13 + f4s_rnd(w, 52);
	if (r < 94)
		return 65 + f4s_rnd(w, 190);
	return F4S_NAME_MAX;
}

/* A name not yet in d: mostly tame characters, some punctuation and
 * non-UTF-8 bytes (names are byte strings), up to NAME_MAX bytes. */
void gen_name(struct wk *w, const struct node *d, char *name)
{
	static const char tame[] = "abcdefghijklmnopqrstuvwxyz0123456789._-";
	static const char odd[] = " !#$%&'()+,;=@[]^`{}~\\\"*?<>|:";

	do {
		size_t len = gen_name_len(w);

		for (size_t i = 0; i < len; i++) {
			int r = (int)f4s_rnd(w, 100);

			if (r < 88)
				name[i] = tame[f4s_rnd(w, sizeof(tame) - 1)];
			else if (r < 95)
				name[i] = odd[f4s_rnd(w, sizeof(odd) - 1)];
			else
				name[i] = (char)(0x80 + f4s_rnd(w, 128));
		}
		name[len] = 0;
		if (!strcmp(name, ".") || !strcmp(name, ".."))
			name[0] = 'x';
	} while (d && dir_find(d, name) >= 0);
}

/* Printable rendering of a name for logs: escapes, long names shortened. */
const char *f4s_show(const char *s, char *buf, size_t bufsz)
{
	size_t len = strlen(s), o = 0;

	for (size_t i = 0; i < len && o + 8 < bufsz; i++) {
		unsigned char c = (unsigned char)s[i];

		if (len > 48 && i == 40) {
			o += snprintf(buf + o, bufsz - o, "...(%zu bytes)", len);
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = (char)c;
		else
			o += snprintf(buf + o, bufsz - o, "\\x%02x", c);
	}
	buf[o] = 0;
	return buf;
}

void f4s_time_mark(struct node *n, int atime, int mtime)
{
	if (atime)
		n->atime_known = 0;
	if (mtime)
		n->mtime_known = 0;
}
