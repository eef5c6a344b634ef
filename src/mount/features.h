/* Owns the feature policy: which on-disk features we refuse, which we can
 * read, and which we can also write. Decided from the raw superblock
 * before libext2fs opens the image, so every refusal names the features. */
#ifndef F4_MOUNT_FEATURES_H
#define F4_MOUNT_FEATURES_H

#include <stdbool.h>
#include <stddef.h>
#include <ext2fs/ext2fs.h>

enum f4_feature_verdict {
	F4_FEATURES_OK,
	F4_FEATURES_READ_ONLY,	/* readable; writes would be wrong: go ro */
	F4_FEATURES_REFUSE,	/* cannot even be read correctly */
};

/* sb is in host byte order. For READ_ONLY and REFUSE, msg says why and
 * names the features. */
enum f4_feature_verdict f4_features_check(const struct ext2_super_block *sb,
					  bool want_rw, char *msg, size_t len);

#endif
