#!/bin/bash
# Where the server's messages go once it has daemonized (stderr then goes
# nowhere): -o logfile=PATH (one timestamped line each), otherwise syslog
# when a syslog daemon listens, otherwise the kernel log (dmesg). The
# message used: the one -o remount,ro makes the server log. A log file
# that cannot be opened is refused on the terminal, in one line.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_require_root
f4_require_fuse
f4_require_cmds dmesg mke2fs
f4_init

w=$F4_WORK
img=$w/l.img
mke2fs -q -F -t ext4 "$img" 32M >/dev/null 2>&1 || f4_die "mke2fs failed"

# remount_ro_logged MNT: make the server log "remounted read-only".
remount_ro_logged() {
	"$F4_FUSE4FS" -o remount,ro "$img" "$1" || f4_fail "-o remount,ro failed"
}

# 1: -o logfile=
if f4_mount_fuse_daemon "$img" "$w/m" -o "logfile=$w/server.log"; then
	remount_ro_logged "$w/m"
	"$F4_FUSE4FS" --unmount "$w/m" || f4_fail "--unmount failed"
	if grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} fuse4fs\[[0-9]+\]: info: .*remounted read-only' "$w/server.log"; then
		f4_pass "-o logfile: the daemon's messages are there, timestamped"
	else
		f4_fail "-o logfile: no 'remounted read-only' line in: $(cat "$w/server.log" 2>&1)"
	fi
else
	f4_fail "does not mount with -o logfile"
fi

# 2: a log file that cannot be opened.
f4_expect_refusal "-o logfile in a missing directory" "log file $w/none/x" \
	-o "logfile=$w/none/x" "$img" "$w/m"

# 3: no log file, and no syslog daemon: the kernel log.
if [ -S /dev/log ]; then
	f4_log "a syslog daemon listens on /dev/log: the kernel-log fallback is not used here"
else
	if f4_mount_fuse_daemon "$img" "$w/m"; then
		pid=${F4_PID[$(f4__canon "$w/m")]}
		remount_ro_logged "$w/m"
		"$F4_FUSE4FS" --unmount "$w/m" || f4_fail "--unmount failed"
		if dmesg | grep -q "fuse4fs\[$pid\]: .*remounted read-only"; then
			f4_pass "no syslog daemon: the daemon's messages are in the kernel log"
		else
			f4_fail "no syslog daemon: no 'fuse4fs[$pid]: ... remounted read-only' in dmesg"
		fi
	else
		f4_fail "does not mount as a daemon"
	fi
fi
f4_check_fsck "$img" "at the end"
f4_finish
