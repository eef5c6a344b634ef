#!/bin/bash
# Overlayfs on fuse4fs in a user namespace, as rootless containers stack
# it: an ordinary user (created by this test) runs `unshare -Urm`, mounts
# one image read-only (the lower layer) and another read-write (upper and
# work directories), and mounts overlay with userxattr on top. Through
# the merged view: create, overwrite, append, delete (whiteouts), rename,
# delete a directory and recreate it (opaque: user.overlay.opaque), hard
# links, xattrs, mkdir/rmdir/symlink/chmod. After unmounting everything
# both images are e2fsck-clean, the kernel's ext4 driver sees the same
# upper layer (whiteouts, xattrs) and the kernel's overlay over ext4
# mounts of the two images shows the same merged tree as the one seen
# over fuse4fs.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_unpriv.sh"
. "$(dirname "$0")/lib_overlay.sh"
f4u_require
f4_require_loop
f4_require_e2fsprogs
f4_require_built "$F4_TREEDUMP"
f4_require_cmds unshare setfattr getfattr sha256sum
grep -qw overlay /proc/filesystems || modprobe overlay >/dev/null 2>&1 ||
	f4_skip "needs overlayfs in the kernel"
f4_init
f4u_user_create

w=$F4_WORK
f4u unshare -Urm true 2>/dev/null ||
	f4_skip "an ordinary user cannot create a user namespace here ($(f4u unshare -Urm true 2>&1 | head -n1))"

f4o_seed "$w/seed" || f4_die "building the lower seed failed"
f4_image_small "$w/lower.img" "$w/seed" -t ext4 -I 256
mkdir -p "$w/empty"
f4_image_small "$w/upper.img" "$w/empty" -t ext4 -I 256
chown "$F4U_UID:$F4U_GID" "$w/lower.img" "$w/upper.img"
chmod 0644 "$w/lower.img"
f4u_dir "$w/lower" "$w/upperfs" "$w/merged" "$w/out"

cat >"$w/inner.sh" <<'EOF'
set -u
. "$LIBDIR/lib_overlay.sh"
mounted() { awk -v m="$1" '$5 == m { f = 1 } END { exit !f }' /proc/self/mountinfo; }
start() {	# MNT LOG ARGS...: fuse4fs -f in the background, pid in $pid
	local mnt=$1 log=$2 i
	shift 2
	"$F4BIN" -f "$@" "$mnt" >"$log" 2>&1 &
	pid=$!
	for ((i = 0; i < 400; i++)); do
		mounted "$mnt" && return 0
		kill -0 "$pid" 2>/dev/null || { f4o_bad "fuse4fs $*: $(cat "$log")"; return 1; }
		sleep 0.05
	done
	f4o_bad "no mount at $mnt"
	return 1
}
stop() {	# MNT PID
	local i
	mounted "$1" && { umount "$1" || umount -l "$1"; }
	for ((i = 0; i < 200; i++)); do kill -0 "$2" 2>/dev/null || break; sleep 0.05; done
	kill -0 "$2" 2>/dev/null && { kill -KILL "$2"; f4o_bad "fuse4fs (pid $2) lingered"; }
	wait "$2" || f4o_bad "fuse4fs on $1 exited with $?"
}
start "$W/lower" "$W/out/lower.log" -o ro "$W/lower.img" || exit 1
lp=$pid
start "$W/upperfs" "$W/out/upper.log" "$W/upper.img" || { stop "$W/lower" $lp; exit 1; }
up=$pid
mkdir -p "$W/upperfs/u" "$W/upperfs/w"
if mount -t overlay overlay -o "userxattr,lowerdir=$W/lower,upperdir=$W/upperfs/u,workdir=$W/upperfs/w" \
	"$W/merged" 2>"$W/out/ovl.err"; then
	f4o_ok "overlay (userxattr) mounted on fuse4fs in the user namespace"
	if f4o_ops "$W/merged"; then
		f4o_ok "the changes went through the merged view"
	else
		f4o_bad "a change through the merged view failed"
	fi
	# Mounted again: overlayfs reads back what it stored in the upper
	# layer (and the inode numbers it shows no longer depend on which
	# names it had cached since the copy-ups).
	umount "$W/merged" || f4o_bad "umount of the overlay failed"
	mount -t overlay overlay -o "userxattr,lowerdir=$W/lower,upperdir=$W/upperfs/u,workdir=$W/upperfs/w" \
		"$W/merged" 2>"$W/out/ovl.err" || f4o_bad "mounting the overlay again failed: $(cat "$W/out/ovl.err")"
	f4o_check_merged "$W/merged"
	"$TREEDUMP" -x /lost+found "$W/merged" >"$W/out/merged.inside" 2>"$W/out/merged.err" ||
		f4o_bad "treedump of the merged view: $(head -n3 "$W/out/merged.err")"
	umount "$W/merged" || f4o_bad "umount of the overlay failed"
	f4o_check_upper "$W/upperfs/u" user
	f4o_list "$W/upperfs/u" >"$W/out/upper.inside"
else
	f4o_bad "mount -t overlay -o userxattr failed: $(cat "$W/out/ovl.err")"
fi
stop "$W/upperfs" $up
stop "$W/lower" $lp
EOF

out=$(f4u env F4BIN="$F4_FUSE4FS" TREEDUMP="$F4_TREEDUMP" LIBDIR="$F4_LIB_DIR" W="$w" \
	timeout -k 5 180 unshare -Urm bash "$w/inner.sh" 2>&1)
rc=$?
f4o_results < <(printf '%s\n' "$out")
[ $rc -eq 0 ] || f4_fail "the namespace's script exited with $rc"
[ -s "$w/out/upper.inside" ] && [ -s "$w/out/merged.inside" ] ||
	f4_die "the namespace's script did not get as far as the listings"

f4_fsck_clean "$w/lower.img" && f4_fsck_clean "$w/upper.img" &&
	f4_pass "both images are e2fsck -fn clean" || f4_fail "e2fsck found problems"
f4_mount_kernel "$w/lower.img" "$w/k-lower" || f4_die "kernel mount of the lower image failed"
f4_mount_kernel "$w/upper.img" "$w/k-upper" || f4_die "kernel mount of the upper image failed"
f4o_results ext4 < <(f4o_check_upper "$w/k-upper/u" user)
f4_compare_files "the kernel's ext4 driver sees the upper layer fuse4fs wrote" \
	"$w/out/upper.inside" <(f4o_list "$w/k-upper/u")
mkdir -p "$w/k-merged"
if mount -t overlay overlay -o "userxattr,lowerdir=$w/k-upper/u:$w/k-lower" "$w/k-merged" 2>"$w/out/kovl.err"; then
	f4_at_exit "umount '$w/k-merged'"
	f4_dump "$w/k-merged" "$w/out/merged.kernel" -x /lost+found
	f4_compare_files "overlay over ext4 shows the merged tree seen over fuse4fs" \
		"$w/out/merged.inside" "$w/out/merged.kernel"
	umount "$w/k-merged"
else
	f4_fail "overlay over the kernel's ext4 mounts failed: $(cat "$w/out/kovl.err")"
fi
f4_finish
