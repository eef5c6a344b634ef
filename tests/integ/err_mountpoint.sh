#!/bin/bash
# Bad mountpoints: missing, not a directory (a file, a dangling symlink),
# already in use (something mounted there). Each is refused with one line
# on stderr, a non-zero exit, no new mount and no daemon left behind; the
# mount already there is left alone.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_require_fuse
f4_require_built "$F4_SEEDTOOL"
f4_require_cmds mke2fs
f4_init

w=$F4_WORK
f4_small_seed "$w/seed"
f4_image_small "$w/a.img" "$w/seed"
f4_image_small "$w/b.img" "$w/seed"

f4_expect_refusal "missing mountpoint" "nowhere.*no such file" -o ro "$w/a.img" "$w/nowhere"
: >"$w/file"
f4_expect_refusal "mountpoint is a file" "file is not a directory" -o ro "$w/a.img" "$w/file"
ln -s "$w/gone" "$w/dangling"
f4_expect_refusal "mountpoint is a dangling symlink" "dangling.*no such file" -o ro "$w/a.img" "$w/dangling"

# Busy: b.img is mounted at busy/; mounting a.img there must be refused.
mkdir -p "$w/busy"
f4_mount_fuse "$w/b.img" "$w/busy" -o ro || f4_die "cannot mount b.img for the busy test"
f4_expect_refusal "mountpoint already in use" "busy.*(in use|already|mounted)" -o ro "$w/a.img" "$w/busy"
if [ "$(cat "$w/busy/hello" 2>/dev/null)" = hello ]; then
	f4_pass "the mount already there still serves"
else
	f4_fail "the mount already at busy/ was disturbed"
fi
f4_umount_fuse "$w/busy" || f4_fail "fuse4fs exited with status $? after unmount"

# A symlink to a good directory is a good mountpoint.
mkdir -p "$w/real"
ln -s "$w/real" "$w/via-link"
f4_check_mounts "a symlink to a directory as mountpoint" "$w/a.img" "$w/via-link" -o ro
f4_finish
