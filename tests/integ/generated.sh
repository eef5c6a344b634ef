#!/bin/bash
# Generated read-only images whose metadata is shared on purpose (as
# image builders do, RO_COMPAT_SHARED_BLOCKS: every group's bitmaps point
# at one block). A read-only mount never reads the bitmaps, so:
#   shared bitmaps, shared_blocks set: fuse4fs -o ro serves the tree the
#     kernel shows with -o ro,noblock_validity (the kernel refuses it
#     without), and writes nothing; without -o ro it mounts read-only;
#   shared bitmaps, no feature: read-only works, read-write is refused
#     naming the overlap;
#   a bitmap on an inode table block: refused even read-only, naming
#     -o ro,noblock_validity, which then serves what the kernel's
#     noblock_validity serves;
#   -o noblock_validity without -o ro is refused.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_require_root
f4_require_fuse
f4_require_loop
f4_require_cmds debugfs dumpe2fs
f4_init_kernel_compare "$F4_TREEDUMP" "$F4_SEEDTOOL"

w=$F4_WORK

# make_image IMG HOW: a 4-group ext4 (flex_bg: bitmaps may be anywhere)
# with a few files; HOW: shared (groups 1-3 use group 0's bitmaps, and
# the feature), shared-nofeature, or on-itable (group 1's inode bitmap
# on group 0's inode table).
make_image() {
	local img=$1 how=$2 bb ib it g
	mke2fs -q -F -t ext4 -b 1024 "$img" 32M >/dev/null 2>&1 || f4_die "mke2fs failed"
	printf 'mkdir d\nwrite %s d/f\nsymlink l d/f\n' "$F4_TREEDUMP" | debugfs -w -f - "$img" >/dev/null 2>&1
	bb=$(dumpe2fs "$img" 2>/dev/null | sed -n 's/^  Block bitmap at \([0-9]*\).*/\1/p' | head -n1)
	ib=$(dumpe2fs "$img" 2>/dev/null | sed -n 's/^  Inode bitmap at \([0-9]*\).*/\1/p' | head -n1)
	it=$(dumpe2fs "$img" 2>/dev/null | sed -n 's/^  Inode table at \([0-9]*\).*/\1/p' | head -n1)
	case $how in
	shared*)
		for g in 1 2 3; do
			printf 'set_bg %d block_bitmap %d\nset_bg %d inode_bitmap %d\nset_bg %d checksum calc\n' \
				"$g" "$bb" "$g" "$ib" "$g"
		done >"$w/cmds"
		[ "$how" = shared ] && echo 'feature shared_blocks' >>"$w/cmds" ;;
	on-itable)
		printf 'set_bg 1 inode_bitmap %d\nset_bg 1 checksum calc\n' "$((it + 1))" >"$w/cmds" ;;
	esac
	debugfs -w -f "$w/cmds" "$img" >/dev/null 2>&1 || f4_die "debugfs failed"
}

# same_as_kernel LABEL IMG [fuse4fs options]: fuse4fs's view equals the
# kernel's ro,noblock_validity one, and the image is unchanged.
same_as_kernel() {
	local label=$1 img=$2 before
	shift 2
	before=$(f4_fingerprint "$img")
	f4_mount_kernel "$img" "$w/k" noblock_validity || f4_die "$label: the kernel refuses noblock_validity"
	f4_dump "$w/k" "$w/kernel.dump"
	f4_umount_kernel "$w/k"
	if f4_mount_fuse "$img" "$w/m" "$@"; then
		f4_dump "$w/m" "$w/fuse.dump"
		f4_umount_fuse "$w/m"
		f4_compare_files "$label: the tree the kernel shows with noblock_validity" \
			"$w/kernel.dump" "$w/fuse.dump"
	else
		f4_fail "$label: does not mount"
	fi
	[ "$(f4_fingerprint "$img")" = "$before" ] || f4_fail "$label: the image changed"
}

img=$w/shared.img
make_image "$img" shared
f4_mount_kernel "$img" "$w/k" && { f4_umount_kernel "$w/k"; f4_die "the kernel mounts shared bitmaps without noblock_validity: the image is not what this test needs"; }
same_as_kernel "shared bitmaps, -o ro" "$img" -o ro
if f4_mount_fuse "$img" "$w/m"; then
	findmnt -n -o OPTIONS --mountpoint "$w/m" | grep -qw ro &&
		f4_pass "shared bitmaps without -o ro: mounted read-only" ||
		f4_fail "shared bitmaps without -o ro: mounted read-write"
	f4_umount_fuse "$w/m"
else
	f4_fail "shared bitmaps without -o ro: does not mount"
fi

img=$w/nofeature.img
make_image "$img" shared-nofeature
same_as_kernel "shared bitmaps without the feature, -o ro" "$img" -o ro
f4_expect_refusal "shared bitmaps, read-write" "overlaps other metadata" "$img" "$w/m"

img=$w/itable.img
make_image "$img" on-itable
f4_expect_refusal "a bitmap on an inode table, -o ro" "overlaps other metadata.*-o ro,noblock_validity" \
	-o ro "$img" "$w/m"
same_as_kernel "a bitmap on an inode table, -o ro,noblock_validity" "$img" -o ro,noblock_validity
f4_expect_refusal "-o noblock_validity without -o ro" "noblock_validity needs -o ro" \
	-o noblock_validity "$img" "$w/m"
f4_finish
