#!/bin/bash
# Run the libFuzzer targets: build them (build.sh), make the seeds
# (mkseeds.sh; jseeds for fuzz_journal), then fuzz_read, fuzz_write and
# fuzz_journal one after the other.
#
# usage: run.sh smoke|long
#   smoke  F4FZ_SECS (default 60) seconds each, from the seeds and the
#          regression inputs, in a scratch corpus removed afterwards; part
#          of make check (make fuzz-smoke). Skips (77) without clang.
#   long   F4FZ_SECS (default 3600) seconds each, with a corpus kept in
#          $BUILDDIR/tests/fuzz/corpus/TARGET between runs (make fuzz).
#
# Environment: F4_TOP_SRCDIR, F4_TOP_BUILDDIR (set by make), F4FZ_SECS,
# F4FZ_TARGETS (default "fuzz_read fuzz_write fuzz_journal"), F4FZ_JOBS (parallel
# fuzzing processes per target with -fork, default 1), F4FZ_ARGS (more
# libFuzzer flags).
#
# A finding (crash, sanitizer report, leak, timeout, out-of-memory) fails
# the run; the input is left in $BUILDDIR/tests/fuzz/findings/ with the
# command to reproduce it. Reduce it with
#   fuzz-build/obj/tests/fuzz/fuzz_read -minimize_crash=1 -runs=2000 INPUT
# and add it under tests/fuzz/regress/ (see tests/fuzz/regress/README).
set -u
export LC_ALL=C
mode=${1:-smoke}
here=$(cd "$(dirname "$0")" && pwd -P)
src=${F4_TOP_SRCDIR:-$(cd "$here/../.." && pwd -P)}
build=${F4_TOP_BUILDDIR:-$src}
build=$(cd "$build" && pwd -P)
fz=$build/tests/fuzz
bin=$build/fuzz-build/obj/tests/fuzz
case $mode in
smoke) secs=${F4FZ_SECS:-60} ;;
long) secs=${F4FZ_SECS:-3600} ;;
*) echo "usage: run.sh smoke|long" >&2; exit 2 ;;
esac
targets=${F4FZ_TARGETS:-fuzz_read fuzz_write fuzz_journal}

log() { printf '[fuzz-%s] %s\n' "$mode" "$*"; }

bash "$here/build.sh" "$build"
rc=$?
[ $rc -eq 0 ] || exit $rc

fzimg=$fz/fzimg
if [ ! -x "$fzimg" ]; then
	# Outside make check: build the helper directly.
	mkdir -p "$fz"
	${CC:-cc} -I"$build" -o "$fzimg" "$here/fzimg.c" \
		$(pkg-config --cflags --libs ext2fs com_err 2>/dev/null || echo -lext2fs -lcom_err) ||
		{ log "cannot build fzimg"; exit 99; }
fi
if [ ! -d "$fz/seeds/read" ] || [ "$here/mkseeds.sh" -nt "$fz/seeds/read" ]; then
	bash "$here/mkseeds.sh" "$fz/seeds" "$fzimg"
	rc=$?
	[ $rc -eq 0 ] || exit $rc
	touch "$fz/seeds/read"
fi

# Journals for fuzz_journal, written by the unit tests' journal builder.
if [[ " $targets " == *" fuzz_journal "* ]]; then
	[ -x "$fz/jseeds" ] || make -s -C "$build" tests/fuzz/jseeds >/dev/null ||
		{ log "cannot build jseeds"; exit 99; }
	rm -rf "$fz/seeds/journal"
	mkdir -p "$fz/seeds/journal"
	"$fz/jseeds" "$fz/seeds/journal" || { log "jseeds failed"; exit 99; }
fi

# The regression inputs join the corpus (unpacked by hand, or by
# regress.sh): images for fuzz_read/fuzz_write, journal-* for fuzz_journal.
rm -rf "$fz/regress-inputs" "$fz/regress-inputs-journal"
mkdir -p "$fz/regress-inputs" "$fz/regress-inputs-journal"
for f in "$src"/tests/fuzz/regress/*.img.gz; do
	[ -f "$f" ] && gzip -dc "$f" >"$fz/regress-inputs/$(basename "$f" .gz)"
done
for f in "$src"/tests/fuzz/regress/journal-*.jnl.gz; do
	[ -f "$f" ] && gzip -dc "$f" >"$fz/regress-inputs-journal/$(basename "$f" .gz)"
done

findings=$fz/findings
mkdir -p "$findings"
failed=0
for t in $targets; do
	kind=${t#fuzz_}
	if [ "$mode" = smoke ]; then
		corpus=$(mktemp -d "$fz/corpus-smoke-$kind.XXXXXX")
	else
		corpus=$fz/corpus/$kind
		mkdir -p "$corpus"
	fi
	dirs=("$corpus" "$fz/seeds/$kind")
	if [ "$kind" = journal ]; then
		dirs+=("$fz/regress-inputs-journal")
	else
		dirs+=("$fz/regress-inputs")
	fi
	# libFuzzer keeps the corpus in memory (images of 64-512 KiB): the
	# RSS limit grows with the run; a single allocation over 512 MiB
	# is a finding (an unbounded size from disk).
	rss=2048
	[ "$mode" = long ] && rss=8192
	flags=(-max_total_time="$secs" -timeout=30 -rss_limit_mb="$rss"
	       -malloc_limit_mb=512 -max_len=1048576 -print_final_stats=1
	       -artifact_prefix="$findings/$t-")
	if [ "${F4FZ_JOBS:-1}" -gt 1 ]; then
		flags+=(-fork="$F4FZ_JOBS" -ignore_crashes=0)
	fi
	# shellcheck disable=SC2086
	flags+=(${F4FZ_ARGS:-})
	out=$fz/$t-$mode.log
	log "$t for ${secs}s (log: $out)"
	t0=$(date +%s)
	"$bin/$t" "${flags[@]}" "${dirs[@]}" >"$out" 2>&1
	rc=$?
	stats=$(grep -E '^stat::(number_of_executed_units|peak_rss_mb)' "$out" |
		sed 's/^stat:://' | tr -s ' \n' ' ')
	log "$t: exit $rc after $(($(date +%s) - t0))s; $stats"
	if [ $rc -ne 0 ]; then
		failed=1
		log "$t FOUND A PROBLEM:"
		grep -E 'ERROR|FINDING|SUMMARY|runtime error|Test unit written' "$out" | head -20 |
			sed 's/^/    /'
		log "reproduce: $bin/$t INPUT (inputs: $findings/$t-*)"
	fi
	[ "$mode" = smoke ] && rm -rf "$corpus"
done
exit $failed
