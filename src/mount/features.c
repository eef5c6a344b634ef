/* Owns the feature policy (see man/fuse4fs.8, FILESYSTEM FEATURES). */
#include "config.h"

#include <stdio.h>
#include <string.h>
#include <e2p/e2p.h>

#include "src/mount/features.h"

/* Incompatible features whose on-disk format we read correctly. */
#define F4_READ_INCOMPAT                                                    \
	(EXT2_FEATURE_INCOMPAT_FILETYPE | EXT3_FEATURE_INCOMPAT_EXTENTS |   \
	 EXT4_FEATURE_INCOMPAT_64BIT | EXT4_FEATURE_INCOMPAT_FLEX_BG |      \
	 EXT2_FEATURE_INCOMPAT_META_BG | EXT4_FEATURE_INCOMPAT_INLINE_DATA | \
	 EXT4_FEATURE_INCOMPAT_LARGEDIR | EXT4_FEATURE_INCOMPAT_MMP |       \
	 EXT4_FEATURE_INCOMPAT_EA_INODE | EXT4_FEATURE_INCOMPAT_CSUM_SEED | \
	 EXT3_FEATURE_INCOMPAT_RECOVER)

/* Of those, the ones we also write correctly (mmp: src/mount/mmp.c speaks the
 * MMP protocol while mounted read-write). */
#define F4_WRITE_INCOMPAT F4_READ_INCOMPAT

/* Read-only-compatible features we keep correct when writing. Left out,
 * so such filesystems mount read-only: quota (usage would go stale),
 * bigalloc (cluster allocation), verity, shared_blocks, readonly and
 * replica (read-only by definition), orphan_present (orphans in an
 * orphan file we do not process). */
#define F4_WRITE_RO_COMPAT                                                   \
	(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER |                               \
	 EXT2_FEATURE_RO_COMPAT_LARGE_FILE | EXT4_FEATURE_RO_COMPAT_HUGE_FILE | \
	 EXT4_FEATURE_RO_COMPAT_GDT_CSUM | EXT4_FEATURE_RO_COMPAT_DIR_NLINK |  \
	 EXT4_FEATURE_RO_COMPAT_EXTRA_ISIZE |                                \
	 EXT4_FEATURE_RO_COMPAT_METADATA_CSUM | EXT4_FEATURE_RO_COMPAT_PROJECT)

static void list_features(int kind, uint32_t mask, char *buf, size_t len)
{
	size_t used = strlen(buf);
	int bit;

	for (bit = 0; bit < 32; bit++) {
		if (!(mask & (1u << bit)))
			continue;
		snprintf(buf + used, len - used, "%s%s", used ? ", " : "",
			 e2p_feature2string(kind, 1u << bit));
		used = strlen(buf);
	}
}

enum f4_feature_verdict f4_features_check(const struct ext2_super_block *sb,
					  bool want_rw, char *msg, size_t len)
{
	uint32_t bad_incompat = sb->s_feature_incompat & ~F4_READ_INCOMPAT;
	uint32_t ro_incompat, ro_rocompat;
	char names[256] = "";

	if (bad_incompat) {
		list_features(E2P_FEATURE_INCOMPAT, bad_incompat, names,
			      sizeof(names));
		snprintf(msg, len, "unsupported filesystem feature%s: %s",
			 (bad_incompat & (bad_incompat - 1)) ? "s" : "", names);
		return F4_FEATURES_REFUSE;
	}
	if (!want_rw)
		return F4_FEATURES_OK;
	ro_incompat = sb->s_feature_incompat & ~F4_WRITE_INCOMPAT;
	ro_rocompat = sb->s_feature_ro_compat & ~F4_WRITE_RO_COMPAT;
	if (!ro_incompat && !ro_rocompat)
		return F4_FEATURES_OK;
	list_features(E2P_FEATURE_INCOMPAT, ro_incompat, names, sizeof(names));
	list_features(E2P_FEATURE_RO_INCOMPAT, ro_rocompat, names, sizeof(names));
	snprintf(msg, len, "mounting read-only: fuse4fs cannot yet write filesystems with %s",
		 names);
	return F4_FEATURES_READ_ONLY;
}
