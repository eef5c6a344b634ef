#!/bin/bash
# Randomized operations (tests/stress/f4stress) on fuse4fs mounts of
# several formats and server configurations, each checked three ways:
# f4stress's own model of every file and directory, e2fsck -fn after
# unmounting, and the kernel's ext4 driver reading back exactly the tree
# fuse4fs showed (content, metadata, xattrs, hole layout).
# Seeds and sizes: F4_STRESS_SEEDS (default "11 12"), F4_STRESS_OPS
# (default 4000 per process), F4_STRESS_PROCS (default 2); `make soak`
# runs the long version.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
F4_STRESS=$F4_TOP_BUILDDIR/tests/stress/f4stress
f4_init_kernel_compare "$F4_STRESS" "$F4_TREEDUMP"

SEEDS=${F4_STRESS_SEEDS:-11 12}
OPS=${F4_STRESS_OPS:-4000}
PROCS=${F4_STRESS_PROCS:-2}

# run_config NAME "MKFS ARGS" SIZE "FUSE4FS ARGS" "F4STRESS ARGS"
run_config() {
	local name=$1 mkfs=$2 size=$3 fopts=$4 sopts=$5 seed img mnt kmnt
	for seed in $SEEDS; do
		img=$F4_WORK/$name-$seed.img
		mnt=$F4_WORK/mnt-$name
		kmnt=$F4_WORK/kmnt-$name
		rm -f "$img"
		# shellcheck disable=SC2086
		mke2fs -q -F $mkfs "$img" "$size" >/dev/null ||
			{ f4_fail "$name: mke2fs $mkfs"; continue; }
		# shellcheck disable=SC2086
		f4_mount_fuse "$img" "$mnt" $fopts ||
			{ f4_fail "$name seed $seed: mount"; continue; }
		# shellcheck disable=SC2086
		if timeout 600 "$F4_STRESS" -q -s "$seed" -p "$PROCS" -n "$OPS" \
				$sopts "$mnt" >"$F4_WORK/$name-$seed.log" 2>&1; then
			f4_pass "$name seed $seed: f4stress"
		else
			f4_fail "$name seed $seed: f4stress (log $F4_WORK/$name-$seed.log)"
			tail -n 40 "$F4_WORK/$name-$seed.log" | sed 's/^/    /'
		fi
		# Hole layouts are left out: the kernel reports unwritten extents
		# it has cached pages for as data, fuse4fs never does.
		f4_dump "$mnt" "$F4_WORK/$name-$seed.fuse" -c -L -x /lost+found
		f4_umount_fuse "$mnt" || f4_fail "$name seed $seed: server exit"
		f4_check_fsck "$img" "$name seed $seed"
		f4_mount_kernel "$img" "$kmnt" ro || { f4_fail "$name: kernel mount"; continue; }
		f4_dump "$kmnt" "$F4_WORK/$name-$seed.kernel" -c -L -x /lost+found
		f4_compare_files "$name seed $seed: kernel reads what fuse4fs showed" \
			"$F4_WORK/$name-$seed.fuse" "$F4_WORK/$name-$seed.kernel"
		f4_umount_kernel "$kmnt"
		rm -f "$img"
	done
}

run_config ext4 "-t ext4" 512M "" "-m -S --expect-all-supported"
run_config ext4-pread-1thread "-t ext4" 512M "-s -o io=pread" "-m -S"
run_config ext4-inline "-t ext4 -O inline_data" 512M "" "-m -S"
run_config ext4-1k "-t ext4 -b 1024" 256M "" "-m -S"
run_config ext3 "-t ext3" 256M "" "-m -S"
run_config ext2 "-t ext2" 256M "" "-m"
# Nearly full: ENOSPC in every operation, strictly checked.
run_config ext4-full "-t ext4 -b 1024" 48M "" "-m -S"
f4_finish
