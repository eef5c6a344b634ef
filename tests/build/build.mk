# Checks of the tree's structure (no build products needed beyond
# config.h): the layers and include rules of docs/DESIGN.md, and that
# every header compiles on its own. Included from tests/Makefile.inc.
F4_BUILD_TESTS = tests/build/layers.sh tests/build/headers.sh
TESTS += $(F4_BUILD_TESTS)
EXTRA_DIST += $(F4_BUILD_TESTS)
AM_TESTS_ENVIRONMENT += \
	F4_HDR_CFLAGS='$(EXT2FS_CFLAGS) $(URING_CFLAGS) $(CAP_CFLAGS)'; export F4_HDR_CFLAGS; \
	F4_HDR_FUSE_CFLAGS='$(FUSE_CFLAGS)'; export F4_HDR_FUSE_CFLAGS; \
	CC='$(CC)'; export CC;
