#!/bin/bash
# Root in a user namespace, as rootless container tools run it: an
# ordinary user (created by this test) runs `unshare -Urm` and fuse4fs
# inside opens /dev/fuse and mounts with mount(2) itself, no capability
# outside the namespace. Read-write on the user's image (changes, the
# namespace's ids: 0 is the user, an unmapped id cannot be given), -o ro
# on a root-owned 0644 image, the server's capabilities (none, bounding
# set empty, no_new_privs), and a SIGTERM (the mount stays, the log says
# so, umount works). Afterwards e2fsck is clean and what root of the
# namespace created belongs to 0 in the image.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/unpriv.sh"
f4u_require
f4_require_e2fsprogs
f4_require_cmds unshare setfacl getfacl setfattr debugfs
f4_init
f4u_user_create

w=$F4_WORK
f4u unshare -Urm true 2>/dev/null ||
	f4_skip "an ordinary user cannot create a user namespace here ($(f4u unshare -Urm true 2>&1 | head -n1))"

mkdir -p "$w/seed/data"
printf 'hello\n' >"$w/seed/data/hello"
f4_image_small "$w/rw.img" "$w/seed"
chown "$F4U_UID:$F4U_GID" "$w/rw.img"
f4_image_small "$w/ro.img" "$w/seed"
chmod 0644 "$w/ro.img"
before=$(f4_fingerprint "$w/ro.img")
f4u_dir "$w/m1" "$w/m2" "$w/logs"

# Runs inside the namespace as its root; prints ok:/FAIL: lines.
cat >"$w/inner.sh" <<'EOF'
set -u
. "$LIBDIR/ns.sh"
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; }
status() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status"; }

[ "$(id -u)" = 0 ] && ok "root in the namespace" || bad "uid $(id -u) in the namespace"

if f4n_start "$M1" "$L/rw.log" "$IMG_RW"; then
	p=$pid
	for f in CapInh CapPrm CapEff CapAmb CapBnd; do
		[ "$(status $p $f)" = 0000000000000000 ] || bad "rw server: $f=$(status $p $f)"
	done
	[ "$(status $p NoNewPrivs)" = 1 ] && ok "rw server: no capability left, no_new_privs" ||
		bad "rw server: NoNewPrivs=$(status $p NoNewPrivs)"
	grep " $M1 " /proc/self/mountinfo | grep -q 'fuse.fuse4fs.*user_id=0' &&
		ok "mounted with mount(2) in the namespace" || bad "mount table: $(grep " $M1 " /proc/self/mountinfo)"
	[ "$(stat -c %u:%g "$M1/data/hello")" = 0:0 ] && ok "root-owned files show as 0:0" ||
		bad "data/hello shows as $(stat -c %u:%g "$M1/data/hello")"
	if (set -e; cd "$M1/data"
		printf 'ns\n' >made; mkdir dir; ln made hard; ln -s made sym; mv hard moved
		chown 0:0 made; chmod 640 made
		setfattr -n user.ns -v 1 made
		setfacl -m u:0:rw made; getfacl -n made | grep -q '^user:0:rw-'
		echo more >>hello; rm sym); then
		ok "read-write: changes as root of the namespace"
	else
		bad "read-write: a change failed"
	fi
	out=$(chown 1234 "$M1/data/made" 2>&1) && bad "chown to an id outside the namespace succeeded"
	case $out in *"Invalid argument"*) ok "chown to an unmapped id: EINVAL (from the kernel)" ;;
	*) bad "chown to an unmapped id: $out" ;; esac
	f4n_stop "$M1" $p && ok "rw: unmounted, fuse4fs exited 0" || bad "rw: fuse4fs exited with $?"
fi

if f4n_start "$M2" "$L/ro.log" -o ro "$IMG_RO"; then
	p=$pid
	grep -q hello "$M2/data/hello" && ok "-o ro: reads a root-owned 0644 image" || bad "-o ro: cannot read"
	out=$(touch "$M2/data/x" 2>&1) && bad "-o ro: a create succeeded"
	case $out in *"Read-only file system"*) ok "-o ro: EROFS" ;; *) bad "-o ro: $out" ;; esac
	f4n_stop "$M2" $p || bad "ro: fuse4fs exited with $?"
fi

# SIGTERM: root of the namespace kept no CAP_SYS_ADMIN to unmount with.
if f4n_start "$M2" "$L/term.log" -o ro "$IMG_RO"; then
	p=$pid
	kill -TERM $p
	wait $p
	grep -q "stopped while $M2 is still mounted" "$L/term.log" &&
		ok "SIGTERM: the server says the mount stays and how to remove it" ||
		bad "SIGTERM: log: $(cat "$L/term.log")"
	if f4n_mounted "$M2"; then
		umount "$M2" && ok "SIGTERM: umount removes the stale mount" || bad "SIGTERM: umount failed"
	else
		bad "SIGTERM: the mount went away (a server without CAP_SYS_ADMIN unmounted?)"
	fi
fi
EOF

out=$(f4u env F4BIN="$F4_FUSE4FS" LIBDIR="$F4_LIB_DIR" IMG_RW="$w/rw.img" IMG_RO="$w/ro.img" M1="$w/m1" \
	M2="$w/m2" L="$w/logs" timeout -k 5 120 unshare -Urm bash "$w/inner.sh" 2>&1)
rc=$?
while IFS= read -r l; do
	case $l in
	ok:*) f4_pass "${l#ok: }" ;;
	FAIL:*) f4_fail "${l#FAIL: }" ;;
	*) f4_log "$l" ;;
	esac
done < <(printf '%s\n' "$out")
[ $rc -eq 0 ] || f4_fail "the namespace's script exited with $rc"
n=$(printf '%s\n' "$out" | grep -c '^ok: ')
[ "$n" -ge 11 ] || f4_fail "only $n checks ran in the namespace"

f4_check_fsck "$w/rw.img" "rw image"
st=$(f4_debugfs "$w/rw.img" "stat /data/made")
printf '%s' "$st" | grep -q 'User: *0 *Group: *0' &&
	f4_pass "files made by root of the namespace belong to 0 in the image" ||
	f4_fail "/data/made: $(printf '%s' "$st" | grep User:)"
f4_debugfs "$w/rw.img" "ea_list /data/made" | grep -q 'user.ns' ||
	f4_fail "/data/made has no user.ns in the image"
[ "$(f4_fingerprint "$w/ro.img")" = "$before" ] && f4_pass "ro image unchanged" ||
	f4_fail "the ro image changed"
f4_finish
