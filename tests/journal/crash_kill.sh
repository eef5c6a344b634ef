#!/bin/bash
# Journaled writes: kill -9 of the server at a random moment of a busy
# workload never needs fsck and never loses what was fsync'd. Each round:
# a fresh image (ext4 with 4 KiB blocks, ext4 with 1 KiB blocks, ext3 in
# turn), fuse4fs read-write, tests/tools/crashload (busy metadata churn
# plus durable steps logged outside the image once their fsyncs return),
# kill -9 of fuse4fs after a random 1-4 s. Then, on copies of the image:
#   kernel:  the kernel's ext4 mounts it read-write (replaying the
#            journal), crashload verify finds every durable step and no
#            stale data, and after its unmount the superblock says clean
#            and e2fsck -fn finds nothing;
#   fuse4fs: the same with fuse4fs replaying the journal;
#   ro:      fuse4fs -o ro replays in memory: the same promises, the
#            image untouched (every third round).
# F4_CRASH_ROUNDS rounds (3 unless set; `make crash-soak` runs many);
# F4_CRASH_SEED replays one round's seed (the log names it).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/lib_crash.sh"
f4c_setup

w=$F4_WORK
rounds=${F4_CRASH_ROUNDS:-3}

crash_format() {
	case $(($1 % 3)) in
	0) echo "-t ext4 -b 4096" ;;
	1) echo "-t ext4 -b 1024" ;;
	2) echo "-t ext3 -b 4096 -I 256" ;;
	esac
}

# crash_run IMG SEED DELAY: the workload on a fuse4fs mount of IMG, and
# fuse4fs killed with SIGKILL after DELAY seconds. The durable log is
# IMG.log.
crash_run() {
	local img=$1 seed=$2 delay=$3 mnt=$w/mnt pid lpid
	f4_mount_fuse "$img" "$mnt" || { f4_fail "$img: does not mount"; return 1; }
	pid=${F4_PID[$(f4__canon "$mnt")]}
	"$CRASHLOAD" run "$mnt" "$img.log" "$seed" &
	lpid=$!
	sleep "$delay"
	if ! kill -0 "$lpid" 2>/dev/null; then
		wait "$lpid"
		f4_fail "seed $seed: the workload stopped before the kill (exit $?)"
	fi
	{ kill -KILL "$pid"; wait "$pid"; } 2>/dev/null
	wait "$lpid" || f4_fail "seed $seed: the workload failed (exit $?) before the kill"
	unset "F4_PID[$(f4__canon "$mnt")]"
	fusermount3 -u -z "$mnt" 2>/dev/null || umount -l "$mnt"
	f4_log "seed $seed: killed after ${delay}s: $(grep -c '^done' "$img.log") durable steps"
}

# crash_verify LABEL MNT LOG: crashload's verdict on a replayed mount.
crash_verify() {
	if "$CRASHLOAD" verify "$2" "$3" >"$w/verify.out" 2>&1; then
		f4_pass "$1: $(tail -n1 "$w/verify.out")"
	else
		f4_fail "$1: broken promises:"
		sed 's/^/    /' "$w/verify.out"
	fi
}

crash_round() {
	local r=$1 seed delay img=$w/crash.img fmt before
	seed=${F4_CRASH_SEED:-$((RANDOM * 32768 + RANDOM))}
	delay=$((1 + RANDOM % 4)).$((RANDOM % 10))
	fmt=$(crash_format "$r")
	rm -f "$img" "$img".*
	# shellcheck disable=SC2086
	mke2fs -q -F $fmt "$img" 256M >/dev/null 2>&1 || f4_die "mke2fs $fmt failed"
	f4_log "round $r: mke2fs $fmt, seed $seed"
	crash_run "$img" "$seed" "$delay" || return
	dumpe2fs -h "$img" 2>/dev/null | grep -q needs_recovery ||
		f4_fail "round $r: the killed mount did not leave needs_recovery set"
	cp --sparse=always "$img" "$img.kernel"
	cp --sparse=always "$img" "$img.ro"

	if f4_mount_kernel "$img.kernel" "$w/kmnt" rw; then
		crash_verify "round $r: kernel replay" "$w/kmnt" "$img.log"
		f4_umount_kernel "$w/kmnt"
		f4c_check_clean "$img.kernel" "round $r: kernel replay"
	else
		f4_fail "round $r: the kernel cannot mount the image (see above)"
	fi

	if f4_mount_fuse "$img" "$w/fmnt"; then
		crash_verify "round $r: fuse4fs replay" "$w/fmnt" "$img.log"
		f4_umount_fuse "$w/fmnt" || f4_fail "round $r: fuse4fs exited with $?"
		f4c_check_clean "$img" "round $r: fuse4fs replay"
	else
		f4_fail "round $r: fuse4fs cannot mount the killed image"
	fi

	[ $((r % 3)) -eq 0 ] || return
	chmod 0444 "$img.ro"
	before=$(f4_fingerprint "$img.ro")
	if f4_mount_fuse "$img.ro" "$w/romnt" -o ro; then
		crash_verify "round $r: fuse4fs -o ro replay in memory" "$w/romnt" "$img.log"
		f4_umount_fuse "$w/romnt"
	else
		f4_fail "round $r: fuse4fs -o ro cannot mount the killed image"
	fi
	[ "$(f4_fingerprint "$img.ro")" = "$before" ] ||
		f4_fail "round $r: -o ro changed the image"
}

for ((r = 0; r < rounds; r++)); do
	f4_timed "round $r" crash_round "$r"
done
f4_finish
