/* The filesystem ioctls we serve: inode flags (lsattr/chattr), fsxattr
 * (xfs_io lsattr/chattr/chproj) and FITRIM (fstrim). Linux numbers them
 * through <linux/fs.h>; the numbers and layouts are fixed by the ABI, so
 * other platforms get the same values and simply never receive them. */
#ifndef F4_COMPAT_FS_IOCTL_H
#define F4_COMPAT_FS_IOCTL_H

#include <stdint.h>

/* struct fsxattr and struct fstrim_range, as laid out in the ABI. */
struct f4_fsxattr_abi {
	uint32_t fsx_xflags;
	uint32_t fsx_extsize;
	uint32_t fsx_nextents;
	uint32_t fsx_projid;
	uint32_t fsx_cowextsize;
	unsigned char fsx_pad[8];
};

struct f4_fstrim_range_abi {
	uint64_t start;
	uint64_t len;
	uint64_t minlen;
};

#ifdef HAVE_LINUX_FS_H
#include <linux/fs.h>
#define F4_FS_IOC_GETFLAGS ((unsigned)FS_IOC_GETFLAGS)
#define F4_FS_IOC_SETFLAGS ((unsigned)FS_IOC_SETFLAGS)
#define F4_FS_IOC_FSGETXATTR ((unsigned)FS_IOC_FSGETXATTR)
#define F4_FS_IOC_FSSETXATTR ((unsigned)FS_IOC_FSSETXATTR)
#define F4_FITRIM ((unsigned)FITRIM)
_Static_assert(sizeof(struct fsxattr) == sizeof(struct f4_fsxattr_abi),
	       "struct fsxattr layout");
_Static_assert(sizeof(struct fstrim_range) == sizeof(struct f4_fstrim_range_abi),
	       "struct fstrim_range layout");
#else
#define F4_FS_IOC_GETFLAGS 0x80086601u
#define F4_FS_IOC_SETFLAGS 0x40086602u
#define F4_FS_IOC_FSGETXATTR 0x801c581fu
#define F4_FS_IOC_FSSETXATTR 0x401c5820u
#define F4_FITRIM 0xc0185879u
#endif

#endif
