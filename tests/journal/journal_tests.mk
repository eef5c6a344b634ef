# Journal tests. recovery.sh: images the kernel's ext4 leaves with a dirty
# journal, replayed by fuse4fs and judged by the kernel's own replay.
# crash_kill.sh: journaled writes, fuse4fs killed at random moments of a
# busy workload, the image judged by the kernel's replay and e2fsck
# (3 rounds here; `make crash-soak` runs 60). powercut.sh: journaled
# writes under a simulated power cut (fuse4fs's write log replayed up to
# a flush, and part of what followed; 12 samples here, 200 in
# `make crash-soak`). Included from
# tests/Makefile.inc. Need root, /dev/fuse, loop devices (and xfs_io for
# recovery.sh); skip (77) otherwise. tests/journal/mkdirty.sh makes a
# large dirty image by hand (for timing replays).

F4_JOURNAL_TESTS = tests/journal/recovery.sh tests/journal/crash_kill.sh \
	tests/journal/powercut.sh

TESTS += $(F4_JOURNAL_TESTS)
EXTRA_DIST += $(F4_JOURNAL_TESTS) tests/journal/lib_dirty.sh tests/journal/lib_crash.sh \
	tests/journal/mkdirty.sh

# Many crash rounds (not part of make check).
crash-soak: check-programs-for-soak
	F4_CRASH_ROUNDS=$${F4_CRASH_ROUNDS:-60} \
	F4_POWERCUT_SAMPLES=$${F4_POWERCUT_SAMPLES:-200} \
	$(MAKE) $(AM_MAKEFLAGS) check \
		TESTS="tests/journal/crash_kill.sh tests/journal/powercut.sh"
.PHONY: crash-soak
