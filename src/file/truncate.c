/* Owns size changes (see truncate.h). */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "iomap/edit.h"
#include "iomap/mapping.h"
#include "src/file/inline_data.h"
#include "src/fs/errors.h"
#include "src/fs/fmap.h"
#include "src/inode/inode.h"
#include "src/file/truncate.h"

int f4_punch_blocks(struct f4_fs *f4, ext2_ino_t ino,
		    struct ext2_inode_large *inode, uint64_t first,
		    uint64_t last, const char *func)
{
	int ret = f4_fs_map_check(f4, ino, inode, first, func);

	if (ret)
		return ret;
	ret = f4_iomap_punch(f4->fs, ino, inode, first, last);
	return ret == -EUCLEAN ? f4_fs_corrupt(f4, ino, 0, func, "block map") : ret;
}

int f4_truncate_locked(struct f4_fs *f4, ext2_ino_t ino,
		       struct ext2_inode_large *inode, uint64_t size,
		       uint64_t *zero_from, uint64_t *zero_len)
{
	uint64_t old = EXT2_I_SIZE(inode), bs = f4->blocksize, edge;
	bool done = false;
	errcode_t err;
	int ret;

	*zero_from = *zero_len = 0;
	if (S_ISDIR(inode->i_mode))
		return -EISDIR;
	if (!S_ISREG(inode->i_mode))
		return -EINVAL;
	if (inode->i_flags & (EXT2_IMMUTABLE_FL | EXT2_APPEND_FL))
		return -EPERM;
	if (size > f4_inode_max_size(f4, inode))
		return -EFBIG;
	ret = f4_inline_truncate(f4, ino, inode, size, &done);
	if (ret || done)
		return ret;
	if (size < old) {
		ret = f4_punch_blocks(f4, ino, inode, (size + bs - 1) / bs, ~0ULL,
				      "truncate");
		if (ret)
			return ret;
	}
	/* Bytes of the block holding the new (or old) end must read as
	 * zeros beyond it once the file is longer again. */
	edge = size < old ? size : old;
	if (edge % bs) {
		*zero_from = edge;
		*zero_len = bs - edge % bs;
	}
	err = ext2fs_inode_size_set(f4->fs, (struct ext2_inode *)inode, size);
	if (err)
		return f4_fs_errcode(f4, ino, err, "truncate");
	f4_inode_set_times(f4, inode, F4_MTIME | F4_CTIME, f4_time_now());
	return f4_inode_write(f4, ino, inode);
}
