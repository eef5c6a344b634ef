#!/bin/bash
# Every product header compiles on its own (after config.h, as every
# source starts), so that a file's includes say all it needs.
# Environment (from tests/build/build.mk): CC, F4_HDR_CFLAGS (include paths
# and libraries' flags), F4_HDR_FUSE_CFLAGS (for src/fuse/).
set -u
top=${F4_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
build=${F4_TOP_BUILDDIR:-$top}
cc=${CC:-cc}
cd "$top" || exit 99
[ -f "$build/config.h" ] || { echo "headers: SKIP: no config.h in $build (configure first)"; exit 77; }
tmp=$(mktemp -d) || exit 99
trap 'rm -rf "$tmp"' EXIT
bad=0 n=0
headers=$(git ls-files 'src/*.h' 'iomap/*.h' 'compat/*.h' 2>/dev/null)
[ -n "$headers" ] || headers=$(find src iomap compat -name '*.h' | sort)
for h in $headers; do
	flags="${F4_HDR_CFLAGS:-}"
	case $h in src/fuse/*) flags="$flags ${F4_HDR_FUSE_CFLAGS:-}" ;; esac
	printf '#include "config.h"\n#include "%s"\n' "$h" >"$tmp/t.c"
	# shellcheck disable=SC2086
	if ! $cc -std=gnu11 -Wall -Wextra -Werror -fsyntax-only -I"$build" -I"$top" $flags \
		"$tmp/t.c" >"$tmp/err" 2>&1; then
		echo "headers: $h does not compile on its own:"
		head -n 5 "$tmp/err"
		bad=1
	fi
	n=$((n + 1))
done
[ $bad = 0 ] && echo "headers: ok ($n headers compile alone)"
exit $bad
