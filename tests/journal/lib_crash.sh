# shellcheck shell=bash
# What the crash tests of journaled writes share (crash_kill.sh,
# powercut.sh): their setup and the verdict on a replayed image. Sourced
# after tests/lib/lib.sh.

# f4c_setup: the requirements, the work directory, and the tools:
# CRASHLOAD (the workload and its verifier), POWERCUT (images a power
# cut could leave).
f4c_setup() {
	local t
	f4_require_root
	f4_require_loop
	f4_require_fuse
	f4_require_cmds dumpe2fs e2fsck
	f4_init
	CRASHLOAD=$F4_TOP_BUILDDIR/tests/tools/crashload
	POWERCUT=$F4_TOP_BUILDDIR/tests/tools/powercut
	for t in "$CRASHLOAD" "$POWERCUT"; do
		[ -x "$t" ] || f4_die "$t is not built (make check builds it)"
	done
}

# f4c_check_clean IMG LABEL: replayed and unmounted: the superblock says
# clean (no forced check at the next boot), needs_recovery is gone, and
# e2fsck -fn finds nothing.
f4c_check_clean() {
	local state
	state=$(dumpe2fs -h "$1" 2>/dev/null | sed -n 's/^Filesystem state: *//p')
	if [ "$state" = clean ]; then
		f4_pass "$2: the superblock says clean"
	else
		f4_fail "$2: filesystem state after replay: '$state'"
	fi
	dumpe2fs -h "$1" 2>/dev/null | grep -q needs_recovery &&
		f4_fail "$2: needs_recovery is still set"
	f4_check_fsck "$1" "$2"
}
