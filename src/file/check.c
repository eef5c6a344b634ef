/* Owns the checks every change to a file's data starts with. */
#include "config.h"

#include <errno.h>
#include <sys/stat.h>

#include "src/file/check.h"

int f4_file_check_modifiable(const struct f4_fs *f4,
			     const struct ext2_inode_large *inode,
			     int not_regular)
{
	int ret = f4_fs_writable(f4);

	if (ret)
		return ret;
	if (S_ISDIR(inode->i_mode))
		return -EISDIR;
	if (!S_ISREG(inode->i_mode))
		return not_regular;
	if (inode->i_flags & EXT2_IMMUTABLE_FL)
		return -EPERM;
	return 0;
}
