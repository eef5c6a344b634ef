# shellcheck shell=bash
# Integration-test library, seed trees.
# The directory trees images are built from (every kind of file ext4
# holds). Sourced by tests/lib/lib.sh.

# Write LEN pattern bytes (never a zero byte) at OFFSET of FILE.
f4__put() {
	local file=$1 off=$2 len=$3 seed=${4:-7}
	"$F4_SEEDTOOL" pattern "$len" "$seed" |
		dd of="$file" bs=64K seek="$off" oflag=seek_bytes conv=notrunc status=none
}

# A string of N characters (for symlink targets and names).
f4__str() {
	local n=$1 prefix=${2:-} s
	printf -v s '%*s' $((n - ${#prefix})) ''
	printf '%s%s' "$prefix" "${s// /x}"
}

# f4_seed_build DIR BLOCKSIZE
# Build a seed tree with every kind of file ext4 can hold, for
# `mke2fs -d DIR`. The compared content lives in DIR/tree; DIR/imgonly is
# an empty directory for additions made to the image only (unwritten
# extents, EA-inode values), so that adding them changes no compared
# timestamp. BLOCKSIZE bounds the longest symlink target (blocksize - 1).
# Data regions of sparse files are 16 KiB-aligned and never all zeros,
# so the SEEK_DATA layout is the same on the seed (4 KiB blocks) and on
# every image (1 KiB to 4 KiB blocks, 16 KiB bigalloc clusters).
f4_seed_build() {
	local dir=$1 bs=$2 t i n
	t=$dir/tree
	rm -rf "$dir"
	mkdir -p "$t" "$dir/imgonly" || f4_die "cannot create $dir"
	(
		set -e
		cd "$t"
		# -- regular files
		mkdir files
		: >files/empty
		printf 'hello\n' >files/small
		"$F4_SEEDTOOL" pattern -t 59 1 >files/len-59
		"$F4_SEEDTOOL" pattern -t 60 2 >files/len-60
		"$F4_SEEDTOOL" pattern -t 61 3 >files/len-61
		"$F4_SEEDTOOL" pattern -t 150 4 >files/len-150
		"$F4_SEEDTOOL" pattern -t 10000 5 >files/text
		"$F4_SEEDTOOL" pattern 1048576 6 >files/bin-1m
		"$F4_SEEDTOOL" pattern $((3 * 4097 + 5)) 7 >files/odd-size
		"$F4_SEEDTOOL" pattern 3 8 >"files/name with spaces"
		printf 'utf8\n' >"files/ünïcödé-ñåmé-日本"
		printf 'dash\n' >files/-leading-dash
		printf 'hidden\n' >files/.hidden
		printf 'long\n' >"files/$(f4__str 255 L)"
		# -- sparse files
		mkdir sparse
		truncate -s 1M sparse/hole-start
		f4__put sparse/hole-start 1M 64K 11
		f4__put sparse/hole-middle 0 64K 12
		f4__put sparse/hole-middle 2M 64K 13
		f4__put sparse/hole-end 0 64K 14
		truncate -s 3M sparse/hole-end
		truncate -s 10M sparse/all-hole
		# hundreds of extents: an extent tree with index blocks
		for ((i = 0; i < 300; i++)); do
			printf '%s\n' $((i * 32768))
		done | while read -r n; do
			f4__put sparse/many-extents "$n" 16K "$n"
		done
		# over 4 GiB, data on both sides of 4 GiB
		f4__put sparse/big-5g 0 64K 15
		f4__put sparse/big-5g $((4 * 1024 * 1024 * 1024 - 65536)) 128K 16
		f4__put sparse/big-5g $((5 * 1024 * 1024 * 1024)) 64K 17
		truncate -s $((5 * 1024 * 1024 * 1024 + 128 * 1024)) sparse/big-5g
		# -- symlinks: fast (< 60 bytes), slow (>= 60), up to blocksize - 1
		mkdir links
		ln -s ../files/small links/relative
		ln -s /etc/passwd links/absolute
		ln -s does/not/exist links/dangling
		ln -s ../files links/to-dir
		ln -s loop links/loop
		ln -s "$(f4__str 59 fast59/)" links/fast-59
		ln -s "$(f4__str 60 slow60/)" links/slow-60
		ln -s "$(f4__str 61 slow61/)" links/slow-61
		ln -s "$(f4__str 500 slow500/)" links/slow-500
		n=$((bs - 1))
		[ $n -gt 4000 ] && n=4000
		ln -s "$(f4__str $n "slowmax$n/")" links/slow-max
		# -- device nodes, FIFOs, sockets
		mkdir special
		mknod special/null c 1 3
		mknod special/chr-big c 260 70000
		mknod special/blk b 7 9
		mknod special/blk-big b 259 65536
		mkfifo special/fifo
		"$F4_SEEDTOOL" mksock special/socket
		# -- hard links (files, a symlink, a FIFO; across directories)
		mkdir -p hard/sub
		printf 'linked\n' >hard/a
		ln hard/a hard/b
		ln hard/a hard/sub/c
		: >hard/x
		ln hard/x hard/y
		ln -s a hard/sym1
		ln -P hard/sym1 hard/sym2
		mkfifo hard/fifo1
		ln hard/fifo1 hard/fifo2
		# -- extended attributes
		mkdir -p xattr/dir
		: >xattr/in-inode
		setfattr -n user.a -v 1 xattr/in-inode
		setfattr -n user.bb -v hello xattr/in-inode
		setfattr -n user.empty xattr/in-inode
		printf 'blockxattrs\n' >xattr/block
		setfattr -n user.p1 -v "0s$("$F4_SEEDTOOL" pattern 250 21 | base64 -w0)" xattr/block
		setfattr -n user.p2 -v "$("$F4_SEEDTOOL" pattern -t 250 22 | tr '\n' '.')" xattr/block
		setfattr -n user.p3 -v "0s$("$F4_SEEDTOOL" pattern 150 23 | base64 -w0)" xattr/block
		: >xattr/mixed
		setfattr -n user.s -v small xattr/mixed
		setfattr -n user.big -v "$("$F4_SEEDTOOL" pattern -t 400 24 | tr '\n' '.')" xattr/mixed
		: >xattr/many-names
		for ((i = 1; i <= 20; i++)); do
			setfattr -n "user.k$(printf %02d $i)" -v "v$i" xattr/many-names
		done
		setfattr -n user.d -v dirvalue xattr/dir
		: >xattr/trusted-security
		setfattr -n trusted.t -v trustedvalue xattr/trusted-security
		setfattr -n security.s -v securityvalue xattr/trusted-security
		ln -s target xattr/symlink
		setfattr -h -n trusted.l -v linkvalue xattr/symlink
		: >xattr/acl
		setfacl -m u:1234:r,g:55:rw,m::rw xattr/acl
		mkdir xattr/acl-default
		setfacl -d -m u:1234:rx,g::r xattr/acl-default
		setfacl -m u:4321:rwx xattr/acl-default
		# -- timestamps (mtime; ctime is the seed's own, atime is
		#    disturbed by reading): before 1970, 2038, after 2038
		mkdir -p times/dir-pre1970
		for n in pre1970:-1234567890.123456789 min32:-2147483648 \
			 just-before-epoch:-1.5 epoch:0 epoch-ns:0.000000001 \
			 y2038-last:2147483647.999999999 y2038-next:2147483648.000000001 \
			 y2100:4102444800.25 y2446:15032385535.999999999 \
			 plain-ns:1600000000.123456789; do
			: >"times/${n%%:*}"
			touch -m -d "@${n#*:}" "times/${n%%:*}"
		done
		ln -s pre1970 times/symlink-y2100
		touch -h -m -d @4102444800.5 times/symlink-y2100
		mknod times/fifo-ns p
		touch -m -d @1234567890.987654321 times/fifo-ns
		# -- modes and owners
		mkdir modes owners
		for n in 0000 0400 0644 0777 4755 2755 6711 7777 1644; do
			: >"modes/m$n"
			chmod "$n" "modes/m$n"
		done
		mkdir modes/d0700 modes/d1777 modes/d2775
		chmod 0700 modes/d0700
		chmod 1777 modes/d1777
		chmod 2775 modes/d2775
		for n in 0:0 1000:1000 65534:65534 100000:200000 4294967294:7; do
			: >"owners/u${n%%:*}-g${n#*:}"
			chown "$n" "owners/u${n%%:*}-g${n#*:}"
		done
		ln -s x owners/symlink-1000
		chown -h 1000:1000 owners/symlink-1000
		# -- deep directories
		n=deep
		for ((i = 1; i <= 40; i++)); do
			n=$n/d$(printf %02d $i)
		done
		mkdir -p "$n"
		printf 'bottom\n' >"$n/leaf"
		# -- a medium directory (indexed once e2fsck -D has run)
		mkdir many
		(cd many && seq -f 'f%05.0f' 0 1999 | xargs touch -d @1500000000)
		# -- directory times last (adding entries changes them)
		find . -depth -type d -exec touch -m -d @1500000000.5 {} +
		touch -m -d @-1000000000.25 times/dir-pre1970
		touch -m -d @1700000000.123 . ..
		chmod 0751 ..
	) || f4_die "building the seed tree in $dir failed"
}

# f4_small_seed DIR: a small tree (one of each common kind) for the tests
# that need an image but not the whole zoo (no xattrs: the tree tests
# cover those, and these tests stay about their one purpose).
f4_small_seed() {
	local dir=$1
	rm -rf "$dir"
	mkdir -p "$dir/sub/deeper" || f4_die "cannot create $dir"
	(
		set -e
		cd "$dir"
		printf 'hello\n' >hello
		"$F4_SEEDTOOL" pattern 300K 1 >sub/data
		truncate -s 2M sub/sparse
		f4__put sub/sparse 1M 64K 2
		ln -s ../hello sub/link
		ln hello sub/deeper/hardlink
		mkfifo sub/fifo
		touch -m -d @1234567890.5 hello
	) || f4_die "building the small seed in $dir failed"
}

# f4_image_small IMAGE SEED [mke2fs options...]: an image of SEED, clean.
f4_image_small() {
	local img=$1 seed=$2
	shift 2
	[ $# -gt 0 ] || set -- -t ext4 -b 4096
	rm -f "$img"
	mke2fs -q -F "$@" -d "$seed" "$img" 32M >"$img.mkfs.log" 2>&1 ||
		{ cat "$img.mkfs.log"; f4_die "mke2fs $* -d $seed $img failed"; }
}

# Fingerprint of a file that fuse4fs must never change: content hash,
# size, mtime and ctime.
f4_fingerprint() {
	echo "$(sha256sum <"$1" | cut -d' ' -f1) $(stat -c '%s %y %z' "$1")"
}
