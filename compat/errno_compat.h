/* errno names that not every platform has. EUCLEAN ("structure needs
 * cleaning") is what Linux filesystems return for detected corruption;
 * elsewhere the closest is EIO. ENODATA is ENOATTR on BSD and macOS. */
#ifndef F4_COMPAT_ERRNO_COMPAT_H
#define F4_COMPAT_ERRNO_COMPAT_H

#include <errno.h>

#ifndef EUCLEAN
#define EUCLEAN EIO
#endif
#ifndef ENODATA
#define ENODATA ENOATTR
#endif

#endif
