# Fuzzing: libFuzzer targets fuzz_read and fuzz_write (tests/fuzz/),
# built by the ordinary Makefile.am rules in a second build tree,
# fuzz-build/ (tests/subtree.sh: configure --enable-fuzzing with clang,
# ASan+UBSan; the normal build is untouched), seeded with images from
# tests/fuzz/mkseeds.sh. tests/fuzz/build.sh picks clang and makes that
# tree. Included from tests/Makefile.inc, after tests/integ/Makefile.inc
# (it uses TEST_EXTENSIONS and SH_LOG_COMPILER from there).
#
#   make check         each input in tests/fuzz/regress/ (F4FZ_REGRESS) as a
#                      test of its own, replayed by regress.sh through
#                      both targets (plain build always, sanitized when
#                      clang is there); smoke.sh: each target for
#                      F4FZ_SMOKE_SECS seconds (skips without clang)
#   make fuzz-smoke    the smoke run alone
#   make fuzz          each target for F4FZ_SECS seconds (default 1 hour),
#                      corpus kept in tests/fuzz/corpus/ (F4FZ_JOBS=N forks
#                      N processes per target)
#   make fuzz-build    just build the sanitized targets
#   make fuzz-clean    remove everything the fuzzing made in the build tree

F4FZ_SMOKE_SECS = 60
F4FZ_SECS = 3600
F4FZ_ENV = F4_TOP_SRCDIR='$(abs_top_srcdir)' \
	F4_TOP_BUILDDIR='$(abs_top_builddir)'

AM_TESTS_ENVIRONMENT += F4FZ_SECS='$(F4FZ_SMOKE_SECS)'; export F4FZ_SECS;

# The libFuzzer targets, in the tree configured with --enable-fuzzing
# only: every object there is built for them (coverage, ASan+UBSan).
if F4_FUZZING
noinst_PROGRAMS = tests/fuzz/fuzz_read tests/fuzz/fuzz_write
endif
F4FZ_TARGET = tests/fuzz/harness.c tests/fuzz/harness.h tests/fuzz/mutator.c
tests_fuzz_fuzz_read_SOURCES = tests/fuzz/fuzz_read.c $(F4FZ_TARGET)
tests_fuzz_fuzz_read_CFLAGS = $(AM_CFLAGS)
tests_fuzz_fuzz_read_LDFLAGS = $(AM_LDFLAGS) $(F4_FUZZ_LDFLAGS)
tests_fuzz_fuzz_read_LDADD = $(F4_CORE_LIBS)
tests_fuzz_fuzz_write_SOURCES = tests/fuzz/fuzz_write.c $(F4FZ_TARGET)
tests_fuzz_fuzz_write_CFLAGS = $(AM_CFLAGS)
tests_fuzz_fuzz_write_LDFLAGS = $(AM_LDFLAGS) $(F4_FUZZ_LDFLAGS)
tests_fuzz_fuzz_write_LDADD = $(F4_CORE_LIBS)

# Plain replay drivers (the ordinary compiler and libf4core.a): the
# regression inputs run in make check even without clang.
check_PROGRAMS += tests/fuzz/replay_read tests/fuzz/replay_write tests/fuzz/fzimg
F4FZ_HARNESS = tests/fuzz/harness.c tests/fuzz/harness.h tests/fuzz/replay_main.c
F4FZ_CPPFLAGS = $(AM_CPPFLAGS) -I$(top_srcdir)
tests_fuzz_replay_read_SOURCES = tests/fuzz/fuzz_read.c $(F4FZ_HARNESS)
tests_fuzz_replay_read_CPPFLAGS = $(F4FZ_CPPFLAGS)
tests_fuzz_replay_read_LDADD = $(F4_CORE_LIBS)
tests_fuzz_replay_write_SOURCES = tests/fuzz/fuzz_write.c $(F4FZ_HARNESS)
tests_fuzz_replay_write_CPPFLAGS = $(F4FZ_CPPFLAGS)
tests_fuzz_replay_write_LDADD = $(F4_CORE_LIBS)
tests_fuzz_fzimg_SOURCES = tests/fuzz/fzimg.c
tests_fuzz_fzimg_LDADD = $(EXT2FS_LIBS)

# Every fuzzing finding, once fixed, is a test of its own: its input
# replayed through both targets by regress.sh.
F4FZ_REGRESS = \
	tests/fuzz/regress/dirent-nul-name.img.gz \
	tests/fuzz/regress/gdesc-bad-bitmap-loc.img.gz \
	tests/fuzz/regress/orphan-punch-bad-map.img.gz \
	tests/fuzz/regress/sb-first-ino-zero-ea-inode.img.gz \
	tests/fuzz/regress/sb-too-small-for-gdt.img.gz \
	tests/fuzz/regress/sb-want-extra-isize-overflow.img.gz \
	tests/fuzz/regress/xattr-set-enospc-null-offset.img.gz
TESTS += $(F4FZ_REGRESS) tests/fuzz/smoke.sh
TEST_EXTENSIONS += .gz
GZ_LOG_COMPILER = $(SHELL) $(abs_top_srcdir)/tests/fuzz/regress.sh

fuzz-build:
	@$(F4FZ_ENV) $(SHELL) $(abs_top_srcdir)/tests/fuzz/build.sh

fuzz-smoke: tests/fuzz/fzimg$(EXEEXT)
	@$(F4FZ_ENV) F4FZ_SECS='$(F4FZ_SMOKE_SECS)' \
		$(SHELL) $(abs_top_srcdir)/tests/fuzz/run.sh smoke

fuzz: tests/fuzz/fzimg$(EXEEXT)
	@$(F4FZ_ENV) F4FZ_SECS='$(F4FZ_SECS)' \
		$(SHELL) $(abs_top_srcdir)/tests/fuzz/run.sh long

fuzz-clean:
	rm -rf fuzz-build tests/fuzz/seeds tests/fuzz/corpus \
		tests/fuzz/corpus-smoke-* tests/fuzz/findings \
		tests/fuzz/regress-inputs tests/fuzz/regress-replay \
		tests/fuzz/*.log tests/fuzz/regress/*.log tests/fuzz/regress/*.trs

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-clean

EXTRA_DIST += tests/fuzz/build.sh tests/fuzz/run.sh tests/fuzz/mkseeds.sh \
	tests/fuzz/smoke.sh tests/fuzz/regress.sh tests/fuzz/regress/README $(F4FZ_REGRESS) \
	tests/fuzz/README.md
