/* Built instead of caps_libcap.c without libcap (configure
 * --without-libcap, or a system without it): capabilities stay. */
#include "config.h"

#include <errno.h>
#include <stdio.h>

#include "compat/caps.h"

int f4_compat_caps_drop(bool no_new_privs, char *report, size_t len)
{
	(void)no_new_privs;
	snprintf(report, len, "built without libcap: capabilities are not dropped");
	return -ENOSYS;
}
