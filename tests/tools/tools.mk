# The C programs the integration tests run (tests/tools/), built by
# make check: treedump (canonical listing of a tree), dirwalk (d_type,
# seekdir, small-buffer listings), seedtool (seed-tree pieces), f4ioctl
# (the ioctls of tests/integ/ioctl.sh), fdmount (the privileged parent of
# the /dev/fd/N mountpoint convention), crashload (the workload and the
# verifier of the crash tests), powercut (images a power cut could leave,
# from fuse4fs's write log). Included from tests/Makefile.inc.
F4_TOOLS_CFLAGS = -Wall -Wextra
check_PROGRAMS += tests/tools/treedump tests/tools/dirwalk \
	tests/tools/seedtool tests/tools/f4ioctl tests/tools/fdmount \
	tests/tools/crashload tests/tools/powercut
tests_tools_treedump_SOURCES = tests/tools/treedump.c
tests_tools_treedump_CFLAGS = $(F4_TOOLS_CFLAGS)
tests_tools_dirwalk_SOURCES = tests/tools/dirwalk.c
tests_tools_dirwalk_CFLAGS = $(F4_TOOLS_CFLAGS)
tests_tools_seedtool_SOURCES = tests/tools/seedtool.c
tests_tools_seedtool_CFLAGS = $(F4_TOOLS_CFLAGS)
tests_tools_f4ioctl_SOURCES = tests/tools/f4ioctl.c
tests_tools_f4ioctl_CFLAGS = $(F4_TOOLS_CFLAGS)
tests_tools_fdmount_SOURCES = tests/tools/fdmount.c
tests_tools_fdmount_CFLAGS = $(F4_TOOLS_CFLAGS)
tests_tools_crashload_SOURCES = tests/tools/crashload.c
tests_tools_crashload_CFLAGS = $(F4_TOOLS_CFLAGS)
tests_tools_powercut_SOURCES = tests/tools/powercut.c
tests_tools_powercut_CFLAGS = $(F4_TOOLS_CFLAGS)
