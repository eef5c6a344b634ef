/* Owns directory listings for readdir: a snapshot of a directory's
 * entries taken when a listing starts (offset 0), so that the offsets we
 * hand out (entry index + 1) stay valid for the whole listing: resuming at
 * any returned offset neither skips nor repeats an entry, whatever happens
 * to the directory meanwhile. */
#ifndef F4_DIR_DIRSNAP_H
#define F4_DIR_DIRSNAP_H

#include <stddef.h>
#include <stdint.h>

#include "src/fs/fs.h"

struct f4_dirsnap_entry {
	ext2_ino_t ino;
	unsigned char dtype;	/* DT_* */
	uint8_t name_len;
	uint32_t name_off;	/* into the names buffer */
};

struct f4_dirsnap {
	struct f4_dirsnap_entry *ents;
	size_t n, cap;
	char *names;		/* each name NUL-terminated */
	size_t names_len, names_cap;
};

/* Snapshot directory dir (takes the lock). */
int f4_dirsnap_build(struct f4_fs *f4, ext2_ino_t dir, struct f4_dirsnap **out);
void f4_dirsnap_free(struct f4_dirsnap *snap);

static inline const char *f4_dirsnap_name(const struct f4_dirsnap *s, size_t i)
{
	return s->names + s->ents[i].name_off;
}

#endif
