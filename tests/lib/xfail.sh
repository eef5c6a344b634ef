# shellcheck shell=bash
# Integration-test library, expected failures.
# Fuse4fs runs that must be refused with one clear message. Sourced by
# tests/lib/lib.sh.

# f4_expect_refusal DESC REGEX ARGS...
# Run fuse4fs ARGS (without -f: a wrongful success would daemonize) and
# check that it is refused properly: non-zero exit within 30 s, nothing on
# stdout, exactly one line on stderr (besides "...: waiting N s" progress
# lines), starting "fuse4fs: " and matching
# the extended regex REGEX (case-insensitive), no new mount under the work
# dir and no daemon left behind. Cleans up after a wrongful success.
f4_expect_refusal() {
	local desc=$1 re=$2 rc out err nl left m before
	shift 2
	out=$F4_WORK/refusal.out
	err=$F4_WORK/refusal.err
	before=$(f4__mounts_under "$F4_WORK")
	timeout -k 5 30 "$F4_FUSE4FS" "$@" >"$out" 2>"$err" </dev/null
	rc=$?
	sleep 0.1
	local ok=1
	if [ $rc -eq 0 ]; then
		f4_fail "$desc: fuse4fs $* succeeded, expected a refusal"
		ok=0
	elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		f4_fail "$desc: fuse4fs $* hung (killed after 30s)"
		ok=0
	fi
	# Progress lines ("...: waiting N s ...") before the refusal are not
	# part of it.
	grep -v '^fuse4fs: .*: waiting ' "$err" >"$err.refusal"
	mv "$err.refusal" "$err"
	nl=$(wc -l <"$err")
	if [ "$nl" -ne 1 ]; then
		f4_fail "$desc: expected one line on stderr, got $nl:"
		sed 's/^/    /' "$err"
		ok=0
	elif ! grep -q '^fuse4fs: ' "$err"; then
		f4_fail "$desc: stderr does not start with 'fuse4fs: ': $(cat "$err")"
		ok=0
	elif ! grep -qEi -- "$re" "$err"; then
		f4_fail "$desc: message does not match /$re/: $(cat "$err")"
		ok=0
	fi
	if [ -s "$out" ]; then
		f4_fail "$desc: unexpected output on stdout: $(head -c 300 "$out")"
		ok=0
	fi
	while read -r m; do
		[ -n "$m" ] || continue
		printf '%s\n' "$before" | grep -qxF -- "$m" && continue
		f4_fail "$desc: $m is mounted after the refusal"
		fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		ok=0
	done < <(f4__mounts_under "$F4_WORK")
	left=$(f4_daemons_on "$F4_WORK")
	if [ -n "$left" ]; then
		f4_fail "$desc: fuse4fs process(es) left behind: $left"
		# shellcheck disable=SC2086
		f4__kill_pids $left
		ok=0
	fi
	[ $ok -eq 1 ] && f4_pass "$desc: refused (exit $rc): $(cat "$err")"
	return $((1 - ok))
}
