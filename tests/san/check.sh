#!/bin/bash
# Around the sanitizer build of the server, for make check-asan (see
# san.mk; the build itself is tests/subtree.sh, configure
# --enable-sanitizers).
#
#   check.sh probe DIR
#       exit 77 with a reason when $CC cannot build with the sanitizers
#       (scratch files in DIR).
#   check.sh scan LOGDIR
#       fail (listing them) if the sanitizers wrote any report there.
set -u
cmd=${1:-}
case $cmd in
probe)
	out=$2
	cc=${CC:-cc}
	san="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"
	mkdir -p "$out"
	echo 'int main(void) { return 0; }' >"$out/probe.c"
	$cc $san "$out/probe.c" -o "$out/probe" >"$out/probe.log" 2>&1 || {
		echo "check-asan: SKIP: $cc cannot build with $san: $(head -c 300 "$out/probe.log")" >&2
		exit 77
	}
	;;
scan)
	logs=$2
	found=$(find "$logs" -type f -size +0 2>/dev/null | sort)
	if [ -n "$found" ]; then
		echo "check-asan: FAIL: sanitizer reports:"
		for f in $found; do
			echo "== $f"
			head -n 40 "$f"
		done
		exit 1
	fi
	echo "check-asan: no sanitizer reports"
	;;
*)
	echo "usage: check.sh probe DIR | check.sh scan LOGDIR" >&2
	exit 2
	;;
esac
