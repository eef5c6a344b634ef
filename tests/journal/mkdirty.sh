#!/bin/bash
# mkdirty.sh FORMAT OUT.img: a large kernel-dirty image with a FULL
# 128 MiB journal, for timing a replay (the kernel's against fuse4fs's).
# FORMAT is one of lib_dirty.sh's formats (ext3 ext4-4k ext4-1k nocsum
# csum-v1 no64bit data-journal fast-commit). Needs root, loop devices,
# xfs_io and a built tree (seedtool); run from anywhere:
#     sudo tests/journal/mkdirty.sh ext4-4k /tmp/dirty.img
# What it does: mke2fs -J size=128 on a 2 GiB sparse image, the kernel
# mounts it (commit=1), the base workload of lib_dirty.sh, 32768 files,
# then rounds that change every file's inode (each round logs all their
# inode-table blocks again) until the log is about 70% full (jbd2
# checkpoints, emptying it, near 75%); then shutdown -f and a copy of the
# image taken before unmounting (see lib_dirty.sh for why). Prints the
# transactions and blocks in the log. The checks of lib_dirty.sh apply:
# needs_recovery set, transactions in the log.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
[ $# -eq 2 ] || { echo "usage: $0 FORMAT OUT.img" >&2; exit 2; }
fmt=$1
out=$(realpath -m -- "$2")
set --
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/lib_dirty.sh"
f4_require_root
f4_require_loop
f4j_require
f4_require_e2fsprogs
f4_require_built "$F4_SEEDTOOL"
f4j_format_spec "$fmt" >/dev/null
f4_init

NFILES=32768
TARGET_PCT=70
MAX_ROUNDS=40

# Blocks between the log's start and its last commit block, as logdump
# of IMAGE shows them now ($2: the journal's size in blocks).
f4j_log_used() {
	f4j_logdump "$1" | awk -v size="$2" '
		/^Journal starts at block/ { s = $5 + 0 }
		/type 2 \(commit block\) at block/ { e = $NF + 0 }
		END { if (!e) { print 0; exit } u = e - s + 1; if (u < 0) u += size - 1; print u }'
}

w=$F4_WORK
img=$w/dirty.img
m=$w/mnt
f4j_mkfs "$fmt" "$img" 2G -J size=128 -N $((NFILES + 4096))
jblocks=$(dumpe2fs -h "$img" 2>/dev/null | sed -n 's/^Total journal blocks: *//p')
[ -n "$jblocks" ] || f4_die "no journal size in dumpe2fs -h $img"
f4_mount_kernel "$img" "$m" "$(f4j_mount_opts "$fmt" 1)" || f4_die "kernel mount failed"
f4j_workload_base "$m"
sync -f "$m"
mkdir -p "$m/churn" && (cd "$m/churn" && seq -f 'c%06.0f' 0 $((NFILES - 1)) | xargs touch) ||
	f4_die "creating $NFILES files failed"
f4j_workload_round1 "$m"
for ((r = 1; r <= MAX_ROUNDS; r++)); do
	(cd "$m/churn" && seq -f 'c%06.0f' 0 $((NFILES - 1)) | xargs touch -d "@$((1500000000 + r))") ||
		f4_die "round $r failed"
	sleep 1.5	# commit=1
	used=$(f4j_log_used "$img" "$jblocks")
	f4_log "round $r: $used of $jblocks journal blocks in the log"
	[ $((used * 100)) -ge $((jblocks * TARGET_PCT)) ] && break
done
xfs_io -x -c "shutdown -f" "$m" || f4_die "xfs_io shutdown -f failed"
f4j_copy "$img" "$out"
f4_umount_kernel "$m"
rm -f "$img"
f4j_needs_recovery "$out" || f4_die "$out: needs_recovery is not set"
n=$(f4j_log_commits "$out")
[ "$n" -gt 0 ] || f4_die "$out: no committed transaction in the log"
f4_log "$out: $fmt, $n transactions, $(f4j_log_used "$out" "$jblocks") of $jblocks journal blocks (journal start $(f4j_journal_start "$out"))"
f4_finish
