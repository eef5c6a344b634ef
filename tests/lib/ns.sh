# shellcheck shell=bash
# For the scripts the user-namespace tests run inside the namespace (as
# its root, without lib.sh): fuse4fs ($F4BIN) started and stopped by hand.
# Problems are reported as "FAIL: ..." lines, which the test outside turns
# into results.

f4n_bad() { echo "FAIL: $*"; }

f4n_mounted() { awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }

# f4n_start MNT LOG ARGS...: fuse4fs -f in the background; pid in $pid.
f4n_start() {
	local mnt=$1 log=$2 i
	shift 2
	"$F4BIN" -f "$@" "$mnt" >"$log" 2>&1 &
	pid=$!
	for ((i = 0; i < 400; i++)); do
		f4n_mounted "$mnt" && return 0
		kill -0 "$pid" 2>/dev/null || { f4n_bad "fuse4fs $* $mnt exited: $(cat "$log")"; return 1; }
		sleep 0.05
	done
	f4n_bad "no mount at $mnt"
	return 1
}

# f4n_stop MNT PID: unmount, wait for the server, return its status.
f4n_stop() {
	local i
	f4n_mounted "$1" && { umount "$1" || umount -l "$1"; }
	for ((i = 0; i < 200; i++)); do
		kill -0 "$2" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$2" 2>/dev/null && { kill -KILL "$2"; f4n_bad "fuse4fs (pid $2) lingered"; }
	wait "$2"
}
