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
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/unpriv.sh"
. "$(dirname "$0")/../lib/overlay.sh"
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
. "$LIBDIR/overlay.sh"
. "$LIBDIR/ns.sh"
stop() { f4n_stop "$@" || f4o_bad "fuse4fs on $1 exited with $?"; }
f4n_start "$W/lower" "$W/out/lower.log" -o ro "$W/lower.img" || exit 1
lp=$pid
f4n_start "$W/upperfs" "$W/out/upper.log" "$W/upper.img" || { stop "$W/lower" $lp; exit 1; }
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

f4o_kernel_check user "$w/out/upper.inside" "$w/out/merged.inside" "$w/out"
f4_finish
