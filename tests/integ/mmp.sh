#!/bin/bash
# Multiple-mount protection (mke2fs -O mmp), against the kernel's ext4 and
# e2fsprogs:
#  - a read-only mount does not touch the MMP block (nor the image);
#  - a read-write mount claims it (as ext4: 2 * interval + 1 seconds of
#    waiting), then debugfs dump_mmp shows our node and device names and
#    a sequence that keeps changing;
#  - while it is mounted, a second fuse4fs on the same image seen through
#    a loop device (a different file, so the image lock does not apply:
#    only MMP can tell) is refused with one line, and so is the kernel;
#  - a copy of the image made while it was mounted looks like a node that
#    died: fuse4fs waits, sees the sequence stay still, and mounts it;
#  - after unmounting the block says clean, e2fsck (which checks the
#    block and its checksum when it claims it) and the kernel accept it;
#  - e2fsck running (the FSCK sequence) and a damaged block are refused
#    at once; a kernel mount holding the filesystem keeps fuse4fs out;
#  - the same protection when fuse4fs serves the loop device itself (the
#    MMP block is then read with direct IO).
# Each claim waits 11 seconds or more, as with the kernel: this test runs
# for about two minutes.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_init_kernel_compare "$F4_SEEDTOOL"
f4_require_cmds dd losetup

w=$F4_WORK
node=$(uname -n)

# Like f4_mount_fuse, with room for MMP's waits (up to 2 x 21 s).
mount_slow() { F4_MOUNT_WAIT=120 f4_mount_fuse "$@"; }

mmp_field() { f4_debugfs "$1" dump_mmp | sed -n "s/^$2: *//p"; }

# A loop device on $1, in $dev. On exit every loop device still backed by
# $1 is detached (by its backing file: a number may be someone else's by
# then).
loopdev() {
	dev=$(losetup -f --show "$1") || f4_die "losetup $1 failed"
	f4_at_exit "losetup -j '$1' | cut -d: -f1 | xargs -r -n1 losetup -d"
}

seed=$w/seed
f4_small_seed "$seed"
img=$w/mmp.img
mke2fs -q -F -t ext4 -b 4096 -I 256 -O mmp -E mmp_update_interval=1 -d "$seed" "$img" 64M \
	>"$img.mkfs" 2>&1 || { cat "$img.mkfs"; f4_die "mke2fs -O mmp failed"; }
[ "$(mmp_field "$img" sequence)" = ff4d4d50 ] || f4_die "a new MMP block is not clean"

# ----- read-only: MMP untouched
before=$(f4_fingerprint "$img")
t0=$SECONDS
f4_mount_fuse "$img" "$w/ro" -o ro || f4_fail "read-only mount failed"
[ $((SECONDS - t0)) -lt 5 ] && f4_pass "read-only mount does not wait for MMP" ||
	f4_fail "read-only mount took $((SECONDS - t0)) s"
f4_umount_fuse "$w/ro" || f4_fail "ro: fuse4fs exited with status $?"
[ "$(f4_fingerprint "$img")" = "$before" ] && f4_pass "read-only mount left the image as it was" ||
	f4_fail "read-only mount changed the image"

# ----- read-write: claimed, kept current
t0=$SECONDS
mount_slow "$img" "$w/a" || f4_die "read-write mount of the mmp image failed"
f4_log "claimed in $((SECONDS - t0)) s"
[ $((SECONDS - t0)) -ge 10 ] && f4_pass "claim waited like ext4 ($((SECONDS - t0)) s)" ||
	f4_fail "claim took only $((SECONDS - t0)) s (ext4 waits at least 2 * 5 + 1)"
s1=$(mmp_field "$img" sequence)
[ "$(mmp_field "$img" node_name)" = "$node" ] && f4_pass "dump_mmp shows our node name ($node)" ||
	f4_fail "dump_mmp node_name: $(mmp_field "$img" node_name)"
[ "$(mmp_field "$img" device_name)" = mmp.img ] && f4_pass "dump_mmp shows our device name" ||
	f4_fail "dump_mmp device_name: $(mmp_field "$img" device_name)"
sleep 3
s2=$(mmp_field "$img" sequence)
if [ "$s1" != "$s2" ] && [ "$s2" != ff4d4d50 ] && [ "$s2" != e24d4d50 ]; then
	f4_pass "the sequence keeps changing ($s1 -> $s2)"
else
	f4_fail "the sequence did not move as it should: $s1 -> $s2"
fi
echo written >"$w/a/new" || f4_fail "cannot write to the mmp filesystem"

# A second server on the same image through a loop device: refused.
loopdev "$img"
mkdir -p "$w/b"
f4_expect_refusal "second fuse4fs on $dev" "in use by another node.*node $node" "$dev" "$w/b"
# The kernel refuses too.
mkdir -p "$w/k"
if mount -t ext4 "$dev" "$w/k" 2>"$w/k.err"; then
	f4_fail "the kernel mounted the filesystem fuse4fs is serving"
	umount "$w/k"
else
	f4_pass "the kernel refuses it too ($(dmesg 2>/dev/null | grep -o 'Device is already active on another node' | tail -n1))"
fi
# e2fsck will not check it either (through the device, which is not in
# the mount table: only MMP can tell).
if e2fsck -fp "$dev" >"$w/fsck-live.log" 2>&1; then
	f4_fail "e2fsck -fp ran on the mounted filesystem"
else
	grep -qi 'MMP.*active' "$w/fsck-live.log" && f4_pass "e2fsck -fp refuses it too" ||
		f4_fail "e2fsck -fp failed for another reason: $(tail -n2 "$w/fsck-live.log")"
fi
losetup -d "$dev"

# A copy made now carries our live sequence: a node that died. fuse4fs
# must wait, see nothing move, and take it, as the kernel does.
cp "$img" "$w/copy.img"
cp "$img" "$w/kcopy.img"
t0=$SECONDS
if mount_slow "$w/copy.img" "$w/c"; then
	[ $((SECONDS - t0)) -ge 20 ] && f4_pass "a stale copy is mounted after waiting twice ($((SECONDS - t0)) s)" ||
		f4_fail "a stale copy was mounted after only $((SECONDS - t0)) s"
	f4_umount_fuse "$w/c" || f4_fail "copy: fuse4fs exited with status $?"
	[ "$(mmp_field "$w/copy.img" sequence)" = ff4d4d50 ] || f4_fail "copy: not clean after unmount"
	e2fsck -fy "$w/copy.img" >/dev/null 2>&1	# the copy was taken mid-flight
else
	f4_fail "a stale copy (no live node) was not mounted"
fi

mkdir -p "$w/k"
if mount -t ext4 -o loop "$w/kcopy.img" "$w/k" 2>"$w/k.err"; then
	f4_pass "the kernel mounts a stale copy as well"
	f4_umount_kernel "$w/k"
else
	f4_fail "the kernel did not mount the stale copy: $(cat "$w/k.err")"
fi

f4_umount_fuse "$w/a" || f4_fail "fuse4fs exited with status $?"
[ "$(mmp_field "$img" sequence)" = ff4d4d50 ] && f4_pass "clean after unmount" ||
	f4_fail "sequence after unmount: $(mmp_field "$img" sequence)"
f4_check_fsck "$img" "after the rw mount"
# e2fsck -p claims the block as a writer: it reads and checks it (and its
# checksum), waits, writes FSCK, then clean again.
e2fsck -fp "$img" >"$img.fsckp" 2>&1 && f4_pass "e2fsck -fp accepts our MMP block" ||
	f4_fail "e2fsck -fp: $(cat "$img.fsckp")"
# So does the kernel (it verifies the checksum before waiting).
mkdir -p "$w/k"
if mount -t ext4 -o loop "$img" "$w/k" 2>"$w/k.err"; then
	f4_pass "the kernel mounts it after us"
	[ "$(cat "$w/k/new" 2>/dev/null)" = written ] || f4_fail "the kernel does not see our file"
	umount "$w/k"
	losetup -j "$img" | cut -d: -f1 | xargs -r -n1 losetup -d
else
	f4_fail "kernel mount after us failed: $(cat "$w/k.err")"
fi

# ----- e2fsck running, damaged block: refused at once (no checksum on
# this image, so that the block can be edited with dd)
mke2fs -q -F -t ext4 -b 4096 -O mmp,^metadata_csum "$w/nc.img" 64M >/dev/null 2>&1 || f4_die "mke2fs failed"
blk=$(mmp_field "$w/nc.img" block_number)
put() { printf "$2" | dd of="$w/nc.img" bs=1 seek=$((blk * 4096 + $1)) conv=notrunc status=none; }
put 4 '\x50\x4d\x4d\xe2'	# EXT4_MMP_SEQ_FSCK
mkdir -p "$w/x"
t0=$SECONDS
before=$(f4_fingerprint "$w/nc.img")
f4_expect_refusal "e2fsck running" "e2fsck is running" "$w/nc.img" "$w/x"
[ $((SECONDS - t0)) -lt 5 ] || f4_fail "the FSCK refusal took $((SECONDS - t0)) s"
[ "$(f4_fingerprint "$w/nc.img")" = "$before" ] || f4_fail "the refused mount wrote the image"
put 0 'X'
f4_expect_refusal "damaged MMP block" "MMP block is damaged" "$w/nc.img" "$w/x"
put 0 '\x50'
put 4 '\x50\x4d\x4d\xff'	# clean again
f4_mount_fuse "$w/nc.img" "$w/x" -o ro && f4_umount_fuse "$w/x" || f4_fail "ro mount of the no-checksum image failed"

# ----- the kernel holds it: fuse4fs keeps out. The kernel's mount is
# found first (the loop device and mountpoint are named), before MMP and
# before the journal the kernel is using (which needs recovery) could be
# replayed under it.
mke2fs -q -F -t ext4 -b 4096 -O mmp,^has_journal -E mmp_update_interval=1 "$w/k.img" 64M \
	>/dev/null 2>&1 || f4_die "mke2fs failed"
cp "$img" "$w/kj.img"
for k in k kj; do
	mkdir -p "$w/$k"
	if mount -t ext4 -o loop "$w/$k.img" "$w/$k" 2>"$w/$k.err"; then
		f4_at_exit "f4_umount_kernel '$w/$k'"
		re="the kernel has it mounted \(/dev/loop[0-9]+ at .*/$k\)"
		f4_expect_refusal "$k.img mounted by the kernel" "$re" "$w/$k.img" "$w/x"
		f4_umount_kernel "$w/$k"
	else
		f4_fail "kernel mount of $k.img failed: $(cat "$w/$k.err")"
	fi
done

# ----- fuse4fs on the block device: direct IO for the MMP block
loopdev "$img"
if mount_slow "$dev" "$w/d"; then
	s1=$(mmp_field "$img" sequence)
	f4_expect_refusal "fuse4fs on the image file while the device is served" \
		"in use by another node" "$img" "$w/x"
	s2=$(mmp_field "$img" sequence)
	[ "$s1" != "$s2" ] && f4_pass "device: the sequence keeps changing ($s1 -> $s2)" ||
		f4_fail "device: the sequence did not change ($s1)"
	f4_umount_fuse "$w/d" || f4_fail "device: fuse4fs exited with status $?"
	losetup -d "$dev"
	[ "$(mmp_field "$img" sequence)" = ff4d4d50 ] && f4_pass "device: clean after unmount" ||
		f4_fail "device: sequence after unmount: $(mmp_field "$img" sequence)"
else
	f4_fail "read-write mount of $dev failed"
fi
f4_check_fsck "$img" "at the end"
f4_finish
