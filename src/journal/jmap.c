/* Owns the journal inode's map (see jmap.h). */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

#include "src/journal/jmap.h"

/* The map record holding journal block jblk. */
static const struct f4_map_rec *jblk_rec(const struct f4_jmap *m, uint64_t jblk)
{
	uint64_t pos = jblk * m->bsize;
	unsigned lo = 0, hi = m->n;

	while (lo + 1 < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (m->recs[mid].off <= pos)
			lo = mid;
		else
			hi = mid;
	}
	return &m->recs[lo];
}

uint64_t f4_jmap_addr(const struct f4_jmap *m, uint64_t jblk)
{
	const struct f4_map_rec *r = jblk_rec(m, jblk);

	return r->addr + (jblk * m->bsize - r->off);
}

uint64_t f4_jmap_run(const struct f4_jmap *m, uint64_t jblk)
{
	const struct f4_map_rec *r = jblk_rec(m, jblk);

	return (r->off + r->len) / m->bsize - jblk;
}

bool f4_jmap_holds(const struct f4_jmap *m, uint64_t addr)
{
	unsigned i;

	for (i = 0; i < m->n; i++)
		if (addr >= m->recs[i].addr && addr - m->recs[i].addr < m->recs[i].len)
			return true;
	return false;
}

int f4_jmap_build(ext2_filsys fs, const struct f4_dev *dev,
		  struct f4_jmap *m, char *msg, size_t len)
{
	ext2_ino_t ino = fs->super->s_journal_inum;
	struct ext2_inode_large inode;
	struct f4_map_file mf = { .fs = fs, .ino = ino, .inode = &inode };
	uint64_t size, end = 0;
	unsigned max, i;
	int ret;

	m->bsize = fs->blocksize;
	if (!ino || ino > fs->super->s_inodes_count ||
	    ext2fs_read_inode_full(fs, ino, (struct ext2_inode *)&inode,
				   sizeof(inode))) {
		snprintf(msg, len, "the journal inode %u cannot be read", ino);
		return -EUCLEAN;
	}
	size = EXT2_I_SIZE(&inode);
	if (!LINUX_S_ISREG(inode.i_mode) || size < (uint64_t)m->bsize * 1024 ||
	    size % m->bsize) {
		snprintf(msg, len, "the journal inode %u is not a journal (size %llu)",
			 ino, (unsigned long long)size);
		return -EUCLEAN;
	}
	max = f4_iomap_max_recs(&mf, size) + 1;
	m->recs = calloc(max, sizeof(*m->recs));
	if (!m->recs)
		return -ENOMEM;
	ret = f4_iomap_map(&mf, 0, size, m->recs, max, &m->n);
	for (i = 0; !ret && i < m->n; i++, end += m->recs[i - 1].len)
		if (m->recs[i].type != F4_MAP_MAPPED || m->recs[i].off != end ||
		    !f4_dev_range_ok(dev, m->recs[i].addr, m->recs[i].len))
			ret = -EUCLEAN;
	if (!ret && end < size)
		ret = -EUCLEAN;
	if (ret == -EUCLEAN)
		snprintf(msg, len, "the journal inode's map is corrupt%s%s",
			 mf.corrupt_what ? ": " : "",
			 mf.corrupt_what ? mf.corrupt_what : "");
	m->nblocks = size / m->bsize;
	return ret;
}

void f4_jmap_free(struct f4_jmap *m)
{
	free(m->recs);
	m->recs = NULL;
	m->n = 0;
}
