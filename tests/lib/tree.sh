# shellcheck shell=bash
# Tree-comparison tests (tree_*.sh): one image variant at a time, mounted
# with fuse4fs and with the kernel and compared field by field. Sourced
# after lib.sh.

# f4_tree_variant VARIANT: the tree-comparison test for one image variant.
# Builds the seed (once per block size) and the image, mounts it with
# fuse4fs and with the kernel, and checks: fuse4fs == kernel on every
# field (ctime, atime, inode numbers, blocks, flags, directory sizes),
# fuse4fs == seed on everything the seed defines, lsattr and statfs
# equal, and that the image really contains what the variant is about.
f4_tree_variant() {
	local v=$1 bs seed img fm km seedopts=()
	bs=$(f4_variant_blocksize "$v")
	seed=$F4_WORK/seed-$bs
	[ -d "$seed" ] || f4_seed_build "$seed" "$bs"
	img=$F4_WORK/$v.img
	f4_log "variant $v: mke2fs $(f4_variant_args "$v")"
	f4_image_build "$v" "$seed" "$img"
	f4_check_image_contents "$v" "$img"
	fm=$F4_WORK/mnt-$v-fuse
	km=$F4_WORK/mnt-$v-kernel
	f4_mount_fuse "$img" "$fm" -o ro || { f4_fail "$v: fuse4fs did not mount"; return 1; }
	f4_mount_kernel "$img" "$km" || f4_die "$v: kernel mount failed"

	# shellcheck disable=SC2086
	f4_compare_trees "$v: fuse4fs vs kernel" "$km" "$fm" $F4_DUMP_FULL
	[ "$v" = ext2-128 ] && seedopts=(-T)	# no room for times outside 1901..2038 or ns
	f4_compare_trees "$v: fuse4fs vs seed" "$seed/tree" "$fm/tree" "${seedopts[@]}"
	f4_compare_files "$v: lsattr" <(f4_lsattr_tree "$km") <(f4_lsattr_tree "$fm")
	f4_compare_files "$v: statfs" <(f4_statfs "$km") <(f4_statfs "$fm")
	[ "$v" = ea_inode ] && f4_check_ea_inode_value "$v" "$seed" "$fm"

	f4_umount_kernel "$km"
	f4_umount_fuse "$fm" || f4_fail "$v: fuse4fs exited with status $? after unmount"
}

# f4_tree_test VARIANT...: the whole of a tree_*.sh test. For each variant:
# fuse4fs and the kernel's ext4 driver, mounting the same image, must agree
# on every field; fuse4fs must match the seed tree the image was built from
# on everything the seed defines (see f4_tree_variant for the checks and
# f4_seed_build for what the tree contains).
f4_tree_test() {
	local v
	f4_require_cmds setfattr getfattr setfacl lsattr
	f4_init_kernel_compare "$F4_TREEDUMP" "$F4_SEEDTOOL"
	for v in "$@"; do
		f4_timed "variant $v" f4_tree_variant "$v"
	done
	f4_finish
}

# The image must really contain each case the variant is about, or the
# comparison proves nothing.
f4_check_image_contents() {
	local v=$1 img=$2 fl
	fl=$(f4_inode_flags "$img" /tree/many)
	((fl & 0x1000)) || f4_die "$v: /tree/many is not htree-indexed (flags $fl)"
	if f4_variant_extents "$v"; then
		f4_debugfs "$img" "stat /imgonly/unwritten-between" | grep -q '\[u\]' ||
			f4_die "$v: no unwritten extent in /imgonly/unwritten-between"
		f4_debugfs "$img" "stat /tree/sparse/many-extents" | grep -q 'ETB' ||
			f4_die "$v: /tree/sparse/many-extents has no extent index block"
	fi
	f4_debugfs "$img" "stat /tree/links/slow-max" | grep -qE '^(EXTENTS|BLOCKS):' ||
		f4_die "$v: /tree/links/slow-max is not a slow symlink"
	f4_debugfs "$img" "stat /tree/links/fast-59" | grep -q 'Fast link dest' ||
		f4_die "$v: /tree/links/fast-59 is not a fast symlink"
	case $v in
	inline)
		fl=$(f4_inode_flags "$img" /tree/files/small)
		((fl & 0x10000000)) || f4_die "inline: /tree/files/small is not inline"
		fl=$(f4_inode_flags "$img" /tree/hard/sub)
		((fl & 0x10000000)) || f4_die "inline: /tree/hard/sub is not an inline directory"
		fl=$(f4_inode_flags "$img" /tree/links/slow-61)
		((fl & 0x10000000)) || f4_die "inline: /tree/links/slow-61 is not an inline symlink"
		;;
	ext2 | ext2-128 | ext3)
		f4_debugfs "$img" "stat /tree/links/slow-61" | grep -q '^BLOCKS:' ||
			f4_die "$v: /tree/links/slow-61 is not a slow symlink"
		;;
	ea_inode)
		f4_debugfs "$img" "ea_list /imgonly/ea-big" | grep -q 'user.big (60000)' ||
			f4_die "ea_inode: /imgonly/ea-big has no 60000-byte user.big"
		# No xattr block: both large values live in EA inodes.
		f4_debugfs "$img" "stat /imgonly/ea-big" | grep -q 'File ACL: 0' ||
			f4_die "ea_inode: /imgonly/ea-big uses an xattr block"
		;;
	esac
	return 0
}

f4_check_ea_inode_value() {
	local v=$1 seed=$2 fm=$3 n
	for n in big block; do
		if getfattr --only-values -n "user.$n" "$fm/imgonly/ea-big" 2>/dev/null |
			cmp -s - "$F4_WORK/ea-$n.value"; then
			f4_pass "$v: user.$n ($(wc -c <"$F4_WORK/ea-$n.value") bytes, EA inode) reads back"
		else
			f4_fail "$v: user.$n on /imgonly/ea-big does not read back as written"
		fi
	done
}
