/* Owns the one door from the core into the mapping engine: a file's map
 * over this mount (the metadata cache's checksum memo, the system zone
 * where blocks are about to be freed or written), with detected
 * corruption reported once, by the caller's name. */
#include "config.h"

#include "src/fs/errors.h"
#include "src/fs/fmap.h"
#include "src/io/chan.h"

struct f4_map_file f4_fs_map_file(struct f4_fs *f4, ext2_ino_t ino,
				  const struct ext2_inode_large *inode)
{
	return (struct f4_map_file){
		.fs = f4->fs, .ino = ino, .inode = inode,
		.csum_known = f4_chan_csum_known,
		.csum_passed = f4_chan_csum_passed,
		.csum_ctx = f4->fs->io,
	};
}

/* A corrupt map is reported once, here, for every caller. */
static int report(struct f4_fs *f4, const struct f4_map_file *mf, int ret,
		  const char *func)
{
	if (ret != -EUCLEAN)
		return ret;
	return f4_fs_corrupt(f4, mf->ino, mf->corrupt_blk, func,
			     mf->corrupt_what ? mf->corrupt_what : "block map");
}

int f4_fs_map(struct f4_fs *f4, ext2_ino_t ino,
	      const struct ext2_inode_large *inode, uint64_t pos, uint64_t len,
	      struct f4_map_rec *recs, unsigned max, unsigned *n,
	      const char *func)
{
	struct f4_map_file mf = f4_fs_map_file(f4, ino, inode);

	return report(f4, &mf, f4_iomap_map(&mf, pos, len, recs, max, n), func);
}

int f4_fs_map_check(struct f4_fs *f4, ext2_ino_t ino,
		    const struct ext2_inode_large *inode, uint64_t from_lblk,
		    const char *func)
{
	struct f4_map_file mf = f4_fs_map_file(f4, ino, inode);

	mf.is_meta = f4_fs_meta_hook;
	mf.meta_ctx = f4;
	return report(f4, &mf, f4_iomap_check(&mf, from_lblk), func);
}
