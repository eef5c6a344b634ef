#!/bin/bash
# fuse4fs as mount(8) and fstab use it. In a private mount namespace
# whose /usr/local/bin holds this fuse4fs (where `make install` puts it,
# and where mount.fuse3 finds it):
#   mount -t fuse.fuse4fs IMG MNT, a write;
#   mount -o remount,ro MNT: the mount is read-only, writes fail with
#     EROFS, and the image is complete meanwhile (clean, no recovery
#     needed, e2fsck -fn finds nothing) though still mounted;
#   mount -o remount,rw MNT: writable again, needs_recovery back;
#   an fstab line (mount -T FILE MNT) with options as people write them;
#   remount,rw of a mount opened read-only is refused, naming why;
#   the kernel's ext4 reads back what was written.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_require_root
f4_require_fuse
f4_require_loop
f4_require_cmds unshare mount.fuse3 dumpe2fs e2fsck findmnt
if [ -z "${F4_MOUNT_T_NS:-}" ]; then
	F4_MOUNT_T_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi
f4_init

w=$F4_WORK
mount -t tmpfs -o size=64M fuse4fs-bin /usr/local/bin || f4_die "cannot mount a tmpfs on /usr/local/bin"
cp "$F4_FUSE4FS" /usr/local/bin/fuse4fs || f4_die "cannot copy fuse4fs"
img=$w/t.img
mke2fs -q -F -t ext4 "$img" 64M >/dev/null 2>&1 || f4_die "mke2fs failed"
mkdir -p "$w/m" "$w/k"

state() { dumpe2fs -h "$img" 2>/dev/null | sed -n 's/^Filesystem state: *//p'; }
recovery() { dumpe2fs -h "$img" 2>/dev/null | grep -q needs_recovery && echo yes || echo no; }
# wait_server: until no fuse4fs holds the image or runs for the
# mountpoint (umount returns first).
wait_server() {
	local i
	for ((i = 0; i < 400; i++)); do
		flock -n -x "$img" true && [ -z "$(f4_daemons_on "$w/m")" ] && return 0
		sleep 0.05
	done
	f4_fail "the server still runs 20 s after unmount"
}

if mount -t fuse.fuse4fs -o rw,relatime "$img" "$w/m" 2>"$w/err"; then
	f4_pass "mount -t fuse.fuse4fs"
else
	f4_die "mount -t fuse.fuse4fs failed: $(cat "$w/err")"
fi
echo one >"$w/m/one" || f4_fail "cannot write after mount -t"
[ "$(recovery)" = yes ] && f4_pass "mounted: needs_recovery is set, as ext4 sets it" ||
	f4_fail "mounted read-write, but needs_recovery is not set"

# remount,ro
if mount -o remount,ro "$w/m" 2>"$w/err"; then
	f4_pass "mount -o remount,ro"
else
	f4_fail "mount -o remount,ro failed: $(cat "$w/err")"
fi
findmnt -n -o OPTIONS --mountpoint "$w/m" | grep -qw ro &&
	f4_pass "remount,ro: the mount is read-only" || f4_fail "remount,ro: the mount is not read-only"
out=$(touch "$w/m/two" 2>&1) && f4_fail "remount,ro: a write succeeded" ||
	{ printf '%s' "$out" | grep -qi 'read-only' && f4_pass "remount,ro: writes fail with EROFS" ||
		f4_fail "remount,ro: a write failed, but not with EROFS: $out"; }
[ "$(state)" = clean ] && [ "$(recovery)" = no ] &&
	f4_pass "remount,ro: the image is clean, no recovery needed, while still mounted" ||
	f4_fail "remount,ro: state '$(state)', needs_recovery $(recovery)"
f4_check_fsck "$img" "remount,ro: the image while mounted read-only"
[ "$(cat "$w/m/one")" = one ] || f4_fail "remount,ro: the file written before reads back wrong"

# remount,rw
if mount -o remount,rw "$w/m" 2>"$w/err"; then
	f4_pass "mount -o remount,rw"
else
	f4_fail "mount -o remount,rw failed: $(cat "$w/err")"
fi
echo two >"$w/m/two" && f4_pass "remount,rw: writable again" || f4_fail "remount,rw: cannot write"
[ "$(recovery)" = yes ] && f4_pass "remount,rw: needs_recovery is set again" ||
	f4_fail "remount,rw: needs_recovery is not set"
umount "$w/m" || f4_fail "umount failed"
wait_server
f4_check_fsck "$img" "after remount,ro, remount,rw and umount"

# An fstab line, as people write them.
printf '%s %s fuse.fuse4fs rw,relatime,noatime,nofail,x-systemd.automount,commit=10 0 0\n' \
	"$img" "$w/m" >"$w/fstab"
if mount -T "$w/fstab" "$w/m" 2>"$w/err"; then
	f4_pass "an fstab line (mount -T FILE MNT)"
	echo three >"$w/m/three" || f4_fail "fstab mount: cannot write"
	umount "$w/m"
	wait_server
else
	f4_fail "an fstab line does not mount: $(cat "$w/err")"
fi

# remount,rw where the image was opened read-only.
if mount -t fuse.fuse4fs -o ro "$img" "$w/m" 2>"$w/err"; then
	if mount -o remount,rw "$w/m" 2>"$w/err"; then
		f4_fail "remount,rw of a mount opened read-only succeeded"
	else
		grep -q 'opened read-only' "$w/err" &&
			f4_pass "remount,rw of a mount opened read-only: refused, saying why" ||
			f4_fail "remount,rw of a read-only mount: refused, but: $(cat "$w/err")"
	fi
	umount "$w/m"
	wait_server
else
	f4_fail "mount -t fuse.fuse4fs -o ro failed: $(cat "$w/err")"
fi

# The kernel reads back what was written.
if f4_mount_kernel "$img" "$w/k"; then
	[ "$(cat "$w/k/one" "$w/k/two" "$w/k/three" 2>/dev/null | tr '\n' ' ')" = "one two three " ] &&
		f4_pass "the kernel's ext4 reads back what was written" ||
		f4_fail "the kernel's ext4 reads back: $(cat "$w/k/one" "$w/k/two" "$w/k/three" 2>&1 | tr '\n' ' ')"
	f4_umount_kernel "$w/k"
fi
f4_check_fsck "$img" "at the end"
f4_finish
