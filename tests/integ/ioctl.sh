#!/bin/bash
# The filesystem ioctls against the kernel's ext4 on copies of the same
# images (read-write loop mounts):
#  - inode flags: every one of the 32 bits set or cleared with
#    FS_IOC_SETFLAGS and every xflag with FS_IOC_FSSETXATTR, on a fresh
#    file and a fresh directory, in several filesystem variants (errno and
#    resulting flags must match, extents <-> block map conversion
#    included); chattr/lsattr/xfs_io as users see them;
#  - what an immutable or append-only file or directory allows (every
#    operation, errno by errno);
#  - converting bigger files between block maps and extents (ext3 with
#    the extents feature added), checked with debugfs and e2fsck;
#  - privilege (a non-root owner) and read-only mounts;
#  - the project id (xfs_io chproj/lsproj; this kernel may lack quota
#    support, so a kernel read-only mount checks what we wrote);
#  - FITRIM: the trimmed byte count for start/len/minlen combinations
#    must be the kernel's; deleting big files and trimming makes the
#    image sparser without touching live data, also with offset= and
#    with writers running meanwhile.
# Every image fuse4fs wrote must pass e2fsck -fn.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
F4_IOCTL=$F4_TOP_BUILDDIR/tests/tools/f4ioctl
f4_init_kernel_compare "$F4_IOCTL" "$F4_SEEDTOOL"
f4_require_cmds chattr lsattr fstrim setpriv xfs_io tune2fs du md5sum

w=$F4_WORK
user=${F4_TEST_UID:-4321}

# A read-write kernel loop mount: f4_mount_kernel with rw.
kmount() { f4_mount_kernel "$1" "$2" "rw${3:+,$3}"; }

# Root here may lack CAP_SYS_RESOURCE (containers), which the kernel
# wants for the data-journalling flag (bit 14); fuse4fs only knows uid 0.
has_cap_sys_resource() {
	local c
	c=$(awk '/^CapEff/ { print $2 }' /proc/self/status)
	(((16#$c >> 24) & 1))
}

# ===== flags, bit by bit ===================================================

scan_variant() {
	local v=$1 args=$2 img
	img=$w/scan-$v.img
	# shellcheck disable=SC2086
	mke2fs -q -F $args "$img" 64M >"$img.mkfs" 2>&1 || f4_die "mke2fs $args failed"
	cp "$img" "$img.kernel"
	kmount "$img.kernel" "$w/k-$v" || f4_die "$v: kernel mount failed"
	mkdir "$w/k-$v/f" "$w/k-$v/d"
	{ "$F4_IOCTL" scan "$w/k-$v/f" f && "$F4_IOCTL" scan "$w/k-$v/d" d; } \
		>"$w/scan-$v.kernel" || f4_die "$v: scan on the kernel mount failed"
	f4_umount_kernel "$w/k-$v"
	f4_mount_fuse "$img" "$w/f-$v" || { f4_fail "$v: fuse4fs did not mount"; return; }
	mkdir "$w/f-$v/f" "$w/f-$v/d"
	{ "$F4_IOCTL" scan "$w/f-$v/f" f && "$F4_IOCTL" scan "$w/f-$v/d" d; } \
		>"$w/scan-$v.fuse" || f4_fail "$v: scan on fuse4fs failed"
	f4_umount_fuse "$w/f-$v" || f4_fail "$v: fuse4fs exited with status $?"
	if ! has_cap_sys_resource; then
		# Ours: allowed to root, kept only with a journal.
		local j=0
		case $args in *^has_journal* | *ext2*) ;; *) j=$((0x4000)) ;; esac
		local t b n y e1 a e2 c
		while read -r t b n y e1 _ a _ e2 _ c; do
			[ "$e1 $e2" = "ok ok" ] && [ $((a)) -eq $((c | j)) ] ||
				f4_fail "$v: journal-data flag: $t $b $n $y $e1 -> $a back: $e2 -> $c"
		done < <(grep ' bit 14 ' "$w/scan-$v.fuse")
		sed -i '/ bit 14 /d' "$w/scan-$v.kernel" "$w/scan-$v.fuse"
	fi
	f4_compare_files "$v: SETFLAGS/FSSETXATTR bit by bit" "$w/scan-$v.kernel" "$w/scan-$v.fuse"
	f4_check_fsck "$img" "$v: after the flag scan"
}

scan_variant ext4 "-t ext4 -b 4096 -I 256"
scan_variant ext4-nojournal "-t ext4 -b 4096 -I 256 -O ^has_journal"
scan_variant ext4-1k "-t ext4 -b 1024 -I 256"
scan_variant ext4-128 "-t ext4 -b 4096 -I 128"
scan_variant inline "-t ext4 -b 4096 -I 256 -O inline_data"
scan_variant ext3 "-t ext3 -b 4096 -I 256"
scan_variant ext2 "-t ext2 -b 4096 -I 256"

# ===== immutable and append-only, operation by operation ===================

img=$w/pin.img
mke2fs -q -F -t ext4 -b 4096 "$img" 64M >/dev/null 2>&1 || f4_die "mke2fs failed"
cp "$img" "$img.kernel"
kmount "$img.kernel" "$w/k-pin" || f4_die "kernel mount failed"
mkdir "$w/k-pin/t"
"$F4_IOCTL" pinops "$w/k-pin/t" >"$w/pin.kernel" || f4_die "pinops on the kernel mount failed"
f4_umount_kernel "$w/k-pin"
if f4_mount_fuse "$img" "$w/f-pin"; then
	mkdir "$w/f-pin/t"
	"$F4_IOCTL" pinops "$w/f-pin/t" >"$w/pin.fuse" || f4_fail "pinops on fuse4fs failed"
	f4_umount_fuse "$w/f-pin" || f4_fail "pin: fuse4fs exited with status $?"
	f4_compare_files "immutable/append-only: every operation" "$w/pin.kernel" "$w/pin.fuse"
	f4_check_fsck "$img" "after the immutable/append-only operations"
else
	f4_fail "pin: fuse4fs did not mount"
fi

# ===== chattr/lsattr/xfs_io as users see them, ctime, privilege ============

# Run the same shell snippet on both mounts ($m is the mount), compare.
both() {
	local label=$1 snippet=$2
	(m=$w/k-cli; eval "$snippet") >"$w/cli.kernel" 2>&1
	(m=$w/f-cli; eval "$snippet") >"$w/cli.fuse" 2>&1
	sed -i "s|$w/[kf]-cli|MNT|g" "$w/cli.kernel" "$w/cli.fuse"
	f4_compare_files "$label" "$w/cli.kernel" "$w/cli.fuse"
}

img=$w/cli.img
mke2fs -q -F -t ext4 -b 4096 -I 256 "$img" 64M >/dev/null 2>&1 || f4_die "mke2fs failed"
cp "$img" "$img.kernel"
kmount "$img.kernel" "$w/k-cli" || f4_die "kernel mount failed"
f4_mount_fuse "$img" "$w/f-cli" -o allow_other || f4_die "fuse4fs did not mount"
for m in "$w/k-cli" "$w/f-cli"; do
	mkdir "$m/d" "$m/d/sub"
	echo data >"$m/d/file"
	echo root >"$m/d/rootfile"
	echo mine >"$m/d/mine"
	echo now >"$m/d/ctime"
	chown "$user:$user" "$m/d/mine"
	chmod 0777 "$m/d"
done
both "chattr then lsattr" '
	for f in +A +S +d +D +t +T +x +a +i -i -a -x -t -T -D -d -S -A +P -P +C +c +s +u +e +F; do
		chattr $f "$m/d/file" && echo "$f $(lsattr "$m/d/file")"
		chattr $f "$m/d/sub" && echo "$f dir $(lsattr -d "$m/d/sub")"
	done'
both "xfs_io lsattr/chattr" '
	for f in +s +i +a +A +d +x +P -s -i -a -A -d -x -P +t +e; do
		xfs_io -c "chattr $f" -c "lsattr -v" "$m/d/file"
		xfs_io -c "chattr $f" -c "lsattr -v" "$m/d/sub"
	done'
both "non-root owner: chattr" '
	setpriv --reuid='"$user"' --regid='"$user"' --clear-groups sh -c "
		chattr +d \"$m/d/mine\" && lsattr \"$m/d/mine\"
		chattr +i \"$m/d/mine\"; chattr +a \"$m/d/mine\"; chattr +j \"$m/d/mine\"
		chattr +d \"$m/d/rootfile\"; lsattr \"$m/d/mine\"
		'"$F4_IOCTL"' fsset \"$m/d/rootfile\" 0x80 0
		xfs_io -c \"chattr -d\" -c \"lsattr -v\" \"$m/d/mine\"
		xfs_io -c \"chproj 0\" \"$m/d/mine\"; xfs_io -c \"chproj 7\" \"$m/d/mine\"
		'"$F4_IOCTL"' fsset \"$m/d/rootfile\" 0 0
		fstrim \"$m\""'
both "project id without the project feature" '
	xfs_io -c "lsproj" -c "chproj 0" -c "chproj 42" -c "lsproj" "$m/d/file"'
before=$(stat -c %z "$w/f-cli/d/ctime")
sleep 1.1
chattr +d "$w/f-cli/d/ctime" || f4_fail "chattr +d failed"
[ "$(stat -c %z "$w/f-cli/d/ctime")" != "$before" ] && f4_pass "chattr updates ctime (seen at once)" ||
	f4_fail "chattr did not change ctime, or the kernel's cache still shows the old one"
f4_umount_kernel "$w/k-cli"
f4_umount_fuse "$w/f-cli" || f4_fail "cli: fuse4fs exited with status $?"
f4_check_fsck "$img" "after chattr and xfs_io"

# Read-only mounts: EROFS for every change.
cp "$img" "$img.kernel"
kmount "$img.kernel" "$w/k-cli" ro || f4_die "kernel ro mount failed"
f4_mount_fuse "$img" "$w/f-cli" -o ro || f4_die "fuse4fs -o ro did not mount"
both "read-only mount: chattr, xfs_io" '
	chattr +d "$m/d/file"; chattr -e "$m/d/file"; lsattr "$m/d/file"
	xfs_io -c "chattr +s" -c "chproj 3" "$m/d/file"'
"$F4_IOCTL" trim "$w/f-cli" 0 $((1 << 62)) 0 | grep -q 'fitrim: EROFS' &&
	f4_pass "FITRIM on a read-only mount: EROFS" ||
	f4_fail "FITRIM on a read-only mount: $("$F4_IOCTL" trim "$w/f-cli" 0 $((1 << 62)) 0)"
f4_umount_kernel "$w/k-cli"
f4_umount_fuse "$w/f-cli" || f4_fail "ro: fuse4fs exited with status $?"

# ===== converting mappings of bigger files =================================

seed=$w/mseed
mkdir -p "$seed"
"$F4_SEEDTOOL" pattern $((12 * 4096)) 1 >"$seed/contig12"
"$F4_SEEDTOOL" pattern $((13 * 4096)) 2 >"$seed/contig13"
"$F4_SEEDTOOL" pattern $((8 << 20)) 3 >"$seed/big"
for ((i = 0; i < 10; i++)); do
	"$F4_SEEDTOOL" pattern 4096 $((10 + i)) |
		dd of="$seed/sparse" bs=4096 seek=$((i * 16)) conv=notrunc status=none
done
: >"$seed/empty"
(cd "$seed" && md5sum contig12 contig13 big sparse empty) >"$w/mseed.md5"
img=$w/mig.img
mke2fs -q -F -t ext3 -b 4096 -I 256 -d "$seed" "$img" 64M >/dev/null 2>&1 || f4_die "mke2fs -d failed"
tune2fs -O extents "$img" >/dev/null 2>&1 || f4_die "tune2fs -O extents failed"
cp "$img" "$img.kernel"
# Where the data of /NAME lives (logical -> physical), tree blocks left
# out: they may land elsewhere.
block_map() {
	f4_debugfs "$1" "stat /$2" | sed -n '/^\(EXTENTS\|BLOCKS\):/,$p' |
		sed 's/^\(EXTENTS\|BLOCKS\)://' | tr ',' '\n' |
		grep -v 'ETB\|IND' | sed 's/^ *//' | grep .
}
migrate_both() {
	local flag=$1 label=$2 f
	kmount "$img.kernel" "$w/k-mig" || f4_die "kernel mount failed"
	f4_mount_fuse "$img" "$w/f-mig" || f4_die "fuse4fs did not mount"
	for m in "$w/k-mig" "$w/f-mig"; do
		for f in contig12 contig13 big sparse empty; do
			chattr "$flag" "$m/$f" 2>&1 | sed "s|$m/||"
			echo "$f $(lsattr "$m/$f" | cut -d' ' -f1) $(stat -c %b "$m/$f")"
		done >"$m.out"
	done
	f4_compare_files "$label: chattr $flag, flags and block counts" "$w/k-mig.out" "$w/f-mig.out"
	(cd "$w/f-mig" && md5sum -c --quiet "$w/mseed.md5") &&
		f4_pass "$label: contents unchanged" || f4_fail "$label: contents changed"
	f4_umount_kernel "$w/k-mig"
	f4_umount_fuse "$w/f-mig" || f4_fail "$label: fuse4fs exited with status $?"
	f4_check_fsck "$img" "$label"
	for f in contig12 contig13 big sparse empty; do
		block_map "$img.kernel" "$f" >"$w/k-$f.map"
		block_map "$img" "$f" >"$w/f-$f.map"
		cmp -s "$w/k-$f.map" "$w/f-$f.map" ||
			f4_fail "$label: /$f is mapped differently: $(diff "$w/k-$f.map" "$w/f-$f.map" | head -5 | tr '\n' ' ')"
	done
}
migrate_both +e "block map -> extents"
migrate_both -e "extents -> block map"

# ===== project ids =========================================================

img=$w/proj.img
mke2fs -q -F -t ext4 -b 4096 -I 256 -O project "$img" 64M >/dev/null 2>&1 || f4_die "mke2fs -O project failed"
f4_mount_fuse "$img" "$w/f-proj" -o allow_other || f4_die "fuse4fs did not mount the project image"
m=$w/f-proj
mkdir "$m/pd"
echo x >"$m/pf"
echo y >"$m/upf"
chown "$user" "$m/upf"
xfs_io -c 'chproj 42' "$m/pf" && xfs_io -c 'chproj 7' -c 'chattr +P' "$m/pd" ||
	f4_fail "chproj failed"
[ "$(xfs_io -r -c lsproj "$m/pf")" = "projid = 42" ] && f4_pass "chproj 42 / lsproj" ||
	f4_fail "lsproj after chproj 42: $(xfs_io -r -c lsproj "$m/pf")"
out=$("$F4_IOCTL" fsset "$m/pf" 0 4294967295)
case $out in *EINVAL) f4_pass "project id -1: EINVAL" ;;
*) f4_fail "project id -1: $out" ;; esac
chattr +i "$m/pf"
out=$(xfs_io -c 'chproj 43' "$m/pf" 2>&1)
case $out in *"not permitted"*) f4_pass "immutable file: chproj EPERM" ;;
*) f4_fail "chproj on an immutable file: $out" ;; esac
chattr -i "$m/pf"
out=$(setpriv --reuid="$user" --regid="$user" --clear-groups "$F4_IOCTL" fsset "$m/pf" 0 9 2>&1)
case $out in *EPERM) f4_pass "not the owner: chproj EPERM" ;;
*) f4_fail "chproj by a non-owner: $out" ;; esac
setpriv --reuid="$user" --regid="$user" --clear-groups xfs_io -c 'chproj 9' "$m/upf" ||
	f4_fail "chproj by the owner failed (ext4 lets owners set project ids)"
f4_umount_fuse "$w/f-proj" || f4_fail "proj: fuse4fs exited with status $?"
f4_check_fsck "$img" "after chproj"
f4_debugfs "$img" "stat /pf" | grep -q 'Project: *42 ' && f4_pass "debugfs sees project 42" ||
	f4_fail "debugfs: $(f4_debugfs "$img" "stat /pf" | grep -i project)"
# The kernel (read-only here, it may lack quota support) must see the same.
if kmount "$img" "$w/k-proj" ro; then
	for f in pf pd upf; do echo "$f $(xfs_io -r -c lsproj "$w/k-proj/$f") $(lsattr -d "$w/k-proj/$f" | cut -d' ' -f1)"; done >"$w/proj.kernel"
	f4_umount_kernel "$w/k-proj"
	f4_mount_fuse "$img" "$w/f-proj" -o ro || f4_die "fuse4fs -o ro did not mount"
	for f in pf pd upf; do echo "$f $(xfs_io -r -c lsproj "$w/f-proj/$f") $(lsattr -d "$w/f-proj/$f" | cut -d' ' -f1)"; done >"$w/proj.fuse"
	f4_umount_fuse "$w/f-proj"
	f4_compare_files "project ids and flags as the kernel reads them" "$w/proj.kernel" "$w/proj.fuse"
else
	f4_log "note: the kernel cannot mount the project image; skipped that comparison"
fi

# ===== FITRIM ==============================================================

# Trimmed bytes for each range, kernel vs fuse4fs, on fresh copies.
trim_cases() {
	local label=$1 args=$2 size=$3 img s l n c size_bytes
	img=$w/trim-$label.img
	size_bytes=$((size << 20))
	# shellcheck disable=SC2086
	mke2fs -q -F $args "$img" "${size}M" >/dev/null 2>&1 || f4_die "mke2fs $args failed"
	local big=$((1 << 62))
	local cases=(
		"0 $big 0" "0 4095 0" "0 4096 0" "4096 4096 0" "1000 10000000 0"
		"0 $big 1048576" "0 $big 4097" "0 $big 134217728" "0 $big 134221824"
		"33554432 8388608 0" "33554432 8388608 8388608" "9000000 1 0"
		"$((size_bytes - 4096)) 4096 0" "$((size_bytes - 4096)) 8192 0"
		"$size_bytes 4096 0" "8388608 8388608 0" "16777216 $big 65536"
	)
	: >"$w/trim-$label.kernel"
	: >"$w/trim-$label.fuse"
	for c in "${cases[@]}"; do
		read -r s l n <<<"$c"
		cp "$img" "$img.k"
		kmount "$img.k" "$w/k-trim" || f4_die "kernel mount failed"
		echo "$c: $("$F4_IOCTL" trim "$w/k-trim" "$s" "$l" "$n")" >>"$w/trim-$label.kernel"
		f4_umount_kernel "$w/k-trim"
		cp "$img" "$img.f"
		f4_mount_fuse "$img.f" "$w/f-trim" || f4_die "fuse4fs did not mount"
		echo "$c: $("$F4_IOCTL" trim "$w/f-trim" "$s" "$l" "$n")" >>"$w/trim-$label.fuse"
		f4_umount_fuse "$w/f-trim" || f4_fail "trim: fuse4fs exited with status $?"
	done
	f4_compare_files "FITRIM $label: trimmed bytes per range" "$w/trim-$label.kernel" "$w/trim-$label.fuse"
	f4_check_fsck "$img.f" "FITRIM $label"
}
trim_cases 4k "-t ext4 -b 4096 -I 256" 64
trim_cases 1k "-t ext4 -b 1024 -I 256" 40
trim_cases multigroup "-t ext4 -b 4096 -I 256 -O ^flex_bg" 600

# Delete big files, trim, the image gets sparser; live data untouched.
trim_sparser() {
	local label=$1 img=$2 mnt before after free got
	mnt=$w/f-$label
	shift 2
	f4_mount_fuse "$img" "$mnt" "$@" || { f4_fail "$label: fuse4fs did not mount"; return; }
	"$F4_SEEDTOOL" pattern $((5 << 20)) 77 >"$mnt/keep"
	for i in 1 2 3; do "$F4_SEEDTOOL" pattern $((30 << 20)) "$i" >"$mnt/big$i"; done
	mkdir "$mnt/many"
	for i in $(seq 1 200); do "$F4_SEEDTOOL" pattern $((i * 512)) "$i" >"$mnt/many/f$i"; done
	sync
	(cd "$mnt" && md5sum keep many/f1[0-9]* >"$w/$label.md5")
	rm -f "$mnt"/big? "$mnt"/many/f?
	sync
	before=$(du -k "$img" | cut -f1)
	free=$(stat -f -c '%f*%S' "$mnt")
	got=$(fstrim -v "$mnt" 2>&1)
	case $got in
	*"($((free)) bytes) trimmed"*) f4_pass "$label: fstrim trimmed all free space ($got)" ;;
	*) f4_fail "$label: fstrim: '$got', free space $((free)) bytes" ;;
	esac
	(cd "$mnt" && md5sum -c --quiet "$w/$label.md5") && f4_pass "$label: live files unchanged" ||
		f4_fail "$label: live files changed by the trim"
	f4_umount_fuse "$mnt" || f4_fail "$label: fuse4fs exited with status $?"
	after=$(du -k "$img" | cut -f1)
	[ "$after" -lt $((before - 60000)) ] && f4_pass "$label: image went from $before to $after KiB" ||
		f4_fail "$label: image did not get sparser ($before -> $after KiB)"
}
img=$w/sparse.img
truncate -s 256M "$img"
mke2fs -q -F -t ext4 -b 4096 -I 256 -E nodiscard "$img" >/dev/null 2>&1 || f4_die "mke2fs failed"
trim_sparser sparse "$img"
f4_check_fsck "$img" "after deleting and trimming"
f4_mount_fuse "$img" "$w/f-sparse" -o ro && (cd "$w/f-sparse" && md5sum -c --quiet "$w/sparse.md5") &&
	f4_pass "live files intact after remount" || f4_fail "live files differ after remount"
f4_umount_fuse "$w/f-sparse"

# The same inside an offset= window: nothing outside it may change.
mke2fs -q -F -t ext4 -b 4096 -I 256 -E nodiscard "$w/inner.img" 200M >/dev/null 2>&1 || f4_die "mke2fs failed"
{
	"$F4_SEEDTOOL" pattern 1M 5
	cat "$w/inner.img"
	"$F4_SEEDTOOL" pattern 1M 6
} >"$w/disk.img"
head_sum=$(head -c 1M "$w/disk.img" | md5sum)
tail_sum=$(tail -c 1M "$w/disk.img" | md5sum)
trim_sparser offset "$w/disk.img" -o offset=1048576
[ "$(head -c 1M "$w/disk.img" | md5sum)" = "$head_sum" ] && [ "$(tail -c 1M "$w/disk.img" | md5sum)" = "$tail_sum" ] &&
	f4_pass "offset=: bytes outside the window unchanged" || f4_fail "offset=: bytes outside the window changed"
dd if="$w/disk.img" of="$w/inner2.img" bs=1M skip=1 count=200 status=none
f4_check_fsck "$w/inner2.img" "offset=: after trimming"

# Trimming while files are written and deleted: no live block is lost.
img=$w/race.img
mke2fs -q -F -t ext4 -b 4096 -I 256 -E nodiscard "$img" 128M >/dev/null 2>&1 || f4_die "mke2fs failed"
f4_mount_fuse "$img" "$w/f-race" || f4_die "fuse4fs did not mount"
m=$w/f-race
(
	for ((r = 0; r < 6; r++)); do
		for i in $(seq 1 40); do
			"$F4_SEEDTOOL" pattern $(((i % 7 + 1) * 65536)) $((r * 100 + i)) >"$m/w$r-$i"
			[ $((i % 3)) -eq 0 ] && rm -f "$m/w$r-$((i - 1))"
		done
	done
) &
writer=$!
f4_at_exit "kill $writer"
while kill -0 $writer 2>/dev/null; do
	"$F4_IOCTL" trim "$m" 0 $((1 << 62)) 0 | grep -q 'fitrim: ok' || f4_fail "FITRIM failed during writes"
done
wait $writer
for f in "$m"/w*; do
	b=${f##*/w}
	r=${b%%-*}
	i=${b#*-}
	cmp -s "$f" <("$F4_SEEDTOOL" pattern $(((i % 7 + 1) * 65536)) $((r * 100 + i))) ||
		f4_fail "file ${f##*/} damaged by concurrent trims"
done
f4_pass "$(ls "$m" | wc -l) files written during trims read back intact"
f4_umount_fuse "$w/f-race" || f4_fail "race: fuse4fs exited with status $?"
f4_check_fsck "$img" "after trims racing writers"

f4_finish
