/* FUSE handlers for extended attributes: getxattr, listxattr, setxattr,
 * removexattr. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "src/fuse/ops.h"
#include "src/xattr/xattr.h"

/* Reply with a value or list: its size when asked for 0 bytes, ERANGE
 * when it does not fit, else the bytes. */
static void reply_sized(fuse_req_t req, int ret, const void *data,
			size_t len, size_t size)
{
	if (ret)
		fuse_reply_err(req, -ret);
	else if (size == 0)
		fuse_reply_xattr(req, len);
	else if (len > size)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, data, len);
}

void f4_op_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		    size_t size)
{
	void *value = NULL;
	size_t len = 0;
	int ret = f4_xattr_get(f4_req_fs(req), f4_ino(ino), name, &value, &len);

	reply_sized(req, ret, value, len, size);
	free(value);
}

void f4_op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	/* trusted.* is for privileged callers only, as in ext4. */
	bool privileged = fuse_req_ctx(req)->uid == 0;
	char *names = NULL;
	size_t len = 0;
	int ret = f4_xattr_list(f4_req_fs(req), f4_ino(ino), privileged, &names,
				&len);

	reply_sized(req, ret, names, len, size);
	free(names);
}

void f4_op_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		    const char *value, size_t size, int flags)
{
	struct f4_req_groups groups;
	struct f4_cred cred;

	/* flags arrive with Linux's XATTR_CREATE/XATTR_REPLACE values, which
	 * are F4_XATTR_CREATE/F4_XATTR_REPLACE; the core refuses others. */
	f4_req_cred(req, &cred, &groups);
	fuse_reply_err(req, -f4_xattr_set(f4_req_fs(req), &cred, f4_ino(ino),
					  name, value, size, flags));
}

void f4_op_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct f4_req_groups groups;
	struct f4_cred cred;

	f4_req_cred(req, &cred, &groups);
	fuse_reply_err(req, -f4_xattr_remove(f4_req_fs(req), &cred, f4_ino(ino),
					     name));
}
