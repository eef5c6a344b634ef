#!/bin/bash
# Image locking: a read-only mount holds a shared flock on the image for
# as long as it is mounted, so read-only mounts coexist (a second mount of
# the same image works and serves the same tree) while a writer holding
# the exclusive lock keeps fuse4fs out (refused with one line, no daemon);
# the lock goes away with the mount. Where -o rw works, a read-write
# mount holds the lock exclusively.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_require_fuse
f4_require_built "$F4_TREEDUMP" "$F4_SEEDTOOL"
f4_require_cmds mke2fs flock
f4_init

w=$F4_WORK
img=$w/lock.img
f4_small_seed "$w/seed"
f4_image_small "$img" "$w/seed"

f4_mount_fuse "$img" "$w/a" -o ro || f4_die "first mount failed"
if flock -n -x "$img" true; then
	f4_fail "no lock on the image while it is mounted (flock -x succeeded)"
else
	f4_pass "the mounted image is locked against writers"
fi
flock -n -s "$img" true && f4_pass "the lock is shared (readers may come)" ||
	f4_fail "the lock on the image is exclusive for a read-only mount"

# A second read-only mount of the same image: shared locks coexist.
if f4_mount_fuse "$img" "$w/b" -o ro; then
	f4_compare_trees "second mount serves the same tree" "$w/a" "$w/b" -c -a -i
	f4_umount_fuse "$w/b" || f4_fail "second fuse4fs exited with status $?"
else
	f4_fail "a second read-only mount of the same image failed"
fi
f4_umount_fuse "$w/a" || f4_fail "fuse4fs exited with status $?"
if flock -n -x "$img" true; then
	f4_pass "the lock is released after unmount"
else
	f4_fail "the image is still locked after unmount"
fi

# A writer holds the exclusive lock: fuse4fs must keep out.
# (The holder is the sleep itself, so that killing it frees the lock.)
(exec 9<"$img" && flock -x 9 && exec sleep 300) &
holder=$!
f4_at_exit "kill $holder"
for ((i = 0; i < 100; i++)); do
	flock -n -s "$img" true || break
	sleep 0.05
done
mkdir -p "$w/c"
f4_expect_refusal "image locked by a writer" "lock.img is in use" -o ro "$img" "$w/c"
kill "$holder"
wait "$holder" 2>/dev/null
f4_check_mounts "once the writer released its lock" "$img" "$w/c" -o ro
# Read-write mounts (once supported) take the lock exclusively: no
# read-only mount next to one, and none next to a read-only one.
cp --sparse=always "$img" "$w/rw.img"
mkdir -p "$w/d" "$w/e"
if ! f4_mount_fuse "$w/rw.img" "$w/d" -o rw >/dev/null; then
	f4_log "-o rw is refused: skipping the exclusive-lock checks"
else
	flock -n -s "$w/rw.img" true && f4_fail "a read-write mount does not lock the image exclusively" ||
		f4_pass "a read-write mount locks the image exclusively"
	f4_expect_refusal "read-only mount next to a read-write one" "rw.img is in use" \
		-o ro "$w/rw.img" "$w/e"
	f4_umount_fuse "$w/d" || f4_fail "-o rw: fuse4fs exited with status $?"
	f4_mount_fuse "$w/rw.img" "$w/e" -o ro || f4_die "-o ro mount failed"
	f4_expect_refusal "read-write mount next to a read-only one" "rw.img is in use" \
		-o rw "$w/rw.img" "$w/d"
	f4_umount_fuse "$w/e" || f4_fail "fuse4fs exited with status $?"
fi
f4_finish
