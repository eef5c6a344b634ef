#!/bin/bash
# Directory listings, on fuse4fs and (as a control) on the kernel's mount
# of the same images:
# - d_type from readdir agrees with lstat for every entry of every kind;
# - a listing resumed at any offset telldir returned (same stream, or a
#   new one) neither skips nor repeats entries: a 3000-entry indexed
#   directory, small and empty directories, inline directories (entries in
#   i_block and in the system.data xattr);
# - getdents64 with a buffer that fits one entry sees the same listing;
# - every directory lists the same names as the seed.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_init_kernel_compare "$F4_DIRWALK" "$F4_SEEDTOOL"

w=$F4_WORK
seed=$w/seed
mkdir -p "$seed"/{seek,empty,one,types,inline-spill,tiny}
(
	set -e
	cd "$seed"
	# 3000 names of 6 to 205 bytes: entries of all sizes, many blocks
	awk 'BEGIN { s = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_";
		while (length(s) < 200) s = s s;
		for (i = 0; i < 3000; i++) printf "%05d-%s\n", i, substr(s, 1, (i * 37) % 200) }' |
		(cd seek && xargs touch)
	: >one/only
	: >types/file
	mkdir types/dir
	ln -s file types/symlink
	mknod types/chr c 1 3
	mknod types/blk b 7 0
	mkfifo types/fifo
	"$F4_SEEDTOOL" mksock types/socket
	# more than the 60 bytes of i_block hold (see below)
	for i in 1 2 3 4 5; do : >"inline-spill/entry-$i"; done
	: >tiny/a
) || f4_die "building the seed failed"

check_mount() {
	local m=$1 label=$2 d out
	out=$("$F4_DIRWALK" dtype "$m" 2>&1) && f4_pass "$label: $out" ||
		{ f4_fail "$label: d_type check"; printf '%s\n' "$out" | head -20 | sed 's/^/    /'; }
	for d in seek empty one types inline-spill tiny; do
		out=$("$F4_DIRWALK" seek -s 1 -k 20 "$m/$d" 2>&1) ||
			{ f4_fail "$label: resuming $d"; printf '%s\n' "$out" | head -20 | sed 's/^/    /'; continue; }
		f4_log "$label: $d: $out"
		f4_compare_files "$label: $d lists the seed's names" \
			<(ls -A "$seed/$d" | sort) <(ls -f "$m/$d" | grep -vx '\.\|\.\.' | sort)
	done
	out=$("$F4_DIRWALK" smallbuf "$m/seek" 2>&1) && f4_pass "$label: $out" ||
		{ f4_fail "$label: one entry per getdents64"; printf '%s\n' "$out" | head -20 | sed 's/^/    /'; }
}

for v in ext4-4k inline; do
	img=$w/$v.img
	# shellcheck disable=SC2046
	f4_image_small "$img" "$seed" $(f4_variant_args "$v")
	# libext2fs turns a full inline directory into a block directory;
	# the kernel first spills entries into the system.data xattr. So
	# inline-spill is made by the kernel.
	mkdir -p "$w/build"
	mount -t ext4 -o loop "$img" "$w/build" || f4_die "rw loop mount failed"
	f4_at_exit "f4_umount_kernel '$w/build'"
	rm -r "$w/build/inline-spill" && mkdir "$w/build/inline-spill" &&
		(cd "$seed/inline-spill" && for n in *; do : >"$w/build/inline-spill/$n"; done) ||
		f4_die "creating inline-spill failed"
	f4_umount_kernel "$w/build"
	e2fsck -fyD "$img" >/dev/null 2>&1
	f4_fsck_clean "$img" || f4_die "$img is not clean"
	fl=$(f4_inode_flags "$img" /seek)
	((fl & 0x1000)) || f4_die "$v: /seek is not indexed"
	if [ $v = inline ]; then
		fl=$(f4_inode_flags "$img" /inline-spill)
		((fl & 0x10000000)) || f4_die "inline: /inline-spill is not inline"
		f4_debugfs "$img" "ea_list /inline-spill" | grep -q 'system.data ([1-9]' ||
			f4_die "inline: /inline-spill keeps no entries in system.data"
		fl=$(f4_inode_flags "$img" /tiny)
		((fl & 0x10000000)) || f4_die "inline: /tiny is not inline"
	fi
	f4_mount_fuse "$img" "$w/fuse-$v" -o ro || { f4_fail "$v: mount failed"; continue; }
	f4_mount_kernel "$img" "$w/kernel-$v" || f4_die "$v: kernel mount failed"
	f4_timed "$v: fuse4fs checks" check_mount "$w/fuse-$v" "$v fuse4fs"
	f4_timed "$v: kernel checks" check_mount "$w/kernel-$v" "$v kernel"
	f4_umount_kernel "$w/kernel-$v"
	f4_umount_fuse "$w/fuse-$v" || f4_fail "$v: fuse4fs exited with status $?"
done
f4_finish
