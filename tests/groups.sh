#!/bin/sh
# make check: say which whole groups of tests this build cannot run, so
# that a run without them is not mistaken for a full one (each group's own
# tests would only skip, or not be there at all):
#   unit  the cmocka drivers: configure found no cmocka (F4_GROUP_UNIT=no,
#         set by tests/Makefile.inc)
#   fuzz  the libFuzzer targets: no clang or no libFuzzer runtime
#         (tests/fuzz/build.sh --probe)
# Exit 0 when every group can run; when one cannot: 77 (skip), or 1 (fail)
# under CI=true, where a missing group is a broken machine setup.
build=${F4_TOP_BUILDDIR:-.}
here=$(cd "$(dirname "$0")" && pwd -P)
missing=0

say() {
	echo "*** NOT RUN: $*"
	missing=$((missing + 1))
}

[ "${F4_GROUP_UNIT:-no}" = yes ] ||
	say "unit tests: configure found no cmocka (install libcmocka-dev, then re-run ./configure)"
why=$(bash "$here/fuzz/build.sh" --probe "$build" 2>&1)
case $? in
0) ;;
77) say "fuzz targets: ${why#fuzz build: SKIP: }" ;;
*) say "fuzz targets: the compiler probe failed: $why" ;;
esac

if [ $missing -eq 0 ]; then
	echo "groups: unit and fuzz tests can run"
	exit 0
fi
if [ "${CI:-}" = true ]; then
	echo "groups: FAIL: $missing group(s) of tests cannot run on this CI machine"
	exit 1
fi
echo "groups: SKIP: $missing group(s) of tests cannot run (a failure under CI=true)"
exit 77
