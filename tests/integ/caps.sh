#!/bin/bash
# Least privilege: a running fuse4fs started as root holds no capability
# (CapInh, CapPrm, CapEff, CapAmb and CapBnd of /proc/PID/task/*/status
# all zero) and has no_new_privs, in the foreground and as a daemon, and
# -d logs what it kept. Root's server stopped by SIGTERM cannot unmount
# (it kept no CAP_SYS_ADMIN): the mount stays, the log says so, umount
# works; with -o auto_unmount fusermount3 removes it. A binary with file
# capabilities run by an ordinary user (created by this test) mounts with
# mount(2), then holds nothing either, but keeps execve privileges so
# that libfuse can still unmount through fusermount3 after SIGTERM.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/unpriv.sh"
f4u_require
f4_require_cmds mke2fs
f4_init

w=$F4_WORK
mkdir -p "$w/seed/d"
printf 'hello\n' >"$w/seed/d/hello"
img=$w/caps.img
f4_image_small "$img" "$w/seed"

# ---- root, foreground, -d --------------------------------------------------
if f4_mount_fuse "$img" "$w/m-fg" -d; then
	pid=${F4_PID[$w/m-fg]}
	cat "$w/m-fg/d/hello" >/dev/null || f4_fail "foreground: cannot read"
	f4u_check_caps "root, -f" "$pid" empty 1
	line=$(grep -m1 'capabilities:' "$(f4_daemon_log "$w/m-fg")")
	case $line in
	*"kept none; ambient set empty; bounding set empty; no_new_privs set"*)
		f4_pass "-d logs it: ${line#*capabilities: }" ;;
	*) f4_fail "-d log line: '$line'" ;;
	esac
	f4_umount_fuse "$w/m-fg" || f4_fail "foreground: fuse4fs exited with status $?"
else
	f4_fail "root's foreground mount failed"
fi

# ---- root, as a daemon --------------------------------------------------------
if f4_mount_fuse_daemon "$img" "$w/m-d" -o ro; then
	pid=${F4_PID[$w/m-d]}
	cat "$w/m-d/d/hello" >/dev/null || f4_fail "daemon: cannot read"
	f4u_check_caps "root, daemon" "$pid" empty 1
	f4_umount_fuse "$w/m-d" || f4_fail "daemon: unmount failed or the daemon lingered"
else
	f4_fail "root's daemon mount failed"
fi

# ---- root stopped by SIGTERM ------------------------------------------------------
if f4_mount_fuse "$img" "$w/m-t" -o ro; then
	pid=${F4_PID[$w/m-t]}
	kill -TERM "$pid"
	f4u_wait_exit "$pid" || f4_fail "SIGTERM: fuse4fs did not exit"
	unset "F4_PID[$w/m-t]"
	grep -q "stopped while $w/m-t is still mounted; it stays unusable until 'umount $w/m-t'" \
		"$(f4_daemon_log "$w/m-t")" && f4_pass "SIGTERM: the log says how to unmount" ||
		f4_fail "SIGTERM: log: $(cat "$(f4_daemon_log "$w/m-t")")"
	if f4_mounted "$w/m-t"; then
		umount "$w/m-t" && f4_pass "SIGTERM: the stale mount stays until umount" ||
			f4_fail "SIGTERM: umount of the stale mount failed"
	else
		f4_fail "SIGTERM: the mount went away although the server kept no CAP_SYS_ADMIN"
	fi
fi
if f4_mount_fuse "$img" "$w/m-a" -o ro,auto_unmount; then
	pid=${F4_PID[$w/m-a]}
	f4u_check_caps "root, auto_unmount" "$pid" empty 1
	kill -TERM "$pid"
	f4u_wait_exit "$pid" || f4_fail "auto_unmount: fuse4fs did not exit"
	unset "F4_PID[$w/m-a]"
	for ((i = 0; i < 100; i++)); do f4_mounted "$w/m-a" || break; sleep 0.05; done
	f4_mounted "$w/m-a" && f4_fail "auto_unmount: the mount stays after SIGTERM" ||
		f4_pass "auto_unmount: fusermount3 removed the mount after SIGTERM"
	grep -q 'failed to unmount\|stopped while' "$(f4_daemon_log "$w/m-a")" &&
		f4_fail "auto_unmount: the log complains: $(cat "$(f4_daemon_log "$w/m-a")")"
else
	f4_fail "root's auto_unmount mount failed"
fi

# ---- file capabilities, run by an ordinary user ------------------------------------
if ! command -v setcap >/dev/null 2>&1; then
	f4_log "SKIP (part): file capabilities: no setcap (package libcap2-bin)"
else
	f4u_user_create
	fcap=$w/fuse4fs-fcap
	cp "$F4_FUSE4FS" "$fcap" && chmod 0755 "$fcap"
	if ! setcap cap_sys_admin+ep "$fcap" 2>"$w/setcap.err"; then
		f4_log "SKIP (part): file capabilities: setcap failed: $(cat "$w/setcap.err")"
	else
		F4U_REAL_FUSE4FS=$fcap
		F4_FUSE4FS=$(f4u_fuse4fs)
		chown "$F4U_UID:$F4U_GID" "$img"
		f4u_dir "$w/m-fc"
		if f4_mount_fuse "$img" "$w/m-fc" -d; then
			pid=${F4_PID[$w/m-fc]}
			f4u_check_caps "file capabilities" "$pid" any 0
			grep -q 'capabilities: held cap_sys_admin=ep; kept none' "$(f4_daemon_log "$w/m-fc")" &&
				f4_pass "file capabilities: held CAP_SYS_ADMIN, kept none" ||
				f4_fail "file capabilities: $(grep capabilities: "$(f4_daemon_log "$w/m-fc")")"
			f4u cat "$w/m-fc/d/hello" >/dev/null || f4_fail "file capabilities: the user cannot read"
			kill -TERM "$pid"
			f4u_wait_exit "$pid" || f4_fail "file capabilities: fuse4fs did not exit on SIGTERM"
			unset "F4_PID[$w/m-fc]"
			f4_mounted "$w/m-fc" && f4_fail "file capabilities: SIGTERM left the mount (fusermount3 could not run?)" ||
				f4_pass "file capabilities: SIGTERM unmounted through fusermount3"
		else
			f4_fail "a binary with cap_sys_admin run by a user did not mount"
		fi
	fi
fi
f4_finish
