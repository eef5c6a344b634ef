#!/bin/bash
# Clearing setuid/setgid on write, truncate, O_TRUNC and chown, as the
# kernel's ext4 does it: the same operations, by an unprivileged user
# and by root, on files with each combination of setuid, setgid and
# group-execute, on a kernel ext4 mount and on a fuse4fs mount; the
# modes seen afterwards (through the mount, then on disk with debugfs)
# must be the kernel's. fuse4fs negotiates FUSE_HANDLE_KILLPRIV_V2, so
# the kernel leaves part of this to the server.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_require_cmds setpriv truncate
f4_init_kernel_compare

w=$F4_WORK
NOBODY=65534

as_nobody() { setpriv --reuid=$NOBODY --regid=$NOBODY --clear-groups "$@"; }

# The workload; prints "case mode" lines, mode as seen through the mount.
suid_cases() {
	local d=$1 m f
	for m in 6777 6767 4777 2777 2767 2757 0777; do
		f=$d/w$m; : >"$f"; chmod $m "$f"
		as_nobody sh -c "echo x >>'$f'"; echo "write-by-user $m $(stat -c %a "$f")"
		f=$d/t$m; echo abc >"$f"; chmod $m "$f"
		as_nobody truncate -s 1 "$f"; echo "truncate-by-user $m $(stat -c %a "$f")"
		f=$d/o$m; echo abc >"$f"; chmod $m "$f"
		as_nobody sh -c ": >'$f'"; echo "otrunc-by-user $m $(stat -c %a "$f")"
		f=$d/r$m; : >"$f"; chmod $m "$f"
		sh -c "echo x >>'$f'"; echo "write-by-root $m $(stat -c %a "$f")"
		f=$d/c$m; : >"$f"; chmod $m "$f"
		chown $NOBODY "$f"; echo "chown-by-root $m $(stat -c %a "$f")"
	done
}

on_disk() {	# image -> "name mode" for every file of suid_cases
	local img=$1 f
	for f in $(debugfs -R 'ls -l /' "$img" 2>/dev/null | awk '$NF ~ /^[wtorc][0-9]+$/ {print $NF}' | sort); do
		echo "$f $(f4_debugfs "$img" "stat /$f" | sed -n 's/.*Mode: *0*\([0-7]*\).*/\1/p')"
	done
}

for who in kernel fuse4fs; do
	img=$w/$who.img
	mke2fs -q -F -t ext4 "$img" 64M >/dev/null || f4_die "mke2fs failed"
	if [ $who = kernel ]; then
		f4_mount_kernel "$img" "$w/mnt" rw || f4_die "kernel mount failed"
	else
		f4_mount_fuse "$img" "$w/mnt" -o allow_other || f4_die "fuse4fs mount failed"
	fi
	chmod 777 "$w/mnt"
	suid_cases "$w/mnt" >"$w/$who.seen" 2>"$w/$who.err"
	if [ $who = kernel ]; then f4_umount_kernel "$w/mnt"; else f4_umount_fuse "$w/mnt"; fi
	on_disk "$img" >"$w/$who.disk"
done

[ -s "$w/kernel.seen" ] && [ -s "$w/kernel.disk" ] || f4_die "no results from the kernel's mount"
if diff -u "$w/kernel.seen" "$w/fuse4fs.seen" >"$w/seen.diff"; then
	f4_pass "modes seen through the mount after $(wc -l <"$w/kernel.seen") operations: as the kernel's"
else
	f4_fail "modes seen through the mount differ from the kernel's:"
	sed 's/^/    /' "$w/seen.diff"
fi
if diff -u "$w/kernel.disk" "$w/fuse4fs.disk" >"$w/disk.diff"; then
	f4_pass "modes on disk: as the kernel's"
else
	f4_fail "modes on disk differ from the kernel's:"
	sed 's/^/    /' "$w/disk.diff"
fi
f4_check_fsck "$w/fuse4fs.img" "after the workload"
f4_finish
