#!/bin/bash
# Journal recovery, judged by the kernel's ext4. For each format of
# lib_dirty.sh (ext3, ext4 with 4 KiB and 1 KiB blocks, without
# metadata_csum, with the v1 journal checksum, without 64bit,
# data=journal, fast_commit) two images the kernel left dirty (a snapshot
# after the commit timer, and one after shutdown -f), each checked to need
# recovery and to look different unreplayed (see lib_dirty.sh). Then:
#   ro:   fuse4fs -o ro on a 0444 copy replays in memory: every field of
#         every file (F4_DUMP_FULL) and statfs are what the kernel shows
#         after its own replay, and the image's bytes are unchanged; the
#         same from a read-only bind mount (for the first image);
#   rw:   fuse4fs read-write replays onto the image: the same tree while
#         mounted; after unmounting needs_recovery is gone, the journal is
#         empty (Journal start: 0), e2fsck -fn is clean and the kernel
#         (which then has nothing to replay) shows the oracle's tree;
#   norecovery: -o ro,norecovery shows the unreplayed view (the kernel's
#         -o ro,noload) and writes nothing.
# And a live journal: an image attached to a loop device and mounted by
# the kernel must be refused read-write, naming the loop device and the
# mountpoint, and left untouched.
# F4J_FORMATS="ext3 ext4-4k" limits the formats (for a quick run).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/lib_dirty.sh"
f4_require_root
f4_require_loop
f4j_require
f4_init_kernel_compare "$F4_TREEDUMP" "$F4_SEEDTOOL"

w=$F4_WORK

# f4j_same_fp LABEL FILE BEFORE: the image's fingerprint is unchanged.
f4j_same_fp() {
	local now
	now=$(f4_fingerprint "$2")
	if [ "$now" = "$3" ]; then
		f4_pass "$1: the image is unchanged"
	else
		f4_fail "$1: the image changed: $3 -> $now"
	fi
}

# f4j_fuse_view LABEL IMG MNT EXPECTED [fuse4fs options]: mount, the full
# listing equals EXPECTED (a dump file), unmount with exit status 0.
f4j_fuse_view() {
	local label=$1 img=$2 mnt=$3 exp=$4 out
	shift 4
	if ! f4_mount_fuse "$img" "$mnt" "$@"; then
		f4_fail "$label: does not mount"
		return 1
	fi
	out=$w/$(printf %s "$label" | tr -c 'A-Za-z0-9_.-' '_').dump
	# shellcheck disable=SC2086
	f4_dump "$mnt" "$out" $F4_DUMP_FULL &&
		f4_compare_files "$label: tree as the kernel shows it" \
			<(f4j_strip_fc_dir_times "$exp") <(f4j_strip_fc_dir_times "$out")
	[ "${F4J_STATFS:-}" ] && f4_compare_files "$label: statfs" "$exp.statfs" <(f4_statfs "$mnt")
	f4_umount_fuse "$mnt" || f4_fail "$label: fuse4fs exited with status $? after unmount"
}

# Read-only: in-memory replay, not one byte written; then norecovery.
f4j_case_ro() {
	local img=$1 name=$2 copy before
	copy=$w/rosrc/$name.img
	f4j_copy "$img" "$copy"
	chmod 0444 "$copy"
	before=$(f4_fingerprint "$copy")
	F4J_STATFS=1 f4j_fuse_view "$name -o ro" "$copy" "$w/mnt-ro" "$img.oracle" -o ro
	f4j_same_fp "$name -o ro" "$copy" "$before"
	if [ -z "${F4J_BIND_DONE:-}" ]; then	# once: it is about opening, not the format
		F4J_STATFS=1 f4j_fuse_view "$name -o ro, read-only bind mount" \
			"$w/roview/$name.img" "$w/mnt-ro" "$img.oracle" -o ro
		f4j_same_fp "$name -o ro, read-only bind mount" "$copy" "$before"
		F4J_BIND_DONE=1
	fi
	if [ -e "$img.noload.clean" ]; then
		f4j_fuse_view "$name -o ro,norecovery" "$copy" "$w/mnt-ro" "$img.noload" -o ro,norecovery
		F4J_NORECOVERY_COMPARED=$((F4J_NORECOVERY_COMPARED + 1))
	else
		# A corrupt view: how each server reports corruption is not what
		# this test is about; it must mount and write nothing.
		f4_check_mounts "$name -o ro,norecovery (unreplayed view corrupt)" "$copy" \
			"$w/mnt-ro" -o ro,norecovery
	fi
	f4j_same_fp "$name -o ro,norecovery" "$copy" "$before"
	f4j_needs_recovery "$copy" || f4_fail "$name: needs_recovery was cleared by a read-only mount"
	rm -f "$copy"
}

# Read-write: the replay lands on the image, which is then clean.
f4j_case_rw() {
	local img=$1 name=$2 copy start
	copy=$w/$name.rw.img
	f4j_copy "$img" "$copy"
	f4j_fuse_view "$name rw" "$copy" "$w/mnt-rw" "$img.oracle" -o noatime || return 1
	if f4j_needs_recovery "$copy"; then
		f4_fail "$name rw: needs_recovery is still set after unmounting"
		return 1
	fi
	f4_pass "$name rw: needs_recovery is cleared"
	start=$(f4j_journal_start "$copy")
	if [ "$start" = 0 ]; then
		f4_pass "$name rw: the journal is empty (Journal start: 0)"
	else
		f4_fail "$name rw: Journal start is '$start', not 0"
	fi
	f4_check_fsck "$copy" "$name rw"
	# With needs_recovery gone the kernel replays nothing: what it shows is
	# what fuse4fs wrote.
	if f4j_kernel_dump "$copy" "$copy.kernel"; then
		f4_compare_files "$name rw: the kernel's view of the result" \
			<(f4j_strip_fc_dir_times "$img.oracle") <(f4j_strip_fc_dir_times "$copy.kernel")
	else
		f4_fail "$name rw: the kernel cannot mount or read the result"
	fi
	rm -f "$copy"
}

# A regular expression matching the string $1 literally.
f4j_re_quote() { printf '%s' "$1" | sed 's/[][\.*^$+?(){}|/]/\\&/g'; }

# A journal in use: the kernel has the image mounted through a loop device.
f4j_case_live() {
	local img=$w/live.img m=$w/mnt-live dev before again re_dev re_mnt
	f4j_mkfs ext4-4k "$img" 32M
	f4_mount_kernel "$img" "$m" rw,noinit_itable,commit=1 || f4_die "live: kernel mount failed"
	f4j_workload_base "$m"
	sleep 2
	sync -f "$m"
	dev=$(findmnt -n -o SOURCE --mountpoint "$(f4__canon "$m")")
	case $dev in /dev/loop*) ;; *) f4_die "live: the kernel mount's source is '$dev'" ;; esac
	f4j_needs_recovery "$img" || f4_die "live: needs_recovery is not set while mounted"
	# The kernel must be quiet, or a change would prove nothing about us.
	before=$(f4_fingerprint "$img")
	sleep 2
	again=$(f4_fingerprint "$img")
	[ "$again" = "$before" ] || f4_die "live: the kernel keeps writing to $img while idle"
	re_dev=$(f4j_re_quote "$dev")
	re_mnt=$(f4j_re_quote "$(f4__canon "$m")")
	mkdir -p "$w/mnt-live-fuse"
	f4_expect_refusal "live journal (mounted by the kernel through $dev at $m)" \
		"$re_dev.*$re_mnt|$re_mnt.*$re_dev" "$img" "$w/mnt-live-fuse"
	f4j_same_fp "live journal" "$img" "$before"
	f4_umount_kernel "$m"
	f4_check_fsck "$img" "live: after the kernel's unmount"
}

# The read-only bind mount's source (its copies are written through
# rosrc, read through roview).
mkdir -p "$w/rosrc" "$w/roview"
mount --bind "$w/rosrc" "$w/roview" || f4_die "mount --bind failed"
f4_at_exit "umount '$w/roview'"
mount -o remount,ro,bind "$w/roview" || f4_die "remount,ro,bind failed"
touch "$w/roview/probe" 2>/dev/null && f4_die "the bind mount is not read-only"

F4J_NORECOVERY_COMPARED=0
f4_timed "live journal" f4j_case_live
for fmt in $F4J_FORMATS; do
	f4_timed "$fmt: making the images" f4j_make_format "$fmt" "$w"
	for kind in commit shutdown; do
		img=$w/$fmt-$kind.img
		f4_timed "$fmt-$kind: ro" f4j_case_ro "$img" "$fmt-$kind"
		f4_timed "$fmt-$kind: rw" f4j_case_rw "$img" "$fmt-$kind"
		rm -f "$img.replayed"
	done
done
# The workload is built so that unreplayed views stay readable; if none
# is, the norecovery comparison never ran.
[ "$F4J_NORECOVERY_COMPARED" -gt 0 ] ||
	f4_fail "no image had a readable unreplayed view: -o ro,norecovery was never compared"
f4_finish
