/* Owns rename(2) and renameat2's RENAME_NOREPLACE, RENAME_EXCHANGE and
 * RENAME_WHITEOUT (a 0/0 character device left at the old name, as
 * overlayfs expects), with ext4's rules: directories moved across
 * parents get their ".." and both parents' link counts fixed, a directory
 * cannot move into its own subtree (EINVAL), a replaced directory must be
 * empty, and a replaced inode that is still open stays usable. */
#ifndef F4_NS_RENAME_H
#define F4_NS_RENAME_H

#include "src/ns/namespace.h"

#define F4_RENAME_NOREPLACE (1 << 0)
#define F4_RENAME_EXCHANGE (1 << 1)
#define F4_RENAME_WHITEOUT (1 << 2)

int f4_ns_rename(struct f4_fs *f4, const struct f4_cred *cred,
		 ext2_ino_t odir, const char *oname, ext2_ino_t ndir,
		 const char *nname, unsigned flags);

#endif
