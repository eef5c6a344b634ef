/* Owns the translation of libext2fs error codes into negative errnos.
 * Lives in iomap/ (the lowest layer) so that the mapping engine and the
 * core share one table; the core adds the corruption policy (src/fs/errors.h). */
#ifndef F4_IOMAP_ERRCODE_H
#define F4_IOMAP_ERRCODE_H

#include <ext2fs/ext2fs.h>

#include "compat/errno_compat.h"

/* 0 stays 0; everything else becomes a negative errno (-EUCLEAN for
 * codes that mean the on-disk structure is wrong). */
int f4_errcode_to_errno(errcode_t err);

#endif
