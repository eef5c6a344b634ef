#!/bin/bash
# Journaled writes under a simulated power cut. fuse4fs runs the crash
# workload (tests/tools/crashload) on a fresh image with its write log on
# (F4_TEST_WRITELOG, src/io/wlog.h: every write and flush the device saw,
# in order), and unmounts. tests/tools/powercut then rebuilds images a
# disk with a volatile write cache could have held when the power went:
# every write before flush K, and a random subset of the 4 KiB pieces
# written after it, in random order. For F4_POWERCUT_SAMPLES such
# images (12 unless set; flush points spread over the whole run, the
# subsets seeded), the kernel's ext4 (even samples) or fuse4fs (odd
# ones) replays the journal read-write and unmounts; the superblock must
# then say clean and e2fsck -fn find nothing.
# F4_POWERCUT_SEED replays one run (the log names it).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/lib_crash.sh"
f4c_setup

w=$F4_WORK
samples=${F4_POWERCUT_SAMPLES:-12}
seed=${F4_POWERCUT_SEED:-$((RANDOM * 32768 + RANDOM))}

# The logged run: about three seconds of the workload, then a clean
# unmount (its last commits and checkpoint are in the log too).
img=$w/pc.img
mke2fs -q -F -t ext4 -b 4096 "$img" 128M >/dev/null 2>&1 || f4_die "mke2fs failed"
cp --sparse=always "$img" "$w/start.img"
F4_TEST_WRITELOG=$w/writes.log f4_mount_fuse "$img" "$w/mnt" ||
	f4_die "fuse4fs does not mount with the write log"
"$CRASHLOAD" run "$w/mnt" "$w/durable.log" "$seed" &
lpid=$!
sleep 3
kill -TERM "$lpid" 2>/dev/null
wait "$lpid"
f4_umount_fuse "$w/mnt" || f4_fail "fuse4fs exited with $? after the logged run"
f4_check_fsck "$img" "the logged run, unmounted"
read -r flushes writes < <("$POWERCUT" count "$w/writes.log") ||
	f4_die "the write log does not parse"
f4_log "seed $seed: $writes writes, $flushes flushes logged"
[ "$flushes" -ge 4 ] || f4_fail "only $flushes flushes logged: the log misses the commits"

# pc_check K SAMPLE: the image a power cut after flush K could leave.
pc_check() {
	local k=$1 i=$2 cut=$w/cut.img out
	cp --sparse=always "$w/start.img" "$cut"
	out=$("$POWERCUT" build "$cut" "$w/writes.log" "$k" "$((seed + i))") ||
		f4_die "powercut build failed: $out"
	if [ $((i % 2)) -eq 0 ]; then
		if ! f4_mount_kernel "$cut" "$w/kmnt" rw; then
			f4_fail "$out: the kernel cannot mount it"
			return
		fi
		ls -R "$w/kmnt" >/dev/null 2>&1
		f4_umount_kernel "$w/kmnt"
		out="$out, kernel replay"
	else
		if ! f4_mount_fuse "$cut" "$w/fmnt"; then
			f4_fail "$out: fuse4fs cannot mount it"
			return
		fi
		ls -R "$w/fmnt" >/dev/null 2>&1
		f4_umount_fuse "$w/fmnt" || f4_fail "$out: fuse4fs exited with $?"
		out="$out, fuse4fs replay"
	fi
	f4c_check_clean "$cut" "$out"
}

# Flush points spread over the run: one in each of samples equal slices.
for ((i = 0; i < samples; i++)); do
	lo=$((flushes * i / samples))
	hi=$((flushes * (i + 1) / samples))
	k=$((lo + (hi > lo ? (seed / (i + 1) + RANDOM) % (hi - lo) : 0)))
	pc_check "$k" "$i"
done
f4_finish
