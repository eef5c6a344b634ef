# shellcheck shell=bash
# Integration-test library: sourced by every tests/integ/*.sh.
#
# A test looks like:
#     . "$(dirname "$0")/lib.sh"
#     f4_require_root; f4_require_fuse; f4_require_loop  # or skip (77)
#     f4_init                       # work dir, cleanup trap
#     ... f4_mount_fuse IMG MNT -o ro; f4_compare_trees ...; f4_fail ...
#     f4_finish                     # exit 0, or 1 if anything failed
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error
# (the harness itself broke, e.g. mke2fs failed).
#
# Everything a test creates lives in $F4_WORK (under the build tree, never
# the source tree); it is removed when the test passes or skips and kept
# for inspection when it fails. Every mount and every daemon a test starts
# is registered for cleanup and torn down on any exit (including failures,
# INT and TERM): FUSE mounts are unmounted and their daemon waited for
# (then TERM, then KILL); kernel mounts are unmounted and their loop
# devices detached.
#
# Sections: setup and results / requirements / cleanup / mounting /
# expected failures / seed trees / images / comparisons.

set -u
export LC_ALL=C
export PATH="$PATH:/usr/sbin:/sbin"

# ===== setup and results ==================================================

F4_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
: "${F4_TOP_SRCDIR:=$(cd "$F4_LIB_DIR/../.." && pwd -P)}"
: "${F4_TOP_BUILDDIR:=$F4_TOP_SRCDIR}"
F4_FUSE4FS=${F4_FUSE4FS:-$F4_TOP_BUILDDIR/fuse4fs}	# override to test another binary
F4_FUSE_OPTS=${F4_FUSE_OPTS:-}	# extra -o options for every mount (e.g. io=pread)
F4_TREEDUMP=$F4_TOP_BUILDDIR/tests/integ/treedump
F4_DIRWALK=$F4_TOP_BUILDDIR/tests/integ/dirwalk
F4_SEEDTOOL=$F4_TOP_BUILDDIR/tests/integ/seedtool

F4_TEST=$(basename "$0" .sh)
F4_FAILURES=0
F4_CLEANUP=()		# commands run in reverse order on exit
declare -A F4_PID=()	# FUSE mountpoint -> daemon pid (run with -f)
declare -A F4_DAEMON_LOG=()

f4_log() { printf '[%s] %s\n' "${F4_TEST:-test}" "$*"; }
f4_pass() { f4_log "ok: $*"; }

# A check failed: say so and go on (the test fails at f4_finish).
f4_fail() {
	printf '[%s] FAIL: %s\n' "${F4_TEST:-test}" "$*"
	F4_FAILURES=$((F4_FAILURES + 1))
}

# The harness cannot go on (a tool it relies on failed): exit 99.
f4_die() {
	printf '[%s] ERROR: %s\n' "${F4_TEST:-test}" "$*"
	exit 99
}

f4_skip() {
	printf '[%s] SKIP: %s\n' "${F4_TEST:-test}" "$*"
	exit 77
}

# Set up the work directory and the cleanup trap. Call once, after the
# f4_require_* checks (so that a skip leaves nothing behind).
f4_init() {
	local build
	build=$(cd "$F4_TOP_BUILDDIR" && pwd -P) || f4_die "no build dir $F4_TOP_BUILDDIR"
	F4_TOP_BUILDDIR=$build
	F4_WORK=$build/tests/work/$F4_TEST
	if [ -e "$F4_WORK" ]; then
		f4__mounts_under "$F4_WORK" | grep -q . &&
			f4_die "$F4_WORK has mounts left from an earlier run; unmount them first"
		rm -rf --one-file-system "$F4_WORK" || f4_die "cannot clear $F4_WORK"
	fi
	mkdir -p "$F4_WORK" || f4_die "cannot create $F4_WORK"
	trap f4__on_exit EXIT
	trap 'f4_log "interrupted"; exit 130' INT
	trap 'f4_log "terminated"; exit 143' TERM
	F4_T0=$(date +%s)
	f4_log "work dir $F4_WORK"
}

# Exit with the verdict.
f4_finish() {
	local secs=$(($(date +%s) - F4_T0))
	if [ "$F4_FAILURES" -gt 0 ]; then
		f4_log "$F4_FAILURES check(s) failed (${secs}s)"
		exit 1
	fi
	f4_log "all checks passed (${secs}s)"
	exit 0
}

# Run a command, logging (to stderr) how long it took: f4_timed LABEL CMD...
f4_timed() {
	local label=$1 t0 t1 rc
	shift
	t0=${EPOCHREALTIME/[.,]/}
	"$@"
	rc=$?
	t1=${EPOCHREALTIME/[.,]/}
	f4_log "$label: $(((t1 - t0) / 1000)) ms" >&2	# stdout may be a pipe
	return $rc
}

# ===== requirements (skip with a reason when missing) =====================

f4_require_root() {
	[ "$(id -u)" -eq 0 ] || f4_skip "needs root (kernel loop mounts, device nodes, bind mounts)"
}

f4_require_cmds() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || f4_skip "needs the command '$c'"
	done
}

f4_require_built() {
	local p
	for p in "$F4_FUSE4FS" "$@"; do
		[ -x "$p" ] || f4_die "$p is not built (run make check, which builds it)"
	done
}

f4_require_fuse() {
	[ -c /dev/fuse ] || f4_skip "needs /dev/fuse"
	[ -r /dev/fuse ] && [ -w /dev/fuse ] || f4_skip "/dev/fuse is not accessible"
	f4_require_cmds fusermount3
	f4_require_built
}

# Can this test mount with FUSE? (For optional parts of tests that do not
# require it.)
f4_have_fuse() {
	[ -c /dev/fuse ] && [ -r /dev/fuse ] && [ -w /dev/fuse ] &&
		command -v fusermount3 >/dev/null 2>&1
}

f4_require_loop() {
	f4_require_root
	[ -e /dev/loop-control ] || losetup -f >/dev/null 2>&1 ||
		f4_skip "needs loop devices (/dev/loop-control)"
	grep -qw ext4 /proc/filesystems || modprobe ext4 >/dev/null 2>&1 ||
		f4_skip "needs the kernel's ext4 driver"
	f4_require_cmds losetup mount umount findmnt
}

# e2fsprogs tools used to build images.
f4_require_e2fsprogs() {
	f4_require_cmds mke2fs debugfs e2fsck
}

# f4_init_kernel_compare PROGRAM...: f4_init for a test that builds images
# and mounts them with fuse4fs and with the kernel's ext4 driver (root,
# /dev/fuse, loop devices, ext4 and e2fsprogs), running the test programs
# it names (built by make check).
f4_init_kernel_compare() {
	f4_require_root
	f4_require_fuse
	f4_require_loop
	f4_require_e2fsprogs
	f4_require_built "$@"
	f4_init
}

# ===== cleanup ============================================================

# Register a command (a string, eval'ed) to run on exit, last first.
f4_at_exit() { F4_CLEANUP+=("$1"); }

# Mount points at or below $1 (from the mount table, innermost last).
f4__mounts_under() {
	awk -v top="$1" '{
		m = $5; gsub(/\\040/, " ", m)
		if (m == top || index(m, top "/") == 1) print m
	}' /proc/self/mountinfo
}

f4__canon() { realpath -m -- "$1"; }

# Is $1 a mount point right now? Reads the mount table, so that a FUSE
# mount whose daemon died (stat fails with ENOTCONN) still counts.
f4_mounted() {
	local m
	m=$(f4__canon "$1")
	awk -v m="$m" '{ p = $5; gsub(/\\040/, " ", p); if (p == m) f = 1 }
		END { exit !f }' /proc/self/mountinfo
}

# Pids of fuse4fs processes whose command line mentions $1 (an image or
# the work dir), except the daemons this test started on purpose.
f4_daemons_on() {
	local p cmd known
	known=" ${F4_PID[*]:-} "
	for p in $(pgrep -f -- fuse4fs); do
		[ "$p" = "$$" ] && continue
		cmd=$({ tr '\0' '\n' <"/proc/$p/cmdline"; } 2>/dev/null) || continue
		case $(printf '%s\n' "$cmd" | head -n1) in
		*fuse4fs | "$F4_FUSE4FS") ;;
		*) continue ;;
		esac
		printf '%s\n' "$cmd" | grep -qF -- "$1" || continue
		case $known in *" $p "*) continue ;; esac
		echo "$p"
	done
}

f4__kill_pids() {
	local p
	for p in "$@"; do kill -TERM "$p" 2>/dev/null; done
	sleep 0.5
	for p in "$@"; do kill -KILL "$p" 2>/dev/null; done
}

f4__on_exit() {
	local rc=$? i left
	trap - EXIT INT TERM
	for ((i = ${#F4_CLEANUP[@]} - 1; i >= 0; i--)); do
		eval "${F4_CLEANUP[$i]}" >/dev/null 2>&1 || true
	done
	[ -n "${F4_WORK:-}" ] || exit $rc
	# Belt and braces: nothing of ours may outlive the test.
	left=$(f4_daemons_on "$F4_WORK")
	if [ -n "$left" ]; then
		f4_log "killing leftover fuse4fs processes: $left"
		# shellcheck disable=SC2086
		f4__kill_pids $left
		[ "$rc" -eq 0 ] && rc=1
	fi
	while read -r left; do
		[ -n "$left" ] || continue
		f4_log "unmounting leftover mount $left"
		umount "$left" 2>/dev/null || umount -l "$left" 2>/dev/null
		[ "$rc" -eq 0 ] && rc=1
	done < <(f4__mounts_under "$F4_WORK" | tac)
	if [ "$rc" -eq 0 ] || [ "$rc" -eq 77 ]; then
		if ! f4__mounts_under "$F4_WORK" | grep -q .; then
			rm -rf --one-file-system "$F4_WORK"
			rmdir "$(dirname "$F4_WORK")" 2>/dev/null
		fi
	else
		f4_log "keeping $F4_WORK for inspection"
	fi
	exit $rc
}

# ===== mounting ===========================================================

# f4_mount_fuse IMAGE MNT [fuse4fs options...]
# Start fuse4fs in the foreground (-f) in the background, wait for the
# mount, register the cleanup. The daemon's output goes to
# $F4_WORK/fuse4fs-<mnt>.log. Returns non-zero (with the log shown) if
# the daemon exits or the mount does not appear within F4_MOUNT_WAIT
# seconds (20 unless set).
f4_mount_fuse() {
	local img=$1 given=$2 mnt log pid i wait=${F4_MOUNT_WAIT:-20}
	shift 2
	mnt=$(f4__canon "$given")
	mkdir -p "$mnt"
	log=$F4_WORK/fuse4fs-$(basename "$mnt").log
	[ -n "$F4_FUSE_OPTS" ] && set -- "$@" -o "$F4_FUSE_OPTS"
	"$F4_FUSE4FS" -f "$@" "$img" "$given" >"$log" 2>&1 &
	pid=$!
	F4_PID[$mnt]=$pid
	F4_DAEMON_LOG[$mnt]=$log
	f4_at_exit "f4_umount_fuse '$mnt'"
	for ((i = 0; i < wait * 20; i++)); do
		f4_mounted "$mnt" && return 0
		if ! kill -0 "$pid" 2>/dev/null; then
			wait "$pid"
			f4_log "fuse4fs $* $img $mnt exited with $? before mounting:"
			sed 's/^/    /' "$log"
			unset "F4_PID[$mnt]"
			return 1
		fi
		sleep 0.05
	done
	f4_log "fuse4fs $* $img $mnt: no mount after ${wait}s"
	return 1
}

# f4_mount_fuse_daemon IMAGE MNT [fuse4fs options...]
# The way users run it: without -f, fuse4fs returns once the filesystem is
# mounted and keeps serving from a detached daemon. Returns fuse4fs's exit
# status; the daemon (found by its command line) is registered for
# cleanup like a foreground one.
f4_mount_fuse_daemon() {
	local img=$1 given=$2 mnt log rc pid
	shift 2
	mnt=$(f4__canon "$given")
	mkdir -p "$mnt"
	log=$F4_WORK/fuse4fs-$(basename "$mnt").log
	f4_at_exit "f4_umount_fuse '$mnt'"
	[ -n "$F4_FUSE_OPTS" ] && set -- "$@" -o "$F4_FUSE_OPTS"
	timeout -k 5 30 "$F4_FUSE4FS" "$@" "$img" "$given" >"$log" 2>&1 </dev/null
	rc=$?
	pid=$(f4_daemons_on "$given" | head -n1)
	[ -n "$pid" ] && F4_PID[$mnt]=$pid
	F4_DAEMON_LOG[$mnt]=$log
	[ $rc -eq 0 ] || { f4_log "fuse4fs $* $img $mnt: exit $rc: $(cat "$log")"; return $rc; }
	f4_mounted "$mnt" || { f4_log "fuse4fs returned 0 but $mnt is not mounted"; return 1; }
	[ -n "$pid" ] || { f4_log "fuse4fs mounted $mnt but no daemon process is left"; return 1; }
	return 0
}

# f4_check_mounts WHAT IMAGE MNT [fuse4fs options...]: a check that
# IMAGE mounts at MNT with those options, and that fuse4fs exits 0 once
# unmounted (pass or fail, named WHAT).
f4_check_mounts() {
	local what=$1 img=$2 mnt=$3
	shift 3
	if ! f4_mount_fuse "$img" "$mnt" "$@"; then
		f4_fail "$what: does not mount"
		return 1
	fi
	f4_pass "$what: mounts"
	f4_umount_fuse "$mnt" || f4_fail "$what: fuse4fs exited with status $? after unmount"
}

# f4_umount_fuse MNT: unmount, wait for the daemon (TERM, then KILL, if it
# lingers). Returns the daemon's exit status (0 expected; for a daemon
# started without -f, which is not our child, 0 when it exits by itself).
# Idempotent.
f4_umount_fuse() {
	local mnt pid i rc=0
	mnt=$(f4__canon "$1")
	pid=${F4_PID[$mnt]:-}
	for ((i = 0; i < 50; i++)); do
		f4_mounted "$mnt" || break
		fusermount3 -u "$mnt" 2>/dev/null && break
		sleep 0.1
	done
	if f4_mounted "$mnt"; then
		f4_log "fusermount3 -u $mnt keeps failing; lazy unmount"
		fusermount3 -u -z "$mnt" 2>/dev/null || umount -l "$mnt" 2>/dev/null
		rc=1
	fi
	[ -n "$pid" ] || return $rc
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	if kill -0 "$pid" 2>/dev/null; then
		f4_log "fuse4fs (pid $pid) still running 10s after unmount; killing it"
		kill -TERM "$pid" 2>/dev/null
		sleep 1
		kill -KILL "$pid" 2>/dev/null
		rc=1
	fi
	if wait "$pid" 2>/dev/null; then
		:
	else
		local st=$?
		# 127: not our child (a daemon started without -f).
		[ $rc -eq 0 ] && [ $st -ne 127 ] && rc=$st
	fi
	unset "F4_PID[$mnt]"
	return $rc
}

# The daemon log of the FUSE mount at MNT.
f4_daemon_log() { echo "${F4_DAEMON_LOG[$(f4__canon "$1")]:-/dev/null}"; }

# f4_mount_kernel IMAGE MNT [extra,options]: read-only loop mount with the
# kernel's ext4 driver (also for ext2/ext3 images: one oracle). The extra
# options come last, so "rw" gives a read-write mount (for tests that do
# the same operations on both and compare).
f4_mount_kernel() {
	local img=$1 mnt out
	mnt=$(f4__canon "$2")
	mkdir -p "$mnt"
	f4_at_exit "f4_umount_kernel '$mnt'"
	out=$(mount -t ext4 -o "ro,loop${3:+,$3}" "$img" "$mnt" 2>&1) || {
		f4_log "kernel mount of $img failed: $out"
		return 1
	}
}

f4_umount_kernel() {
	local mnt dev i
	mnt=$(f4__canon "$1")
	f4_mounted "$mnt" || return 0
	dev=$(findmnt -n -o SOURCE --mountpoint "$mnt" 2>/dev/null | head -n1)
	for ((i = 0; i < 50; i++)); do
		umount "$mnt" 2>/dev/null && break
		sleep 0.1
	done
	f4_mounted "$mnt" && { umount -l "$mnt"; return 1; }
	case $dev in
	/dev/loop*) losetup "$dev" >/dev/null 2>&1 && losetup -d "$dev" 2>/dev/null ;;
	esac
	return 0
}

# ===== expected failures ==================================================

# f4_expect_refusal DESC REGEX ARGS...
# Run fuse4fs ARGS (without -f: a wrongful success would daemonize) and
# check that it is refused properly: non-zero exit within 30 s, nothing on
# stdout, exactly one line on stderr, starting "fuse4fs: " and matching
# the extended regex REGEX (case-insensitive), no new mount under the work
# dir and no daemon left behind. Cleans up after a wrongful success.
f4_expect_refusal() {
	local desc=$1 re=$2 rc out err nl left m before
	shift 2
	out=$F4_WORK/refusal.out
	err=$F4_WORK/refusal.err
	before=$(f4__mounts_under "$F4_WORK")
	timeout -k 5 30 "$F4_FUSE4FS" "$@" >"$out" 2>"$err" </dev/null
	rc=$?
	sleep 0.1
	local ok=1
	if [ $rc -eq 0 ]; then
		f4_fail "$desc: fuse4fs $* succeeded, expected a refusal"
		ok=0
	elif [ $rc -eq 124 ] || [ $rc -eq 137 ]; then
		f4_fail "$desc: fuse4fs $* hung (killed after 30s)"
		ok=0
	fi
	nl=$(wc -l <"$err")
	if [ "$nl" -ne 1 ]; then
		f4_fail "$desc: expected one line on stderr, got $nl:"
		sed 's/^/    /' "$err"
		ok=0
	elif ! grep -q '^fuse4fs: ' "$err"; then
		f4_fail "$desc: stderr does not start with 'fuse4fs: ': $(cat "$err")"
		ok=0
	elif ! grep -qEi -- "$re" "$err"; then
		f4_fail "$desc: message does not match /$re/: $(cat "$err")"
		ok=0
	fi
	if [ -s "$out" ]; then
		f4_fail "$desc: unexpected output on stdout: $(head -c 300 "$out")"
		ok=0
	fi
	while read -r m; do
		[ -n "$m" ] || continue
		printf '%s\n' "$before" | grep -qxF -- "$m" && continue
		f4_fail "$desc: $m is mounted after the refusal"
		fusermount3 -u "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
		ok=0
	done < <(f4__mounts_under "$F4_WORK")
	left=$(f4_daemons_on "$F4_WORK")
	if [ -n "$left" ]; then
		f4_fail "$desc: fuse4fs process(es) left behind: $left"
		# shellcheck disable=SC2086
		f4__kill_pids $left
		ok=0
	fi
	[ $ok -eq 1 ] && f4_pass "$desc: refused (exit $rc): $(cat "$err")"
	return $((1 - ok))
}

# ===== seed trees =========================================================

# Write LEN pattern bytes (never a zero byte) at OFFSET of FILE.
f4__put() {
	local file=$1 off=$2 len=$3 seed=${4:-7}
	"$F4_SEEDTOOL" pattern "$len" "$seed" |
		dd of="$file" bs=64K seek="$off" oflag=seek_bytes conv=notrunc status=none
}

# A string of N characters (for symlink targets and names).
f4__str() {
	local n=$1 prefix=${2:-} s
	printf -v s '%*s' $((n - ${#prefix})) ''
	printf '%s%s' "$prefix" "${s// /x}"
}

# f4_seed_build DIR BLOCKSIZE
# Build a seed tree with every kind of file ext4 can hold, for
# `mke2fs -d DIR`. The compared content lives in DIR/tree; DIR/imgonly is
# an empty directory for additions made to the image only (unwritten
# extents, EA-inode values), so that adding them changes no compared
# timestamp. BLOCKSIZE bounds the longest symlink target (blocksize - 1).
# Data regions of sparse files are 16 KiB-aligned and never all zeros,
# so the SEEK_DATA layout is the same on the seed (4 KiB blocks) and on
# every image (1 KiB to 4 KiB blocks, 16 KiB bigalloc clusters).
f4_seed_build() {
	local dir=$1 bs=$2 t i n
	t=$dir/tree
	rm -rf "$dir"
	mkdir -p "$t" "$dir/imgonly" || f4_die "cannot create $dir"
	(
		set -e
		cd "$t"
		# -- regular files
		mkdir files
		: >files/empty
		printf 'hello\n' >files/small
		"$F4_SEEDTOOL" pattern -t 59 1 >files/len-59
		"$F4_SEEDTOOL" pattern -t 60 2 >files/len-60
		"$F4_SEEDTOOL" pattern -t 61 3 >files/len-61
		"$F4_SEEDTOOL" pattern -t 150 4 >files/len-150
		"$F4_SEEDTOOL" pattern -t 10000 5 >files/text
		"$F4_SEEDTOOL" pattern 1048576 6 >files/bin-1m
		"$F4_SEEDTOOL" pattern $((3 * 4097 + 5)) 7 >files/odd-size
		"$F4_SEEDTOOL" pattern 3 8 >"files/name with spaces"
		printf 'utf8\n' >"files/ünïcödé-ñåmé-日本"
		printf 'dash\n' >files/-leading-dash
		printf 'hidden\n' >files/.hidden
		printf 'long\n' >"files/$(f4__str 255 L)"
		# -- sparse files
		mkdir sparse
		truncate -s 1M sparse/hole-start
		f4__put sparse/hole-start 1M 64K 11
		f4__put sparse/hole-middle 0 64K 12
		f4__put sparse/hole-middle 2M 64K 13
		f4__put sparse/hole-end 0 64K 14
		truncate -s 3M sparse/hole-end
		truncate -s 10M sparse/all-hole
		# hundreds of extents: an extent tree with index blocks
		for ((i = 0; i < 300; i++)); do
			printf '%s\n' $((i * 32768))
		done | while read -r n; do
			f4__put sparse/many-extents "$n" 16K "$n"
		done
		# over 4 GiB, data on both sides of 4 GiB
		f4__put sparse/big-5g 0 64K 15
		f4__put sparse/big-5g $((4 * 1024 * 1024 * 1024 - 65536)) 128K 16
		f4__put sparse/big-5g $((5 * 1024 * 1024 * 1024)) 64K 17
		truncate -s $((5 * 1024 * 1024 * 1024 + 128 * 1024)) sparse/big-5g
		# -- symlinks: fast (< 60 bytes), slow (>= 60), up to blocksize - 1
		mkdir links
		ln -s ../files/small links/relative
		ln -s /etc/passwd links/absolute
		ln -s does/not/exist links/dangling
		ln -s ../files links/to-dir
		ln -s loop links/loop
		ln -s "$(f4__str 59 fast59/)" links/fast-59
		ln -s "$(f4__str 60 slow60/)" links/slow-60
		ln -s "$(f4__str 61 slow61/)" links/slow-61
		ln -s "$(f4__str 500 slow500/)" links/slow-500
		n=$((bs - 1))
		[ $n -gt 4000 ] && n=4000
		ln -s "$(f4__str $n "slowmax$n/")" links/slow-max
		# -- device nodes, FIFOs, sockets
		mkdir special
		mknod special/null c 1 3
		mknod special/chr-big c 260 70000
		mknod special/blk b 7 9
		mknod special/blk-big b 259 65536
		mkfifo special/fifo
		"$F4_SEEDTOOL" mksock special/socket
		# -- hard links (files, a symlink, a FIFO; across directories)
		mkdir -p hard/sub
		printf 'linked\n' >hard/a
		ln hard/a hard/b
		ln hard/a hard/sub/c
		: >hard/x
		ln hard/x hard/y
		ln -s a hard/sym1
		ln -P hard/sym1 hard/sym2
		mkfifo hard/fifo1
		ln hard/fifo1 hard/fifo2
		# -- extended attributes
		mkdir -p xattr/dir
		: >xattr/in-inode
		setfattr -n user.a -v 1 xattr/in-inode
		setfattr -n user.bb -v hello xattr/in-inode
		setfattr -n user.empty xattr/in-inode
		printf 'blockxattrs\n' >xattr/block
		setfattr -n user.p1 -v "0s$("$F4_SEEDTOOL" pattern 250 21 | base64 -w0)" xattr/block
		setfattr -n user.p2 -v "$("$F4_SEEDTOOL" pattern -t 250 22 | tr '\n' '.')" xattr/block
		setfattr -n user.p3 -v "0s$("$F4_SEEDTOOL" pattern 150 23 | base64 -w0)" xattr/block
		: >xattr/mixed
		setfattr -n user.s -v small xattr/mixed
		setfattr -n user.big -v "$("$F4_SEEDTOOL" pattern -t 400 24 | tr '\n' '.')" xattr/mixed
		: >xattr/many-names
		for ((i = 1; i <= 20; i++)); do
			setfattr -n "user.k$(printf %02d $i)" -v "v$i" xattr/many-names
		done
		setfattr -n user.d -v dirvalue xattr/dir
		: >xattr/trusted-security
		setfattr -n trusted.t -v trustedvalue xattr/trusted-security
		setfattr -n security.s -v securityvalue xattr/trusted-security
		ln -s target xattr/symlink
		setfattr -h -n trusted.l -v linkvalue xattr/symlink
		: >xattr/acl
		setfacl -m u:1234:r,g:55:rw,m::rw xattr/acl
		mkdir xattr/acl-default
		setfacl -d -m u:1234:rx,g::r xattr/acl-default
		setfacl -m u:4321:rwx xattr/acl-default
		# -- timestamps (mtime; ctime is the seed's own, atime is
		#    disturbed by reading): before 1970, 2038, after 2038
		mkdir -p times/dir-pre1970
		for n in pre1970:-1234567890.123456789 min32:-2147483648 \
			 just-before-epoch:-1.5 epoch:0 epoch-ns:0.000000001 \
			 y2038-last:2147483647.999999999 y2038-next:2147483648.000000001 \
			 y2100:4102444800.25 y2446:15032385535.999999999 \
			 plain-ns:1600000000.123456789; do
			: >"times/${n%%:*}"
			touch -m -d "@${n#*:}" "times/${n%%:*}"
		done
		ln -s pre1970 times/symlink-y2100
		touch -h -m -d @4102444800.5 times/symlink-y2100
		mknod times/fifo-ns p
		touch -m -d @1234567890.987654321 times/fifo-ns
		# -- modes and owners
		mkdir modes owners
		for n in 0000 0400 0644 0777 4755 2755 6711 7777 1644; do
			: >"modes/m$n"
			chmod "$n" "modes/m$n"
		done
		mkdir modes/d0700 modes/d1777 modes/d2775
		chmod 0700 modes/d0700
		chmod 1777 modes/d1777
		chmod 2775 modes/d2775
		for n in 0:0 1000:1000 65534:65534 100000:200000 4294967294:7; do
			: >"owners/u${n%%:*}-g${n#*:}"
			chown "$n" "owners/u${n%%:*}-g${n#*:}"
		done
		ln -s x owners/symlink-1000
		chown -h 1000:1000 owners/symlink-1000
		# -- deep directories
		n=deep
		for ((i = 1; i <= 40; i++)); do
			n=$n/d$(printf %02d $i)
		done
		mkdir -p "$n"
		printf 'bottom\n' >"$n/leaf"
		# -- a medium directory (indexed once e2fsck -D has run)
		mkdir many
		(cd many && seq -f 'f%05.0f' 0 1999 | xargs touch -d @1500000000)
		# -- directory times last (adding entries changes them)
		find . -depth -type d -exec touch -m -d @1500000000.5 {} +
		touch -m -d @-1000000000.25 times/dir-pre1970
		touch -m -d @1700000000.123 . ..
		chmod 0751 ..
	) || f4_die "building the seed tree in $dir failed"
}

# f4_small_seed DIR: a small tree (one of each common kind) for the tests
# that need an image but not the whole zoo (no xattrs: the tree tests
# cover those, and these tests stay about their one purpose).
f4_small_seed() {
	local dir=$1
	rm -rf "$dir"
	mkdir -p "$dir/sub/deeper" || f4_die "cannot create $dir"
	(
		set -e
		cd "$dir"
		printf 'hello\n' >hello
		"$F4_SEEDTOOL" pattern 300K 1 >sub/data
		truncate -s 2M sub/sparse
		f4__put sub/sparse 1M 64K 2
		ln -s ../hello sub/link
		ln hello sub/deeper/hardlink
		mkfifo sub/fifo
		touch -m -d @1234567890.5 hello
	) || f4_die "building the small seed in $dir failed"
}

# f4_image_small IMAGE SEED [mke2fs options...]: an image of SEED, clean.
f4_image_small() {
	local img=$1 seed=$2
	shift 2
	[ $# -gt 0 ] || set -- -t ext4 -b 4096
	rm -f "$img"
	mke2fs -q -F "$@" -d "$seed" "$img" 32M >"$img.mkfs.log" 2>&1 ||
		{ cat "$img.mkfs.log"; f4_die "mke2fs $* -d $seed $img failed"; }
}

# Fingerprint of a file that fuse4fs must never change: content hash,
# size, mtime and ctime.
f4_fingerprint() {
	echo "$(sha256sum <"$1" | cut -d' ' -f1) $(stat -c '%s %y %z' "$1")"
}

# ===== images =============================================================

# Variants: name -> mke2fs arguments.
f4_variant_args() {
	case $1 in
	ext2) echo "-t ext2 -b 4096 -I 256" ;;
	ext2-128) echo "-t ext2 -b 1024 -I 128" ;;
	ext3) echo "-t ext3 -b 4096 -I 256" ;;
	ext4-1k) echo "-t ext4 -b 1024 -I 256" ;;
	ext4-2k) echo "-t ext4 -b 2048 -I 256" ;;
	ext4-4k) echo "-t ext4 -b 4096 -I 256" ;;
	inline) echo "-t ext4 -b 4096 -I 256 -O inline_data" ;;
	bigalloc) echo "-t ext4 -b 4096 -I 256 -O bigalloc -C 16384" ;;
	nocsum) echo "-t ext4 -b 4096 -I 256 -O ^metadata_csum,^64bit" ;;
	ea_inode) echo "-t ext4 -b 4096 -I 256 -O ea_inode" ;;
	*) f4_die "unknown variant $1" ;;
	esac
}

f4_variant_blocksize() {
	local a
	a=$(f4_variant_args "$1")
	a=${a#*-b }
	echo "${a%% *}"
}

f4_variant_extents() {
	case $1 in ext2 | ext2-128 | ext3) return 1 ;; *) return 0 ;; esac
}

# debugfs -R CMD on IMAGE, output only (debugfs's banner goes to stderr).
f4_debugfs() { debugfs -R "$2" "$1" 2>/dev/null; }

# Run the debugfs commands in file $2 against image $1, read-write; any
# error message fails the build.
f4_debugfs_script() {
	local img=$1 script=$2 out
	out=$(debugfs -w -f "$script" "$img" 2>&1 >/dev/null |
		grep -v '^debugfs [0-9]' | grep -v '^debugfs: ' | grep -v '^Allocated inode')
	[ -z "$out" ] || {
		f4_log "debugfs -f $script reported:"
		printf '%s\n' "$out" | head -20 | sed 's/^/    /'
		return 1
	}
}

# i_flags of PATH in IMAGE, as a number.
f4_inode_flags() {
	local f
	f=$(f4_debugfs "$1" "stat \"$2\"" | sed -n 's/.*Flags: \(0x[0-9a-f]*\).*/\1/p' | head -n1)
	echo $((${f:-0}))
}

# f4_image_build VARIANT SEED IMAGE: mke2fs -d SEED with the variant's
# options, debugfs fix-ups for what mke2fs -d does not copy, the
# variant's image-only additions, then e2fsck -fyD (indexes directories)
# and e2fsck -fn (must be clean). Dies on any failure.
f4_image_build() {
	local v=$1 seed=$2 img=$3 bs args fix=()
	bs=$(f4_variant_blocksize "$v")
	args=$(f4_variant_args "$v")
	rm -f "$img"
	# shellcheck disable=SC2086
	mke2fs -q -F $args -L "f4-$v" -d "$seed" "$img" 256M >"$img.mkfs.log" 2>&1 ||
		{ cat "$img.mkfs.log"; f4_die "mke2fs $args -d $seed failed"; }
	[ "$v" = ext2-128 ] && fix=(-s)
	"$F4_SEEDTOOL" fixups "${fix[@]}" "$seed" >"$img.fixups" ||
		f4_die "seedtool fixups failed"
	# mke2fs -d copies hard links of files and FIFOs, not of symlinks.
	cat >>"$img.fixups" <<-EOF
		rm /tree/hard/sym2
		ln /tree/hard/sym1 /tree/hard/sym2
		sif /tree/hard/sym1 links_count 2
	EOF
	f4_debugfs_script "$img" "$img.fixups" || f4_die "debugfs fix-ups failed on $img"
	if f4_variant_extents "$v"; then
		f4_image_add_unwritten "$img" "$bs" || f4_die "adding unwritten extents failed"
	fi
	if [ "$v" = inline ]; then
		f4_image_uninline_empty "$img" /tree/sparse/all-hole ||
			f4_die "converting all-hole to an extent file failed"
	fi
	if [ "$v" = ea_inode ]; then
		f4_image_add_ea_inode "$img" || f4_die "adding an EA-inode xattr failed"
	fi
	e2fsck -fyD "$img" >"$img.fsck-D.log" 2>&1
	[ $? -le 1 ] || { cat "$img.fsck-D.log"; f4_die "e2fsck -fyD $img failed"; }
	f4_fsck_clean "$img" || f4_die "$img is not clean after building it"
}

# e2fsck -fn IMAGE must find nothing to fix (the oracle after any test
# that writes); shows e2fsck's output when it does. Output kept in
# IMAGE.fsck.log.
f4_fsck_clean() {
	e2fsck -fn "$1" >"$1.fsck.log" 2>&1 && return 0
	f4_log "e2fsck -fn $1 (exit $?):"
	head -n 40 "$1.fsck.log" | sed 's/^/    /'
	return 1
}

# f4_check_fsck IMAGE LABEL: f4_fsck_clean as a check that passes or fails.
f4_check_fsck() {
	if f4_fsck_clean "$1"; then
		f4_pass "$2: e2fsck -fn is clean"
	else
		f4_fail "$2: e2fsck -fn found problems"
	fi
}

# Files with unwritten extents in /imgonly (block numbers are multiples
# of 4 so that they stay cluster-aligned on bigalloc with 16 KiB
# clusters): in the middle, past EOF, between written data, everywhere.
f4_image_add_unwritten() {
	local img=$1 bs=$2 d
	d=$(dirname "$img")
	"$F4_SEEDTOOL" pattern $((4 * bs)) 31 >"$d/pat4"
	"$F4_SEEDTOOL" pattern $((16 * bs)) 32 >"$d/pat16"
	cat >"$img.unwritten" <<-EOF
		write $d/pat4 /imgonly/unwritten-mid
		fallocate /imgonly/unwritten-mid 8 15
		sif /imgonly/unwritten-mid size $((24 * bs))
		write $d/pat4 /imgonly/unwritten-past-eof
		fallocate /imgonly/unwritten-past-eof 4 11
		write $d/pat16 /imgonly/unwritten-between
		punch /imgonly/unwritten-between 4 11
		fallocate /imgonly/unwritten-between 4 11
		write $d/pat4 /imgonly/unwritten-all
		punch /imgonly/unwritten-all 0 3
		fallocate /imgonly/unwritten-all 0 7
		sif /imgonly/unwritten-all size $((8 * bs))
		sif /imgonly/unwritten-mid mtime @1500000000
		sif /imgonly/unwritten-past-eof mtime @1500000000
		sif /imgonly/unwritten-between mtime @1500000000
		sif /imgonly/unwritten-all mtime @1500000000
	EOF
	f4_debugfs_script "$img" "$img.unwritten"
}

# Undo two quirks of mke2fs -d (1.47.0) with inline_data. A file without
# data becomes an inline file, even a 10 MiB one; the kernel never makes
# those (and its SEEK_DATA fails on them with ENOENT past the inline
# part), so turn PATH back into an extent-mapped file without extents: a
# plain sparse file. And a file starting with a hole gets a zero block
# at 0 (from converting the empty inline part): punch it.
f4_image_uninline_empty() {
	local img=$1 p=$2 i
	{
		echo "punch /tree/sparse/hole-start 0 0"
		echo "ea_rm $p system.data"
		echo "sif $p flags 0x80000"
		echo "sif $p block[0] 0xF30A"	# extent header: magic, 0 entries
		echo "sif $p block[1] 4"		# max 4 entries, depth 0
		for i in 2 3 4 5 6 7 8 9 10 11 IND DIND TIND; do
			echo "sif $p block[$i] 0"
		done
	} >"$img.uninline"
	f4_debugfs_script "$img" "$img.uninline"
}

# Values in EA inodes: user.big, 60000 bytes (a 15-block EA inode),
# set through a kernel loop mount because debugfs's ea_set -f reads at
# most one block; and user.block, 4096 bytes (does not fit the xattr
# block with its header, so a one-block EA inode), set with debugfs. (The
# seed lives on the host's filesystem, which may not take values that
# large, so they go to the image only.)
f4_image_add_ea_inode() {
	local img=$1 d m
	d=$(dirname "$img")
	m=$d/mnt-ea-build
	"$F4_SEEDTOOL" pattern 60000 41 >"$d/ea-big.value"
	"$F4_SEEDTOOL" pattern 4096 42 >"$d/ea-block.value"
	: >"$d/empty0"
	mkdir -p "$m"
	mount -t ext4 -o loop "$img" "$m" || return 1
	f4_at_exit "f4_umount_kernel '$m'"
	: >"$m/imgonly/ea-big" &&
		setfattr -n user.big -v "0s$(base64 -w0 "$d/ea-big.value")" "$m/imgonly/ea-big" &&
		setfattr -n user.small -v tiny "$m/imgonly/ea-big" &&
		touch -d @1500000000 "$m/imgonly/ea-big"
	local rc=$?
	f4_umount_kernel "$m" || return 1
	[ $rc -eq 0 ] || return $rc
	cat >"$img.ea" <<-EOF
		ea_set -f $d/ea-block.value /imgonly/ea-big user.block
	EOF
	f4_debugfs_script "$img" "$img.ea"
}

# ===== comparisons ========================================================

# treedump options for everything the kernel reports (fuse4fs vs kernel on
# the same image). Without options treedump prints what a seed tree
# defines (no ctime, atime, inode numbers, block counts, directory sizes
# or flags).
F4_DUMP_FULL="-c -a -i -b -s -F"

# f4_dump ROOT OUT [treedump options]: a listing into OUT; treedump's
# complaints (unreadable files...) fail the test.
f4_dump() {
	local root=$1 out=$2
	shift 2
	"$F4_TREEDUMP" "$@" "$root" >"$out" 2>"$out.err"
	local rc=$?
	if [ $rc -ne 0 ]; then
		f4_fail "treedump $* $root: exit $rc"
		head -20 "$out.err" | sed 's/^/    /'
		return 1
	fi
}

# f4_compare_files LABEL EXPECTED ACTUAL: diff, showing the first lines.
f4_compare_files() {
	local label=$1 exp=$2 act=$3 diffs
	diffs=$F4_WORK/$(printf %s "$label" | tr -c 'A-Za-z0-9_.-' '_').diff
	if diff -u "$exp" "$act" >"$diffs"; then
		rm -f "$diffs"
		f4_pass "$label"
		return 0
	fi
	f4_fail "$label: listings differ ($(grep -c '^[-+][^-+]' "$diffs") lines; $diffs)"
	head -n 60 "$diffs" | sed 's/^/    /'
	return 1
}

# f4_compare_trees LABEL ROOT_EXPECTED ROOT_ACTUAL [treedump options]
f4_compare_trees() {
	local label=$1 a=$2 b=$3 base
	shift 3
	base=$F4_WORK/$(printf %s "$label" | tr -c 'A-Za-z0-9_.-' '_')
	f4_dump "$a" "$base.expected" "$@" || return 1
	f4_dump "$b" "$base.actual" "$@" || return 1
	f4_compare_files "$label" "$base.expected" "$base.actual"
}

# statfs as the kernel reports it, minus the fsid and type.
f4_statfs() { stat -f -c 'bsize=%S blocks=%b bfree=%f bavail=%a files=%c ffree=%d namelen=%l' "$1"; }

# lsattr of a whole tree with the root path taken out.
f4_lsattr_tree() {
	(cd "$1" && lsattr -Ra . 2>/dev/null) | sort
}
