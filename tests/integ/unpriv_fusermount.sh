#!/bin/bash
# An ordinary user mounts through the setuid fusermount3 (a user this
# test creates and removes): -o ro on a root-owned 0644 image (opened
# O_RDONLY, served as the seed, never changed; without -o ro mounted
# read-only with a warning), read-write on the user's own image (every kind of change,
# e2fsck clean, owners as the kernel sent them), as a daemon, stopped by
# SIGTERM (libfuse unmounts through fusermount3: no_new_privs must not be
# set), allow_other refused before anything happens unless
# /etc/fuse.conf allows it, and the server holding no capability.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/unpriv.sh"
f4u_require
f4_require_e2fsprogs
f4_require_built "$F4_TREEDUMP" "$F4_SEEDTOOL"
f4_require_cmds debugfs setfattr getfattr
f4_init
f4u_user_create

w=$F4_WORK
F4U_REAL_FUSE4FS=$F4_FUSE4FS
F4_FUSE4FS=$(f4u_fuse4fs)

# The seed dumped as root; a mount dumped as the user (root may not look
# into a user's FUSE mount).
# (Whole seconds: small images have 128-byte inodes.)
dump_as_user() { f4u "$F4_TREEDUMP" -N -x /lost+found "$1" | grep -v '^/ '; }
dump_seed() { "$F4_TREEDUMP" -N "$1" | grep -v '^/ '; }

f4_small_seed "$w/seed"
img=$w/ro.img
f4_image_small "$img" "$w/seed"
chmod 0644 "$img"
before=$(f4_fingerprint "$img")
f4u test -w "$img" && f4_die "the user can write the root-owned image"
f4u_dir "$w/m-ro" "$w/m-rw" "$w/m-d" "$w/m-t" "$w/m-ao"

# ---- 1: -o ro on a root-owned 0644 image --------------------------------
if f4_mount_fuse "$img" "$w/m-ro" -o ro; then
	pid=${F4_PID[$w/m-ro]}
	[ "$(f4u_status "$pid" Uid)" = "$F4U_UID" ] &&
		f4_pass "-o ro: the server runs as the user" ||
		f4_fail "-o ro: the server runs as uid $(f4u_status "$pid" Uid)"
	fl=$(f4u_fd_flags "$pid" "$img")
	if [ -z "$fl" ]; then
		f4_fail "-o ro: the server holds no descriptor of the image"
	elif [ $((0$fl & 3)) -eq 0 ]; then
		f4_pass "-o ro: the image is open O_RDONLY (flags $fl)"
	else
		f4_fail "-o ro: the image is open with flags $fl, not O_RDONLY"
	fi
	findmnt -n -o FSTYPE,OPTIONS --mountpoint "$w/m-ro" | grep -q "fuse.fuse4fs.*user_id=$F4U_UID" &&
		f4_pass "-o ro: mounted by fusermount3 for the user" ||
		f4_fail "-o ro: mount table: $(findmnt -n --mountpoint "$w/m-ro")"
	f4_compare_files "-o ro: the user reads the seed tree" \
		<(dump_seed "$w/seed") <(dump_as_user "$w/m-ro")
	out=$(f4u touch "$w/m-ro/new" 2>&1) && f4_fail "-o ro: a create succeeded"
	printf '%s' "$out" | grep -qi 'read-only file system' &&
		f4_pass "-o ro: changes fail with EROFS" || f4_fail "-o ro: create failed with: $out"
	f4u_check_caps "-o ro server" "$pid" any 0
	f4_umount_fuse "$w/m-ro" || f4_fail "-o ro: fuse4fs exited with status $?"
else
	f4_fail "an ordinary user cannot mount a readable image with -o ro"
fi
[ "$(f4_fingerprint "$img")" = "$before" ] && f4_pass "-o ro: the image is unchanged" ||
	f4_fail "-o ro: the image changed"

# ---- 2: the same image without -o ro: read-only, with a warning ---------
# (as mount(8) mounts write-protected storage, and an fstab line's
# defaults say rw)
if f4_mount_fuse "$img" "$w/m-rw"; then
	findmnt -n -o OPTIONS --mountpoint "$w/m-rw" | grep -qw ro &&
		f4_pass "an image the user cannot write, without -o ro: mounted read-only" ||
		f4_fail "an image the user cannot write: the mount is not read-only"
	grep -q 'write-protected (Permission denied): mounting read-only' "$(f4_daemon_log "$w/m-rw")" &&
		f4_pass "an image the user cannot write: a one-line warning says why" ||
		f4_fail "an image the user cannot write: no warning: $(cat "$(f4_daemon_log "$w/m-rw")")"
	f4_umount_fuse "$w/m-rw" || f4_fail "read-only fallback: fuse4fs exited with status $?"
else
	f4_fail "an image the user cannot write does not mount read-only without -o ro"
fi
[ "$(f4_fingerprint "$img")" = "$before" ] && f4_pass "read-only fallback: the image is unchanged" ||
	f4_fail "read-only fallback: the image changed"

# ---- 3: read-write on the user's own image -------------------------------
mkdir -p "$w/seed-rw/mine/sub"
printf 'theirs\n' >"$w/seed-rw/mine/old"
printf 'root\n' >"$w/seed-rw/rootfile"
chown -R "$F4U_UID:$F4U_GID" "$w/seed-rw/mine"
rwimg=$w/rw.img
f4_image_small "$rwimg" "$w/seed-rw"
chown "$F4U_UID:$F4U_GID" "$rwimg"
if f4_mount_fuse "$rwimg" "$w/m-rw"; then
	m=$w/m-rw/mine
	if f4u bash -ec "
		cd '$m'
		printf 'new\n' >new; mkdir dir; printf 'x%.0s' {1..5000} >dir/big
		echo more >>old; mv new renamed; ln renamed hard; ln -s renamed sym
		mkfifo fifo; truncate -s 1M sparse; chmod 600 renamed
		setfattr -n user.k -v v renamed; [ \"\$(getfattr --only-values -n user.k renamed)\" = v ]
		rm old; rmdir sub; touch -d @1500000000 dir/big
		! touch ../rootfile.new 2>/dev/null	# / is root's
		! { echo x >>../rootfile; } 2>/dev/null"; then
		f4_pass "read-write: every kind of change as the user"
	else
		f4_fail "read-write: a change failed (see above)"
	fi
	f4_umount_fuse "$w/m-rw" || f4_fail "read-write: fuse4fs exited with status $?"
	f4_check_fsck "$rwimg" read-write
	st=$(f4_debugfs "$rwimg" "stat /mine/dir/big")
	printf '%s' "$st" | grep -q "User: *$F4U_UID *Group: *$F4U_GID" &&
		f4_pass "read-write: new files belong to the user on disk" ||
		f4_fail "read-write: /mine/dir/big: $(printf '%s' "$st" | grep User:)"
	f4_debugfs "$rwimg" "ls -l /mine" | grep -q ' renamed' ||
		f4_fail "read-write: /mine/renamed is not in the image"
else
	f4_fail "an ordinary user cannot mount their own image read-write"
fi

# ---- 4: as a daemon, the way users run it --------------------------------
if f4_mount_fuse_daemon "$img" "$w/m-d" -o ro; then
	f4u cat "$w/m-d/hello" | grep -q hello && f4_pass "daemon: serves as the user" ||
		f4_fail "daemon: cannot read hello"
	f4_umount_fuse "$w/m-d" || f4_fail "daemon: unmount failed or the daemon lingered"
else
	f4_fail "an ordinary user cannot mount as a daemon"
fi

# ---- 5: SIGTERM: libfuse unmounts through fusermount3 --------------------
# (A relative mountpoint, which fuse4fs makes absolute for the unmount.)
cd "$w" || f4_die "cannot cd to $w"
mounted=0
f4_mount_fuse "$img" m-t -o ro && mounted=1
cd / || f4_die "cannot cd to /"
if [ $mounted -eq 1 ]; then
	pid=${F4_PID[$w/m-t]}
	kill -TERM "$pid"
	if f4u_wait_exit "$pid"; then
		unset "F4_PID[$w/m-t]"
		f4_mounted "$w/m-t" && f4_fail "SIGTERM: the user's server left its mount behind" ||
			f4_pass "SIGTERM: the user's server unmounted through fusermount3"
	else
		f4_fail "SIGTERM: fuse4fs did not exit"
	fi
fi

# ---- 6: allow_other needs user_allow_other --------------------------------
if sed 's/#.*//' /etc/fuse.conf 2>/dev/null | grep -qx '[[:space:]]*user_allow_other[[:space:]]*'; then
	if f4_mount_fuse "$img" "$w/m-ao" -o ro,allow_other; then
		[ -r "$w/m-ao/hello" ] && f4_pass "allow_other (allowed by /etc/fuse.conf): root reads the user's mount" ||
			f4_fail "allow_other: root cannot read the user's mount"
		f4_umount_fuse "$w/m-ao"
	else
		f4_fail "allow_other refused although /etc/fuse.conf has user_allow_other"
	fi
else
	f4_expect_refusal "allow_other without user_allow_other" \
		"allow_other.*user_allow_other.*/etc/fuse.conf" -o ro,allow_other "$img" "$w/m-ao"
	f4_expect_refusal "allow_root without user_allow_other" \
		"user_allow_other" -o ro,allow_root "$img" "$w/m-ao"
fi
f4_finish
