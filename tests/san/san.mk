# make check-asan: the integration tests against fuse4fs built with
# AddressSanitizer + UndefinedBehaviorSanitizer: the Makefile.am rules in
# a second build tree, san-build/obj/, configured with
# --enable-sanitizers --disable-hardening and $(CC) (tests/subtree.sh;
# the normal build is untouched), then `make check` with
# TESTS=$(F4_ASAN_TESTS) and F4_FUSE4FS pointing at that binary
# (tests/lib/setup.sh starts whatever F4_FUSE4FS names).
# A sanitizer report makes the daemon abort (the test sees its exit
# status) and is also written under tests/san/logs/, which must stay
# empty. Included from tests/Makefile.inc, after tests/integ/Makefile.inc.
#
#   make check-asan                        all integration tests
#   make check-asan F4_ASAN_TESTS='tests/integ/corrupt.sh tests/integ/offset.sh'

# The integration tests, and journal recovery on three formats (ext3's
# block maps, ext4, data=journal: the replay code with the overlay); the
# crash tests of journaled writes with fewer rounds (what the sanitizers
# add is the commit and replay paths run, not more random moments).
F4_ASAN_TESTS = $(F4_INTEG_TESTS) $(F4_JOURNAL_TESTS)
F4_ASAN_JOURNAL_FORMATS = ext3 ext4-4k data-journal
F4_ASAN_BIN = $(abs_top_builddir)/san-build/obj/fuse4fs$(EXEEXT)
F4_ASAN_LOGS = $(abs_top_builddir)/tests/san/logs
F4_ASAN_ENV = \
	ASAN_OPTIONS='detect_leaks=1:abort_on_error=1:log_path=$(F4_ASAN_LOGS)/asan' \
	UBSAN_OPTIONS='print_stacktrace=1:halt_on_error=1:log_path=$(F4_ASAN_LOGS)/ubsan' \
	LSAN_OPTIONS='suppressions=$(abs_top_srcdir)/tests/san/lsan.supp:print_suppressions=0'

check-asan: $(check_PROGRAMS)
	CC='$(CC)' $(SHELL) $(abs_top_srcdir)/tests/san/check.sh probe san-build
	F4_TOP_BUILDDIR='$(abs_top_builddir)' MAKE='$(MAKE)' \
		$(SHELL) $(abs_top_srcdir)/tests/subtree.sh san-build fuse4fs$(EXEEXT) -- \
		--enable-sanitizers --disable-hardening CC='$(CC)' CFLAGS='-g -O1'
	rm -rf tests/san/logs && mkdir -p tests/san/logs
	rc=0; \
	$(F4_ASAN_ENV) F4_FUSE4FS='$(F4_ASAN_BIN)' \
		F4J_FORMATS='$(F4_ASAN_JOURNAL_FORMATS)' \
		F4_CRASH_ROUNDS=2 F4_POWERCUT_SAMPLES=4 \
		$(MAKE) $(AM_MAKEFLAGS) check TESTS='$(F4_ASAN_TESTS)' \
		TEST_SUITE_LOG=tests/san/test-suite.log || rc=1; \
	$(SHELL) $(abs_top_srcdir)/tests/san/check.sh scan tests/san/logs || rc=1; \
	exit $$rc

check-asan-clean:
	rm -rf san-build tests/san/logs tests/san/test-suite.log

.PHONY: check-asan check-asan-clean

EXTRA_DIST += tests/san/check.sh tests/san/lsan.supp
