#!/bin/bash
# The read-only guarantee: whatever is done through a -o ro mount, fuse4fs
# never changes the image. A 0444 image is mounted read-only (in the
# foreground, then as a daemon the way users run it), everything is read,
# every kind of change is attempted and must fail with EROFS, and after
# unmounting the image's bytes (sha256), size, mtime and ctime are what
# they were. Then the same from an image on a read-only bind mount, which
# fuse4fs must be able to serve, with -o ro and without it (then it
# mounts read-only, with a warning, as mount(8) does).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_require_root
f4_require_fuse
f4_require_e2fsprogs
f4_require_built "$F4_TREEDUMP" "$F4_SEEDTOOL"
f4_require_cmds setfattr setfacl findmnt
f4_init

w=$F4_WORK

# Every change must fail, and with EROFS ("Read-only file system").
f4_try_writes() {
	local m=$1 label=$2 what out
	local -a attempts=(
		"create|touch '$m/tree/new-file'"
		"append|echo x >>'$m/tree/files/small'"
		"truncate|truncate -s 0 '$m/tree/files/text'"
		"mkdir|mkdir '$m/tree/new-dir'"
		"unlink|rm -f '$m/tree/files/small'"
		"rmdir|rmdir '$m/tree/modes/d0700'"
		"rename|mv '$m/tree/files/small' '$m/tree/files/small2'"
		"link|ln '$m/tree/files/small' '$m/tree/files/small3'"
		"symlink|ln -s x '$m/tree/new-link'"
		"mknod|mkfifo '$m/tree/new-fifo'"
		"chmod|chmod 600 '$m/tree/files/small'"
		"chown|chown 1:1 '$m/tree/files/small'"
		"utimes|touch -d @0 '$m/tree/files/small'"
		"setxattr|setfattr -n user.new -v 1 '$m/tree/files/small'"
		"removexattr|setfattr -x user.p1 '$m/tree/xattr/block'"
		"setfacl|setfacl -m u:1:r '$m/tree/files/small'"
	)
	for what in "${attempts[@]}"; do
		if out=$(eval "${what#*|}" 2>&1); then
			f4_fail "$label: ${what%%|*} succeeded on a read-only mount"
		elif ! printf '%s' "$out" | grep -qi 'read-only file system'; then
			f4_fail "$label: ${what%%|*} failed, but not with EROFS: $out"
		fi
	done
	f4_pass "$label: ${#attempts[@]} kinds of change refused with EROFS"
}

# Read everything: every file's bytes, every xattr, every listing.
f4_read_all() {
	local m=$1 label=$2
	f4_dump "$m" "$w/$label.dump" $F4_DUMP_FULL || return 1
	find "$m" -type f -size -20M -exec cat {} + >/dev/null ||
		f4_fail "$label: reading the files failed"
	findmnt -n -o VFS-OPTIONS --mountpoint "$m" | tr ',' '\n' | grep -qx ro ||
		f4_fail "$label: the mount is not flagged read-only"
}

seed=$w/seed
f4_seed_build "$seed" 4096
img=$w/ro.img
f4_image_build ext4-4k "$seed" "$img"
chmod 0444 "$img"
before=$(f4_fingerprint "$img")

# 1: -f -o ro.
f4_mount_fuse "$img" "$w/m1" -o ro || f4_die "mount -o ro failed"
f4_read_all "$w/m1" fg-ro
f4_try_writes "$w/m1" "-o ro"
f4_umount_fuse "$w/m1" || f4_fail "-o ro: fuse4fs exited with status $?"
[ "$(f4_fingerprint "$img")" = "$before" ] && f4_pass "-o ro: image unchanged" ||
	f4_fail "-o ro: the image changed: $before -> $(f4_fingerprint "$img")"

# 2: as a daemon (no -f), the way users run it.
if f4_mount_fuse_daemon "$img" "$w/m2" -o ro; then
	f4_read_all "$w/m2" daemon
	f4_try_writes "$w/m2" "-o ro (daemon)"
	f4_compare_files "daemon mount serves what the foreground mount served" \
		"$w/fg-ro.dump" "$w/daemon.dump"
	f4_umount_fuse "$w/m2" || f4_fail "daemon: unmount failed or daemon lingered"
else
	f4_fail "mounting -o ro as a daemon failed"
fi
[ "$(f4_fingerprint "$img")" = "$before" ] && f4_pass "daemon: image unchanged" ||
	f4_fail "daemon: the image changed: $before -> $(f4_fingerprint "$img")"

# 3: the image on a read-only bind mount (open read-only or not at all).
mkdir -p "$w/rosrc" "$w/roview"
mv "$img" "$w/rosrc/ro.img"
before=$(f4_fingerprint "$w/rosrc/ro.img")	# the rename changed its ctime
mount --bind "$w/rosrc" "$w/roview" || f4_die "mount --bind failed"
f4_at_exit "umount '$w/roview'"
mount -o remount,ro,bind "$w/roview" || f4_die "remount,ro,bind failed"
touch "$w/roview/probe" 2>/dev/null && f4_die "the bind mount is not read-only"
if f4_mount_fuse "$w/roview/ro.img" "$w/m3" -o ro; then
	f4_read_all "$w/m3" robind
	f4_umount_fuse "$w/m3" || f4_fail "ro bind: fuse4fs exited with status $?"
	f4_pass "serves an image on a read-only bind mount"
else
	f4_fail "cannot mount an image that sits on a read-only bind mount"
fi
# 4: the same without -o ro (what an fstab line with defaults asks):
# mounted read-only with a warning, as mount(8) does for write-protected
# storage; every change fails with EROFS.
if f4_mount_fuse "$w/roview/ro.img" "$w/m4"; then
	findmnt -n -o OPTIONS --mountpoint "$w/m4" | grep -qw ro &&
		f4_pass "write-protected storage without -o ro: mounted read-only" ||
		f4_fail "write-protected storage without -o ro: the mount is not flagged read-only"
	grep -q 'write-protected.*mounting read-only' "$(f4_daemon_log "$w/m4")" &&
		f4_pass "write-protected storage: a one-line warning says so" ||
		f4_fail "write-protected storage: no warning in $(cat "$(f4_daemon_log "$w/m4")")"
	f4_try_writes "$w/m4" "write-protected"
	f4_umount_fuse "$w/m4" || f4_fail "write-protected: fuse4fs exited with status $?"
else
	f4_fail "an image on write-protected storage does not mount without -o ro"
fi
umount "$w/roview"
[ "$(f4_fingerprint "$w/rosrc/ro.img")" = "$before" ] && f4_pass "ro bind: image unchanged" ||
	f4_fail "ro bind: the image changed"
f4_finish
