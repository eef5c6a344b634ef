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
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_overlay.sh"
f4_require_root
f4_require_fuse
f4_require_loop
f4_require_e2fsprogs
f4_require_built "$F4_TREEDUMP"
f4_require_cmds setfattr getfattr sha256sum dmesg
grep -qw overlay /proc/filesystems || modprobe overlay >/dev/null 2>&1 ||
	f4_skip "needs overlayfs in the kernel"
f4_init

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

f4_fsck_clean "$w/lower.img" && f4_fsck_clean "$w/upper.img" &&
	f4_pass "both images are e2fsck -fn clean" || f4_fail "e2fsck found problems"
f4_mount_kernel "$w/lower.img" "$w/k-lower" || f4_die "kernel mount of the lower image failed"
f4_mount_kernel "$w/upper.img" "$w/k-upper" || f4_die "kernel mount of the upper image failed"
f4o_results ext4 < <(f4o_check_upper "$w/k-upper/u" trusted)
f4_compare_files "the kernel's ext4 driver sees the upper layer fuse4fs wrote" \
	"$w/upper.fuse" <(f4o_list "$w/k-upper/u")
mkdir -p "$w/k-merged"
if mount -t overlay overlay -o "lowerdir=$w/k-upper/u:$w/k-lower" "$w/k-merged" 2>"$w/kovl.err"; then
	f4_at_exit "umount '$w/k-merged'"
	f4_dump "$w/k-merged" "$w/merged.kernel" -x /lost+found
	f4_compare_files "overlay over ext4 shows the merged tree seen over fuse4fs" \
		"$w/merged.fuse" "$w/merged.kernel"
	umount "$w/k-merged"
else
	f4_fail "overlay over the kernel's ext4 mounts failed: $(cat "$w/kovl.err")"
fi
f4_finish
