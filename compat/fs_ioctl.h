/* The inode-flag ioctls (lsattr/chattr). Linux numbers them through
 * <linux/fs.h>; the values are fixed by the ABI, so other platforms get
 * the same numbers and simply never receive them. */
#ifndef F4_COMPAT_FS_IOCTL_H
#define F4_COMPAT_FS_IOCTL_H

#ifdef HAVE_LINUX_FS_H
#include <linux/fs.h>
#define F4_FS_IOC_GETFLAGS ((unsigned)FS_IOC_GETFLAGS)
#define F4_FS_IOC_SETFLAGS ((unsigned)FS_IOC_SETFLAGS)
#else
#define F4_FS_IOC_GETFLAGS 0x80086601u
#define F4_FS_IOC_SETFLAGS 0x40086602u
#endif

#endif
