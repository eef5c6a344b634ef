# shellcheck shell=bash
# Integration-test library, requirements.
# Skip (77) with a reason when root, /dev/fuse, loop devices, ext4 or a
# command is missing. Sourced by tests/lib/lib.sh.

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
