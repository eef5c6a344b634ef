#!/bin/bash
# make check: replay regression inputs (tests/fuzz/regress/*.img.gz,
# gzip'ed images with the control block of harness.h) once through both
# image targets; journal-*.jnl.gz (jinput.h) through fuzz_journal. `regress.sh INPUT.img.gz...` replays those (make check runs
# each input as a test of its own); without arguments, every one. Both
# targets: always through the plain replay drivers (the
# ordinary build of the core), and, when clang's libFuzzer is available,
# through the ASan+UBSan fuzz targets too. Each input must finish within
# 60 s without a finding.
set -u
export LC_ALL=C
# libext2fs's com_err complaints (a bitmap bit out of range...) count as
# findings here: past ones were bugs of ours.
export F4FZ_COMERR_ABORT=1
here=$(cd "$(dirname "$0")" && pwd -P)
src=${F4_TOP_SRCDIR:-$(cd "$here/../.." && pwd -P)}
build=$(cd "${F4_TOP_BUILDDIR:-$src}" && pwd -P)
fz=$build/tests/fuzz
mkdir -p "$fz"
regress=$src/tests/fuzz/regress
failed=0

log() { printf '[fuzz-regress] %s\n' "$*"; }

# Unpacked into a directory of this run's own in the build tree (tests
# run in parallel).
inputs=() jinputs=()
mkdir -p "$fz/regress-replay"
work=$(mktemp -d "$fz/regress-replay/run.XXXXXX") || { log "ERROR: no work dir"; exit 99; }
trap 'rm -rf "$work"' EXIT
out=$work/out
[ $# -gt 0 ] || set -- "$regress"/*.img.gz "$regress"/journal-*.jnl.gz
for f in "$@"; do
	[ -f "$f" ] || continue
	u=$work/$(basename "$f" .gz)
	gzip -dc "$f" >"$u" || { log "ERROR: cannot unpack $f"; exit 99; }
	case $(basename "$f") in
	journal-*) jinputs+=("$u") ;;
	*) inputs+=("$u") ;;
	esac
done
[ $((${#inputs[@]} + ${#jinputs[@]})) -gt 0 ] || { log "SKIP: no regression inputs in $regress"; exit 77; }

replay() {	# replay LABEL BINARY [flags...]: the inputs of its kind
	local label=$1 bin=$2 f rc
	if [[ $label == *journal* ]]; then local -n list=jinputs; else local -n list=inputs; fi
	shift 2
	[ ${#list[@]} -gt 0 ] || return 0
	for f in "${list[@]}"; do
		timeout -k 5 60 "$bin" "$@" "$f" >"$out" 2>&1
		rc=$?
		if [ $rc -ne 0 ]; then
			failed=1
			log "FAIL: $label $(basename "$f"): exit $rc$([ $rc -eq 124 ] && echo ' (timeout)')"
			grep -E 'ERROR|FINDING|SUMMARY|runtime error' "$out" | head -10 | sed 's/^/    /'
		fi
	done
	log "$label: ${#list[@]} inputs replayed"
}

for t in read write journal; do
	[ -x "$fz/replay_$t" ] || { log "ERROR: $fz/replay_$t not built"; exit 99; }
	replay "replay_$t" "$fz/replay_$t"
done
if bash "$here/build.sh" "$build" >"$work/build.log" 2>&1; then
	for t in read write journal; do
		replay "fuzz_$t (ASan+UBSan)" "$build/fuzz-build/obj/tests/fuzz/fuzz_$t" -runs=1
	done
else
	log "sanitizer builds unavailable: $(tail -n 1 "$work/build.log")"
fi
exit $failed
