#!/bin/bash
# Ownership mapping. uidmap/gidmap (as root, on an image with ids shifted
# by 100000): ids shown translated, unmapped ones as 65534; new files,
# chown and ACL entries stored translated back; an unmapped id given to
# chown is EOVERFLOW, to an ACL EINVAL, and creating as an unmapped user
# EOVERFLOW (an idmapped mount's errors). uid,gid (as an ordinary user
# this test creates): every file shows as the user's, who may then write
# root's files, while the ids stored stay. fakeroot (as the user): any
# chown, new files 0:0, no permission checks by fuse4fs, the kernel's own
# checks stay (device nodes). Every image is e2fsck-clean afterwards and
# the kernel's ext4 driver sees the ids and ACLs fuse4fs stored.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/unpriv.sh"
f4u_require
f4_require_loop
f4_require_e2fsprogs
f4_require_cmds setfacl getfacl debugfs
f4_init
f4u_user_create

w=$F4_WORK
ROOT_FUSE4FS=$F4_FUSE4FS
USER_FUSE4FS=$(f4u_fuse4fs)

# expect_err LABEL ERRTEXT CMD...: CMD must fail with that strerror text.
expect_err() {
	local label=$1 want=$2 out
	shift 2
	if out=$("$@" 2>&1); then
		f4_fail "$label: succeeded"
	elif printf '%s' "$out" | grep -q "$want"; then
		f4_pass "$label: $want"
	else
		f4_fail "$label: expected '$want', got: $out"
	fi
}
# As $AS (empty: root; f4u: the user, for the user's mounts).
AS=
ids() { $AS stat -c %u:%g "$1"; }
expect_ids() {
	local got
	got=$(ids "$2")
	[ "$got" = "$3" ] && f4_pass "$1: $3" || f4_fail "$1: $got, expected $3"
}

# ---- uidmap/gidmap, as root ----------------------------------------------
mkdir -p "$w/seed/shift"
printf 'a\n' >"$w/seed/shift/a"
printf 'f\n' >"$w/seed/shift/foreign"
: >"$w/seed/shift/acl"
chown 100000:100000 "$w/seed/shift"
chown 100005:100007 "$w/seed/shift/a"
chown 5:5 "$w/seed/shift/foreign"
setfacl -m u:100009:r,g:100003:w "$w/seed/shift/acl" || f4_die "setfacl on the seed failed"
img=$w/map.img
f4_image_small "$img" "$w/seed" -t ext4 -I 256
m=$w/m-map
map=uidmap=0:100000:65536,gidmap=0:100000:65536
if f4_mount_fuse "$img" "$m" -o "$map"; then
	expect_ids "uidmap: a shifted directory shows" "$m/shift" 0:0
	expect_ids "uidmap: a shifted file shows" "$m/shift/a" 5:7
	expect_ids "uidmap: unmapped ids show as the overflow id" "$m/shift/foreign" 65534:65534
	getfacl -n "$m/shift/acl" 2>/dev/null | grep -q '^user:9:r--' &&
		getfacl -n "$m/shift/acl" 2>/dev/null | grep -q '^group:3:-w-' &&
		f4_pass "uidmap: ACL entries show translated" ||
		f4_fail "uidmap: ACL shows: $(getfacl -n "$m/shift/acl" 2>&1 | tr '\n' ' ')"
	printf 'new\n' >"$m/shift/new" && mkdir "$m/shift/dir" || f4_fail "uidmap: root cannot create"
	expect_ids "uidmap: a new file shows as its creator's" "$m/shift/new" 0:0
	chown 11:12 "$m/shift/a" || f4_fail "uidmap: chown 11:12 failed"
	expect_ids "uidmap: chown to mapped ids" "$m/shift/a" 11:12
	expect_err "uidmap: chown to an unmapped uid" "Value too large" chown 70000 "$m/shift/a"
	expect_err "uidmap: chgrp to an unmapped gid" "Value too large" chgrp 70000 "$m/shift/a"
	expect_ids "uidmap: refused chowns change nothing" "$m/shift/a" 11:12
	setfacl -m u:21:rw,g:22:r "$m/shift/new" || f4_fail "uidmap: setfacl with mapped ids failed"
	expect_err "uidmap: an ACL naming an unmapped id" "Invalid argument" \
		setfacl -m u:70000:r "$m/shift/new"
	f4_umount_fuse "$m" || f4_fail "uidmap: fuse4fs exited with status $?"
	f4_check_fsck "$img" uidmap
	k=$w/k-map
	if f4_mount_kernel "$img" "$k"; then
		expect_ids "uidmap: the kernel sees the new file stored as" "$k/shift/new" 100000:100000
		expect_ids "uidmap: the kernel sees the new directory stored as" "$k/shift/dir" 100000:100000
		expect_ids "uidmap: the kernel sees the chown stored as" "$k/shift/a" 100011:100012
		expect_ids "uidmap: the unmapped file keeps its ids" "$k/shift/foreign" 5:5
		acl=$(getfacl -n "$k/shift/new" 2>/dev/null | tr '\n' ' ')
		case $acl in *user:100021:rw-*group:100022:r--*)
			f4_pass "uidmap: the kernel sees the ACL entries stored translated" ;;
		*) f4_fail "uidmap: kernel getfacl: $acl" ;; esac
		f4_umount_kernel "$k"
	else
		f4_fail "uidmap: the kernel cannot mount the image"
	fi
else
	f4_fail "mount with -o $map failed"
fi
# Root (0) has no on-disk id here: it may look, not create.
m=$w/m-map2
if f4_mount_fuse "$img" "$m" -o uidmap=1000:100000:10,gidmap=1000:100000:10; then
	expect_ids "uidmap: ids mapped elsewhere show" "$m/shift" 1000:1000
	expect_err "uidmap: creating as an unmapped user" "Value too large" touch "$m/shift/x"
	expect_err "uidmap: mkdir as an unmapped user" "Value too large" mkdir "$m/shift/xd"
	f4_umount_fuse "$m" || f4_fail "uidmap (2): fuse4fs exited with status $?"
else
	f4_fail "mount with a map leaving out root failed"
fi

# ---- uid,gid as an ordinary user ------------------------------------------
F4_FUSE4FS=$USER_FUSE4FS
mkdir -p "$w/seed-root/etc"
printf 'conf\n' >"$w/seed-root/etc/conf"
chmod 0644 "$w/seed-root/etc/conf"
img=$w/uid.img
f4_image_small "$img" "$w/seed-root"
chown "$F4U_UID:$F4U_GID" "$img"
m=$w/m-uid
f4u_dir "$m" "$w/m-fake"
if f4_mount_fuse "$img" "$m" -o uid,gid; then
	AS=f4u
	expect_ids "uid,gid: root's directory shows as the user's" "$m/etc" "$F4U_UID:$F4U_GID"
	if f4u bash -ec "cd '$m/etc'; echo more >>conf; printf 'u\n' >mine; chmod 0600 conf; chown $F4U_UID:$F4U_GID conf"; then
		f4_pass "uid,gid: the user writes root's files and directories"
	else
		f4_fail "uid,gid: the user cannot write what shows as theirs"
	fi
	f4_umount_fuse "$m" || f4_fail "uid,gid: fuse4fs exited with status $?"
	f4_check_fsck "$img" uid,gid
	f4_debugfs "$img" "stat /etc" | grep -q 'User: *0 *Group: *0' &&
		f4_pass "uid,gid: what the image stores did not change" ||
		f4_fail "uid,gid: /etc changed owner on disk"
	f4_debugfs "$img" "stat /etc/mine" | grep -q "User: *$F4U_UID *Group: *$F4U_GID" &&
		f4_pass "uid,gid: a new file is stored as its creator's" ||
		f4_fail "uid,gid: /etc/mine: $(f4_debugfs "$img" "stat /etc/mine" | grep User:)"
	f4_debugfs "$img" "stat /etc/conf" | grep -q "User: *$F4U_UID " &&
		f4_pass "uid,gid: a chown stores the id given" ||
		f4_fail "uid,gid: /etc/conf: $(f4_debugfs "$img" "stat /etc/conf" | grep User:)"
	AS=
else
	f4_fail "an ordinary user cannot mount with -o uid,gid"
fi

# ---- fakeroot as an ordinary user ------------------------------------------
mkdir -p "$w/seed-fake/etc"
printf 'ro\n' >"$w/seed-fake/etc/readonly"
chmod 0444 "$w/seed-fake/etc/readonly"
img=$w/fake.img
f4_image_small "$img" "$w/seed-fake"
chown "$F4U_UID:$F4U_GID" "$img"
m=$w/m-fake
if f4_mount_fuse "$img" "$m" -o fakeroot; then
	if f4u bash -ec "cd '$m/etc'
		test -w readonly; echo more >>readonly
		mkdir -p bin; printf 'x\n' >bin/tool
		chown 123:456 bin/tool; chmod 4755 bin/tool; chown -h 7:8 bin
		ln -s tool bin/link; mkfifo bin/fifo; mv bin/fifo bin/pipe
		[ \"\$(stat -c %u:%g bin)\" = 7:8 ]; [ \"\$(stat -c %u:%g bin/link)\" = 0:0 ]"; then
		f4_pass "fakeroot: the user writes root's 0444 file, chowns and chmods freely"
	else
		f4_fail "fakeroot: a change as the user failed"
	fi
	expect_err "fakeroot: the kernel still wants CAP_MKNOD for devices" \
		"Operation not permitted" f4u mknod "$m/etc/bin/null" c 1 3
	f4_umount_fuse "$m" || f4_fail "fakeroot: fuse4fs exited with status $?"
	f4_check_fsck "$img" fakeroot
	k=$w/k-fake
	if f4_mount_kernel "$img" "$k"; then
		[ "$(stat -c '%u:%g %a' "$k/etc/bin/tool")" = "123:456 4755" ] &&
			f4_pass "fakeroot: the kernel sees the chown and setuid bit stored" ||
			f4_fail "fakeroot: bin/tool is $(stat -c '%u:%g %a' "$k/etc/bin/tool")"
		expect_ids "fakeroot: new files are stored as root's" "$k/etc/bin/pipe" 0:0
		grep -q more "$k/etc/readonly" || f4_fail "fakeroot: the write to readonly is not in the image"
		f4_umount_kernel "$k"
	else
		f4_fail "fakeroot: the kernel cannot mount the image"
	fi
else
	f4_fail "an ordinary user cannot mount with -o fakeroot"
fi

# ---- what goes with what -----------------------------------------------------
F4_FUSE4FS=$ROOT_FUSE4FS
mkdir -p "$w/m-x"
f4_expect_refusal "fakeroot with default_permissions" "fakeroot and -o default_permissions exclude" \
	-o fakeroot,default_permissions "$img" "$w/m-x"
f4_expect_refusal "uid= with uidmap=" "-o uid and -o uidmap exclude each other" \
	-o uid=1,uidmap=0:0:1 "$img" "$w/m-x"
f4_expect_refusal "a bad map" "invalid gidmap='0:0:1:5': expected" -o gidmap=0:0:1:5 "$img" "$w/m-x"
if f4_mount_fuse "$img" "$w/m-x" -o fakeroot,allow_other; then
	grep -q 'fakeroot with -o allow_other: every user of the mount acts as root' "$(f4_daemon_log "$w/m-x")" &&
		f4_pass "fakeroot with allow_other: warned" || f4_fail "fakeroot with allow_other: no warning"
	f4_umount_fuse "$w/m-x"
fi
f4_finish
