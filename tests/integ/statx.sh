#!/bin/bash
# statx's birth time (ext4's i_crtime), which FUSE carries only in
# FUSE_STATX (answered by our transport: libfuse 3.14 does not know it):
# `stat -c %W` shows, for every file of an image the kernel wrote, the
# birth time the kernel's ext4 shows; files fuse4fs creates get a birth
# time, and the kernel reads back the same one. 128-byte inodes have no
# crtime: birth is unknown (0) on both sides.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_require_root
f4_require_fuse
f4_require_loop
f4_require_cmds stat find
f4_init

w=$F4_WORK

# births DIR: "path birth" for everything under DIR, sorted.
births() {
	(cd "$1" && find . -mindepth 1 ! -name lost+found -exec stat -c '%n %W' {} + | sort)
}

for fmt in "-t ext4 -I 256" "-t ext4 -I 128"; do
	img=$w/s.img
	# shellcheck disable=SC2086
	mke2fs -q -F $fmt "$img" 32M >/dev/null 2>&1 || f4_die "mke2fs $fmt failed"
	f4_mount_kernel "$img" "$w/k" rw || f4_die "kernel mount failed"
	mkdir -p "$w/k/d/e" && echo a >"$w/k/d/f" && ln -s f "$w/k/d/l" && mkfifo "$w/k/d/p"
	f4_umount_kernel "$w/k"
	f4_mount_kernel "$img" "$w/k" || f4_die "kernel mount failed"
	births "$w/k" >"$w/kernel.births"
	f4_umount_kernel "$w/k"

	f4_mount_fuse "$img" "$w/m" || { f4_fail "$fmt: does not mount"; continue; }
	births "$w/m" >"$w/fuse.births"
	f4_compare_files "$fmt: birth times as the kernel shows them" "$w/kernel.births" "$w/fuse.births"
	mkdir "$w/m/new-dir" && echo b >"$w/m/new-dir/new-file"
	births "$w/m" >"$w/fuse.births"
	f4_umount_fuse "$w/m"
	f4_mount_kernel "$img" "$w/k" || f4_die "kernel mount failed"
	births "$w/k" >"$w/kernel.births"
	f4_umount_kernel "$w/k"
	f4_compare_files "$fmt: birth times of files fuse4fs made, read back by the kernel" \
		"$w/fuse.births" "$w/kernel.births"
	case $fmt in
	*256*) grep -q '^./new-dir/new-file 0$' "$w/fuse.births" &&
		f4_fail "$fmt: a file fuse4fs made has no birth time" ;;
	esac
done
f4_finish
