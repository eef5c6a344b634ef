# Core verbs shared by several operations, so that the FUSE glue only
# decodes, calls one verb and replies: chmod and the setuid/setgid kill
# (file: setattr and write use them), opening and closing file handles
# (ns: the open count lives in the inode cache, which the glue never
# touches). Included from the top Makefile.am.
libf4core_a_SOURCES += \
	src/file/mode.c src/file/mode.h \
	src/ns/handle.c src/ns/handle.h

# Their unit tests (cmocka, with the write-side fixture).
if HAVE_CMOCKA
check_PROGRAMS += tests/unit/test_verbs
TESTS += tests/unit/test_verbs
endif
tests_unit_test_verbs_SOURCES = tests/unit/test_verbs.c $(F4_UNIT_WFIX)
tests_unit_test_verbs_CPPFLAGS = $(F4_UNIT_CPPFLAGS)
tests_unit_test_verbs_CFLAGS = $(F4_UNIT_CFLAGS)
tests_unit_test_verbs_LDADD = $(F4_UNIT_LDADD)
