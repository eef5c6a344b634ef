#!/bin/bash
# A directory with 100,000 entries (htree-indexed, two levels), built once
# and mounted with fuse4fs and with the kernel:
# - ls -f sees all 100,000 entries (plus . and ..), each once;
# - the names are exactly the ones created;
# - every entry stat'ed through a full tree listing matches the kernel
#   (type, d_type, mode, owner, times, inode number, flags...);
# - lookups of existing names anywhere in the hash range, and of missing
#   names, agree with the kernel;
# - listings resumed at offsets spread over the directory are exact.
# The entries are created through a kernel loop mount (mke2fs -d links
# entries one by one with linear scans: minutes for 100,000), then the
# image gets e2fsck -fyD like the other images.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_init_kernel_compare "$F4_TREEDUMP" "$F4_DIRWALK"

w=$F4_WORK
N=100000
img=$w/bigdir.img
names=$w/names
# Names of 8 to 60 bytes, so entries pack unevenly.
awk -v n=$N 'BEGIN { s = "abcdefghijklmnopqrstuvwxyz0123456789";
	s = s s;
	for (i = 1; i <= n; i++) printf "n%06d-%s\n", i, substr(s, 1 + i % 7, (i * 13) % 53) }' >"$names"

mke2fs -q -F -t ext4 -b 4096 -I 256 -N $((N + 2000)) "$img" 512M >/dev/null 2>&1 ||
	f4_die "mke2fs failed"
mkdir -p "$w/build"
mount -t ext4 -o loop "$img" "$w/build" || f4_die "rw loop mount failed"
f4_at_exit "f4_umount_kernel '$w/build'"
mkdir "$w/build/big"
f4_timed "creating $N entries" sh -c "cd '$w/build/big' && xargs touch -d @1600000000.5 <'$names'" ||
	f4_die "creating the entries failed"
# a few entries of other kinds among them
(
	cd "$w/build/big" || exit 1
	mkdir sub-a sub-b && ln -s n000001-bcdefghijklmn link && mkfifo fifo &&
		ln "$(sed -n 5p "$names")" hardlink
) || f4_die "creating the extra entries failed"
f4_umount_kernel "$w/build" || f4_die "unmounting the build mount failed"
e2fsck -fyD "$img" >"$w/fsck-D.log" 2>&1
[ $? -le 1 ] || f4_die "e2fsck -fyD failed"
f4_fsck_clean "$img" || f4_die "the image is not clean"
fl=$(f4_inode_flags "$img" /big)
((fl & 0x1000)) || f4_die "/big is not htree-indexed (flags $fl)"
levels=$(f4_debugfs "$img" "htree /big" | sed -n 's/.*Indirect levels: //p' | head -n1)
f4_log "/big: flags $(printf 0x%x "$fl"), htree indirect levels ${levels:-?}"

f4_mount_fuse "$img" "$w/fuse" -o ro || f4_die "fuse4fs mount failed"
f4_mount_kernel "$img" "$w/kernel" || f4_die "kernel mount failed"
expected=$((N + 2 + 5))	# names, . and .., sub-a sub-b link fifo hardlink

for m in fuse kernel; do
	count=$(f4_timed "$m: ls -f | wc -l" ls -f "$w/$m/big" | wc -l)
	[ "$count" -eq $expected ] && f4_pass "$m: ls -f lists $count entries" ||
		f4_fail "$m: ls -f lists $count entries, expected $expected"
done
f4_compare_files "fuse4fs lists exactly the created names" \
	<({ cat "$names"; printf '%s\n' . .. sub-a sub-b link fifo hardlink; } | sort) \
	<(ls -f "$w/fuse/big" | sort)
f4_compare_files "fuse4fs lists each entry once" \
	<(ls -f "$w/fuse/big" | sort | uniq -d) /dev/null

# stat every entry (and readdir d_type) through a full listing.
f4_timed "treedump kernel" f4_dump "$w/kernel" "$w/kernel.dump" -c -a -i -b -s -F
f4_timed "treedump fuse4fs" f4_dump "$w/fuse" "$w/fuse.dump" -c -a -i -b -s -F
f4_compare_files "every entry: fuse4fs vs kernel" "$w/kernel.dump" "$w/fuse.dump"
f4_compare_files "find: type and d_type" \
	<(cd "$w/kernel" && find . -printf '%y %Y %i %n %s %m %T@ %C@ %p\n' | sort) \
	<(cd "$w/fuse" && find . -printf '%y %Y %i %n %s %m %T@ %C@ %p\n' | sort)

# Lookups by name (fresh names each time: nothing cached by the listing
# above helps, the kernel caches positive entries but these are stat'ed
# through new paths after dropping caches).
echo 2 >/proc/sys/vm/drop_caches 2>/dev/null
probe=$w/probe
{
	awk 'NR % 4999 == 1' "$names"
	printf '%s\n' missing n000000-x n100001- "$(sed -n 7p "$names")x" sub-a
} >"$probe"
f4_compare_files "lookups agree with the kernel" \
	<(cd "$w/kernel/big" && while read -r n; do stat -c '%n %i %F' -- "$n" 2>&1 | sed 's/^stat: //'; done <"$probe") \
	<(cd "$w/fuse/big" && while read -r n; do stat -c '%n %i %F' -- "$n" 2>&1 | sed 's/^stat: //'; done <"$probe")

out=$(f4_timed "resuming the listing" "$F4_DIRWALK" seek -s 997 -k 50 "$w/fuse/big" 2>&1) &&
	f4_pass "fuse4fs: resumed listings: $out" ||
	{ f4_fail "fuse4fs: resumed listings"; printf '%s\n' "$out" | head -20 | sed 's/^/    /'; }

f4_umount_kernel "$w/kernel"
f4_umount_fuse "$w/fuse" || f4_fail "fuse4fs exited with status $?"
f4_finish
