# Fake-kernel tests: fuse4fs answering FUSE requests that a test sends over
# a socketpair handed to it as /dev/fd/N (no mount, no /dev/fuse, no root).
# Included from tests/Makefile.inc. See tests/fakekernel/README.md.

F4_FK_TESTS = tests/fakekernel/fk_basic tests/fakekernel/fk_teardown
check_PROGRAMS += $(F4_FK_TESTS)
TESTS += $(F4_FK_TESTS)

F4_FK_CFLAGS = -Wall -Wextra $(EXT2FS_CFLAGS)
F4_FK_LIB = tests/fakekernel/fk.c tests/fakekernel/fk.h \
	tests/fakekernel/fk_ops.c \
	tests/fakekernel/fk_test.c tests/fakekernel/fk_test.h \
	tests/fakekernel/fk_seed.c tests/fakekernel/fk_seed.h

tests_fakekernel_fk_basic_SOURCES = $(F4_FK_LIB) \
	tests/fakekernel/fk_basic.c tests/fakekernel/fk_basic.h \
	tests/fakekernel/fk_lookup.c tests/fakekernel/fk_dir.c \
	tests/fakekernel/fk_rw.c
tests_fakekernel_fk_basic_CFLAGS = $(F4_FK_CFLAGS)
tests_fakekernel_fk_basic_LDADD = $(EXT2FS_LIBS)

tests_fakekernel_fk_teardown_SOURCES = $(F4_FK_LIB) tests/fakekernel/fk_teardown.c
tests_fakekernel_fk_teardown_CFLAGS = $(F4_FK_CFLAGS)
tests_fakekernel_fk_teardown_LDADD = $(EXT2FS_LIBS)

EXTRA_DIST += tests/fakekernel/README.md
