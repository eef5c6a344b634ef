#!/bin/bash
# Build the libFuzzer targets fuzz_read, fuzz_write and fuzz_journal with clang,
# -fsanitize=fuzzer,address,undefined: the Makefile.am rules in a second
# build tree, BUILDDIR/fuzz-build/obj/, configured with --enable-fuzzing
# (tests/subtree.sh; never the objects of the normal build). Exit 77 with
# a reason when clang or its libFuzzer runtime is missing.
#
# usage: build.sh [--probe] [BUILDDIR]  (default: F4_TOP_BUILDDIR, else here)
#   prints where the targets are: BUILDDIR/fuzz-build/obj/tests/fuzz/;
#   --probe: only check the compiler (0, or 77 with the reason)
#   F4FZ_CFLAGS    more compiler flags (e.g. -fsanitize-ignorelist=FILE to
#                  silence a known finding while fuzzing for others)
#   F4FZ_CC        the compiler (default: clang, else clang-14...)
set -eu

here=$(cd "$(dirname "$0")" && pwd -P)
probe_only=no
[ "${1:-}" = --probe ] && { probe_only=yes; shift; }
build=$(cd "${1:-${F4_TOP_BUILDDIR:-.}}" && pwd -P)
top=$build/fuzz-build

skip() { echo "fuzz build: SKIP: $*" >&2; exit 77; }

cc=${F4FZ_CC:-}
if [ -z "$cc" ]; then
	for c in clang clang-14 clang-15 clang-16; do
		command -v "$c" >/dev/null 2>&1 && { cc=$c; break; }
	done
fi
[ -n "$cc" ] || skip "clang not found (libFuzzer needs clang; Debian: apt-get install clang libclang-rt-14-dev)"
command -v "$cc" >/dev/null 2>&1 || skip "compiler $cc not found"
[ -f "$build/Makefile" ] || { echo "fuzz build: $build/Makefile missing: run configure first" >&2; exit 99; }

# Can this clang link a libFuzzer target with the sanitizers? (configure
# checks it too, but a missing runtime is a skip here, not an error.)
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
mkdir -p "$top"
probe=$top/probe
if [ ! -x "$probe" ] || [ "$(cat "$probe.cc" 2>/dev/null)" != "$cc" ]; then
	rm -f "$probe" "$probe.cc"
	printf '%s\n' '#include <stdint.h>' '#include <stddef.h>' \
		'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
		>"$probe.c"
	"$cc" -fsanitize=fuzzer $SAN "$probe.c" -o "$probe" >"$probe.log" 2>&1 ||
		skip "$cc cannot link -fsanitize=fuzzer,address,undefined (Debian: apt-get install libclang-rt-14-dev): $(head -c 300 "$probe.log" | tr '\n' ' ')"
	echo "$cc" >"$probe.cc"
fi
[ $probe_only = no ] || exit 0

F4_TOP_BUILDDIR=$build bash "$here/../subtree.sh" fuzz-build \
	tests/fuzz/fuzz_read tests/fuzz/fuzz_write tests/fuzz/fuzz_journal -- \
	--enable-fuzzing --disable-hardening CC="$cc" CFLAGS="-g -O1 ${F4FZ_CFLAGS:-}" ||
	exit 1
echo "fuzz build: $top/obj/tests/fuzz/fuzz_read $top/obj/tests/fuzz/fuzz_write $top/obj/tests/fuzz/fuzz_journal"
