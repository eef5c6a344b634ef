#!/bin/bash
# Overlayfs on fuse4fs as real root, without userxattr: overlay state in
# trusted.overlay.* attributes (opaque directories), whiteouts as 0:0
# character devices. The lower layer is a read-only fuse4fs mount of one
# image, upper and work directories are on a read-write fuse4fs mount of
# another. The same changes and checks as overlay_userns.sh; afterwards
# both images are e2fsck-clean, the kernel's ext4 driver sees the same
# upper layer and the kernel's overlay over ext4 mounts shows the same
# merged tree. Skips, with the kernel's reason, where the kernel refuses
# overlayfs over FUSE.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/overlay.sh"
f4_require_cmds setfattr getfattr sha256sum dmesg
grep -qw overlay /proc/filesystems || modprobe overlay >/dev/null 2>&1 ||
	f4_skip "needs overlayfs in the kernel"
f4_init_kernel_compare "$F4_TREEDUMP"

w=$F4_WORK
f4o_seed "$w/seed" || f4_die "building the lower seed failed"
f4_image_small "$w/lower.img" "$w/seed" -t ext4 -I 256
mkdir -p "$w/empty"
f4_image_small "$w/upper.img" "$w/empty" -t ext4 -I 256
f4_mount_fuse "$w/lower.img" "$w/lower" -o ro || f4_die "fuse4fs -o ro of the lower image failed"
f4_mount_fuse "$w/upper.img" "$w/upperfs" || f4_die "fuse4fs of the upper image failed"
mkdir -p "$w/upperfs/u" "$w/upperfs/w" "$w/merged"
ovl="lowerdir=$w/lower,upperdir=$w/upperfs/u,workdir=$w/upperfs/w"
if ! mount -t overlay overlay -o "$ovl" "$w/merged" 2>"$w/ovl.err"; then
	why=$(dmesg 2>/dev/null | grep -i overlayfs | tail -n 2 | tr '\n' ' ')
	f4_skip "the kernel refuses overlayfs over FUSE: $(cat "$w/ovl.err") ${why:-(no overlayfs message in dmesg)}"
fi
f4_at_exit "umount '$w/merged'"
f4_pass "overlay (trusted.overlay.*) mounted on fuse4fs"
f4o_ops "$w/merged" && f4_pass "the changes went through the merged view" ||
	f4_fail "a change through the merged view failed"
umount "$w/merged" || f4_fail "umount of the overlay failed"
mount -t overlay overlay -o "$ovl" "$w/merged" 2>"$w/ovl.err" ||
	f4_fail "mounting the overlay again failed: $(cat "$w/ovl.err")"
f4o_results < <(f4o_check_merged "$w/merged")
f4_dump "$w/merged" "$w/merged.fuse" -x /lost+found
umount "$w/merged"
f4o_results < <(f4o_check_upper "$w/upperfs/u" trusted)
getfattr -d -m '^user\.overlay\.' "$w/upperfs/u/deldir" 2>/dev/null | grep -q . &&
	f4_fail "without userxattr overlayfs stored user.overlay.* attributes"
f4o_list "$w/upperfs/u" >"$w/upper.fuse"
f4_umount_fuse "$w/upperfs" || f4_fail "upper: fuse4fs exited with status $?"
f4_umount_fuse "$w/lower" || f4_fail "lower: fuse4fs exited with status $?"

f4o_kernel_check trusted "$w/upper.fuse" "$w/merged.fuse" "$w"
f4_finish
