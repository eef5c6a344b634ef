#!/bin/bash
# Command-line errors: each must be refused before anything is mounted,
# with exactly one line on stderr ("fuse4fs: ..."), a non-zero exit, no
# mount and no daemon left behind. The image and mountpoint are valid, so
# the option under test is the only thing wrong. -o rw must either work or
# (while the write path is missing) be refused the same way.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_require_built "$F4_SEEDTOOL"
f4_require_cmds mke2fs
f4_init

img=$F4_WORK/good.img
mnt=$F4_WORK/mnt
mkdir -p "$mnt"
f4_small_seed "$F4_WORK/seed"
f4_image_small "$img" "$F4_WORK/seed"

f4_expect_refusal "unknown -o option" "unknown option 'bogus'" -o bogus "$img" "$mnt"
f4_expect_refusal "unknown option among good ones" "unknown option 'bogus'" -o ro,bogus,noatime "$img" "$mnt"
f4_expect_refusal "unknown flag" "unknown option '-x'" -x "$img" "$mnt"
f4_expect_refusal "unknown long option" "unknown option '--bogus'" --bogus "$img" "$mnt"
f4_expect_refusal "offset not a number" "offset.*abc" -o ro,offset=abc "$img" "$mnt"
f4_expect_refusal "offset with trailing junk" "offset.*12k" -o offset=12k "$img" "$mnt"
f4_expect_refusal "negative offset" "offset.*-1" -o offset=-1 "$img" "$mnt"
f4_expect_refusal "offset empty" "offset" -o offset= "$img" "$mnt"
f4_expect_refusal "offset without a value" "offset.*needs a value" -o offset "$img" "$mnt"
f4_expect_refusal "flag option given a value" "'ro' takes no value" -o ro=1 "$img" "$mnt"
f4_expect_refusal "flag option given a value (rw)" "'rw' takes no value" -o rw=1 "$img" "$mnt"
f4_expect_refusal "bad errors= value" "errors" -o errors=explode "$img" "$mnt"
f4_expect_refusal "bad io= value" "io" -o ro,io=bogus "$img" "$mnt"
f4_expect_refusal "bad cache_size= value" "cache_size" -o ro,cache_size=abc "$img" "$mnt"
f4_expect_refusal "norecovery on a read-write mount" "-o ro" -o rw,norecovery "$img" "$mnt"
f4_expect_refusal "-o without a list" "-o" "$img" "$mnt" -o
f4_expect_refusal "no arguments" "missing|usage"
f4_expect_refusal "image but no mountpoint" "missing|usage|mountpoint" "$img"
f4_expect_refusal "an extra argument" "unexpected argument|usage" "$img" "$mnt" extra

# The same image and mountpoint do mount (so the refusals above were
# about the options).
if f4_have_fuse; then
	f4_check_mounts "the image with good options" "$img" "$mnt" -o ro
	# -o rw either works or, while the write path is missing, is
	# refused with one line pointing at -o ro.
	cp --sparse=always "$img" "$F4_WORK/rw.img"
	if f4_mount_fuse "$F4_WORK/rw.img" "$mnt" -o rw >/dev/null; then
		f4_pass "-o rw mounts (read-write supported)"
		f4_umount_fuse "$mnt" || f4_fail "-o rw: fuse4fs exited with status $? after unmount"
	else
		f4_expect_refusal "-o rw (not supported yet)" "-o ro" -o rw "$F4_WORK/rw.img" "$mnt"
	fi
fi
f4_finish
