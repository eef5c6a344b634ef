# Fast-commit replay, judged by the kernel: tests/journal/fc_replay.sh
# replays kernel-dirty fast-commit images with tests/journal/fcreplay
# (fuse4fs's jbd2 and fast-commit engines on the image, through
# libext2fs) and compares with the kernel's replay. Included from
# tests/Makefile.inc. Needs root, loop devices and xfs_io; skips (77)
# otherwise.
check_PROGRAMS += tests/journal/fcreplay
tests_journal_fcreplay_SOURCES = tests/journal/fcreplay.c
tests_journal_fcreplay_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
tests_journal_fcreplay_CFLAGS = $(AM_CFLAGS)
tests_journal_fcreplay_LDADD = $(F4_CORE_LIBS)

TESTS += tests/journal/fc_replay.sh
EXTRA_DIST += tests/journal/fc_replay.sh
