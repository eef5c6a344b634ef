# shellcheck shell=bash
# Overlayfs on top of fuse4fs: the pieces overlay_userns.sh and
# overlay_root.sh share. Standalone (no lib.sh): the user-namespace test
# sources it inside the namespace too. Checks print "ok: ..." or
# "FAIL: ..." lines; the tests turn them into results.
#
#   f4o_seed DIR          the lower layer's tree (root-owned when root builds it)
#   f4o_ops MERGED        the container's changes, through the merged view
#   f4o_check_merged M    what the merged view must show afterwards
#   f4o_check_upper U NS  what the upper directory must hold (NS: user|trusted)
#   f4o_list DIR          canonical listing of a layer: types, modes, owners,
#                         device numbers of whiteouts, sizes, xattrs
#   f4o_kernel_check ...  (lib.sh loaded) the images seen by the kernel

f4o_ok() { echo "ok: $*"; }
f4o_bad() { echo "FAIL: $*"; }

# In a test (lib.sh loaded): turn ok:/FAIL: lines on stdin into results,
# labelled with $1 if given; other lines are logged.
f4o_results() {
	local l
	while IFS= read -r l; do
		case $l in
		ok:*) f4_pass "${1:+$1: }${l#ok: }" ;;
		FAIL:*) f4_fail "${1:+$1: }${l#FAIL: }" ;;
		*) f4_log "$l" ;;
		esac
	done
}

f4o_seed() {
	local d=$1
	mkdir -p "$d"/{keep,mod,del,deldir/one/two,ren,link,x,dir} || return 1
	printf 'a\n' >"$d/keep/a"
	printf 'b\n' >"$d/keep/b"
	printf 'original\n' >"$d/mod/f"
	printf 'doomed\n' >"$d/del/x"
	printf 'stays\n' >"$d/del/y"
	printf '1\n' >"$d/deldir/one/f1"
	printf '2\n' >"$d/deldir/one/two/f2"
	printf 'old\n' >"$d/ren/old"
	printf 'src\n' >"$d/link/src"
	printf 'x\n' >"$d/x/f"
	setfattr -n user.lower -v l "$d/x/f" || return 1
	printf 'in dir\n' >"$d/dir/inner"
	touch -d @1500000000 "$d"/keep/* "$d"/mod/f "$d"/x/f
}

# The changes, each a kind overlayfs stores differently in the upper layer.
f4o_ops() {
	(
		set -e
		cd "$1"
		printf 'new\n' >new			# a new file
		printf 'changed\n' >mod/f		# copy-up, overwrite
		printf 'more\n' >>keep/a		# copy-up, append
		rm del/x				# whiteout
		mv ren/old ren/new			# copy-up and whiteout
		rm -r deldir				# whiteouts, then...
		mkdir deldir				# ... an opaque directory
		printf 'fresh\n' >deldir/f
		ln link/src link/hard			# copy-up, hard link in upper
		setfattr -n user.k -v v x/f		# copy-up with the lower xattr
		mkdir -p newdir/sub
		printf 'n\n' >newdir/sub/n
		ln -s ../new newdir/sym
		mkdir gone && rmdir gone
		chmod 0700 dir				# a metadata-only copy-up
		touch -d @1600000000 keep/b
	)
}

f4o_check_merged() {
	local m=$1
	[ "$(cat "$m/new")" = new ] && [ "$(cat "$m/mod/f")" = changed ] &&
		[ "$(cat "$m/keep/a")" = "$(printf 'a\nmore')" ] &&
		f4o_ok "merged: new, overwritten and appended files read back" ||
		f4o_bad "merged: file contents are wrong"
	[ ! -e "$m/del/x" ] && [ -e "$m/del/y" ] && f4o_ok "merged: the deleted file is gone" ||
		f4o_bad "merged: del/x still there (or del/y gone)"
	[ ! -e "$m/ren/old" ] && [ "$(cat "$m/ren/new" 2>/dev/null)" = old ] &&
		f4o_ok "merged: rename" || f4o_bad "merged: ren/old -> ren/new went wrong"
	[ "$(ls -A "$m/deldir")" = f ] && f4o_ok "merged: the recreated directory hides the old contents" ||
		f4o_bad "merged: deldir holds: $(ls -A "$m/deldir" | tr '\n' ' ')"
	[ "$(stat -c %h "$m/link/src")" = 2 ] && [ "$(stat -c %i "$m/link/src")" = "$(stat -c %i "$m/link/hard")" ] &&
		f4o_ok "merged: hard link of a lower file" || f4o_bad "merged: link/src and link/hard are not one file"
	[ "$(getfattr --only-values -n user.k "$m/x/f" 2>/dev/null)" = v ] &&
		[ "$(getfattr --only-values -n user.lower "$m/x/f" 2>/dev/null)" = l ] &&
		f4o_ok "merged: xattrs (new, and the lower one copied up)" || f4o_bad "merged: xattrs of x/f are wrong"
	[ ! -e "$m/gone" ] && [ "$(readlink "$m/newdir/sym")" = ../new ] && [ "$(stat -c %a "$m/dir")" = 700 ] &&
		f4o_ok "merged: mkdir, rmdir, symlink, chmod" || f4o_bad "merged: newdir/gone/dir are wrong"
}

# U: the upper directory; ns: user (userxattr) or trusted.
f4o_check_upper() {
	local u=$1 ns=$2 t
	for t in del/x ren/old; do
		[ "$(stat -c '%F %t:%T' "$u/$t" 2>/dev/null)" = "character special file 0:0" ] && continue
		f4o_bad "upper: $t is not a whiteout: $(stat -c '%F %t:%T' "$u/$t" 2>&1)"
		return
	done
	f4o_ok "upper: deletions are 0:0 character devices (whiteouts)"
	[ "$(getfattr --only-values -n "$ns.overlay.opaque" "$u/deldir" 2>/dev/null)" = y ] &&
		f4o_ok "upper: the recreated directory has $ns.overlay.opaque=y" ||
		f4o_bad "upper: deldir has no $ns.overlay.opaque=y: $(getfattr -d -m - "$u/deldir" 2>&1 | tr '\n' ' ')"
	[ "$(getfattr --only-values -n user.k "$u/x/f" 2>/dev/null)" = v ] &&
		f4o_ok "upper: the xattr set through the merged view" || f4o_bad "upper: x/f lacks user.k"
	[ "$(stat -c %i "$u/link/src")" = "$(stat -c %i "$u/link/hard")" ] &&
		f4o_ok "upper: the hard link is one inode" || f4o_bad "upper: link/src and link/hard differ"
}

# Canonical listing of a layer: one line per path, then its xattrs
# (values hex), sorted. Times left out (the checks compare layers read
# through different filesystems at different times, not timestamps).
f4o_list() {
	(
		cd "$1" || exit 1
		find . -mindepth 1 ! -path './lost+found*' ! -path './work*' -print0 | sort -z |
		while IFS= read -r -d '' p; do
			stat -c '%n %F %a %u:%g %h %s %t:%T' "$p"
			[ -f "$p" ] && [ ! -L "$p" ] && echo "  sha $(sha256sum <"$p" | cut -c1-16)"
			getfattr -h -d -e hex -m - "$p" 2>/dev/null | grep '=' | sort | sed 's/^/  /'
		done
	)
}

# f4o_kernel_check NS UPPER_LIST MERGED_DUMP OUT: in a test (lib.sh
# loaded), after fuse4fs let go of $F4_WORK/lower.img and upper.img: both
# are e2fsck-clean, the kernel's ext4 driver sees the upper layer fuse4fs
# wrote (as listed by f4o_list in UPPER_LIST), and the kernel's overlay
# over ext4 mounts of the two shows the merged tree MERGED_DUMP (f4_dump
# -x /lost+found) seen over fuse4fs. NS: the overlay xattr namespace
# (user: mounted with userxattr, or trusted). Scratch files go in OUT.
f4o_kernel_check() {
	local ns=$1 upper=$2 merged=$3 out=$4 w=$F4_WORK opts=
	[ "$ns" = user ] && opts=userxattr,
	f4_fsck_clean "$w/lower.img" && f4_fsck_clean "$w/upper.img" &&
		f4_pass "both images are e2fsck -fn clean" || f4_fail "e2fsck found problems"
	f4_mount_kernel "$w/lower.img" "$w/k-lower" || f4_die "kernel mount of the lower image failed"
	f4_mount_kernel "$w/upper.img" "$w/k-upper" || f4_die "kernel mount of the upper image failed"
	f4o_results ext4 < <(f4o_check_upper "$w/k-upper/u" "$ns")
	f4_compare_files "the kernel's ext4 driver sees the upper layer fuse4fs wrote" \
		"$upper" <(f4o_list "$w/k-upper/u")
	mkdir -p "$w/k-merged"
	if mount -t overlay overlay -o "${opts}lowerdir=$w/k-upper/u:$w/k-lower" "$w/k-merged" 2>"$out/kovl.err"; then
		f4_at_exit "umount '$w/k-merged'"
		f4_dump "$w/k-merged" "$out/merged.kernel" -x /lost+found
		f4_compare_files "overlay over ext4 shows the merged tree seen over fuse4fs" \
			"$merged" "$out/merged.kernel"
		umount "$w/k-merged"
	else
		f4_fail "overlay over the kernel's ext4 mounts failed: $(cat "$out/kovl.err")"
	fi
}
