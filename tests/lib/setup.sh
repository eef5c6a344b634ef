# shellcheck shell=bash
# Integration-test library, setup and results.
# Paths of the binaries under test, logging, pass/fail/skip, the work
# directory and the verdict. Sourced by tests/lib/lib.sh.

: "${F4_TOP_SRCDIR:=$(cd "$F4_LIB_DIR/../.." && pwd -P)}"
: "${F4_TOP_BUILDDIR:=$F4_TOP_SRCDIR}"
F4_FUSE4FS=${F4_FUSE4FS:-$F4_TOP_BUILDDIR/fuse4fs}	# override to test another binary
F4_FUSE_OPTS=${F4_FUSE_OPTS:-}	# extra -o options for every mount (e.g. io=pread)
F4_TREEDUMP=$F4_TOP_BUILDDIR/tests/tools/treedump
F4_DIRWALK=$F4_TOP_BUILDDIR/tests/tools/dirwalk
F4_SEEDTOOL=$F4_TOP_BUILDDIR/tests/tools/seedtool

F4_TEST=$(basename "$0" .sh)
F4_FAILURES=0
F4_CLEANUP=()		# commands run in reverse order on exit
declare -A F4_PID=()	# FUSE mountpoint -> daemon pid (run with -f)
declare -A F4_DAEMON_LOG=()

f4_log() { printf '[%s] %s\n' "${F4_TEST:-test}" "$*"; }
f4_pass() { f4_log "ok: $*"; }

# A check failed: say so and go on (the test fails at f4_finish).
f4_fail() {
	printf '[%s] FAIL: %s\n' "${F4_TEST:-test}" "$*"
	F4_FAILURES=$((F4_FAILURES + 1))
}

# The harness cannot go on (a tool it relies on failed): exit 99.
f4_die() {
	printf '[%s] ERROR: %s\n' "${F4_TEST:-test}" "$*"
	exit 99
}

f4_skip() {
	printf '[%s] SKIP: %s\n' "${F4_TEST:-test}" "$*"
	exit 77
}

# Set up the work directory and the cleanup trap. Call once, after the
# f4_require_* checks (so that a skip leaves nothing behind).
f4_init() {
	local build
	build=$(cd "$F4_TOP_BUILDDIR" && pwd -P) || f4_die "no build dir $F4_TOP_BUILDDIR"
	F4_TOP_BUILDDIR=$build
	F4_WORK=$build/tests/work/$F4_TEST
	if [ -e "$F4_WORK" ]; then
		f4__mounts_under "$F4_WORK" | grep -q . &&
			f4_die "$F4_WORK has mounts left from an earlier run; unmount them first"
		rm -rf --one-file-system "$F4_WORK" || f4_die "cannot clear $F4_WORK"
	fi
	mkdir -p "$F4_WORK" || f4_die "cannot create $F4_WORK"
	trap f4__on_exit EXIT
	trap 'f4_log "interrupted"; exit 130' INT
	trap 'f4_log "terminated"; exit 143' TERM
	F4_T0=$(date +%s)
	f4_log "work dir $F4_WORK"
}

# Exit with the verdict.
f4_finish() {
	local secs=$(($(date +%s) - F4_T0))
	if [ "$F4_FAILURES" -gt 0 ]; then
		f4_log "$F4_FAILURES check(s) failed (${secs}s)"
		exit 1
	fi
	f4_log "all checks passed (${secs}s)"
	exit 0
}

# Run a command, logging (to stderr) how long it took: f4_timed LABEL CMD...
f4_timed() {
	local label=$1 t0 t1 rc
	shift
	t0=${EPOCHREALTIME/[.,]/}
	"$@"
	rc=$?
	t1=${EPOCHREALTIME/[.,]/}
	f4_log "$label: $(((t1 - t0) / 1000)) ms" >&2	# stdout may be a pipe
	return $rc
}
