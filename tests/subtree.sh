#!/bin/bash
# A second build tree of this source, configured with other options: the
# sanitizer build of make check-asan (san-build/) and the libFuzzer build
# (fuzz-build/). One compile path: the same configure and Makefile.am as
# the ordinary build, only the configure options differ.
#
# usage: subtree.sh DIR TARGET... -- CONFIGURE-ARGUMENT...
#   DIR under the top build tree (F4_TOP_BUILDDIR, default: here). Inside
#   it: src/, the distributed files (make distdir of the top build), and
#   obj/, the build tree configured from src/ (a VPATH build); TARGETs are
#   made in obj/. Incremental: the copy keeps the files' times, configure
#   runs again only when its arguments or configure itself changed.
#
# Why a copy and not the source tree itself: a source tree configured in
# place cannot be the source of another build (automake refuses, and its
# objects would be found through VPATH instead of being built).
set -u
die() { echo "subtree: $*" >&2; exit 1; }

[ $# -ge 2 ] || die "usage: subtree.sh DIR TARGET... -- CONFIGURE-ARGUMENT..."
dir=$1
shift
targets=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	targets+=("$1")
	shift
done
[ $# -gt 0 ] && shift
build=$(cd "${F4_TOP_BUILDDIR:-.}" && pwd -P) || die "no build tree"
[ -f "$build/Makefile" ] || die "$build is not configured"
top=$build/$dir
mkdir -p "$top" || die "cannot create $top"
# The tests that use a sub-build run in parallel: one build at a time.
exec 9>"$top/.lock"
command -v flock >/dev/null 2>&1 && flock 9

# Our own make, jobs and output, not those of a make that may call us.
unset MAKEFLAGS MFLAGS MAKELEVEL
make=${MAKE:-make}

# The copy: again when a source, makefile or script of the top source tree
# changed since the last one (build products and test output do not count).
src=$(sed -n 's/^abs_top_srcdir = //p' "$build/Makefile")
[ -d "$src" ] || die "top source tree not found from $build/Makefile"
stamp=$top/src.stamp
if [ ! -f "$stamp" ] || [ -n "$(find "$src" \( -name .git -o -name '*-build' -o -path "$src/tests/work" \) -prune -o \
	-type f \( -name '*.[ch]' -o -name '*.sh' -o -name '*.am' -o -name '*.in' -o -name '*.mk' \
	-o -name '*.inc' -o -name '*.m4' -o -name configure \) -newer "$stamp" -print -quit)" ]; then
	"$make" -s -C "$build" distdir distdir="$top/src" >"$top/src.log" 2>&1 ||
		{ tail -n 20 "$top/src.log" >&2; die "make distdir failed (log: $top/src.log)"; }
	touch "$stamp"
fi

obj=$top/obj
args="$*"
mkdir -p "$obj"
if [ ! -f "$obj/config.status" ] || [ "$(cat "$obj/configure.args" 2>/dev/null)" != "$args" ] ||
	[ "$top/src/configure" -nt "$obj/config.status" ]; then
	rm -f "$obj/configure.args"
	echo "subtree: configuring $obj: $args"
	(cd "$obj" && "$top/src/configure" "$@") >"$obj/configure.log" 2>&1 ||
		{ tail -n 20 "$obj/configure.log" >&2; die "configure failed (log: $obj/configure.log)"; }
	printf '%s' "$args" >"$obj/configure.args"
	# New flags: every object again.
	"$make" -s -C "$obj" clean >/dev/null 2>&1
fi
jobs=$(nproc 2>/dev/null || echo 2)
"$make" -s -C "$obj" -j"$jobs" "${targets[@]}" || die "make ${targets[*]} failed in $obj"
