#!/bin/bash
# needs_recovery set on ext3 and ext4 with edge-case journals (real
# kernel-made dirty journals are tests/journal/recovery.sh): an empty log
# mounts read-only without a byte written and read-write clears the flag
# (e2fsck clean); a journal superblock that is not one is refused with
# one line that names -o ro,norecovery, writing nothing; -o ro,norecovery
# (and its alias noload) serves what the kernel serves with -o ro,noload;
# norecovery without ro is refused.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_init_kernel_compare "$F4_TREEDUMP" "$F4_SEEDTOOL"

w=$F4_WORK
f4_small_seed "$w/seed"
for fs in ext3 ext4; do
	img=$w/$fs.img
	f4_image_small "$img" "$w/seed" -t $fs -b 4096 -I 256
	debugfs -w -R "feature needs_recovery" "$img" >/dev/null 2>&1
	dumpe2fs -h "$img" 2>/dev/null | grep -q needs_recovery ||
		f4_die "could not set needs_recovery on $img"
	before=$(f4_fingerprint "$img")
	mkdir -p "$w/mnt-$fs"

	# An empty log with needs_recovery: nothing to replay.
	if f4_mount_fuse "$img" "$w/mnt-$fs" -o ro; then
		f4_dump "$w/mnt-$fs" "$w/$fs-ro.dump" && f4_pass "$fs: empty log: -o ro mounts and reads"
		f4_umount_fuse "$w/mnt-$fs" || f4_fail "$fs: fuse4fs -o ro exited with status $?"
	else
		f4_fail "$fs: empty log: -o ro does not mount"
	fi
	[ "$(f4_fingerprint "$img")" = "$before" ] ||
		f4_fail "$fs: -o ro with an empty log changed the image"

	# The journal superblock zeroed: not a journal. Refused, unwritten.
	bad=$w/$fs-badjsb.img
	cp "$img" "$bad"
	jblk=$(debugfs -R "bmap <8> 0" "$bad" 2>/dev/null)
	[ -n "$jblk" ] || f4_die "no journal block 0 in $bad"
	dd if=/dev/zero of="$bad" bs=4096 seek="$jblk" count=1 conv=notrunc status=none
	badsum=$(f4_fingerprint "$bad")
	f4_expect_refusal "$fs: bad journal superblock, read-only" "journal.*-o ro,norecovery" \
		-o ro "$bad" "$w/mnt-$fs"
	f4_expect_refusal "$fs: bad journal superblock, read-write" "journal.*-o ro,norecovery" \
		"$bad" "$w/mnt-$fs"
	[ "$(f4_fingerprint "$bad")" = "$badsum" ] && f4_pass "$fs: refusals wrote nothing" ||
		f4_fail "$fs: a refusal changed the image"

	f4_expect_refusal "$fs: norecovery without ro" "-o ro" -o rw,norecovery "$img" "$w/mnt-$fs"

	for opt in ro,norecovery ro,noload; do
		if ! f4_mount_fuse "$img" "$w/mnt-$fs" -o $opt; then
			f4_fail "$fs: -o $opt does not mount"
			continue
		fi
		if [ "$opt" = ro,norecovery ]; then
			f4_mount_kernel "$img" "$w/kmnt-$fs" noload ||
				f4_die "kernel mount -o ro,noload failed"
			# shellcheck disable=SC2086
			f4_compare_trees "$fs: -o $opt, fuse4fs vs kernel (noload)" \
				"$w/kmnt-$fs" "$w/mnt-$fs" $F4_DUMP_FULL
			f4_umount_kernel "$w/kmnt-$fs"
		else
			f4_dump "$w/mnt-$fs" "$w/$fs-$opt.dump" && f4_pass "$fs: -o $opt mounts and reads"
		fi
		f4_umount_fuse "$w/mnt-$fs" || f4_fail "$fs: fuse4fs -o $opt exited with status $?"
	done

	if [ "$(f4_fingerprint "$img")" = "$before" ]; then
		f4_pass "$fs: the image is unchanged by read-only mounts"
	else
		f4_fail "$fs: the image changed: $before -> $(f4_fingerprint "$img")"
	fi
	dumpe2fs -h "$img" 2>/dev/null | grep -q needs_recovery ||
		f4_fail "$fs: needs_recovery was cleared by a read-only mount"

	# Read-write: the (empty) replay clears needs_recovery.
	if f4_mount_fuse "$img" "$w/mnt-$fs"; then
		f4_umount_fuse "$w/mnt-$fs" || f4_fail "$fs: fuse4fs rw exited with status $?"
		if dumpe2fs -h "$img" 2>/dev/null | grep -q needs_recovery; then
			f4_fail "$fs: needs_recovery is still set after a read-write mount"
		else
			f4_pass "$fs: a read-write mount clears needs_recovery"
		fi
		f4_check_fsck "$img" "$fs: after the read-write mount"
	else
		f4_fail "$fs: read-write does not mount"
	fi
done
f4_finish
