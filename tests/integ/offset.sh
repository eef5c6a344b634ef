#!/bin/bash
# offset=: a filesystem that starts inside a larger file (a disk image
# with a fake 1 MiB partition header in front and junk behind). fuse4fs
# with offset=1048576 (and 0x100000) must serve exactly what the kernel
# serves from a loop mount with the same offset, and exactly what it
# serves from the bare filesystem; a wrong offset is refused; the image is
# never written.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_init_kernel_compare "$F4_TREEDUMP" "$F4_SEEDTOOL"

w=$F4_WORK
f4_small_seed "$w/seed"
f4_image_small "$w/bare.img" "$w/seed" -t ext4 -b 4096 -I 256
{
	"$F4_SEEDTOOL" pattern 1M 5	# the "partition table and boot area"
	cat "$w/bare.img"
	"$F4_SEEDTOOL" pattern 1M 6	# whatever follows the partition
} >"$w/disk.img" || f4_die "cannot assemble disk.img"
before=$(f4_fingerprint "$w/disk.img")

f4_mount_fuse "$w/disk.img" "$w/fuse" -o ro,offset=1048576 || f4_die "offset=1048576: mount failed"
f4_mount_kernel "$w/disk.img" "$w/kernel" offset=1048576 || f4_die "kernel loop mount with offset failed"
# shellcheck disable=SC2086
f4_compare_trees "offset=1048576: fuse4fs vs kernel" "$w/kernel" "$w/fuse" $F4_DUMP_FULL
f4_compare_files "offset=1048576: statfs" <(f4_statfs "$w/kernel") <(f4_statfs "$w/fuse")
f4_umount_kernel "$w/kernel"

f4_mount_fuse "$w/bare.img" "$w/bare" -o ro || f4_die "bare image: mount failed"
# shellcheck disable=SC2086
f4_compare_trees "offset image vs bare image" "$w/bare" "$w/fuse" $F4_DUMP_FULL
f4_umount_fuse "$w/bare" || f4_fail "bare: fuse4fs exited with status $?"
f4_umount_fuse "$w/fuse" || f4_fail "offset: fuse4fs exited with status $?"

f4_mount_fuse "$w/disk.img" "$w/hex" -o ro,offset=0x100000 || f4_fail "offset=0x100000: mount failed"
if f4_mounted "$w/hex"; then
	# shellcheck disable=SC2086
	f4_dump "$w/hex" "$w/hex.dump" $F4_DUMP_FULL &&
		f4_compare_files "offset=0x100000 serves the same" \
			"$w/offset_image_vs_bare_image.actual" "$w/hex.dump"
	f4_umount_fuse "$w/hex" || f4_fail "hex: fuse4fs exited with status $?"
fi

mkdir -p "$w/x"
f4_expect_refusal "offset 1 KiB short" "does not contain an ext2/ext3/ext4 filesystem at that offset" \
	-o ro,offset=$((1048576 - 1024)) "$w/disk.img" "$w/x"
f4_expect_refusal "offset 1 KiB long" "does not contain an ext2/ext3/ext4 filesystem at that offset" \
	-o ro,offset=$((1048576 + 1024)) "$w/disk.img" "$w/x"
f4_expect_refusal "no offset on a partitioned image" "does not contain an ext2/ext3/ext4 filesystem" \
	-o ro "$w/disk.img" "$w/x"

[ "$(f4_fingerprint "$w/disk.img")" = "$before" ] && f4_pass "disk.img unchanged" ||
	f4_fail "disk.img changed"
f4_finish
