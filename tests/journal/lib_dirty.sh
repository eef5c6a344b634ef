# shellcheck shell=bash
# Kernel-dirty images: ext3/ext4 images whose journal holds committed but
# not checkpointed transactions, written by the kernel's own ext4 and
# jbd2, and the kernel's replay of them as the oracle. Sourced after
# tests/lib/lib.sh by tests/journal/*.sh.
#
# One kernel mount session makes two dirty images of a format:
#   mount -o commit=1 (plus the format's options), a base tree, sync
#   (the base is written in place); then
#   IMG-commit:   a first round of changes, 3 s for the commit timer to
#                 commit them, and a copy of the image file taken while it
#                 is still mounted (what a VM snapshot or a power cut
#                 would leave);
#   IMG-shutdown: a second round of changes, `xfs_io -x -c 'shutdown -f'`
#                 (the log is forced, then the journal is aborted) and a
#                 copy taken before unmounting.
# Why copy before unmounting after the shutdown: unmounting an aborted
# ext4 still writes every dirty, already-journaled metadata buffer in
# place (the block device is flushed), so the image left behind needs
# recovery but replaying it changes almost nothing (the superblock and a
# block or two) - it would judge no replay.
#
# Every image is checked before use, and the setup dies (99) otherwise:
# needs_recovery is set, `debugfs -R logdump` shows committed
# transactions, and the unreplayed view (the kernel's -o ro,noload)
# differs from the replayed one (a copy the kernel mounts read-write, so
# replays, and unmounts). See f4j_make_format.

# Formats: name -> "mke2fs arguments|mount options|shutdown flag".
# ext4-4k is the mke2fs default ext4 (64bit, metadata_csum: journal
# checksum v3); nocsum has no journal checksum at all; csum-v1 asks for
# the old jbd2 checksum (COMPAT_CHECKSUM) with the journal_checksum mount
# option on a filesystem without metadata_csum. fast-commit keeps a long
# commit interval and shuts down without forcing the log, because a full
# commit supersedes the fast commits (see f4j_workload_fc).
f4j_format_spec() {
	case $1 in
	ext3) echo "-t ext3 -b 4096 -I 256||-f" ;;
	ext4-4k) echo "-t ext4 -b 4096||-f" ;;
	ext4-1k) echo "-t ext4 -b 1024||-f" ;;
	nocsum) echo "-t ext4 -b 4096 -O ^metadata_csum||-f" ;;
	csum-v1) echo "-t ext4 -b 4096 -O ^metadata_csum|journal_checksum|-f" ;;
	no64bit) echo "-t ext4 -b 4096 -O ^64bit||-f" ;;
	data-journal) echo "-t ext4 -b 4096|data=journal|-f" ;;
	fast-commit) echo "-t ext4 -b 4096 -O fast_commit|commit=60|" ;;
	*) f4_die "unknown dirty-image format $1" ;;
	esac
}

F4J_FORMATS=${F4J_FORMATS:-"ext3 ext4-4k ext4-1k nocsum csum-v1 no64bit data-journal fast-commit"}

f4j_require() {
	f4_require_cmds xfs_io dumpe2fs setfattr getfattr sha256sum
}

# ===== workload (runs on the kernel's mount) ===============================

# The base tree, written in place by a sync before the dirty rounds: what
# the rounds change, rename and delete. A directory of 300 files spans
# several blocks, so deleting it in round 1 frees journaled metadata
# blocks (revoke records).
f4j_workload_base() {
	local m=$1 i
	(
		set -e
		cd "$m"
		mkdir -p base/tree/a/b/c base/many base/gone base/links
		for ((i = 0; i < 300; i++)); do
			printf 'many %d\n' $i >"base/many/file-$(printf %04d $i)-with-a-longer-name"
		done
		for ((i = 0; i < 40; i++)); do
			printf 'gone %d\n' $i >"base/gone/g$i"
		done
		"$F4_SEEDTOOL" pattern 1M 21 >base/big
		printf 'keep\n' >base/tree/a/b/c/leaf
		printf 'linked\n' >base/links/a
		ln base/links/a base/links/b
		ln -s ../tree/a/b/c/leaf base/links/sym
		: >base/xattrs
		setfattr -n user.small -v base base/xattrs
		setfattr -n user.block -v "$(f4__str 1500 B)" base/xattrs
		chmod 0640 base/big
		chown 1000:100 base/big
	) || f4_die "base workload on $m failed"
}

# Why the rounds are ordered as they are: ordered-mode data goes in place
# while metadata waits in the journal, so data written into a block that
# an earlier committed transaction freed overwrites what the unreplayed
# view still uses (a directory block, an xattr block): that view is then
# corrupt, and comparing it proves little. So data is written before the
# deletes of a round, and round 2 writes metadata only. (The check that
# it worked: f4j_prepare records whether the kernel reads the unreplayed
# view without an error.)

# Round 1: data (synced per file, so that delayed allocation places it;
# the metadata stays in the journal), then every kind of metadata change,
# then the deletes. Deleting base/many (a directory of several blocks)
# frees journaled metadata blocks: revoke records.
f4j_workload_round1() {
	local m=$1 i
	(
		set -e
		cd "$m"
		mkdir -p r1/tree/x/y/z r1/small
		for ((i = 0; i < 200; i++)); do
			printf 'small %d\n' $i >"r1/small/s$i"
		done
		"$F4_SEEDTOOL" pattern 3M 22 >r1/big
		truncate -s 8M r1/sparse
		"$F4_SEEDTOOL" pattern 64K 23 |
			dd of=r1/sparse bs=64K seek=64 conv=notrunc status=none
		printf 'deep\n' >r1/tree/x/y/z/leaf
		printf 'appended\n' >>base/links/a
		sync r1/small/s* r1/big r1/sparse r1/tree/x/y/z/leaf base/links/a
		ln r1/small/s1 r1/tree/hard-s1
		ln r1/small/s1 r1/tree/x/hard-s1
		ln -s "$(f4__str 300 slowlink/)" r1/tree/slow-link
		ln -s s2 r1/small/fast-link
		setfattr -n user.r1 -v one r1/small/s3
		setfattr -n user.big -v "$(f4__str 2000 V)" r1/small/s4
		setfattr -n user.small -v changed base/xattrs
		setfattr -x user.block base/xattrs
		mkfifo r1/fifo
		mknod r1/chr c 1 7
		mv base/tree/a/b r1/moved-dir
		mv base/gone/g3 r1/renamed-g3
		chmod 0600 base/tree/a
		chown 2000:2000 base/links/a
		touch -d @1600000000.25 r1/small/s5
		rm -rf base/many
		rm base/gone/g1 base/gone/g2 base/links/b
		mv base/gone/g4 base/gone/g5		# replaces g5
		truncate -s 100K base/big
	) || f4_die "round 1 on $m failed"
}

# Round 2: metadata only, much of it on what round 1 made (the same
# blocks logged again in later transactions), the deletes last.
f4j_workload_round2() {
	local m=$1 i
	(
		set -e
		cd "$m"
		mkdir -p r2/dir/sub1 r2/dir/sub2
		for ((i = 0; i < 50; i++)); do
			: >"r2/dir/n$i"
		done
		ln -s ../../r1/big r2/dir/to-big
		ln r1/small/s7 r2/dir/s7-link
		rm r1/tree/x/hard-s1
		mv r1/tree r2/tree-moved
		mv r1/small/s6 r2/dir/s6-here
		setfattr -n user.r2 -v two r1/small/s3
		setfattr -x user.big r1/small/s4
		chmod 4755 r2/dir/n1
		chown 3000:3000 r2/dir/n2
		touch -d @1700000000.5 r2/dir/n3
		for ((i = 100; i < 200; i++)); do
			rm "r1/small/s$i"
		done
		rm -rf base/gone
	) || f4_die "round 2 on $m failed"
}

# Fast commits: eligible operations only (create, write, append), each
# fsynced, after the full commit that the first fsync forces (the rounds
# made ineligible changes: xattrs, directory renames). The link and the
# unlink come first: fsyncing a directory after them commits in full
# (kernel 6.18), which would make the fast commits before it obsolete.
f4j_workload_fc() {
	local m=$1 tag=$2 i
	(
		set -e
		cd "$m"
		mkdir -p "fc-$tag"
		printf 'pre\n' >"fc-$tag/pre"
		ln "fc-$tag/pre" "fc-$tag/pre-link"
		printf 'gone\n' >"fc-$tag/gone"
		rm "fc-$tag/gone"
		sync "fc-$tag/pre" "fc-$tag"	# fsyncs (not -f: syncfs writes in place)
		for ((i = 0; i < 40; i++)); do
			"$F4_SEEDTOOL" pattern $((i * 1000 + 1)) $((i + 50)) >"fc-$tag/f$i"
			sync "fc-$tag/f$i"
		done
		printf 'more\n' >>"fc-$tag/f3"
		sync "fc-$tag/f3"
	) || f4_die "fast-commit workload on $m failed"
}

# ===== checks on an image ================================================

f4j_needs_recovery() {
	dumpe2fs -h "$1" 2>/dev/null | grep -q '^Filesystem features:.*needs_recovery'
}

# "Journal start:" from dumpe2fs (0: the log is empty).
f4j_journal_start() {
	dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Journal start: *//p'
}

# debugfs's logdump on IMAGE ($2: its options). -c (catastrophic mode:
# no bitmaps read) because an unreplayed image may have a bitmap whose
# checksum is only right in the log.
f4j_logdump() {
	debugfs -c -R "logdump ${2:-}" "$1" 2>/dev/null
}

# Committed transactions in the log.
f4j_log_commits() {
	f4j_logdump "$1" | grep -c 'type 2 (commit block)'
}

# Fast-commit tags in the log's fast-commit area.
f4j_log_fc_tags() {
	f4j_logdump "$1" | sed -n '/Fast Commit Area/,$p' |
		grep -cE 'tag (ADD_RANGE|DEL_RANGE|CREAT|LINK|UNLINK|INODE)'
}

# Is FS block $2 logged in $1's journal? (logdump -b prints the journal
# blocks that hold a copy of it.)
f4j_block_logged() {
	f4j_logdump "$1" "-b $2" | grep -q "FS block $2 logged at"
}

# f4j_copy SRC DST: a sparse copy of an image file.
f4j_copy() {
	rm -f "$2"
	cp --sparse=always "$1" "$2" || f4_die "cannot copy $1 to $2"
}

# f4j_kernel_replay SRC DST: DST is SRC replayed by the kernel (loop mount
# read-write, unmount). Checks that the replay happened.
f4j_kernel_replay() {
	local m
	m=$F4_WORK/mnt-replay
	f4j_copy "$1" "$2"
	f4_mount_kernel "$2" "$m" rw || f4_die "kernel replay mount of $2 failed"
	f4_umount_kernel "$m" || f4_die "kernel unmount of $2 failed"
	! f4j_needs_recovery "$2" || f4_die "the kernel left needs_recovery on $2"
}

# f4j_kernel_dump IMAGE OUT [mount options]: the kernel's ro mount of
# IMAGE, dumped with every field ($F4_DUMP_FULL) into OUT, with statfs in
# OUT.statfs. Non-zero if the kernel does not mount it or the dump fails.
f4j_kernel_dump() {
	local img=$1 out=$2 m rc=0
	m=$F4_WORK/mnt-kdump
	f4_mount_kernel "$img" "$m" "${3:-}" || return 1
	# shellcheck disable=SC2086
	f4_dump "$m" "$out" $F4_DUMP_FULL || rc=1
	f4_statfs "$m" >"$out.statfs"
	f4_umount_kernel "$m" || rc=1
	return $rc
}

# f4j_noload_dump IMAGE OUT: the kernel's -o ro,noload view of IMAGE (a
# copy: the kernel may write to it) into OUT. An unreplayed view may be
# corrupt (a block the log frees, reused by data written in place): the
# kernel then fails on some paths, which is not an error here; OUT.clean
# exists when it read everything.
f4j_noload_dump() {
	local img=$1 out=$2 m
	m=$F4_WORK/mnt-kdump
	rm -f "$out.clean"
	f4_mount_kernel "$img" "$m" noload || f4_die "$img: the kernel does not mount it -o ro,noload"
	# shellcheck disable=SC2086
	"$F4_TREEDUMP" $F4_DUMP_FULL "$m" >"$out" 2>"$out.err" && : >"$out.clean"
	f4_umount_kernel "$m" || f4_die "kernel unmount of $img failed"
}

# f4j_prepare IMG: the oracle files for a dirty image, checking it is one
# worth testing: IMG.replayed (the kernel's replay), IMG.oracle (its
# dump), IMG.noload (the dump of the unreplayed view). Dies if the image
# is not dirty; returns 1 if the unreplayed view shows nothing the replay
# changes (see f4j_make_format).
f4j_prepare() {
	local img=$1 n
	f4j_needs_recovery "$img" || f4_die "$img: needs_recovery is not set"
	[ -n "$(f4j_journal_start "$img")" ] && [ "$(f4j_journal_start "$img")" != 0 ] ||
		f4_die "$img: the journal is empty (Journal start: $(f4j_journal_start "$img"))"
	n=$(f4j_log_commits "$img")
	[ "$n" -gt 0 ] || f4_die "$img: logdump shows no committed transaction"
	f4j_kernel_replay "$img" "$img.replayed"
	f4_fsck_clean "$img.replayed" || f4_die "$img: the kernel's replay is not clean"
	f4j_kernel_dump "$img.replayed" "$img.oracle" ||
		f4_die "$img: the kernel's view of its replay cannot be dumped"
	f4j_copy "$img" "$img.noload-copy"
	f4j_noload_dump "$img.noload-copy" "$img.noload"
	rm -f "$img.noload-copy"
	if cmp -s "$img.oracle" "$img.noload"; then
		f4_log "$img: the unreplayed view equals the replayed one (the metadata reached its place: another process's sync?)"
		return 1
	fi
	f4_log "$(basename "$img"): $n transactions in the log, journal start $(f4j_journal_start "$img"), $(diff "$img.noload" "$img.oracle" | grep -c '^[<>]') listing lines differ unreplayed vs replayed$([ -e "$img.noload.clean" ] || echo "; the unreplayed view is corrupt")"
}

# ===== making the images =================================================

# f4j_mkfs FORMAT IMG SIZE [mke2fs options]: a fresh image of FORMAT.
# Inode tables and the journal are written now, so that the kernel's
# lazy init thread writes nothing behind the workload's back.
f4j_mkfs() {
	local fmt=$1 img=$2 size=$3 spec
	shift 3
	spec=$(f4j_format_spec "$fmt")
	rm -f "$img"
	# shellcheck disable=SC2086
	mke2fs -q -F ${spec%%|*} -E lazy_itable_init=0,lazy_journal_init=0 "$@" \
		"$img" "$size" >"$img.mkfs.log" 2>&1 ||
		{ cat "$img.mkfs.log"; f4_die "mke2fs ${spec%%|*} $* $img failed"; }
}

# The kernel's mount options for FORMAT ($2: the commit interval when the
# format does not set one).
f4j_mount_opts() {
	local spec opts
	spec=$(f4j_format_spec "$1")
	opts=${spec#*|}
	opts=${opts%|*}
	case $opts in *commit=*) ;; *) opts=${opts:+$opts,}commit=$2 ;; esac
	echo "rw,noinit_itable,$opts"
}

# f4j_make_format FORMAT DIR: DIR/FORMAT-commit.img and
# DIR/FORMAT-shutdown.img (see the top of this file), each prepared by
# f4j_prepare. A sync by anyone on the machine (sync(2) writes every
# block device) during the session puts the journaled metadata in place
# and leaves a log whose replay changes nothing visible: such a session
# is made again, up to 3 times.
f4j_make_format() {
	local fmt=$1 dir=$2 try
	for try in 1 2 3; do
		f4j_session "$fmt" "$dir" &&
			f4j_check_format "$fmt" "$dir/$fmt-commit.img" &&
			f4j_check_format "$fmt" "$dir/$fmt-shutdown.img" && return 0
		f4_log "$fmt: session $try made an image that tests nothing; again"
	done
	f4_die "$fmt: 3 sessions in a row left no difference between the unreplayed and replayed views"
}

# One kernel mount session making both images of FORMAT.
f4j_session() {
	local fmt=$1 dir=$2 img m spec sflag opts
	img=$dir/$fmt.img
	m=$dir/mnt-mk-$fmt
	spec=$(f4j_format_spec "$fmt")
	sflag=${spec##*|}
	opts=$(f4j_mount_opts "$fmt" 1)
	f4j_mkfs "$fmt" "$img" 64M -J size=8
	mkdir -p "$m"
	f4_mount_kernel "$img" "$m" "$opts" || f4_die "$fmt: kernel mount -o $opts failed"
	f4j_workload_base "$m"
	sync -f "$m" || f4_die "$fmt: sync failed"
	f4j_workload_round1 "$m"
	if [ "$fmt" = fast-commit ]; then
		f4j_workload_fc "$m" 1
	else
		sleep 3	# commit=1: the commit timer commits round 1
	fi
	f4j_copy "$img" "$dir/$fmt-commit.img"
	f4j_workload_round2 "$m"
	[ "$fmt" = fast-commit ] && f4j_workload_fc "$m" 2
	xfs_io -x -c "shutdown $sflag" "$m" || f4_die "$fmt: xfs_io shutdown $sflag failed"
	f4j_copy "$img" "$dir/$fmt-shutdown.img"
	f4_umount_kernel "$m" || f4_die "$fmt: unmounting the kernel's mount failed"
	rm -f "$img"
}

# What the format is about must really be in the log: data blocks for
# data=journal (and none for ordered mode), fast-commit tags for
# fast-commit. Then the oracle (f4j_prepare).
f4j_check_format() {
	local fmt=$1 img=$2 blk
	f4j_prepare "$img" || return 1
	# The first data block of r1/big, written in round 1 of both images.
	blk=$(f4_debugfs "$img.replayed" "bmap /r1/big 0")
	[ -n "$blk" ] && [ "$blk" -gt 0 ] 2>/dev/null || f4_die "$img: no block for /r1/big"
	# Only the commit image: by the shutdown, jbd2 may have checkpointed
	# round 1 (round 2 writes no data) out of the 8 MiB log.
	if [ "$fmt" = data-journal ] && [ "${img%-commit.img}" != "$img" ]; then
		f4j_block_logged "$img" "$blk" ||
			f4_die "$img: data=journal, but data block $blk of /r1/big is not in the log"
	elif [ "$fmt" != data-journal ] && f4j_block_logged "$img" "$blk"; then
		f4_die "$img: ordered mode, but data block $blk of /r1/big is in the log"
	fi
	if [ "$fmt" = fast-commit ]; then
		[ "$(f4j_log_fc_tags "$img")" -gt 0 ] ||
			f4_die "$img: fast_commit, but the log holds no fast-commit tag"
		# The last fast-commit file exists only through the fast commits.
		grep -q '^/fc-1/f39 ' "$img.oracle" ||
			f4_die "$img: the kernel's replay lacks /fc-1/f39 (fast commits not replayed?)"
	fi
	return 0
}

# Directory times: the kernel stamps a directory a fast commit links into
# with the time of ITS replay; any other replay is another time. Those
# lines (/fc-N, made only by the fast-commit workload) are compared
# without their times.
f4j_strip_fc_dir_times() {
	sed -E '/^\/fc-[0-9]+ /s/ (m|c)time=[^ ]*//g' "$1"
}
