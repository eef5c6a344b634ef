# fuzz_journal: the journal recovery engine (src/journal/recover.h) fed
# hostile journals (tests/fuzz/fuzz_journal.c, input format in jinput.h),
# built and run like fuzz_read/fuzz_write (fuzz.mk: the --enable-fuzzing
# tree, make fuzz / fuzz-smoke / check). Seeds: tests/fuzz/jseeds writes
# journals with the unit tests' builder (tests/unit/jbuild.c). Included
# from tests/Makefile.inc after fuzz.mk.

if F4_FUZZING
noinst_PROGRAMS += tests/fuzz/fuzz_journal
endif
F4FZ_JSRC = tests/fuzz/fuzz_journal.c tests/fuzz/jinput.c tests/fuzz/jinput.h
tests_fuzz_fuzz_journal_SOURCES = $(F4FZ_JSRC)
tests_fuzz_fuzz_journal_CPPFLAGS = $(F4FZ_CPPFLAGS)
tests_fuzz_fuzz_journal_LDFLAGS = $(AM_LDFLAGS) $(F4_FUZZ_LDFLAGS)
tests_fuzz_fuzz_journal_LDADD = $(F4_CORE_LIBS)

# The plain replay driver of the regression inputs, and the seed writer.
check_PROGRAMS += tests/fuzz/replay_journal
tests_fuzz_replay_journal_SOURCES = $(F4FZ_JSRC) tests/fuzz/replay_main.c
tests_fuzz_replay_journal_CPPFLAGS = $(F4FZ_CPPFLAGS)
tests_fuzz_replay_journal_LDADD = $(F4_CORE_LIBS)
if HAVE_CMOCKA
check_PROGRAMS += tests/fuzz/jseeds
endif
tests_fuzz_jseeds_SOURCES = tests/fuzz/jseeds.c tests/fuzz/jinput.c \
	tests/fuzz/jinput.h tests/unit/jbuild.c tests/unit/jbuild.h
tests_fuzz_jseeds_CPPFLAGS = $(F4FZ_CPPFLAGS) $(CMOCKA_CFLAGS)
tests_fuzz_jseeds_LDADD = $(F4_CORE_LIBS) $(CMOCKA_LIBS)

# Findings of fuzz_journal, once fixed: journal-WHAT.jnl.gz, replayed by
# regress.sh (which tells them by name) as tests of their own.
F4FZ_JREGRESS =
TESTS += $(F4FZ_JREGRESS)
EXTRA_DIST += $(F4FZ_JREGRESS)
