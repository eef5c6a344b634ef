# shellcheck shell=bash
# Integration-test library, mounting.
# Fuse4fs and kernel ext4 mounts, registered for cleanup. Sourced by
# tests/lib/lib.sh.

# f4_mount_fuse IMAGE MNT [fuse4fs options...]
# Start fuse4fs in the foreground (-f) in the background, wait for the
# mount, register the cleanup. The daemon's output goes to
# $F4_WORK/fuse4fs-<mnt>.log. Returns non-zero (with the log shown) if
# the daemon exits or the mount does not appear within F4_MOUNT_WAIT
# seconds (20 unless set).
f4_mount_fuse() {
	local img=$1 given=$2 mnt log pid i wait=${F4_MOUNT_WAIT:-20}
	shift 2
	mnt=$(f4__canon "$given")
	mkdir -p "$mnt"
	log=$F4_WORK/fuse4fs-$(basename "$mnt").log
	[ -n "$F4_FUSE_OPTS" ] && set -- "$@" -o "$F4_FUSE_OPTS"
	"$F4_FUSE4FS" -f "$@" "$img" "$given" >"$log" 2>&1 &
	pid=$!
	F4_PID[$mnt]=$pid
	F4_DAEMON_LOG[$mnt]=$log
	f4_at_exit "f4_umount_fuse '$mnt'"
	for ((i = 0; i < wait * 20; i++)); do
		f4_mounted "$mnt" && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			f4_log "fuse4fs $* $img $mnt exited with $? before mounting:"
			sed 's/^/    /' "$log"
			unset "F4_PID[$mnt]"
			return 1
		fi
		sleep 0.05
	done
	f4_log "fuse4fs $* $img $mnt: no mount after ${wait}s"
	return 1
}

# f4_mount_fuse_daemon IMAGE MNT [fuse4fs options...]
# The way users run it: without -f, fuse4fs returns once the filesystem is
# mounted and keeps serving from a detached daemon. Returns fuse4fs's exit
# status; the daemon (found by its command line) is registered for
# cleanup like a foreground one.
f4_mount_fuse_daemon() {
	local img=$1 given=$2 mnt log rc pid
	shift 2
	mnt=$(f4__canon "$given")
	mkdir -p "$mnt"
	log=$F4_WORK/fuse4fs-$(basename "$mnt").log
	f4_at_exit "f4_umount_fuse '$mnt'"
	[ -n "$F4_FUSE_OPTS" ] && set -- "$@" -o "$F4_FUSE_OPTS"
	timeout -k 5 30 "$F4_FUSE4FS" "$@" "$img" "$given" >"$log" 2>&1 </dev/null
	rc=$?
	pid=$(f4_daemons_on "$given" | head -n1)
	[ -n "$pid" ] && F4_PID[$mnt]=$pid
	F4_DAEMON_LOG[$mnt]=$log
	[ $rc -eq 0 ] || { f4_log "fuse4fs $* $img $mnt: exit $rc: $(cat "$log")"; return $rc; }
	f4_mounted "$mnt" || { f4_log "fuse4fs returned 0 but $mnt is not mounted"; return 1; }
	[ -n "$pid" ] || { f4_log "fuse4fs mounted $mnt but no daemon process is left"; return 1; }
	return 0
}

# f4_check_mounts WHAT IMAGE MNT [fuse4fs options...]: a check that
# IMAGE mounts at MNT with those options, and that fuse4fs exits 0 once
# unmounted (pass or fail, named WHAT).
f4_check_mounts() {
	local what=$1 img=$2 mnt=$3
	shift 3
	if ! f4_mount_fuse "$img" "$mnt" "$@"; then
		f4_fail "$what: does not mount"
		return 1
	fi
	f4_pass "$what: mounts"
	f4_umount_fuse "$mnt" || f4_fail "$what: fuse4fs exited with status $? after unmount"
}

# f4_umount_fuse MNT: unmount, wait for the daemon (TERM, then KILL, if it
# lingers). Returns the daemon's exit status (0 expected; for a daemon
# started without -f, which is not our child, 0 when it exits by itself).
# Idempotent.
f4_umount_fuse() {
	local mnt pid i rc=0
	mnt=$(f4__canon "$1")
	pid=${F4_PID[$mnt]:-}
	for ((i = 0; i < 50; i++)); do
		f4_mounted "$mnt" || break
		fusermount3 -u "$mnt" 2>/dev/null && break
		sleep 0.1
	done
	if f4_mounted "$mnt"; then
		f4_log "fusermount3 -u $mnt keeps failing; lazy unmount"
		fusermount3 -u -z "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
		rc=1
	fi
	[ -n "$pid" ] || return $rc
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		f4_log "fuse4fs (pid $pid) still running 10s after unmount; killing it"
		kill -TERM "$pid" 2>/dev/null
		sleep 1
		kill -KILL "$pid" 2>/dev/null
		rc=1
	fi
	if wait "$pid" 2>/dev/null; then
		:
	else
		local st=$?
		# 127: not our child (a daemon started without -f).
		[ $rc -eq 0 ] && [ $st -ne 127 ] && rc=$st
	fi
	unset "F4_PID[$mnt]"
	return $rc
}

# The daemon log of the FUSE mount at MNT.
f4_daemon_log() { echo "${F4_DAEMON_LOG[$(f4__canon "$1")]:-/dev/null}"; }

# f4_mount_kernel IMAGE MNT [extra,options]: read-only loop mount with the
# kernel's ext4 driver (also for ext2/ext3 images: one oracle). The extra
# options come last, so "rw" gives a read-write mount (for tests that do
# the same operations on both and compare).
f4_mount_kernel() {
	local img=$1 mnt out
	mnt=$(f4__canon "$2")
	mkdir -p "$mnt"
	f4_at_exit "f4_umount_kernel '$mnt'"
	out=$(mount -t ext4 -o "ro,loop${3:+,$3}" "$img" "$mnt" 2>&1) || {
		f4_log "kernel mount of $img failed: $out"
		return 1
	}
}

f4_umount_kernel() {
	local mnt dev i
	mnt=$(f4__canon "$1")
	f4_mounted "$mnt" || return 0
	dev=$(findmnt -n -o SOURCE --mountpoint "$mnt" 2>/dev/null | head -n1)
	for ((i = 0; i < 50; i++)); do
		umount "$mnt" 2>/dev/null && break
		sleep 0.1
	done
	f4_mounted "$mnt" && { umount -l "$mnt"; return 1; }
	case $dev in
	/dev/loop*) losetup "$dev" >/dev/null 2>&1 && losetup -d "$dev" 2>/dev/null ;;
	esac
	return 0
}
