/* Owns the ownership mapping between the ids stored in the image and the
 * ids seen through the mount (-o uid=, gid=, uidmap=, gidmap=). Pure
 * functions, no filesystem and no locks, so that every rule is unit
 * tested.
 *
 * The kernel sends and receives ids as the mount's user namespace sees
 * them ("inside" ids); the image stores its own ("on-disk" ids). Ids are
 * translated where they cross: stat (disk -> inside), a new inode's
 * owner, chown and POSIX ACL entries (inside -> disk). Permission rules
 * in the server compare inside ids with inside ids. Users and groups
 * have one map each; a zeroed map is the identity. The errors follow an
 * idmapped mount's (checked on Linux 6.18): an inside id with no on-disk
 * id fails a chown or create with EOVERFLOW and an ACL with EINVAL. */
#ifndef F4_FS_IDMAP_H
#define F4_FS_IDMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>


/* What an on-disk id without a mapping shows as: the kernel's default
 * overflowuid and overflowgid ("nobody"). */
#define F4_IDMAP_OVERFLOW 65534u
#define F4_IDMAP_MAX_RANGES 64

enum f4_idmap_kind {
	F4_IDMAP_IDENTITY = 0,	/* on-disk ids are the ids seen */
	F4_IDMAP_FIXED,		/* uid=N: every file shows as owned by N */
	F4_IDMAP_RANGES,	/* uidmap=: ranges; other ids are unmapped */
};

struct f4_idmap_range {
	uint32_t inside;	/* first id seen through the mount */
	uint32_t ondisk;	/* first id stored in the image */
	uint32_t count;
};

/* The map of one kind of id (users, or groups). */
struct f4_idmap_ids {
	enum f4_idmap_kind kind;
	uint32_t fixed;		/* F4_IDMAP_FIXED */
	unsigned nranges;	/* F4_IDMAP_RANGES: neither the inside nor */
	struct f4_idmap_range r[F4_IDMAP_MAX_RANGES];	/* the on-disk
						 * ranges overlap */
};

struct f4_idmap {
	struct f4_idmap_ids uid, gid;
};

/* Parse "INSIDE:ONDISK:COUNT[:INSIDE:ONDISK:COUNT...]" (decimal) into
 * ids, of kind F4_IDMAP_RANGES. Refused with -EINVAL and a one-line
 * reason in msg: a malformed list, a count of 0, a range reaching id
 * 4294967295 (which means "no id"), more than F4_IDMAP_MAX_RANGES
 * ranges, or ranges that overlap on either side (the map must work
 * both ways). */
int f4_idmap_parse(const char *spec, struct f4_idmap_ids *ids, char *msg,
		   size_t msglen);

/* uid=N / gid=N: every on-disk id shows as id. */
void f4_idmap_set_fixed(struct f4_idmap_ids *ids, uint32_t id);

bool f4_idmap_is_identity(const struct f4_idmap_ids *ids);

/* The id seen for an on-disk id (F4_IDMAP_OVERFLOW when unmapped). */
uint32_t f4_idmap_show(const struct f4_idmap_ids *ids, uint32_t ondisk);

/* The on-disk id to store for the inside id seen (a new inode's
 * creator, a chown): 0, or -EOVERFLOW when seen has no on-disk id. A
 * fixed map stores ids as they are: it only changes what is shown (a
 * file chowned to M still shows as N). */
int f4_idmap_store(const struct f4_idmap_ids *ids, uint32_t seen,
		   uint32_t *ondisk);


#endif
