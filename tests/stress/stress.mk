# f4stress: randomized operation exerciser for a mounted file system (our
# own, in the spirit of fsx/fsstress). Built by `make check`, not run by it:
#   tests/stress/f4stress [options] DIR        (see --help)
# Included from tests/Makefile.inc after tests/integ/Makefile.inc (it uses
# TEST_EXTENSIONS and the tests environment set there).
check_PROGRAMS += tests/stress/f4stress
TESTS += tests/stress/stress.sh
EXTRA_DIST += tests/stress/stress.sh

# Long randomized runs: many seeds, many ops (not part of make check).
soak: check-programs-for-soak
	F4_STRESS_SEEDS="$$(seq -s ' ' 100 140)" F4_STRESS_OPS=30000 F4_STRESS_PROCS=3 \
	$(MAKE) $(AM_MAKEFLAGS) check TESTS=tests/stress/stress.sh
check-programs-for-soak: all
	$(MAKE) $(AM_MAKEFLAGS) $(check_PROGRAMS)
.PHONY: soak check-programs-for-soak
tests_stress_f4stress_SOURCES = \
	tests/stress/f4stress.h \
	tests/stress/f4stress.c \
	tests/stress/f4stress_model.c \
	tests/stress/f4stress_data.c \
	tests/stress/f4stress_verify.c \
	tests/stress/f4stress_ns.c \
	tests/stress/f4stress_attr.c \
	tests/stress/f4stress_shared.c
tests_stress_f4stress_CFLAGS = -Wall -Wextra
