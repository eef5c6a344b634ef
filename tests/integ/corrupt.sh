#!/bin/bash
# corrupt: damaged images through real FUSE mounts. Each case takes a
# clean base image (ext4 4k with metadata_csum, ext4 1k without, ext3 with
# block maps and a journal, inline_data, ea_inode) and damages it
# deterministically: targeted field edits (debugfs set_super_value,
# set_inode_field, set_bg, and direct byte edits with dd) in the
# superblock, group descriptors, bitmaps, inode tables, extent tree nodes,
# block maps, directory blocks and htree roots, inline data, xattr blocks
# and EA inodes, symlinks, the journal and the orphan list; and bit flips
# at seeded offsets of the metadata. Every image is mounted read-only
# (a subset also read-write) with ./fuse4fs and walked (stat, read,
# readlink, xattrs, flags) under `timeout 60`. Checks:
#   - fuse4fs either refuses with one line "fuse4fs: ..." and exit status
#     1, or mounts;
#   - a mounted server never crashes (it is still alive at unmount, and
#     exits 0 after it) and never hangs (the walk finishes in 60 s);
#   - read-write: the image sits inside a larger file between guard bytes
#     (-o offset=); after writing files and unmounting, the guard bytes
#     before and after the filesystem are unchanged.
# Cases on images whose journal needs recovery (jnl-*) also state the
# outcome they expect (expect): a refusal naming -o ro,norecovery that
# leaves the image file byte for byte as it was, or a mount (with the
# filesystem marked as having errors, when said).
# F4_CORRUPT_ONLY=REGEX runs only the matching cases.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_require_root
f4_require_fuse
f4_require_e2fsprogs
f4_require_cmds getfattr setfattr timeout sha256sum dd od
f4_require_built "$F4_SEEDTOOL"
F4_FZIMG=$F4_TOP_BUILDDIR/tests/fuzz/fzimg
f4_require_built "$F4_FZIMG"
f4_init

w=$F4_WORK
export E2FSPROGS_FAKE_TIME=1600000000
GUARD=1048576
WALK_SECS=60
declare -A BASE_BS=()
NCASES=0 NREFUSED=0 NMOUNTED=0 NRW=0

# ===== base images ===========================================================

seed_tree() {
	local d=$1 i
	f4_small_seed "$d"
	(
		set -e
		cd "$d"
		mkdir big
		for ((i = 0; i < 400; i++)); do : >"big/file-with-a-longish-name-$i"; done
		ln -s "$(printf 'long/%.0s' $(seq 1 30))target" sym-slow
		printf 'xattrs\n' >x
		setfattr -n user.small -v tiny x
		setfattr -n user.block -v "$("$F4_SEEDTOOL" pattern -t 600 9 | tr '\n' .)" x
		setfattr -n user.dir -v d sub
		"$F4_SEEDTOOL" pattern 40K 3 >frag
		"$F4_SEEDTOOL" pattern 32K 4 >frag4
	) || f4_die "building the seed tree failed"
}

dbg() {		# dbg IMAGE COMMAND... (read-write; errors are fatal)
	local img=$1 out
	shift
	out=$(printf '%s\n' "$@" | debugfs -w -f - "$img" 2>&1 >/dev/null |
		grep -v '^debugfs [0-9]' | grep -v '^debugfs: ')
	[ -z "$out" ] || { f4_log "debugfs on $img: $out"; return 1; }
}

# Punch every other block of PATH (BLOCKS long): one extent per block.
fragment() {
	local img=$1 p=$2 n=$3 b cmds=()
	for ((b = 1; b < n; b += 2)); do cmds+=("punch $p $b $b"); done
	dbg "$img" "${cmds[@]}"
}

build_base() {	# build_base NAME SIZE mke2fs-args...
	local name=$1 size=$2 img=$w/base-$1.img
	shift 2
	rm -f "$img"
	mke2fs -q -F -U 4f5a4653-636f-7272-7570-740000000001 \
		-E hash_seed=4f5a4653-6861-7368-0000-000000000002 \
		"$@" -d "$w/seed" "$img" "$size" >"$img.log" 2>&1 ||
		{ cat "$img.log"; f4_die "mke2fs $* failed"; }
	BASE_BS[$name]=$(dumpe2fs -h "$img" 2>/dev/null | sed -n 's/^Block size: *//p')
	case $name in
	ext4 | ext4-1k)
		# frag: an extent tree with index nodes (two levels deeper on
		# ext4-1k); frag4: four extents in the inode; unwritten extents
		fragment "$img" /frag $((40960 / BASE_BS[$name]))
		fragment "$img" /frag4 7
		dbg "$img" "write /dev/null prealloc" "fallocate /prealloc 0 7"
		[ "$name" = ext4-1k ] && dbg "$img" "eo /frag" "root" "split" "root" "split" "ec"
		;;
	ea)
		"$F4_SEEDTOOL" pattern 4096 5 >"$w/ea.value"
		dbg "$img" "ea_set -f $w/ea.value /x user.eainode"
		;;
	esac
	e2fsck -fyD "$img" >"$img.fsck" 2>&1
	[ $? -le 1 ] || { cat "$img.fsck"; f4_die "e2fsck -fyD of base $name failed"; }
	f4_fsck_clean "$img" || f4_die "base $name is not clean"
}

# ===== where things are ========================================================

# Byte offset of inode INO's on-disk copy.
inode_off() {
	local img=$1 ino=$2 out blk off
	out=$(f4_debugfs "$img" "imap <$ino>")
	blk=$(printf '%s\n' "$out" | sed -n 's/.*located at block \([0-9]*\), offset \(0x[0-9a-f]*\).*/\1/p')
	off=$(printf '%s\n' "$out" | sed -n 's/.*located at block \([0-9]*\), offset \(0x[0-9a-f]*\).*/\2/p')
	[ -n "$blk" ] || f4_die "imap <$ino> failed on $img"
	echo $((blk * $(bs_of "$img") + off))
}

bs_of() { dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Block size: *//p'; }
ino_of() { f4_debugfs "$1" "stat $2" | sed -n 's/^Inode: \([0-9]*\).*/\1/p' | head -n1; }
# Physical block of logical block LBLK of PATH.
pblk_of() { f4_debugfs "$1" "bmap $2 ${3:-0}" | tr -dc '0-9'; }
# The first extent tree node below the inode (an index or leaf block).
ext_node_of() {
	f4_debugfs "$1" "ex $2" | awk '$1 ~ /^0\// && NF >= 6 { print $(NF - 1); exit }' |
		tr -dc '0-9'
}
# A leaf block of the extent tree of PATH (the last level's parent entry).
ext_leaf_of() {
	f4_debugfs "$1" "ex $2" | awk '$1 ~ /^[0-9]+\/$/ { l = $1; sub("/", "", l); if (l + 1 == $2) { print $(NF - 1); exit } }' |
		tr -dc '0-9'
}
xattr_blk_of() { f4_debugfs "$1" "stat $2" | sed -n 's/.*File ACL: \([0-9]*\).*/\1/p' | head -n1; }
itable_of() { dumpe2fs "$1" 2>/dev/null | sed -n 's/.*Inode table at \([0-9]*\)-.*/\1/p' | head -n1; }
bbitmap_of() { dumpe2fs "$1" 2>/dev/null | sed -n 's/.*Block bitmap at \([0-9]*\).*/\1/p' | head -n1; }
ibitmap_of() { dumpe2fs "$1" 2>/dev/null | sed -n 's/.*Inode bitmap at \([0-9]*\).*/\1/p' | head -n1; }

# poke IMAGE OFFSET HEXBYTES: write raw bytes (no checksum fixed).
poke() {
	local img=$1 off=$2 hex=$3 esc="" i
	for ((i = 0; i < ${#hex}; i += 2)); do esc="$esc\\x${hex:i:2}"; done
	# shellcheck disable=SC2059
	printf "$esc" | dd of="$img" bs=1 seek="$off" conv=notrunc status=none ||
		f4_die "poke $img $off failed"
}
# fill IMAGE OFFSET LEN BYTE
fill() {
	head -c "$3" /dev/zero | tr '\0' "\\$(printf '%03o' "$4")" |
		dd of="$1" bs=1 seek="$2" conv=notrunc status=none
}
le16() { printf '%02x%02x' $(($1 & 255)) $((($1 >> 8) & 255)); }
le32() { printf '%02x%02x%02x%02x' $(($1 & 255)) $((($1 >> 8) & 255)) $((($1 >> 16) & 255)) $((($1 >> 24) & 255)); }

# ===== the cases ================================================================
# Each: "NAME BASE MODES" (MODES: ro, or ro+rw); damage_NAME IMAGE edits it.

CASES=()
case_add() { CASES+=("$*"); }

# -- superblock
case_add sb-magic ext4 ro
damage_sb-magic() { poke "$1" $((1024 + 56)) 0000; }
case_add sb-log-block-size ext4 ro
damage_sb-log-block-size() { dbg "$1" "ssv log_block_size 9"; }
case_add sb-blocks-count-huge ext4 ro
damage_sb-blocks-count-huge() { dbg "$1" "ssv blocks_count 0x7fffffff"; }
case_add sb-blocks-count-small ext4-1k ro+rw
damage_sb-blocks-count-small() { dbg "$1" "ssv blocks_count 300"; }
case_add sb-inodes-count ext4 ro
damage_sb-inodes-count() { dbg "$1" "ssv inodes_count 7"; }
case_add sb-inodes-per-group ext4-1k ro
damage_sb-inodes-per-group() { dbg "$1" "ssv inodes_per_group 0"; }
case_add sb-blocks-per-group ext4-1k ro
damage_sb-blocks-per-group() { dbg "$1" "ssv blocks_per_group 3"; }
case_add sb-first-ino ext4 ro+rw
damage_sb-first-ino() { dbg "$1" "ssv first_ino 1"; }
case_add sb-first-ino-huge ext4 ro
damage_sb-first-ino-huge() { dbg "$1" "ssv first_ino 4000000000"; }
case_add sb-inode-size ext4 ro
damage_sb-inode-size() { dbg "$1" "ssv inode_size 4096"; }
case_add sb-inode-size-odd ext4-1k ro
damage_sb-inode-size-odd() { dbg "$1" "ssv inode_size 200"; }
case_add sb-rev-level ext4 ro
damage_sb-rev-level() { dbg "$1" "ssv rev_level 9"; }
case_add sb-first-data-block ext4-1k ro
damage_sb-first-data-block() { dbg "$1" "ssv first_data_block 7"; }
case_add sb-incompat-unknown ext4 ro
damage_sb-incompat-unknown() { dbg "$1" "ssv feature_incompat 0x800002c2"; }
case_add sb-rocompat-unknown ext4 ro+rw
damage_sb-rocompat-unknown() { dbg "$1" "ssv feature_ro_compat 0x80000473"; }
case_add sb-desc-size ext4 ro
damage_sb-desc-size() { dbg "$1" "ssv desc_size 1000"; }
case_add sb-reserved-gdt ext4-1k ro
damage_sb-reserved-gdt() { dbg "$1" "ssv reserved_gdt_blocks 60000"; }
case_add sb-csum-stale ext4 ro
damage_sb-csum-stale() { poke "$1" $((1024 + 120)) 4142; }	# volume name, old checksum
case_add sb-state-error ext4 ro+rw
damage_sb-state-error() { dbg "$1" "ssv state 2" "ssv errors 2"; }
case_add sb-mmp-bad ext4 ro+rw
damage_sb-mmp-bad() { dbg "$1" "ssv feature_incompat 0x2c2" "ssv mmp_block 99999999" "ssv mmp_interval 5"; }
case_add sb-journal-inum ext3 ro
damage_sb-journal-inum() { dbg "$1" "ssv journal_inum 99999"; }
case_add sb-log-groups-per-flex ext4 ro
damage_sb-log-groups-per-flex() { dbg "$1" "ssv log_groups_per_flex 40"; }
case_add sb-hash-unsigned ext4-1k ro+rw
damage_sb-hash-unsigned() { dbg "$1" "ssv flags 3"; poke "$1" $((1024 + 252)) 09; }

# -- group descriptors
case_add gd-block-bitmap-out ext4 ro
damage_gd-block-bitmap-out() { dbg "$1" "set_bg 0 block_bitmap 99999999"; }
case_add gd-inode-table-overlap ext4-1k ro
damage_gd-inode-table-overlap() { dbg "$1" "set_bg 0 inode_table $(bbitmap_of "$1")"; }
case_add gd-inode-table-sb ext3 ro
damage_gd-inode-table-sb() { dbg "$1" "set_bg 0 inode_table 1"; }
case_add gd-free-counts ext4-1k ro+rw
damage_gd-free-counts() { dbg "$1" "set_bg 0 free_blocks_count 65535" "set_bg 0 free_inodes_count 0"; }
case_add gd-uninit-flags ext4 ro+rw
damage_gd-uninit-flags() { dbg "$1" "set_bg 0 flags 7"; }
case_add gd-itable-unused ext4 ro+rw
damage_gd-itable-unused() { dbg "$1" "set_bg 0 itable_unused 60000"; }
case_add gd-checksum ext4 ro
damage_gd-checksum() { dbg "$1" "set_bg 0 checksum 0x1234"; }

# -- bitmaps (rw: the allocator trusts them)
case_add bitmap-blocks-free ext4-1k ro+rw
damage_bitmap-blocks-free() { fill "$1" $(($(bbitmap_of "$1") * 1024)) 1024 0; }
case_add bitmap-blocks-full ext3 ro+rw
damage_bitmap-blocks-full() { fill "$1" $(($(bbitmap_of "$1") * 1024)) 1024 255; }
case_add bitmap-inodes-free ext4-1k ro+rw
damage_bitmap-inodes-free() { fill "$1" $(($(ibitmap_of "$1") * 1024)) 1024 0; }
case_add bitmap-csum-stale ext4 ro+rw
damage_bitmap-csum-stale() { poke "$1" $(($(bbitmap_of "$1") * 4096 + 100)) ff; }

# -- inodes
case_add root-not-dir ext4 ro+rw
damage_root-not-dir() { dbg "$1" "sif <2> mode 0100644"; }
case_add root-size-huge ext4-1k ro+rw
damage_root-size-huge() { dbg "$1" "sif <2> size 0x7fffffffffff"; }
case_add root-links-zero ext4 ro+rw
damage_root-links-zero() { dbg "$1" "sif <2> links_count 0"; }
case_add root-inline-flag ext4 ro+rw
damage_root-inline-flag() { dbg "$1" "sif <2> flags 0x10080000"; }
case_add inode-mode-garbage ext4 ro+rw
damage_inode-mode-garbage() { dbg "$1" "sif /hello mode 0170777" "sif /sub/data mode 0"; }
case_add inode-size-huge ext4 ro+rw
damage_inode-size-huge() { dbg "$1" "sif /sub/data size 0xffffffffffffff00" "sif /frag size 0x7fffffffffffffff"; }
case_add inode-csum-stale ext4 ro+rw
damage_inode-csum-stale() { poke "$1" $(($(inode_off "$1" "$(ino_of "$1" /hello)") + 8)) 01; }
case_add inode-extra-isize ext4 ro+rw
damage_inode-extra-isize() { dbg "$1" "sif /x extra_isize 200" "sif /hello extra_isize 3"; }
case_add inode-blocks-lie ext4-1k ro+rw
damage_inode-blocks-lie() { dbg "$1" "sif /frag blocks 2" "sif /sub/data blocks 0"; }
case_add inode-flags-all ext4 ro+rw
damage_inode-flags-all() { dbg "$1" "sif /sub/data flags 0xffffffff" "sif /sub flags 0x7fffffff"; }
case_add inode-table-flips ext4-1k ro+rw
damage_inode-table-flips() { local t; t=$(itable_of "$1"); "$F4_FZIMG" flip "$1" 11 300 $((t * 1024)) $(((t + 64) * 1024)) >/dev/null; }

# -- extent trees (ext4: with checksums; ext4-1k: without, so the
#    parser itself meets the damage)
ext_root_off() { echo $(($(inode_off "$1" "$(ino_of "$1" "$2")") + 40)); }
case_add ext-root-magic ext4-1k ro+rw
damage_ext-root-magic() { poke "$1" "$(ext_root_off "$1" /sub/data)" 0000; }
case_add ext-root-depth ext4-1k ro+rw
damage_ext-root-depth() { poke "$1" $(($(ext_root_off "$1" /frag) + 6)) 0600; }
case_add ext-root-entries ext4-1k ro+rw
damage_ext-root-entries() { poke "$1" $(($(ext_root_off "$1" /frag4) + 2)) 0900; }
case_add ext-root-out-of-range ext4-1k ro+rw
damage_ext-root-out-of-range() { poke "$1" $(($(ext_root_off "$1" /frag4) + 20)) "$(le32 0x7ffffff0)"; }
case_add ext-root-overlap ext4-1k ro+rw
damage_ext-root-overlap() { poke "$1" $(($(ext_root_off "$1" /frag4) + 24)) 00000000; }
case_add ext-root-len-zero ext4-1k ro+rw
damage_ext-root-len-zero() { poke "$1" $(($(ext_root_off "$1" /frag4) + 16)) 0000; }
case_add ext-root-sb ext4-1k ro+rw
damage_ext-root-sb() { poke "$1" $(($(ext_root_off "$1" /frag4) + 20)) "$(le32 1)"; }
case_add ext-node-magic ext4-1k ro+rw
damage_ext-node-magic() { poke "$1" $(($(ext_leaf_of "$1" /frag) * 1024)) 0000; }
case_add ext-node-entries ext4-1k ro+rw
damage_ext-node-entries() { poke "$1" $(($(ext_leaf_of "$1" /frag) * 1024 + 2)) ffff; }
case_add ext-node-depth ext4-1k ro+rw
damage_ext-node-depth() { poke "$1" $(($(ext_node_of "$1" /frag) * 1024 + 6)) 0000; }
case_add ext-node-self-loop ext4-1k ro+rw
damage_ext-node-self-loop() {
	local n; n=$(ext_node_of "$1" /frag)
	poke "$1" $((n * 1024 + 12 + 4)) "$(le32 "$n")"
}
case_add ext-node-to-root-ind ext4-1k ro+rw
damage_ext-node-to-root-ind() {	# a leaf pointing back up: the index node
	local n l; n=$(ext_node_of "$1" /frag); l=$(ext_leaf_of "$1" /frag)
	poke "$1" $((l * 1024 + 12 + 8)) "$(le32 "$n")"
}
case_add ext-node-unordered ext4-1k ro+rw
damage_ext-node-unordered() { poke "$1" $(($(ext_leaf_of "$1" /frag) * 1024 + 12 + 12)) "$(le32 0)"; }
case_add ext-node-csum ext4 ro+rw
damage_ext-node-csum() { poke "$1" $(($(ext_node_of "$1" /frag) * 4096 + 12 + 2)) 7f; }
case_add ext-unwritten-past-eof ext4-1k ro+rw
damage_ext-unwritten-past-eof() { dbg "$1" "sif /prealloc size 1"; }

# -- block maps (ext3)
case_add bmap-ind-out-of-range ext3 ro+rw
damage_bmap-ind-out-of-range() { dbg "$1" "sif /sub/data block[IND] 99999999"; }
case_add bmap-ind-itable ext3 ro+rw
damage_bmap-ind-itable() { dbg "$1" "sif /sub/data block[IND] $(itable_of "$1")"; }
case_add bmap-dind-self ext3 ro+rw
damage_bmap-dind-self() {
	local ind; ind=$(f4_debugfs "$1" "stat /sub/data" | sed -n 's/.*(IND):\([0-9]*\).*/\1/p' | head -n1)
	dbg "$1" "sif /sub/data block[DIND] $ind" "sif /sub/data size 0x7fffffff"
}
case_add bmap-tind-loop ext3 ro+rw
damage_bmap-tind-loop() {	# an indirect block full of pointers to itself
	local ind i hex=""
	ind=$(f4_debugfs "$1" "stat /sub/data" | sed -n 's/.*(IND):\([0-9]*\).*/\1/p' | head -n1)
	for ((i = 0; i < 256; i++)); do hex=$hex$(le32 "$ind"); done
	poke "$1" $((ind * 1024)) "$hex"
	dbg "$1" "sif /sub/data block[TIND] $ind" "sif /sub/data size 0x3fffffffff"
}
case_add bmap-data-sb ext3 ro+rw
damage_bmap-data-sb() { dbg "$1" "sif /hello block[0] 1" "sif /sub/data block[3] 0"; }

# -- directories
dirblk_off() { echo $(($(pblk_of "$1" "$2" 0) * $(bs_of "$1"))); }
case_add dir-rec-len-zero ext4-1k ro+rw
damage_dir-rec-len-zero() { poke "$1" $(($(dirblk_off "$1" /sub) + 24 + 4)) 0000; }
case_add dir-rec-len-big ext4-1k ro+rw
damage_dir-rec-len-big() { poke "$1" $(($(dirblk_off "$1" /sub) + 24 + 4)) ff7f; }
case_add dir-name-len-big ext4-1k ro+rw
damage_dir-name-len-big() { poke "$1" $(($(dirblk_off "$1" /sub) + 24 + 6)) ff; }
case_add dir-inode-huge ext4-1k ro+rw
damage_dir-inode-huge() { poke "$1" $(($(dirblk_off "$1" /sub) + 24)) ffffffff; }
case_add dir-inode-reserved ext4-1k ro+rw
damage_dir-inode-reserved() { poke "$1" $(($(dirblk_off "$1" /sub) + 24)) "$(le32 7)"; }
case_add dir-slash-nul-names ext4-1k ro+rw
damage_dir-slash-nul-names() {
	local o; o=$(dirblk_off "$1" /sub)
	poke "$1" $((o + 24 + 8)) 2f; poke "$1" $((o + 24 + 8 + 2)) 00
}
case_add dir-dotdot-file ext4-1k ro+rw
damage_dir-dotdot-file() { poke "$1" $(($(dirblk_off "$1" /sub) + 12)) "$(le32 "$(ino_of "$1" /hello)")"; }
case_add dir-cycle ext4-1k ro+rw
damage_dir-cycle() { poke "$1" $(($(dirblk_off "$1" /sub/deeper) + 24)) "$(le32 2)"; }
case_add dir-csum-stale ext4 ro+rw
damage_dir-csum-stale() { poke "$1" $(($(dirblk_off "$1" /sub) + 24 + 8)) 5a; }
case_add dir-flips ext4-1k ro+rw
damage_dir-flips() { local o; o=$(dirblk_off "$1" /sub); "$F4_FZIMG" flip "$1" 12 40 "$o" $((o + 1024)) >/dev/null; }

# -- htree (the 400-entry directory big/)
dx_off() { dirblk_off "$1" /big; }
case_add htree-levels ext4-1k ro+rw
damage_htree-levels() { poke "$1" $(($(dx_off "$1") + 0x1e)) 05; }
case_add htree-hash-version ext4-1k ro+rw
damage_htree-hash-version() { poke "$1" $(($(dx_off "$1") + 0x1c)) 09; }
case_add htree-count ext4-1k ro+rw
damage_htree-count() { poke "$1" $(($(dx_off "$1") + 0x22)) ffff; }
case_add htree-limit ext4-1k ro+rw
damage_htree-limit() { poke "$1" $(($(dx_off "$1") + 0x20)) 0100; }
case_add htree-leaf-beyond ext4-1k ro+rw
damage_htree-leaf-beyond() { poke "$1" $(($(dx_off "$1") + 0x24)) "$(le32 99999)"; }
case_add htree-leaf-root ext4-1k ro+rw
damage_htree-leaf-root() { poke "$1" $(($(dx_off "$1") + 0x24)) 00000000; poke "$1" $(($(dx_off "$1") + 0x2c)) 00000000; }
case_add htree-csum ext4 ro+rw
damage_htree-csum() { poke "$1" $(($(dx_off "$1") + 0x2a)) 77; }
case_add htree-flag-on-plain-dir ext4-1k ro+rw
damage_htree-flag-on-plain-dir() { dbg "$1" "sif /sub flags 0x81000"; }

# -- inline data
case_add inline-size-big inline ro+rw
damage_inline-size-big() { dbg "$1" "sif /hello size 100000" "sif /sub/link size 3000"; }
case_add inline-dir-garbage inline ro+rw
damage_inline-dir-garbage() { dbg "$1" "sif /sub/deeper block[2] 0xffff0003" "sif /sub block[1] 0x00000000"; }
case_add inline-flag-on-extent-file inline ro+rw
damage_inline-flag-on-extent-file() { dbg "$1" "sif /sub/data flags 0x10000000"; }
case_add inline-no-system-data inline ro+rw
damage_inline-no-system-data() { dbg "$1" "ea_rm /sub system.data" "sif /sub size 400"; }

# -- xattrs
case_add xattr-block-magic ext4-1k ro+rw
damage_xattr-block-magic() { poke "$1" $(($(xattr_blk_of "$1" /x) * 1024)) 00000000; }
case_add xattr-block-value-offs ext4-1k ro+rw
damage_xattr-block-value-offs() { poke "$1" $(($(xattr_blk_of "$1" /x) * 1024 + 32 + 2)) fff0; }
case_add xattr-block-value-size ext4-1k ro+rw
damage_xattr-block-value-size() { poke "$1" $(($(xattr_blk_of "$1" /x) * 1024 + 32 + 8)) ffffff7f; }
case_add xattr-block-name-len ext4-1k ro+rw
damage_xattr-block-name-len() { poke "$1" $(($(xattr_blk_of "$1" /x) * 1024 + 32)) 00; }
case_add xattr-block-refcount ext4-1k ro+rw
damage_xattr-block-refcount() { poke "$1" $(($(xattr_blk_of "$1" /x) * 1024 + 4)) 00000000; }
case_add xattr-block-out-of-range ext4 ro+rw
damage_xattr-block-out-of-range() { dbg "$1" "sif /x file_acl 99999999"; }
case_add xattr-block-is-itable ext4-1k ro+rw
damage_xattr-block-is-itable() { dbg "$1" "sif /x file_acl $(itable_of "$1")"; }
case_add xattr-in-inode-garbage ext4-1k ro+rw
damage_xattr-in-inode-garbage() {
	local o; o=$(inode_off "$1" "$(ino_of "$1" /x)")
	"$F4_FZIMG" flip "$1" 13 30 $((o + 160)) $((o + 256)) >/dev/null
}
case_add xattr-block-flips ext4-1k ro+rw
damage_xattr-block-flips() { local b; b=$(xattr_blk_of "$1" /x); "$F4_FZIMG" flip "$1" 14 40 $((b * 1024)) $((b * 1024 + 1024)) >/dev/null; }
ea_inode_of() {	# the inode holding user.eainode's value
	local i
	for i in $(seq 12 1024); do echo "stat <$i>"; done | debugfs -f - "$1" 2>/dev/null |
		awk '/^Inode: / { ino = $2 } /Flags: 0x2[0-9a-f][0-9a-f][0-9a-f][0-9a-f][0-9a-f]$/ { print ino; exit }'
}
case_add ea-inode-not-ea ea ro+rw
damage_ea-inode-not-ea() { dbg "$1" "sif <$(ea_inode_of "$1")> flags 0x80000"; }
case_add ea-inode-size ea ro+rw
damage_ea-inode-size() { dbg "$1" "sif <$(ea_inode_of "$1")> size 0x7fffffff"; }
case_add ea-inode-freed ea ro+rw
damage_ea-inode-freed() { dbg "$1" "sif <$(ea_inode_of "$1")> links_count 0" "freei <$(ea_inode_of "$1")>"; }
case_add ea-inode-cleared ea ro+rw
damage_ea-inode-cleared() { dbg "$1" "clri <$(ea_inode_of "$1")>" ; }

# -- symlinks
case_add symlink-fast-size ext4 ro+rw
damage_symlink-fast-size() { dbg "$1" "sif /sub/link size 200"; }
case_add symlink-slow-block ext4-1k ro+rw
damage_symlink-slow-block() { poke "$1" $(($(ext_root_off "$1" /sym-slow) + 20)) "$(le32 0x7ffffff0)"; }
case_add symlink-size-zero ext4 ro+rw
damage_symlink-size-zero() { dbg "$1" "sif /sub/link size 0" "sif /sym-slow size 0"; }
case_add symlink-size-block ext3 ro+rw
damage_symlink-size-block() { dbg "$1" "sif /sym-slow size 1024"; }

# -- journal
case_add journal-sb-magic ext3 ro+rw
damage_journal-sb-magic() { poke "$1" $(($(pblk_of "$1" "<8>" 0) * 1024)) 00000000; }
case_add journal-needs-recovery ext3 ro
damage_journal-needs-recovery() { dbg "$1" "feature needs_recovery"; }
case_add journal-flips ext3 ro+rw
damage_journal-flips() { local b; b=$(pblk_of "$1" "<8>" 0); "$F4_FZIMG" flip "$1" 15 64 $((b * 1024)) $((b * 1024 + 1024)) >/dev/null; }

# -- a journal that needs recovery, with transactions (dirty_journal):
#    jnl: no journal checksums; jnlcsum: checksum v3; jnlfc: none, and
#    a fast-commit area of 16 blocks (FAST_COMMIT in the journal, which
#    jbd2 sets when ext4 first mounts; set here by hand). Log: journal block 1 descriptor of tx 1 (blocks
#    7000-7003, data in 2-5), 6 its commit; 7 revoke of 7001 (tx 2), 8
#    commit; 9 descriptor of tx 3 (7010, 7011; data 10-11), 12 commit.
declare -A EXPECT=()
expect() { EXPECT[$1]=$2; }	# expect NAME.MODE refuse|mount|errors[|LOG-REGEX]
jblk_off() { echo $(($(pblk_of "$1" "<8>" "$2") * 1024)); }
jsb_off() { jblk_off "$1" 0; }
be32() { printf '%08x' "$1"; }
dirty_journal() {	# IMAGE JO-COMMAND
	local img=$1 out
	"$F4_SEEDTOOL" pattern 8K 17 >"$w/jdata"
	dbg "$img" "$2" "jw -b 7000-7003 $w/jdata" "jw -r 7001" "jc" \
		"$2" "jw -b 7010,7011 $w/jdata" "jc" || f4_die "writing the journal of $img failed"
	out=$(f4_debugfs "$img" logdump)
	grep -q 'type 5 (revoke table) at block 7$' <<<"$out" &&
		grep -q 'sequence 3, type 2 (commit block) at block 12$' <<<"$out" ||
		f4_die "unexpected journal layout in $img: $out"
}
for m in ro rw; do
	for c in jnl-sb-magic jnl-sb-first jnl-sb-maxlen jnl-sb-start jnl-tag-past-end \
		jnl-tag-journal-sb jnl-tag-journal-log jnl-revoke-storm jnl-data-csum \
		jnl-desc-csum; do
		expect "$c.$m" refuse
	done
	expect "jnl-commit-zeroed.$m" "mount|replayed 2 transactions, 3 blocks"
	expect "jnl-commit-csum.$m" "errors|replayed 2 transactions"
	expect "jnl-fc-garbage.$m" "mount|replayed 3 transactions, 5 blocks"
done
# A head for the next tid, then no valid tail: the kernel fails the
# whole recovery, and so do we, before writing anything.
expect jnl-fc-head.ro "refuse|fast commit"
expect jnl-fc-head.rw "refuse|fast commit"
case_add jnl-sb-magic jnl ro+rw
damage_jnl-sb-magic() { poke "$1" "$(jsb_off "$1")" 00000000; }
case_add jnl-sb-first jnl ro+rw
damage_jnl-sb-first() { poke "$1" $(($(jsb_off "$1") + 0x14)) 00000000; }
case_add jnl-sb-maxlen jnl ro+rw
damage_jnl-sb-maxlen() { poke "$1" $(($(jsb_off "$1") + 0x10)) 7fffffff; }
case_add jnl-sb-start jnl ro+rw
damage_jnl-sb-start() { poke "$1" $(($(jsb_off "$1") + 0x1c)) 7ffffff0; }
case_add jnl-tag-past-end jnl ro+rw	# the first tag of tx 1
damage_jnl-tag-past-end() { poke "$1" $(($(jblk_off "$1" 1) + 12)) "$(be32 8192)"; }
case_add jnl-tag-journal-sb jnl ro+rw	# tx 3 writes the journal superblock
damage_jnl-tag-journal-sb() { poke "$1" $(($(jblk_off "$1" 9) + 12)) "$(be32 $(($(jsb_off "$1") / 1024)))"; }
case_add jnl-tag-journal-log jnl ro
damage_jnl-tag-journal-log() { poke "$1" $(($(jblk_off "$1" 1) + 12)) "$(be32 $(($(jblk_off "$1" 3) / 1024)))"; }
case_add jnl-revoke-storm jnl ro+rw	# r_count far past the block
damage_jnl-revoke-storm() { poke "$1" $(($(jblk_off "$1" 7) + 12)) 7ffffff0; }
case_add jnl-commit-zeroed jnl ro+rw	# tx 3 torn: the log ends before it
damage_jnl-commit-zeroed() { fill "$1" "$(jblk_off "$1" 12)" 1024 0; }
case_add jnl-commit-csum jnlcsum ro+rw	# a byte of tx 3's commit block
damage_jnl-commit-csum() { poke "$1" $(($(jblk_off "$1" 12) + 200)) 5a; }
case_add jnl-data-csum jnlcsum ro+rw	# a byte of tx 1's first data block
damage_jnl-data-csum() { poke "$1" $(($(jblk_off "$1" 2) + 500)) 00; }
case_add jnl-desc-csum jnlcsum ro+rw	# tx 3's descriptor past its tags
damage_jnl-desc-csum() { poke "$1" $(($(jblk_off "$1" 9) + 600)) 5a; }
# the fast-commit area: journal blocks [1025, 1040) of this journal
set_fast_commit() {
	local o; o=$(($(jsb_off "$1") + 0x28))
	poke "$1" "$o" "$(be32 $((0x$(od -A n -t x1 -j "$o" -N 4 "$1" | tr -d ' \n') | 0x20)))"
}
case_add jnl-fc-garbage jnlfc ro+rw
damage_jnl-fc-garbage() {
	local k
	for ((k = 1025; k < 1040; k++)); do
		"$F4_SEEDTOOL" pattern 1K $((k + 23)) |
			dd of="$1" bs=1024 seek=$(($(jblk_off "$1" $k) / 1024)) conv=notrunc status=none
	done
}
case_add jnl-fc-head jnlfc ro+rw	# garbage after a head tag naming tid 4
damage_jnl-fc-head() { damage_jnl-fc-garbage "$1"; poke "$1" "$(jblk_off "$1" 1025)" 0900080000000000"$(le32 4)"; }

# -- orphan list (processed by read-write mounts)
case_add orphan-is-root ext4 ro+rw
damage_orphan-is-root() { dbg "$1" "ssv last_orphan 2"; }
case_add orphan-out-of-range ext4 ro+rw
damage_orphan-out-of-range() { dbg "$1" "ssv last_orphan 4000000000"; }
case_add orphan-loop ext4-1k ro+rw
damage_orphan-loop() {
	local a b; a=$(ino_of "$1" /hello); b=$(ino_of "$1" /frag4)
	dbg "$1" "unlink /hello" "unlink /frag4" "sif <$a> links_count 0" "sif <$b> links_count 0" \
		"sif <$a> dtime $b" "sif <$b> dtime $a" "ssv last_orphan $a"
}
case_add orphan-truncating ext4-1k ro+rw
damage_orphan-truncating() { dbg "$1" "sif /frag size 10" "ssv last_orphan $(ino_of "$1" /frag)"; }
case_add orphan-bad-map ext4-1k ro+rw
damage_orphan-bad-map() {
	local i; i=$(ino_of "$1" /frag)
	dbg "$1" "unlink /frag" "sif <$i> links_count 0" "ssv last_orphan $i"
	poke "$1" $(($(inode_off "$1" "$i") + 40 + 6)) 0400
}
case_add orphan-dir ext4 ro+rw
damage_orphan-dir() { dbg "$1" "ssv last_orphan $(ino_of "$1" /big)"; }

# -- seeded bit flips over the first blocks (group descriptors, bitmaps,
#    inode tables; the superblock is left alone, its checksum would turn
#    most of these into refusals)
for s in 1 2 3; do
	m=$([ "$s" -le 2 ] && echo ro+rw || echo ro)
	case_add "flips-ext4-$s" ext4 "$m"
	eval "damage_flips-ext4-$s() { \"\$F4_FZIMG\" flip \"\$1\" $s 60 4096 \$((40 * 4096)) >/dev/null; }"
	case_add "flips-1k-$s" ext4-1k "$m"
	eval "damage_flips-1k-$s() { \"\$F4_FZIMG\" flip \"\$1\" $((s + 10)) 60 2048 \$((300 * 1024)) >/dev/null; }"
	case_add "flips-ext3-$s" ext3 "$m"
	eval "damage_flips-ext3-$s() { \"\$F4_FZIMG\" flip \"\$1\" $((s + 20)) 60 2048 \$((300 * 1024)) >/dev/null; }"
done
for s in 1 2; do
	case_add "flips-inline-$s" inline ro+rw
	eval "damage_flips-inline-$s() { \"\$F4_FZIMG\" flip \"\$1\" $((s + 30)) 80 4096 \$((40 * 4096)) >/dev/null; }"
	case_add "flips-ea-$s" ea ro+rw
	eval "damage_flips-ea-$s() { \"\$F4_FZIMG\" flip \"\$1\" $((s + 40)) 80 4096 \$((40 * 4096)) >/dev/null; }"
done
# errors=panic: the server stops on the first corruption it detects (a
# clean exit 1, not a crash)
case_add panic-policy ext4-1k ro
damage_panic-policy() { dbg "$1" "ssv errors 3"; damage_ext-root-magic "$1"; }

# ===== running a case ============================================================

# Everything a user could look at, bounded (head -c: a file may claim a
# huge size). Exit status 124/137 means it hung.
walk() {
	timeout -k 5 "$WALK_SECS" bash -c '
		r=$1
		ls -laRi "$r" >/dev/null 2>&1
		find "$r" -xdev -print0 2>/dev/null | xargs -0 -r stat -- >/dev/null 2>&1
		find "$r" -xdev -type f -print0 2>/dev/null |
			xargs -0 -r -n 32 sh -c "for f; do head -c 2M -- \"\$f\"; tail -c 4096 -- \"\$f\"; done" _ >/dev/null 2>&1
		find "$r" -xdev -type l -print0 2>/dev/null | xargs -0 -r readlink -- >/dev/null 2>&1
		getfattr -R -P -d -m - --absolute-names "$r" >/dev/null 2>&1
		lsattr -Ra "$r" >/dev/null 2>&1
		exit 0' _ "$1"
}

# Changes a user might make; each may fail on a damaged filesystem.
scribble() {
	timeout -k 5 "$WALK_SECS" bash -c '
		cd "$1" || exit 0
		mkdir -p new/a/b
		printf "hello\n" >new/small
		"$2" pattern 300K 7 >new/mid
		"$2" pattern 1M 8 >new/big
		printf "more" >>hello
		"$2" pattern 64K 9 | dd of=sub/data bs=4096 seek=3 conv=notrunc status=none
		truncate -s 100 sub/data
		truncate -s 5M frag
		for f in big/file-with-a-longish-name-1 big/new-1 big/new-2 sub/new x/nope; do : >"$f"; done
		rm -f big/file-with-a-longish-name-2 frag4 sub/sparse
		rm -rf sub/deeper
		mv hello hello.moved
		ln -s target new/link
		ln new/small new/hard
		setfattr -n user.new -v value x
		setfattr -n user.big -v "$(head -c 3000 /dev/zero | tr "\0" v)" sub
		setfattr -x user.small x
		fallocate -l 1M new/falloc
		fallocate -p -o 4096 -l 8192 new/mid
		sync
		exit 0' _ "$1" "$F4_SEEDTOOL" >/dev/null 2>&1
}

# The mount either happened, or fuse4fs refused properly. Returns 0 when
# mounted. Sets MOUNT_PID.
mount_or_refuse() {
	local name=$1 img=$2 mnt=$3 out log st
	shift 3
	out=$w/mount-$name.out
	if f4_mount_fuse "$img" "$mnt" "$@" >"$out" 2>&1; then
		MOUNT_PID=${F4_PID[$(f4__canon "$mnt")]}
		NMOUNTED=$((NMOUNTED + 1))
		return 0
	fi
	log=$(f4_daemon_log "$mnt")
	st=$(sed -n 's/.* exited with \([0-9]*\) before mounting:.*/\1/p' "$out" | head -n1)
	NREFUSED=$((NREFUSED + 1))
	if [ -z "$st" ]; then
		f4_fail "$name ($*): no mount and no exit: $(head -c 300 "$out")"
	elif [ "$st" -ne 1 ]; then
		f4_fail "$name ($*): fuse4fs exited with $st (not a clean refusal): $(head -c 600 "$log")"
	elif [ "$(wc -l <"$log")" -ne 1 ] || ! grep -q '^fuse4fs: ' "$log"; then
		f4_fail "$name ($*): refusal is not one 'fuse4fs: ' line:"
		sed 's/^/    /' "$log" | head -5
	else
		f4_log "$name ($*): refused: $(cat "$log")"
	fi
	return 1
}

# After the walk: the server is alive, unmounts, exits 0.
finish_mount() {
	local name=$1 mnt=$2 what=$3 rc
	if ! kill -0 "$MOUNT_PID" 2>/dev/null; then
		f4_fail "$name ($what): fuse4fs died while mounted:"
		sed 's/^/    /' "$(f4_daemon_log "$mnt")" | tail -20
		f4_umount_fuse "$mnt" >/dev/null 2>&1
		return 1
	fi
	f4_umount_fuse "$mnt"
	rc=$?
	if [ $rc -ne 0 ]; then
		f4_fail "$name ($what): fuse4fs exited with status $rc after unmount:"
		sed 's/^/    /' "$(f4_daemon_log "$mnt")" | tail -20
		return 1
	fi
	if grep -qE 'AddressSanitizer|LeakSanitizer|runtime error:' "$(f4_daemon_log "$mnt")"; then
		f4_fail "$name ($what): sanitizer report:"
		grep -A12 -E 'ERROR: |runtime error:' "$(f4_daemon_log "$mnt")" | head -30 | sed 's/^/    /'
		return 1
	fi
	return 0
}

# The outcome a case expects (expect), if it says: a refusal naming
# norecovery that left FILE as it was (FINGERPRINT), or a mount whose log
# matches the regex, and, for "errors", says the filesystem is marked.
check_expect() {	# NAME MODE refused|mounted MNT FILE FINGERPRINT
	local want=${EXPECT[$1.$2]:-} log re
	[ -n "$want" ] || return 0
	re=${want#*|}
	[ "$re" = "$want" ] && re=
	want=${want%%|*}
	log=$(f4_daemon_log "$4")
	case $want/$3 in
	refuse/refused)
		grep -q 'norecovery' "$log" || f4_fail "$1 ($2): the refusal does not name -o ro,norecovery: $(cat "$log")"
		[ "$(sha256sum <"$5")" = "$6" ] || f4_fail "$1 ($2): refused, but the image changed"
		;;
	mount/mounted | errors/mounted)
		[ "$want" = mount ] || grep -q 'marked as having errors' "$log" ||
			f4_fail "$1 ($2): the filesystem is not marked as having errors: $(cat "$log")"
		;;
	*) f4_fail "$1 ($2): expected $want, got $3: $(cat "$log")"; return 0 ;;
	esac
	[ -z "$re" ] || grep -qE "$re" "$log" || f4_fail "$1 ($2): the server's log lacks /$re/: $(cat "$log")"
}

# A read-write mount marked the filesystem (inside the guards) as having
# errors on disk.
check_errors_on_disk() {	# NAME GUARDED SIZE
	local fs=$w/ondisk-$1.img want=${EXPECT[$1.rw]:-}
	[ "${want%%|*}" = errors ] || return 0
	tail -c +$((GUARD + 1)) "$2" | head -c "$3" >"$fs"
	dumpe2fs -h "$fs" 2>/dev/null | grep -q '^Filesystem state:.*with errors' ||
		f4_fail "$1 (rw): the image is not marked as having errors: $(dumpe2fs -h "$fs" 2>/dev/null | grep '^Filesystem state')"
	rm -f "$fs"
}

run_ro() {
	local name=$1 img=$2 mnt=$w/mnt-$1 rc opts=ro fp
	[ "$name" = panic-policy ] && opts=ro,errors=panic
	fp=$(sha256sum <"$img")
	if ! mount_or_refuse "$name" "$img" "$mnt" -o "$opts"; then
		check_expect "$name" ro refused "$mnt" "$img" "$fp"
		return 0
	fi
	check_expect "$name" ro mounted "$mnt"
	walk "$mnt"
	rc=$?
	if [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		f4_fail "$name (ro): walking the mount hung (over ${WALK_SECS}s)"
	fi
	if [ "$name" = panic-policy ]; then
		# The server stopped on purpose; it must say so and exit 1.
		f4_umount_fuse "$mnt" >/dev/null 2>&1
		rc=$?
		grep -q 'errors=panic' "$(f4_daemon_log "$mnt")" && [ $rc -eq 1 ] ||
			f4_fail "$name: expected a stop with exit 1 (got $rc): $(tail -n 3 "$(f4_daemon_log "$mnt")")"
		return 0
	fi
	finish_mount "$name" "$mnt" ro
}

# The image inside a larger file: guard bytes before and after.
run_rw() {
	local name=$1 img=$2 g=$w/guarded-$1.img mnt=$w/mnt-$1-rw size before after rc fp
	size=$(stat -c %s "$img")
	{
		"$F4_SEEDTOOL" pattern "$GUARD" 61
		cat "$img"
		"$F4_SEEDTOOL" pattern "$GUARD" 62
	} >"$g" || f4_die "cannot assemble $g"
	guards() {
		{ head -c "$GUARD" "$g"; tail -c "$GUARD" "$g"; } | sha256sum
		stat -c %s "$g"
	}
	before=$(guards)
	fp=$(sha256sum <"$g")
	NRW=$((NRW + 1))
	if ! mount_or_refuse "$name" "$g" "$mnt" -o "rw,offset=$GUARD"; then
		check_expect "$name" rw refused "$mnt" "$g" "$fp"
	else
		check_expect "$name" rw mounted "$mnt"
		scribble "$mnt"
		rc=$?
		[ $rc -eq 124 ] || [ $rc -eq 137 ] && f4_fail "$name (rw): writing hung (over ${WALK_SECS}s)"
		walk "$mnt"
		rc=$?
		[ $rc -eq 124 ] || [ $rc -eq 137 ] && f4_fail "$name (rw): walking hung (over ${WALK_SECS}s)"
		finish_mount "$name" "$mnt" rw && check_errors_on_disk "$name" "$g" "$size"
	fi
	after=$(guards)
	[ "$before" = "$after" ] ||
		f4_fail "$name (rw): bytes outside the filesystem changed (guard before/after, or the file size)"
	[ "$(stat -c %s "$g")" -eq $((size + 2 * GUARD)) ] || f4_fail "$name (rw): the image file changed size"
	rm -f "$g"
}

run_case() {
	local name=$1 base=$2 modes=$3 img=$w/case-$1.img
	cp "$w/base-$base.img" "$img"
	"damage_$name" "$img" || f4_die "$name: damaging the image failed"
	NCASES=$((NCASES + 1))
	run_ro "$name" "$img"
	[ "$modes" = ro+rw ] && run_rw "$name" "$img"
	rm -f "$img"
	return 0
}

# ===== main ======================================================================

seed_tree "$w/seed"
build_base ext4 8M -t ext4 -b 4096 -I 256 -O ^has_journal
build_base ext4-1k 4M -t ext4 -b 1024 -I 256 -O ^has_journal,^metadata_csum
build_base ext3 8M -t ext3 -b 1024 -I 128
build_base inline 4M -t ext4 -b 4096 -I 256 -O ^has_journal,inline_data
build_base ea 4M -t ext4 -b 4096 -I 256 -O ^has_journal,ea_inode
build_base jnl 8M -t ext4 -b 1024 -I 256 -O ^metadata_csum
dirty_journal "$w/base-jnl.img" jo
build_base jnlcsum 8M -t ext4 -b 1024 -I 256
dirty_journal "$w/base-jnlcsum.img" "jo -c"
build_base jnlfc 8M -t ext4 -b 1024 -I 256 -O fast_commit,^metadata_csum
dirty_journal "$w/base-jnlfc.img" jo
set_fast_commit "$w/base-jnlfc.img"
f4_log "base images built"

for c in "${CASES[@]}"; do
	# shellcheck disable=SC2086
	set -- $c
	[ -n "${F4_CORRUPT_ONLY:-}" ] && ! [[ $1 =~ $F4_CORRUPT_ONLY ]] && continue
	run_case "$@"
done
f4_log "$NCASES damaged images: $NMOUNTED mounts, $NREFUSED refusals, $NRW read-write runs"
f4_finish
