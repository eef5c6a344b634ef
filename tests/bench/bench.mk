# Benchmarks: kernel ext4 vs fuse2fs vs fuse4fs (tests/bench/README.md).
# Include from the top Makefile.am with:  include tests/bench/bench.mk
# Nothing here is built or run by `make` or `make check`: metabench is an
# EXTRA_PROGRAMS helper built on demand by the bench targets. Needs root.
#
#   make bench                      default run (3 runs per workload, < 20 min)
#   make bench-quick                quick run (1 run, smaller sizes, < 5 min)
#   make bench BENCH_ARGS='--subjects kernel,fuse4fs --runs 5'

# automake wants '=' the first time: if the top Makefile.am ever defines
# EXTRA_PROGRAMS or CLEANFILES itself, turn these two into '+='.
EXTRA_PROGRAMS = tests/bench/metabench
CLEANFILES = tests/bench/metabench$(EXEEXT)
tests_bench_metabench_SOURCES = tests/bench/metabench.c
tests_bench_metabench_CFLAGS = -O2 -Wall -Wextra

BENCH_ARGS =
F4_BENCH_RUN = F4_TOP_BUILDDIR='$(abs_top_builddir)' \
	F4_BENCH_METABENCH='$(abs_top_builddir)/tests/bench/metabench$(EXEEXT)' \
	bash '$(abs_top_srcdir)/tests/bench/run'

bench: fuse4fs$(EXEEXT) tests/bench/metabench$(EXEEXT)
	$(F4_BENCH_RUN) $(BENCH_ARGS)

bench-quick: fuse4fs$(EXEEXT) tests/bench/metabench$(EXEEXT)
	$(F4_BENCH_RUN) --quick $(BENCH_ARGS)

# Mount time of a 1 GiB and a 1 TiB image, each subject, ro and rw.
bench-mount: fuse4fs$(EXEEXT)
	FUSE4FS_BIN='$(abs_top_builddir)/fuse4fs$(EXEEXT)' \
		bash '$(abs_top_srcdir)/tests/bench/mounttime' $(BENCH_MOUNT_ARGS)

# Replaying a full 128 MiB journal: the kernel's mount against fuse4fs
# (read-write, and in memory for -o ro).
bench-replay: fuse4fs$(EXEEXT) tests/tools/seedtool$(EXEEXT)
	FUSE4FS_BIN='$(abs_top_builddir)/fuse4fs$(EXEEXT)' \
		F4_TOP_BUILDDIR='$(abs_top_builddir)' \
		bash '$(abs_top_srcdir)/tests/bench/replaytime' $(BENCH_REPLAY_ARGS)

.PHONY: bench bench-quick bench-mount bench-replay

EXTRA_DIST += tests/bench/run tests/bench/gentree tests/bench/README.md \
	tests/bench/mounttime tests/bench/replaytime \
	tests/bench/bench.mk
