/* Owns permission checks done by the server itself (the access op, and
 * the rules the kernel cannot check for us). Mode bits only: ACLs are
 * enforced by the kernel, which reads them through getxattr. */
#ifndef F4_FS_PERM_H
#define F4_FS_PERM_H

#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Supplementary groups fetched on first need: finding them costs the
 * FUSE glue a read of /proc, and most requests never ask. */
struct f4_lazy_groups {
	/* Fill out[0..max) and return the count, or -errno. */
	int (*fetch)(void *ctx, gid_t *out, int max);
	void *ctx;
	gid_t *buf;
	int max;
	int n;		/* -1 until fetched */
};

struct f4_cred {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;	/* known up front, or */
	int ngroups;
	struct f4_lazy_groups *lazy;	/* fetched on first need (or NULL) */
};

bool f4_cred_in_group(const struct f4_cred *c, gid_t gid);

/* mask is a combination of R_OK, W_OK, X_OK; 0 or -EACCES. */
int f4_perm_check(const struct stat *st, const struct f4_cred *c, int mask);

#endif
