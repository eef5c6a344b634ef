/* Owns POSIX ACL inheritance and chmod (see acl.h).
 * Interim version: umask only, no inheritance yet. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "acl.h"

int f4_acl_inherit_prepare(struct f4_fs *f4, ext2_ino_t dir, uint16_t *mode,
			   mode_t umask, struct f4_acl_inherit *inh)
{
	memset(inh, 0, sizeof(*inh));
	*mode &= (uint16_t)~(umask & 0777);
	return 0;
}

int f4_acl_inherit_store(struct f4_fs *f4, ext2_ino_t ino,
			 const struct f4_acl_inherit *inh)
{
	return 0;
}

void f4_acl_inherit_free(struct f4_acl_inherit *inh)
{
	free(inh->access);
	free(inh->deflt);
	memset(inh, 0, sizeof(*inh));
}

int f4_acl_chmod(struct f4_fs *f4, ext2_ino_t ino, uint16_t mode)
{
	return 0;
}
