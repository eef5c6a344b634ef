#!/bin/bash
# Fast-commit replay, judged by the kernel's ext4. lib_dirty.sh makes the
# fast-commit images (a kernel mount with fast_commit whose last files,
# /fc-1/f39 among them, exist only through fast commits) and their
# oracle: the kernel's own replay, dumped from a kernel ro mount. Here
# tests/journal/fcreplay replays a copy with fuse4fs's engines alone
# (jbd2 plan, then f4_fc_replay through libext2fs), and:
#   - e2fsck -fn finds the result clean;
#   - the kernel (which then has nothing to replay) shows the oracle's
#     tree, every field (F4_DUMP_FULL), and the oracle's statfs;
#   - the fast commits did something: the replay applied tags, and the
#     same image replayed without its fast commits (the jbd2 part only)
#     lacks the last fast-commit file the oracle has (/fc-1/f39 in the
#     commit image, /fc-2/f39 in the shutdown image).
# e2fsprogs 1.47.0's own fast-commit replay disagrees with the kernel on
# these images: the kernel is the oracle, e2fsck only the consistency
# check.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/lib_dirty.sh"
f4_require_root
f4_require_loop
f4j_require
F4_FCREPLAY=$F4_TOP_BUILDDIR/tests/journal/fcreplay
f4_init_kernel_compare "$F4_TREEDUMP" "$F4_SEEDTOOL" "$F4_FCREPLAY"

w=$F4_WORK

f4fc_case() {
	local img=$1 name=$2 copy out
	copy=$w/$name.fc.img
	f4j_copy "$img" "$copy"
	if ! "$F4_FCREPLAY" "$copy" >"$copy.log" 2>&1; then
		f4_fail "$name: fcreplay failed: $(tail -n 2 "$copy.log")"
		return 1
	fi
	f4_log "$name: $(grep '^fc:' "$copy.log")"
	grep -Eq '^fc: rc 0, [1-9][0-9]* tags, [1-9][0-9]* commits, [1-9][0-9]* applied' "$copy.log" ||
		f4_fail "$name: the fast commits applied nothing"
	f4j_needs_recovery "$copy" && f4_fail "$name: needs_recovery is still set"
	f4_check_fsck "$copy" "$name: after our replay"
	out=$copy.kernel
	if ! f4j_kernel_dump "$copy" "$out"; then
		f4_fail "$name: the kernel cannot mount or read our replay"
		return 1
	fi
	f4_compare_files "$name: the kernel's view of our replay (directory times aside)" \
		<(f4j_strip_fc_dir_times "$img.oracle") <(f4j_strip_fc_dir_times "$out")
	f4_compare_files "$name: statfs" "$img.oracle.statfs" "$out.statfs"
}

f4fc_case_jbd2_only() {
	local img=$1 name=$2 last=$3 copy
	copy=$w/$name.jbd2.img
	f4j_copy "$img" "$copy"
	# The jbd2 replay alone: fast commits ignored (the kernel's noload
	# can't say it; this is the plan with the area dropped).
	F4_FC_SKIP=1 "$F4_FCREPLAY" "$copy" >"$copy.log" 2>&1 ||
		{ f4_fail "$name: fcreplay (jbd2 only) failed"; return 1; }
	f4j_kernel_dump "$copy" "$copy.kernel" || { f4_fail "$name: jbd2-only view"; return 1; }
	grep -q "^$last " "$img.oracle" || f4_die "$name: the oracle lacks $last"
	if grep -q "^$last " "$copy.kernel"; then
		f4_fail "$name: $last exists without the fast commits: they prove nothing"
	else
		f4_pass "$name: $last exists only through the fast commits"
	fi
}

f4_timed "fast-commit: making the images" f4j_make_format fast-commit "$w"
for kind in commit shutdown; do
	img=$w/fast-commit-$kind.img
	last=/fc-1/f39
	[ $kind = shutdown ] && last=/fc-2/f39
	f4_timed "fast-commit-$kind: our replay" f4fc_case "$img" "fast-commit-$kind"
	f4_timed "fast-commit-$kind: jbd2 only" f4fc_case_jbd2_only "$img" "fast-commit-$kind" "$last"
done
f4_finish
