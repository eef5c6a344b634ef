#!/bin/bash
# Seed images for the fuzz targets, built with mke2fs -d, debugfs and
# tests/fuzz/fzimg into OUTDIR/read and OUTDIR/write (64 KiB to 512 KiB
# each). Deterministic: fixed UUIDs, hash seeds and E2FSPROGS_FAKE_TIME.
#
# usage: mkseeds.sh OUTDIR FZIMG
#
# What the seeds cover between them: ext2 and ext3 block maps (single,
# double and triple indirect), ext4 extent trees of depth 1 and 2,
# unwritten extents, sparse files (also past 4 GiB), inline_data files and
# directories, htree directories (one and two levels), xattrs in the inode,
# in a block and in EA inodes, fast and slow symlinks, device nodes, FIFOs,
# hard links, 1k/2k/4k blocks, metadata_csum on and off (and uninit_bg),
# a journal (clean, and one needing recovery), orphan lists (unlinked
# inodes, a truncate in progress, a chain), bigalloc.
set -eu
export LC_ALL=C
export PATH="$PATH:/usr/sbin:/sbin"
export E2FSPROGS_FAKE_TIME=1600000000

out=${1:?usage: mkseeds.sh OUTDIR FZIMG}
fzimg=${2:?usage: mkseeds.sh OUTDIR FZIMG}
for c in mke2fs debugfs e2fsck; do
	command -v "$c" >/dev/null || { echo "mkseeds: needs $c (e2fsprogs)" >&2; exit 77; }
done
[ -x "$fzimg" ] || { echo "mkseeds: $fzimg is not built" >&2; exit 99; }

work=$out/.work
rm -rf "$work" "$out/read" "$out/write"
mkdir -p "$work" "$out/read" "$out/write"
log=$work/log
: >"$log"

UUID=4f5a4653-6565-6473-0000-000000000001
HSEED=4f5a4653-6861-7368-0000-000000000002

die() { echo "mkseeds: $*" >&2; tail -20 "$log" >&2; exit 99; }

# A byte pattern of N bytes (no zero bytes, so nothing is sparse by chance).
pattern() { yes "fuse4fs fuzz seed $2 0123456789abcdef" | head -c "$1"; }

# -- seed trees --------------------------------------------------------------

# tree DIR BIG: a bit of everything; BIG=1 adds the larger files.
tree() {
	local d=$1 big=$2 i
	rm -rf "$d"
	mkdir -p "$d/dir/sub" "$d/many" "$d/links"
	printf 'hello\n' >"$d/small"
	pattern 3000 a >"$d/text"
	: >"$d/empty"
	ln -s small "$d/links/fast"
	ln -s "$(printf 'slow/%.0s' $(seq 1 20))target" "$d/links/slow"
	ln -s ../../nowhere "$d/dir/sub/dangling"
	printf 'linked\n' >"$d/dir/hard1"
	ln "$d/dir/hard1" "$d/dir/hard2"
	mkfifo "$d/dir/fifo"
	for ((i = 0; i < 70; i++)); do : >"$d/many/entry-name-$i"; done
	setfattr -n user.small -v v "$d/small" 2>/dev/null || true
	setfattr -n user.dir -v dirvalue "$d/dir" 2>/dev/null || true
	if [ "$big" = 1 ]; then
		pattern 13000 b >"$d/mid"
		# double indirect with 1k blocks (past block 12 + 256)
		truncate -s 300K "$d/sparse-di"
		pattern 3000 c | dd of="$d/sparse-di" bs=1K seek=290 conv=notrunc status=none
		# triple indirect with 1k blocks (past 64 MiB), and a size
		# past 4 GiB for extent files
		truncate -s 70M "$d/sparse-ti"
		pattern 1024 d | dd of="$d/sparse-ti" bs=1M seek=66 conv=notrunc status=none
		truncate -s 5G "$d/sparse-5g"
		pattern 1024 e | dd of="$d/sparse-5g" bs=1M seek=4097 conv=notrunc status=none
	fi
}

# -- helpers -------------------------------------------------------------------

mkfs() {	# mkfs IMG SIZE TREE mke2fs-args...
	local img=$1 size=$2 t=$3
	shift 3
	rm -f "$img"
	truncate -s "$size" "$img"	# mke2fs leaves a new file short
	mke2fs -q -F -U "$UUID" -E hash_seed=$HSEED "$@" ${t:+-d "$t"} "$img" "$size" \
		>>"$log" 2>&1 || die "mke2fs $* $img failed"
}

dbg() {		# dbg IMG debugfs-commands...
	local img=$1
	shift
	printf '%s\n' "$@" | debugfs -w -f - "$img" >>"$log" 2>&1 || die "debugfs on $img failed"
}

ino_of() { debugfs -R "stat $2" "$1" 2>/dev/null | sed -n 's/^Inode: \([0-9]*\).*/\1/p'; }

index_dirs() { e2fsck -fyD "$1" >>"$log" 2>&1 || [ $? -le 2 ] || die "e2fsck -fyD $1 failed"; }

# An extent file of many one-block extents (punched every other block),
# so its tree needs index nodes.
fragmented() {	# fragmented IMG PATH BLOCKS
	local img=$1 p=$2 n=$3 b cmds=()
	pattern $((n * 1024)) f >"$work/frag.data"
	dbg "$img" "write $work/frag.data $p"
	for ((b = 1; b < n; b += 2)); do cmds+=("punch $p $b $b"); done
	dbg "$img" "${cmds[@]}"
}

# Make the extent tree of PATH one level deeper (split at the root).
deepen() { dbg "$1" "eo $2" "root" "split" "ec"; }

# Put PATH on the orphan list: unlinked (links_count 0) and chained.
orphan_unlinked() {	# IMG PATH
	local img=$1 p=$2 ino next
	ino=$(ino_of "$img" "$p")
	next=$(debugfs -R "stats" "$img" 2>/dev/null | sed -n 's/^First orphan inode: *\([0-9]*\)/\1/p')
	dbg "$img" "unlink $p" "sif <$ino> links_count 0" "sif <$ino> dtime ${next:-0}" \
		"ssv last_orphan $ino"
}

# A truncate that was interrupted: links stay, size is below the blocks.
orphan_truncating() {	# IMG PATH SIZE
	local img=$1 p=$2 size=$3 ino next
	ino=$(ino_of "$img" "$p")
	next=$(debugfs -R "stats" "$img" 2>/dev/null | sed -n 's/^First orphan inode: *\([0-9]*\)/\1/p')
	dbg "$img" "sif <$ino> size $size" "sif <$ino> dtime ${next:-0}" \
		"ssv last_orphan $ino"
}

# Seeds are copied to both corpora with their control blocks.
emit() {	# emit IMG NAME READFLAGS WRITEFLAGS
	local img=$1 name=$2
	cp "$img" "$out/read/$name"
	"$fzimg" ctl "$out/read/$name" "$3" 1 || die "fzimg ctl failed"
	cp "$img" "$out/write/$name"
	"$fzimg" ctl "$out/write/$name" "$4" 2 || die "fzimg ctl failed"
	# A second write seed with other operations and flags.
	cp "$img" "$out/write/$name.b"
	"$fzimg" ctl "$out/write/$name.b" $(($4 ^ 0x25)) 3 || die "fzimg ctl failed"
}

FIX=1 RO=2 REWALK=4 SMALL=8 NOREC=16 FORGET=32

# -- the seeds -------------------------------------------------------------------

big=$work/tree-big
small=$work/tree-small
tree "$big" 1
tree "$small" 0

# ext2, 1k blocks, 128-byte inodes: block maps up to triple indirect,
# xattrs in a block, an htree directory.
img=$work/ext2-1k.img
mkfs "$img" 256K "$big" -N 160 -t ext2 -b 1024 -I 128
index_dirs "$img"
emit "$img" ext2-1k.img 0 $REWALK

# ext3, 1k blocks, a small journal and orphans (two unlinked, chained, and
# one truncate in progress).
img=$work/ext3-1k-orphans.img
mkfs "$img" 256K "$big" -N 160 -t ext3 -b 1024 -I 128
"$fzimg" journal "$img" 64 >>"$log" 2>&1 || die "fzimg journal failed"
orphan_unlinked "$img" /text
orphan_unlinked "$img" /dir/hard1
dbg "$img" "sif /dir/hard2 links_count 0"
orphan_truncating "$img" /mid 5000
emit "$img" ext3-1k-orphans.img 0 $((REWALK | FORGET))

# The same journal marked as needing recovery: refused unless ro,norecovery.
cp "$img" "$work/ext3-recover.img"
dbg "$work/ext3-recover.img" "feature needs_recovery"
emit "$work/ext3-recover.img" ext3-recover.img $NOREC 0

# ext4, 1k blocks, metadata_csum: extent trees of depth 1 and 2, unwritten
# extents, orphans on an extent file.
img=$work/ext4-1k-csum.img
mkfs "$img" 256K "$big" -N 160 -t ext4 -b 1024 -I 256 -O ^has_journal
index_dirs "$img"
fragmented "$img" /frag1 24
fragmented "$img" /frag2 24
deepen "$img" /frag2
deepen "$img" /frag2
dbg "$img" "write /dev/null prealloc" "fallocate /prealloc 0 39" \
	"fallocate /mid 30 45"
orphan_unlinked "$img" /frag1
emit "$img" ext4-1k-csum.img $FIX $((FIX | REWALK))

# ext4, 2k blocks, no metadata_csum but uninit_bg group checksums.
img=$work/ext4-2k-nocsum.img
mkfs "$img" 256K "$big" -N 160 -t ext4 -b 2048 -I 256 -O ^has_journal,^metadata_csum,^64bit,uninit_bg
index_dirs "$img"
fragmented "$img" /frag 16
dbg "$img" "write /dev/null prealloc" "fallocate /prealloc 2 20"
emit "$img" ext4-2k-nocsum.img 0 $((REWALK | SMALL))

# ext4, 4k blocks, inline_data: inline files, directories and symlinks.
img=$work/ext4-4k-inline.img
mkfs "$img" 256K "$small" -N 128 -t ext4 -b 4096 -I 256 -O ^has_journal,inline_data
emit "$img" ext4-4k-inline.img $FIX $((FIX | REWALK))
img=$work/ext4-1k-inline-nocsum.img
mkfs "$img" 256K "$small" -N 128 -t ext4 -b 1024 -I 256 -O ^has_journal,inline_data,^metadata_csum
emit "$img" ext4-1k-inline-nocsum.img 0 $REWALK

# ext4 with ea_inode: values too big for a block live in inodes of their own.
img=$work/ext4-1k-eainode.img
mkfs "$img" 256K "$small" -N 128 -t ext4 -b 1024 -I 256 -O ^has_journal,ea_inode,^metadata_csum
pattern 3000 g >"$work/ea3000"
pattern 6000 h >"$work/ea6000"
pattern 400 i >"$work/ea400"
dbg "$img" "ea_set -f $work/ea3000 /small user.big" \
	"ea_set -f $work/ea6000 /text user.bigger" \
	"ea_set -f $work/ea400 /text user.inblock" \
	"ea_set /text user.tiny x" \
	"ea_set -f $work/ea3000 /dir trusted.big"
emit "$img" ext4-1k-eainode.img 0 $REWALK

# A two-level htree: 6000 names (hard links made by debugfs, then indexed).
img=$work/ext4-1k-htree2.img
mkfs "$img" 512K "" -t ext4 -b 1024 -I 128 -N 64 -O ^has_journal,^metadata_csum
{
	echo "mkdir big"
	echo "write /dev/null big/target"
	for ((i = 0; i < 6000; i++)); do
		# debugfs's ln does not grow a full directory by itself
		[ $((i % 20)) -eq 0 ] && echo "expand big"
		printf 'ln big/target big/a-rather-long-link-name-%05d\n' "$i"
	done
	echo "sif big/target links_count 6001"
} >"$work/htree.cmds"
debugfs -w -f "$work/htree.cmds" "$img" >>"$log" 2>&1 || die "debugfs htree"
index_dirs "$img"
emit "$img" ext4-1k-htree2.img 0 0

# The smallest: 64 KiB ext2.
img=$work/ext2-tiny.img
mkfs "$img" 64K "" -t ext2 -b 1024 -N 16
dbg "$img" "write $small/text f" "mkdir d" "symlink d/l ../f"
emit "$img" ext2-tiny.img 0 $REWALK

# bigalloc (read-only for fuse4fs) with metadata_csum.
img=$work/ext4-bigalloc.img
mkfs "$img" 256K "$small" -N 128 -t ext4 -b 1024 -C 4096 -O ^has_journal,bigalloc
emit "$img" ext4-bigalloc.img $FIX $FIX

rm -rf "$work"
echo "mkseeds: $(ls "$out/read" | wc -l) read seeds, $(ls "$out/write" | wc -l) write seeds in $out"
