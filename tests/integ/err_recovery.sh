#!/bin/bash
# A journal that needs recovery (needs_recovery set, on ext3 and ext4):
# fuse4fs does not replay journals, so it must refuse with one line that
# names -o norecovery, and must mount with -o ro,norecovery (and its alias
# noload), serving what the kernel serves with -o ro,noload; norecovery
# without ro is refused. The image is never written: not by the refusals,
# not by the norecovery mounts.
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

	f4_expect_refusal "$fs: journal needs recovery" "needs recovery.*-o ro,norecovery" \
		-o ro "$img" "$w/mnt-$fs"
	f4_expect_refusal "$fs: journal needs recovery, default options" "norecovery" \
		"$img" "$w/mnt-$fs"

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
		f4_pass "$fs: the image is unchanged (no replay, no write)"
	else
		f4_fail "$fs: the image changed: $before -> $(f4_fingerprint "$img")"
	fi
	dumpe2fs -h "$img" 2>/dev/null | grep -q needs_recovery ||
		f4_fail "$fs: needs_recovery was cleared"
done
f4_finish
