/* Owns a set of block numbers (open addressing, grows by doubling): the
 * blocks the log holds a copy of since the last checkpoint, which a
 * free must revoke. */
#ifndef F4_JOURNAL_JSET_H
#define F4_JOURNAL_JSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct f4_jset {
	uint64_t *slot;		/* block + 1; 0 is empty */
	size_t cap, n;		/* cap: a power of two, or 0 */
};

int f4_jset_add(struct f4_jset *s, uint64_t blk);
bool f4_jset_has(const struct f4_jset *s, uint64_t blk);
void f4_jset_clear(struct f4_jset *s);
void f4_jset_free(struct f4_jset *s);

#endif
