# shellcheck shell=bash
# Integration-test library, cleanup.
# The exit trap that unmounts, stops daemons and removes (or keeps) the
# work directory; mount-table queries. Sourced by tests/lib/lib.sh.

# Register a command (a string, eval'ed) to run on exit, last first.
f4_at_exit() { F4_CLEANUP+=("$1"); }

# Mount points at or below $1 (from the mount table, innermost last).
f4__mounts_under() {
	awk -v top="$1" '{
		m = $5; gsub(/\\040/, " ", m)
		if (m == top || index(m, top "/") == 1) print m
	}' /proc/self/mountinfo
}

f4__canon() { realpath -m -- "$1"; }

# Is $1 a mount point right now? Reads the mount table, so that a FUSE
# mount whose daemon died (stat fails with ENOTCONN) still counts.
f4_mounted() {
	local m
	m=$(f4__canon "$1")
	awk -v m="$m" '{ p = $5; gsub(/\\040/, " ", p); if (p == m) f = 1 }
		END { exit !f }' /proc/self/mountinfo
}

# Pids of fuse4fs processes whose command line mentions $1 (an image or
# the work dir), except the daemons this test started on purpose.
f4_daemons_on() {
	local p cmd known
	known=" ${F4_PID[*]:-} "
	for p in $(pgrep -f -- fuse4fs); do
		[ "$p" = "$$" ] && continue
		cmd=$({ tr '\0' '\n' <"/proc/$p/cmdline"; } 2>/dev/null) || continue
		case $(printf '%s\n' "$cmd" | head -n1) in
		*fuse4fs | "$F4_FUSE4FS") ;;
		*) continue ;;
		esac
		printf '%s\n' "$cmd" | grep -qF -- "$1" || continue
		case $known in *" $p "*) continue ;; esac
		echo "$p"
	done
}

f4__kill_pids() {
	local p
	for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.5
	for p in "$@"; do kill -KILL "$p" 2>/dev/null; done
}

f4__on_exit() {
	local rc=$? i left
	trap - EXIT INT TERM
	for ((i = ${#F4_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${F4_CLEANUP[$i]}" >/dev/null 2>&1 || true
	done
	[ -n "${F4_WORK:-}" ] || exit $rc
	# Belt and braces: nothing of ours may outlive the test.
	left=$(f4_daemons_on "$F4_WORK")
	if [ -n "$left" ]; then
		f4_log "killing leftover fuse4fs processes: $left"
		# shellcheck disable=SC2086
		f4__kill_pids $left
		[ "$rc" -eq 0 ] && rc=1
	fi
	while read -r left; do
		[ -n "$left" ] || continue
		f4_log "unmounting leftover mount $left"
		umount "$left" 2>/dev/null || umount -l "$left" 2>/dev/null
		[ "$rc" -eq 0 ] && rc=1
	done < <(f4__mounts_under "$F4_WORK" | tac)
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
		if ! f4__mounts_under "$F4_WORK" | grep -q .; then
			rm -rf --one-file-system "$F4_WORK"
			rmdir "$(dirname "$F4_WORK")" 2>/dev/null
		fi
	else
		f4_log "keeping $F4_WORK for inspection"
	fi
	exit $rc
}
