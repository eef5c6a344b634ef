#!/bin/bash
# Image locking: a read-only mount holds a shared flock on the image for
# as long as it is mounted, so read-only mounts coexist (a second mount of
# the same image works and serves the same tree) while a writer holding
# the exclusive lock keeps fuse4fs out (refused with one line, no daemon);
# the lock goes away with the mount. Where -o rw works, a read-write
# mount holds the lock exclusively. A second mount of a mounted image is
# refused naming the mount; fuse4fs --unmount returns once the image is
# free and clean; a mount right after fusermount3 -u waits for the old
# server instead of failing.
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

# A live mount of the same image is named, with the way out.
cp --sparse=always "$img" "$w/live.img"
f4_mount_fuse_daemon "$w/live.img" "$w/f" || f4_die "daemon mount failed"
f4_expect_refusal "a second mount of a mounted image" \
	"live.img is in use by the fuse4fs mount at $w/f.*fuse4fs --unmount" "$w/live.img" "$w/c"

# fuse4fs --unmount returns once the server has let go of the image:
# nothing holds it, and it is clean, the moment it returns.
dd if=/dev/zero of="$w/f/big" bs=1M count=8 status=none
if "$F4_FUSE4FS" --unmount "$w/f"; then
	flock -n -x "$w/live.img" true && f4_pass "--unmount: the image is free when it returns" ||
		f4_fail "--unmount returned while the image is still held"
	dumpe2fs -h "$w/live.img" 2>/dev/null | grep -q '^Filesystem state: *clean$' &&
		f4_pass "--unmount: the image is clean when it returns" ||
		f4_fail "--unmount returned before the image was marked clean"
else
	f4_fail "fuse4fs --unmount failed"
fi
f4_mounted "$w/f" && f4_fail "--unmount left $w/f mounted"
f4_expect_refusal "--unmount of something else" "is not a fuse4fs mount" --unmount "$w"

# Unmount with fusermount3 -u (which returns before the server is done)
# and mount again at once, as scripts do: the new mount waits for the
# old server instead of failing.
fails=0
for ((i = 0; i < 8; i++)); do
	if "$F4_FUSE4FS" "$w/live.img" "$w/f" 2>"$w/remount.err"; then
		cp -r "$F4_TOP_SRCDIR/src/journal" "$w/f/copy$i"
		fusermount3 -u "$w/f"
	else
		fails=$((fails + 1))
		f4_log "remount $i: $(cat "$w/remount.err")"
	fi
done
"$F4_FUSE4FS" --unmount "$w/f" 2>/dev/null
[ $fails -eq 0 ] && f4_pass "8 immediate remounts after fusermount3 -u" ||
	f4_fail "$fails of 8 immediate remounts after fusermount3 -u failed"
f4_check_fsck "$w/live.img" "after the remounts"
f4_finish
