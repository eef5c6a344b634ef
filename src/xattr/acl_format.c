/* Owns the POSIX ACL formats and mode rules (see acl_format.h). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "src/fs/idmap.h"
#include "src/xattr/acl_format.h"

#define XATTR_HDR 4		/* le32 version */
#define XATTR_ENTRY 8		/* le16 tag, le16 perm, le32 id */
#define DISK_HDR 4		/* le32 version */
#define DISK_SHORT 4		/* le16 tag, le16 perm */
#define DISK_FULL 8		/* ... and le32 id */

/* The largest ACL we build: what a 64 KiB xattr value can hold. */
#define F4_ACL_MAX_ENTRIES ((65536 - XATTR_HDR) / XATTR_ENTRY)

static uint16_t get16(const unsigned char *p)
{
	return (uint16_t)(p[0] | p[1] << 8);
}

static uint32_t get32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	       (uint32_t)p[3] << 24;
}

static void put16(unsigned char *p, uint16_t v)
{
	p[0] = (unsigned char)v;
	p[1] = (unsigned char)(v >> 8);
}

static void put32(unsigned char *p, uint32_t v)
{
	put16(p, (uint16_t)v);
	put16(p + 2, (uint16_t)(v >> 16));
}

static bool is_named(uint16_t tag)
{
	return tag == F4_ACL_USER || tag == F4_ACL_GROUP;
}

static bool is_known(uint16_t tag)
{
	switch (tag) {
	case F4_ACL_USER_OBJ: case F4_ACL_USER: case F4_ACL_GROUP_OBJ:
	case F4_ACL_GROUP: case F4_ACL_MASK: case F4_ACL_OTHER:
		return true;
	default:
		return false;
	}
}

struct f4_acl *f4_acl_alloc(unsigned count)
{
	struct f4_acl *acl;

	if (count > F4_ACL_MAX_ENTRIES)
		return NULL;
	acl = calloc(1, sizeof(*acl) + count * sizeof(acl->e[0]));
	if (acl)
		acl->count = count;
	return acl;
}

struct f4_acl *f4_acl_clone(const struct f4_acl *acl)
{
	struct f4_acl *c = f4_acl_alloc(acl->count);

	if (c)
		memcpy(c->e, acl->e, acl->count * sizeof(acl->e[0]));
	return c;
}

int f4_acl_from_xattr(const void *buf, size_t len, struct f4_acl **out)
{
	const unsigned char *p = buf;
	struct f4_acl *acl;
	size_t count, i;

	*out = NULL;
	if (len == 0)
		return 0;
	if (len < XATTR_HDR)
		return -EINVAL;
	if (get32(p) != F4_ACL_XATTR_VERSION)
		return -EOPNOTSUPP;
	if ((len - XATTR_HDR) % XATTR_ENTRY)
		return -EINVAL;
	count = (len - XATTR_HDR) / XATTR_ENTRY;
	if (count == 0)
		return 0;
	if (count > F4_ACL_MAX_ENTRIES)
		return -EINVAL;
	acl = f4_acl_alloc((unsigned)count);
	if (!acl)
		return -ENOMEM;
	for (i = 0, p += XATTR_HDR; i < count; i++, p += XATTR_ENTRY) {
		struct f4_acl_entry *e = &acl->e[i];

		e->tag = get16(p);
		e->perm = get16(p + 2);
		if (!is_known(e->tag))
			goto bad;
		if (is_named(e->tag)) {
			e->id = get32(p + 4);
			/* -1 maps to no user or group. */
			if (e->id == F4_ACL_UNDEFINED_ID)
				goto bad;
		} else {
			e->id = F4_ACL_UNDEFINED_ID;
		}
	}
	*out = acl;
	return 0;
bad:
	free(acl);
	return -EINVAL;
}

size_t f4_acl_xattr_size(unsigned count)
{
	return XATTR_HDR + (size_t)count * XATTR_ENTRY;
}

int f4_acl_to_xattr(const struct f4_acl *acl, void **buf, size_t *len)
{
	size_t n = f4_acl_xattr_size(acl->count);
	unsigned char *p = malloc(n);
	unsigned i;

	if (!p)
		return -ENOMEM;
	*buf = p;
	*len = n;
	put32(p, F4_ACL_XATTR_VERSION);
	for (i = 0, p += XATTR_HDR; i < acl->count; i++, p += XATTR_ENTRY) {
		const struct f4_acl_entry *e = &acl->e[i];

		put16(p, e->tag);
		put16(p + 2, e->perm);
		put32(p + 4, is_named(e->tag) ? e->id : F4_ACL_UNDEFINED_ID);
	}
	return 0;
}

/* How many entries a disk value of len bytes holds, as ext4 counts them:
 * up to four short entries, anything beyond those must be full ones.
 * -1 when len fits neither. */
static long disk_count(size_t len)
{
	size_t body = len - DISK_HDR;

	if (body <= 4 * DISK_SHORT)
		return body % DISK_SHORT ? -1 : (long)(body / DISK_SHORT);
	body -= 4 * DISK_SHORT;
	return body % DISK_FULL ? -1 : (long)(body / DISK_FULL) + 4;
}

int f4_acl_from_disk(const void *buf, size_t len, struct f4_acl **out)
{
	const unsigned char *p = buf, *end = p + len;
	struct f4_acl *acl;
	long count, i;

	*out = NULL;
	if (len < DISK_HDR || get32(p) != F4_ACL_DISK_VERSION)
		return -EINVAL;
	count = disk_count(len);
	if (count < 0 || count > F4_ACL_MAX_ENTRIES)
		return -EINVAL;
	if (count == 0)
		return 0;
	acl = f4_acl_alloc((unsigned)count);
	if (!acl)
		return -ENOMEM;
	for (i = 0, p += DISK_HDR; i < count; i++) {
		struct f4_acl_entry *e = &acl->e[i];

		if (end - p < DISK_SHORT)
			goto bad;
		e->tag = get16(p);
		e->perm = get16(p + 2);
		e->id = F4_ACL_UNDEFINED_ID;
		if (!is_known(e->tag))
			goto bad;
		if (is_named(e->tag)) {
			if (end - p < DISK_FULL)
				goto bad;
			e->id = get32(p + 4);
			p += DISK_FULL;
		} else {
			p += DISK_SHORT;
		}
	}
	if (p != end)
		goto bad;
	*out = acl;
	return 0;
bad:
	free(acl);
	return -EINVAL;
}

int f4_acl_to_disk(const struct f4_acl *acl, void **buf, size_t *len)
{
	size_t n = DISK_HDR;
	unsigned char *p, *q;
	unsigned i;

	for (i = 0; i < acl->count; i++) {
		if (!is_known(acl->e[i].tag))
			return -EINVAL;
		n += is_named(acl->e[i].tag) ? DISK_FULL : DISK_SHORT;
	}
	p = malloc(n);
	if (!p)
		return -ENOMEM;
	put32(p, F4_ACL_DISK_VERSION);
	for (i = 0, q = p + DISK_HDR; i < acl->count; i++) {
		const struct f4_acl_entry *e = &acl->e[i];

		put16(q, e->tag);
		put16(q + 2, e->perm);
		if (is_named(e->tag)) {
			put32(q + 4, e->id);
			q += DISK_FULL;
		} else {
			q += DISK_SHORT;
		}
	}
	*buf = p;
	*len = n;
	return 0;
}

/* The states of f4_acl_valid's walk: which entries may come next. */
enum { V_USER_OBJ, V_USERS, V_GROUPS, V_OTHER, V_DONE };

int f4_acl_valid(const struct f4_acl *acl)
{
	bool named = false;
	int state = V_USER_OBJ;
	unsigned i;

	for (i = 0; i < acl->count; i++) {
		const struct f4_acl_entry *e = &acl->e[i];

		if (e->perm & ~(F4_ACL_READ | F4_ACL_WRITE | F4_ACL_EXECUTE))
			return -EINVAL;
		switch (e->tag) {
		case F4_ACL_USER_OBJ:
			if (state != V_USER_OBJ)
				return -EINVAL;
			state = V_USERS;
			break;
		case F4_ACL_USER:
		case F4_ACL_GROUP:
			if (state != (e->tag == F4_ACL_USER ? V_USERS : V_GROUPS) ||
			    e->id == F4_ACL_UNDEFINED_ID)
				return -EINVAL;
			named = true;
			break;
		case F4_ACL_GROUP_OBJ:
			if (state != V_USERS)
				return -EINVAL;
			state = V_GROUPS;
			break;
		case F4_ACL_MASK:
			if (state != V_GROUPS)
				return -EINVAL;
			state = V_OTHER;
			break;
		case F4_ACL_OTHER:
			/* Named entries need a mask before other. */
			if (state != V_OTHER && (state != V_GROUPS || named))
				return -EINVAL;
			state = V_DONE;
			break;
		default:
			return -EINVAL;
		}
		if (state == V_DONE && i + 1 < acl->count)
			return -EINVAL;
	}
	return state == V_DONE ? 0 : -EINVAL;
}

int f4_acl_equiv_mode(const struct f4_acl *acl, uint16_t *mode)
{
	uint16_t bits = 0;
	int keep = 0;
	unsigned i;

	for (i = 0; i < acl->count; i++) {
		uint16_t perm = acl->e[i].perm & 7;

		switch (acl->e[i].tag) {
		case F4_ACL_USER_OBJ:
			bits |= (uint16_t)(perm << 6);
			break;
		case F4_ACL_GROUP_OBJ:
			bits |= (uint16_t)(perm << 3);
			break;
		case F4_ACL_OTHER:
			bits |= perm;
			break;
		case F4_ACL_MASK:
			/* The group bits show the mask, not the group. */
			bits = (uint16_t)((bits & ~0070) | perm << 3);
			keep = 1;
			break;
		case F4_ACL_USER:
		case F4_ACL_GROUP:
			keep = 1;
			break;
		default:
			return -EINVAL;
		}
	}
	*mode = (uint16_t)((*mode & ~0777) | bits);
	return keep;
}

int f4_acl_create_masq(struct f4_acl *acl, uint16_t *mode)
{
	struct f4_acl_entry *group = NULL, *mask = NULL, *gm;
	uint16_t m = *mode;
	int keep = 0;
	unsigned i;

	for (i = 0; i < acl->count; i++) {
		struct f4_acl_entry *e = &acl->e[i];

		switch (e->tag) {
		case F4_ACL_USER_OBJ:
			e->perm &= (uint16_t)(((m >> 6) & 7) | ~7);
			m &= (uint16_t)((e->perm & 7) << 6 | ~0700);
			break;
		case F4_ACL_GROUP_OBJ:
			group = e;
			break;
		case F4_ACL_MASK:
			mask = e;
			keep = 1;
			break;
		case F4_ACL_OTHER:
			e->perm &= (uint16_t)((m & 7) | ~7);
			m &= (uint16_t)((e->perm & 7) | ~0007);
			break;
		case F4_ACL_USER:
		case F4_ACL_GROUP:
			keep = 1;
			break;
		default:
			return -EIO;
		}
	}
	gm = mask ? mask : group;
	if (!gm)
		return -EIO;
	gm->perm &= (uint16_t)(((m >> 3) & 7) | ~7);
	m &= (uint16_t)((gm->perm & 7) << 3 | ~0070);
	*mode = (uint16_t)((*mode & ~0777) | (m & 0777));
	return keep;
}

int f4_acl_chmod_masq(struct f4_acl *acl, uint16_t mode)
{
	struct f4_acl_entry *group = NULL, *mask = NULL;
	unsigned i;

	for (i = 0; i < acl->count; i++) {
		struct f4_acl_entry *e = &acl->e[i];

		switch (e->tag) {
		case F4_ACL_USER_OBJ:
			e->perm = (mode >> 6) & 7;
			break;
		case F4_ACL_GROUP_OBJ:
			group = e;
			break;
		case F4_ACL_MASK:
			mask = e;
			break;
		case F4_ACL_OTHER:
			e->perm = mode & 7;
			break;
		case F4_ACL_USER:
		case F4_ACL_GROUP:
			break;
		default:
			return -EIO;
		}
	}
	if (!mask && !group)
		return -EIO;
	(mask ? mask : group)->perm = (mode >> 3) & 7;
	return 0;
}

/* The mask's permissions (7 when there is none). */
static uint16_t mask_perm(const struct f4_acl *acl)
{
	unsigned i;

	for (i = 0; i < acl->count; i++)
		if (acl->e[i].tag == F4_ACL_MASK)
			return acl->e[i].perm;
	return 7;
}

int f4_acl_permission(const struct f4_acl *acl, uid_t owner, gid_t group,
		      const struct f4_cred *cred, int want)
{
	bool in_a_group = false;
	unsigned i;

	want &= 7;
	/* The first entry that names the caller decides: the owner and
	 * other as they are, named users through the mask; any matching
	 * group that grants everything (through the mask), else denial. */
	for (i = 0; i < acl->count; i++) {
		const struct f4_acl_entry *e = &acl->e[i];

		switch (e->tag) {
		case F4_ACL_USER_OBJ:
			if (cred->uid == owner)
				return (e->perm & want) == want ? 0 : -EACCES;
			break;
		case F4_ACL_USER:
			if (cred->uid == e->id)
				return (e->perm & mask_perm(acl) & want) == want ?
					0 : -EACCES;
			break;
		case F4_ACL_GROUP_OBJ:
		case F4_ACL_GROUP:
			if (f4_cred_in_group(cred, e->tag == F4_ACL_GROUP ?
					     (gid_t)e->id : group)) {
				in_a_group = true;
				if ((e->perm & want) == want)
					return (e->perm & mask_perm(acl) & want) == want ?
						0 : -EACCES;
			}
			break;
		case F4_ACL_MASK:
			break;
		case F4_ACL_OTHER:
			if (in_a_group)
				return -EACCES;
			return (e->perm & want) == want ? 0 : -EACCES;
		default:
			return -EIO;
		}
	}
	return -EIO;
}

bool f4_acl_equal(const struct f4_acl *a, const struct f4_acl *b)
{
	unsigned i;

	if (a->count != b->count)
		return false;
	for (i = 0; i < a->count; i++)
		if (a->e[i].tag != b->e[i].tag || a->e[i].perm != b->e[i].perm ||
		    (is_named(a->e[i].tag) && a->e[i].id != b->e[i].id))
			return false;
	return true;
}

/* The map that applies to an ACL entry's id, or NULL for none. */
static const struct f4_idmap_ids *entry_map(const struct f4_idmap *m,
					    const struct f4_acl_entry *e)
{
	const struct f4_idmap_ids *ids = e->tag == F4_ACL_USER ? &m->uid :
					 e->tag == F4_ACL_GROUP ? &m->gid : NULL;

	return ids && ids->kind == F4_IDMAP_RANGES ? ids : NULL;
}

void f4_acl_idmap_show(const struct f4_idmap *m, struct f4_acl *acl)
{
	unsigned i;

	for (i = 0; i < acl->count; i++) {
		const struct f4_idmap_ids *ids = entry_map(m, &acl->e[i]);

		if (ids)
			acl->e[i].id = f4_idmap_show(ids, acl->e[i].id);
	}
}

int f4_acl_idmap_store(const struct f4_idmap *m, struct f4_acl *acl)
{
	unsigned i;

	for (i = 0; i < acl->count; i++) {
		const struct f4_idmap_ids *ids = entry_map(m, &acl->e[i]);

		if (ids && f4_idmap_store(ids, acl->e[i].id, &acl->e[i].id))
			return -EINVAL;
	}
	return 0;
}
