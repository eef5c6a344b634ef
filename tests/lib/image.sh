# shellcheck shell=bash
# Integration-test library, images.
# Mke2fs variants, images from seed trees, debugfs edits. Sourced by
# tests/lib/lib.sh.

# Variants: name -> mke2fs arguments.
f4_variant_args() {
	case $1 in
	ext2) echo "-t ext2 -b 4096 -I 256" ;;
	ext2-128) echo "-t ext2 -b 1024 -I 128" ;;
	ext3) echo "-t ext3 -b 4096 -I 256" ;;
	ext4-1k) echo "-t ext4 -b 1024 -I 256" ;;
	ext4-2k) echo "-t ext4 -b 2048 -I 256" ;;
	ext4-4k) echo "-t ext4 -b 4096 -I 256" ;;
	inline) echo "-t ext4 -b 4096 -I 256 -O inline_data" ;;
	bigalloc) echo "-t ext4 -b 4096 -I 256 -O bigalloc -C 16384" ;;
	nocsum) echo "-t ext4 -b 4096 -I 256 -O ^metadata_csum,^64bit" ;;
	ea_inode) echo "-t ext4 -b 4096 -I 256 -O ea_inode" ;;
	*) f4_die "unknown variant $1" ;;
	esac
}

f4_variant_blocksize() {
	local a
	a=$(f4_variant_args "$1")
	a=${a#*-b }
	echo "${a%% *}"
}

f4_variant_extents() {
	case $1 in ext2 | ext2-128 | ext3) return 1 ;; *) return 0 ;; esac
}

# debugfs -R CMD on IMAGE, output only (debugfs's banner goes to stderr).
f4_debugfs() { debugfs -R "$2" "$1" 2>/dev/null; }

# Run the debugfs commands in file $2 against image $1, read-write; any
# error message fails the build.
f4_debugfs_script() {
	local img=$1 script=$2 out
	out=$(debugfs -w -f "$script" "$img" 2>&1 >/dev/null |
		grep -v '^debugfs [0-9]' | grep -v '^debugfs: ' | grep -v '^Allocated inode')
	[ -z "$out" ] || {
		f4_log "debugfs -f $script reported:"
		printf '%s\n' "$out" | head -20 | sed 's/^/    /'
		return 1
	}
}

# i_flags of PATH in IMAGE, as a number.
f4_inode_flags() {
	local f
	f=$(f4_debugfs "$1" "stat \"$2\"" | sed -n 's/.*Flags: \(0x[0-9a-f]*\).*/\1/p' | head -n1)
	echo $((${f:-0}))
}

# f4_image_build VARIANT SEED IMAGE: mke2fs -d SEED with the variant's
# options, debugfs fix-ups for what mke2fs -d does not copy, the
# variant's image-only additions, then e2fsck -fyD (indexes directories)
# and e2fsck -fn (must be clean). Dies on any failure.
f4_image_build() {
	local v=$1 seed=$2 img=$3 bs args fix=()
	bs=$(f4_variant_blocksize "$v")
	args=$(f4_variant_args "$v")
	rm -f "$img"
	# shellcheck disable=SC2086
	mke2fs -q -F $args -L "f4-$v" -d "$seed" "$img" 256M >"$img.mkfs.log" 2>&1 ||
		{ cat "$img.mkfs.log"; f4_die "mke2fs $args -d $seed failed"; }
	[ "$v" = ext2-128 ] && fix=(-s)
	"$F4_SEEDTOOL" fixups "${fix[@]}" "$seed" >"$img.fixups" ||
		f4_die "seedtool fixups failed"
	# mke2fs -d copies hard links of files and FIFOs, not of symlinks.
	cat >>"$img.fixups" <<-EOF
		rm /tree/hard/sym2
		ln /tree/hard/sym1 /tree/hard/sym2
		sif /tree/hard/sym1 links_count 2
	EOF
	f4_debugfs_script "$img" "$img.fixups" || f4_die "debugfs fix-ups failed on $img"
	if f4_variant_extents "$v"; then
		f4_image_add_unwritten "$img" "$bs" || f4_die "adding unwritten extents failed"
	fi
	if [ "$v" = inline ]; then
		f4_image_uninline_empty "$img" /tree/sparse/all-hole ||
			f4_die "converting all-hole to an extent file failed"
	fi
	if [ "$v" = ea_inode ]; then
		f4_image_add_ea_inode "$img" || f4_die "adding an EA-inode xattr failed"
	fi
	e2fsck -fyD "$img" >"$img.fsck-D.log" 2>&1
	[ $? -le 1 ] || { cat "$img.fsck-D.log"; f4_die "e2fsck -fyD $img failed"; }
	f4_fsck_clean "$img" || f4_die "$img is not clean after building it"
}

# e2fsck -fn IMAGE must find nothing to fix (the oracle after any test
# that writes); shows e2fsck's output when it does. Output kept in
# IMAGE.fsck.log.
f4_fsck_clean() {
	e2fsck -fn "$1" >"$1.fsck.log" 2>&1 && return 0
	f4_log "e2fsck -fn $1 (exit $?):"
	head -n 40 "$1.fsck.log" | sed 's/^/    /'
	return 1
}

# f4_check_fsck IMAGE LABEL: f4_fsck_clean as a check that passes or fails.
f4_check_fsck() {
	if f4_fsck_clean "$1"; then
		f4_pass "$2: e2fsck -fn is clean"
	else
		f4_fail "$2: e2fsck -fn found problems"
	fi
}

# Files with unwritten extents in /imgonly (block numbers are multiples
# of 4 so that they stay cluster-aligned on bigalloc with 16 KiB
# clusters): in the middle, past EOF, between written data, everywhere.
f4_image_add_unwritten() {
	local img=$1 bs=$2 d
	d=$(dirname "$img")
	"$F4_SEEDTOOL" pattern $((4 * bs)) 31 >"$d/pat4"
	"$F4_SEEDTOOL" pattern $((16 * bs)) 32 >"$d/pat16"
	cat >"$img.unwritten" <<-EOF
		write $d/pat4 /imgonly/unwritten-mid
		fallocate /imgonly/unwritten-mid 8 15
		sif /imgonly/unwritten-mid size $((24 * bs))
		write $d/pat4 /imgonly/unwritten-past-eof
		fallocate /imgonly/unwritten-past-eof 4 11
		write $d/pat16 /imgonly/unwritten-between
		punch /imgonly/unwritten-between 4 11
		fallocate /imgonly/unwritten-between 4 11
		write $d/pat4 /imgonly/unwritten-all
		punch /imgonly/unwritten-all 0 3
		fallocate /imgonly/unwritten-all 0 7
		sif /imgonly/unwritten-all size $((8 * bs))
		sif /imgonly/unwritten-mid mtime @1500000000
		sif /imgonly/unwritten-past-eof mtime @1500000000
		sif /imgonly/unwritten-between mtime @1500000000
		sif /imgonly/unwritten-all mtime @1500000000
	EOF
	f4_debugfs_script "$img" "$img.unwritten"
}

# Undo two quirks of mke2fs -d (1.47.0) with inline_data. A file without
# data becomes an inline file, even a 10 MiB one; the kernel never makes
# those (and its SEEK_DATA fails on them with ENOENT past the inline
# part), so turn PATH back into an extent-mapped file without extents: a
# plain sparse file. And a file starting with a hole gets a zero block
# at 0 (from converting the empty inline part): punch it.
f4_image_uninline_empty() {
	local img=$1 p=$2 i
	{
		echo "punch /tree/sparse/hole-start 0 0"
		echo "ea_rm $p system.data"
		echo "sif $p flags 0x80000"
		echo "sif $p block[0] 0xF30A"	# extent header: magic, 0 entries
		echo "sif $p block[1] 4"		# max 4 entries, depth 0
		for i in 2 3 4 5 6 7 8 9 10 11 IND DIND TIND; do
			echo "sif $p block[$i] 0"
		done
	} >"$img.uninline"
	f4_debugfs_script "$img" "$img.uninline"
}

# Values in EA inodes: user.big, 60000 bytes (a 15-block EA inode),
# set through a kernel loop mount because debugfs's ea_set -f reads at
# most one block; and user.block, 4096 bytes (does not fit the xattr
# block with its header, so a one-block EA inode), set with debugfs. (The
# seed lives on the host's filesystem, which may not take values that
# large, so they go to the image only.)
f4_image_add_ea_inode() {
	local img=$1 d m
	d=$(dirname "$img")
	m=$d/mnt-ea-build
	"$F4_SEEDTOOL" pattern 60000 41 >"$d/ea-big.value"
	"$F4_SEEDTOOL" pattern 4096 42 >"$d/ea-block.value"
	: >"$d/empty0"
	mkdir -p "$m"
	mount -t ext4 -o loop "$img" "$m" || return 1
	f4_at_exit "f4_umount_kernel '$m'"
	: >"$m/imgonly/ea-big" &&
		setfattr -n user.big -v "0s$(base64 -w0 "$d/ea-big.value")" "$m/imgonly/ea-big" &&
		setfattr -n user.small -v tiny "$m/imgonly/ea-big" &&
		touch -d @1500000000 "$m/imgonly/ea-big"
	local rc=$?
	f4_umount_kernel "$m" || return 1
	[ $rc -eq 0 ] || return $rc
	cat >"$img.ea" <<-EOF
		ea_set -f $d/ea-block.value /imgonly/ea-big user.block
	EOF
	f4_debugfs_script "$img" "$img.ea"
}
