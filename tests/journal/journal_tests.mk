# Journal recovery tests: images the kernel's ext4 leaves with a dirty
# journal, replayed by fuse4fs and judged by the kernel's own replay.
# Included from tests/Makefile.inc. Needs root, /dev/fuse, loop devices
# and xfs_io (xfsprogs); skips (77) otherwise. tests/journal/mkdirty.sh
# makes a large dirty image by hand (for timing replays).

F4_JOURNAL_TESTS = tests/journal/recovery.sh

TESTS += $(F4_JOURNAL_TESTS)
EXTRA_DIST += $(F4_JOURNAL_TESTS) tests/journal/lib_dirty.sh tests/journal/mkdirty.sh
