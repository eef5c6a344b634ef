#!/bin/bash
# A server handed an already-open /dev/fuse by a privileged parent (the
# /dev/fd/N mountpoint convention of libfuse, as container runtimes use
# it), with the image handed over as /dev/fd/M too, so that the server
# (an ordinary user this test creates) has no path access to either: it
# serves, changes land in the image, it exits when the parent's side
# unmounts. A read-only image descriptor serves -o ro, and without it
# is served read-only with a warning. Such servers never unmount, so even
# an ordinary user's sets no_new_privs; a root one drops everything,
# bounding set included.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/unpriv.sh"
F4_FDMOUNT=$F4_TOP_BUILDDIR/tests/tools/fdmount
f4u_require
f4_require_e2fsprogs
f4_require_built "$F4_FDMOUNT"
f4_require_cmds debugfs
f4_init
f4u_user_create

w=$F4_WORK
mkdir -p "$w/seed/mine" "$w/priv"
printf 'hello\n' >"$w/seed/mine/hello"
chown -R "$F4U_UID:$F4U_GID" "$w/seed/mine"
chmod 0700 "$w/priv"		# the user cannot reach the image by its path
img=$w/priv/fd.img
f4_image_small "$img" "$w/seed"
f4u test -r "$img" && f4_die "the user can reach $img"
f4u_dir "$w/m"

# fdserve LABEL MNT [fdmount options] -- [fuse4fs options]: fdmount runs
# fuse4fs -f ... @IMAGE@ @FUSE@ in the background (pid in $pid, log in
# $w/LABEL.log) and waits for the mount to answer.
fdserve() {
	local label=$1 mnt=$2 i fdopts=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do fdopts+=("$1"); shift; done
	shift
	: >"$w/$label.log"
	"$F4_FDMOUNT" "${fdopts[@]}" "$mnt" -- "$F4U_REAL_FUSE4FS" -f "$@" @IMAGE@ @FUSE@ \
		>"$w/$label.log" 2>&1 &
	pid=$!
	f4_at_exit "umount -l '$mnt' 2>/dev/null; kill $pid 2>/dev/null"
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || return 1
		grep -q 'capabilities:' "$w/$label.log" && return 0	# -d: serving
		sleep 0.05
	done
	return 1
}
F4U_REAL_FUSE4FS=$F4_FUSE4FS

# ---- an ordinary user's server, image and /dev/fuse handed over ----------
if fdserve user "$w/m" -u "$F4U_UID:$F4U_GID" -i "$img" -- -d; then
	[ "$(f4u_status "$pid" Uid)" = "$F4U_UID" ] && f4_pass "the server runs as the user" ||
		f4_fail "the server runs as uid $(f4u_status "$pid" Uid)"
	f4u_check_caps "user server on /dev/fd" "$pid" any 1
	if f4u bash -ec "cd '$w/m/mine'; grep -q hello hello; printf 'fd\n' >new; mkdir d; mv new d/new"; then
		f4_pass "the user reads and writes through the handed-over descriptors"
	else
		f4_fail "reading or writing through the /dev/fd mount failed"
	fi
	umount "$w/m" || f4_fail "umount of the fd mount failed"
	if f4u_wait_exit "$pid"; then
		[ "$F4U_RC" -eq 0 ] && f4_pass "the server exits 0 once the parent's side unmounts" ||
			f4_fail "the server exited with $F4U_RC"
	else
		f4_fail "the server is still running after the unmount"
	fi
	f4_check_fsck "$img" "fd mount"
	f4_debugfs "$img" "stat /mine/d/new" | grep -q "User: *$F4U_UID" &&
		f4_pass "the new file is in the image, owned by the user" ||
		f4_fail "/mine/d/new is not in the image as the user's"
else
	f4_fail "fuse4fs on /dev/fd/N with the image as /dev/fd/M did not serve: $(cat "$w/user.log")"
fi

# ---- a read-only image descriptor ---------------------------------------
before=$(f4_fingerprint "$img")
if fdserve ro "$w/m" -u "$F4U_UID:$F4U_GID" -i "$img" -r -R -- -d -o ro; then
	f4u grep -q hello "$w/m/mine/hello" && f4_pass "-o ro on a read-only image descriptor" ||
		f4_fail "-o ro on a read-only descriptor: cannot read"
	umount "$w/m"
	f4u_wait_exit "$pid" || f4_fail "-o ro: the server is still running after the unmount"
else
	f4_fail "-o ro on a read-only image descriptor did not serve: $(cat "$w/ro.log")"
fi
[ "$(f4_fingerprint "$img")" = "$before" ] && f4_pass "-o ro: the image is unchanged" ||
	f4_fail "-o ro: the image changed"
# Without -o ro: served read-only, with a warning, as mount(8) mounts
# write-protected storage.
if fdserve rw-on-ro "$w/m" -u "$F4U_UID:$F4U_GID" -i "$img" -r -R -- -d; then
	grep -q 'write-protected (Read-only file system): mounting read-only' "$w/rw-on-ro.log" &&
		f4_pass "read-write on a read-only descriptor: served read-only, with a warning" ||
		f4_fail "read-write on a read-only descriptor: no warning in $(head -c 400 "$w/rw-on-ro.log")"
	out=$(f4u touch "$w/m/mine/new2" 2>&1) && f4_fail "read-only descriptor: a create succeeded"
	printf '%s' "$out" | grep -qi 'read-only file system' &&
		f4_pass "read-only descriptor: changes fail with EROFS" ||
		f4_fail "read-only descriptor: a create failed with: $out"
	umount "$w/m"
	f4u_wait_exit "$pid" || f4_fail "read-only descriptor: the server is still running after the unmount"
else
	f4_fail "read-write on a read-only descriptor does not serve: $(cat "$w/rw-on-ro.log")"
fi
[ "$(f4_fingerprint "$img")" = "$before" ] && f4_pass "read-only descriptor: the image is unchanged" ||
	f4_fail "read-only descriptor: the image changed"

# ---- root's server on /dev/fd/N: nothing kept, bounding set empty ----------
if fdserve root "$w/m" -i "$img" -- -d; then
	f4u_check_caps "root server on /dev/fd" "$pid" empty 1
	grep -q 'kept none.*bounding set empty; no_new_privs set' "$w/root.log" &&
		f4_pass "-d logs what was kept: $(grep -o 'held.*' "$w/root.log")" ||
		f4_fail "-d does not log the capabilities: $(grep capab "$w/root.log")"
	umount "$w/m"
	f4u_wait_exit "$pid" || f4_fail "root: the server is still running after the unmount"
else
	f4_fail "root's fuse4fs on /dev/fd/N did not serve: $(cat "$w/root.log")"
fi
f4_fsck_clean "$img" || f4_fail "e2fsck found problems at the end"
f4_finish
