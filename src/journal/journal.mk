# jbd2 journal recovery engine (src/journal/) and its unit tests.
# Included from the top Makefile.am after tests/Makefile.inc.

libf4core_a_SOURCES += \
	src/journal/jformat.h src/journal/recover.h src/journal/jint.h \
	src/journal/jcsum.c src/journal/jsb.c src/journal/jscan.c \
	src/journal/jrevoke.c src/journal/jplan.c src/journal/japply.c

# test_jrec: hand-built journals (tests/unit/jbuild.[ch]);
# test_jrec_e2fs: journals written by debugfs, replayed by us and by
# e2fsprogs, compared.
F4_JREC_TESTS = tests/unit/test_jrec tests/unit/test_jrec_e2fs
if HAVE_CMOCKA
check_PROGRAMS += $(F4_JREC_TESTS)
TESTS += $(F4_JREC_TESTS)
endif

tests_unit_test_jrec_SOURCES = tests/unit/test_jrec.c \
	tests/unit/jbuild.c tests/unit/jbuild.h
tests_unit_test_jrec_CPPFLAGS = $(F4_UNIT_CPPFLAGS)
tests_unit_test_jrec_CFLAGS = $(F4_UNIT_CFLAGS)
tests_unit_test_jrec_LDADD = $(F4_UNIT_LDADD)

tests_unit_test_jrec_e2fs_SOURCES = tests/unit/test_jrec_e2fs.c \
	$(F4_UNIT_IMG)
tests_unit_test_jrec_e2fs_CPPFLAGS = $(F4_UNIT_CPPFLAGS)
tests_unit_test_jrec_e2fs_CFLAGS = $(F4_UNIT_CFLAGS)
tests_unit_test_jrec_e2fs_LDADD = $(F4_UNIT_LDADD)
