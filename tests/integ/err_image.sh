#!/bin/bash
# Images that cannot be served: each must be refused with one line on
# stderr naming the problem, a non-zero exit, no mount, no daemon left.
# Covers: missing image, a directory, an empty file, random bytes, an
# external journal device, unsupported incompatible features (an unknown
# bit, casefold, encrypt), offset= pointing at no filesystem or past the
# end, and an image shorter than its filesystem (the kernel refuses those:
# "block count exceeds size of device").
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_require_built "$F4_SEEDTOOL"
f4_require_e2fsprogs
f4_init

w=$F4_WORK
mnt=$w/mnt
mkdir -p "$mnt"
f4_small_seed "$w/seed"
f4_image_small "$w/good.img" "$w/seed"

f4_expect_refusal "missing image" "nonexistent.img.*no such file" \
	-o ro "$w/nonexistent.img" "$mnt"
mkdir "$w/dir.img"
f4_expect_refusal "image is a directory" "dir.img.*(regular file|directory)" \
	-o ro "$w/dir.img" "$mnt"
: >"$w/empty.img"
f4_expect_refusal "empty image file" "empty.img" -o ro "$w/empty.img" "$mnt"
"$F4_SEEDTOOL" pattern 8M 99 >"$w/random.img"
f4_expect_refusal "random bytes" "random.img does not contain an ext2/ext3/ext4 filesystem" \
	-o ro "$w/random.img" "$mnt"
mke2fs -q -F -O journal_dev -b 4096 "$w/journal.img" 8M >/dev/null 2>&1 ||
	f4_die "mke2fs -O journal_dev failed"
f4_expect_refusal "external journal device" "journal.img.*journal" -o ro "$w/journal.img" "$mnt"

# Incompatible features fuse4fs does not read: refused, by name.
cp --sparse=always "$w/good.img" "$w/unknown.img"
debugfs -w -R "feature FEATURE_I31" "$w/unknown.img" >/dev/null 2>&1
# (e2fsprogs itself refuses the result, so read s_feature_incompat, at
# byte 0x60 of the superblock, directly.)
incompat=$(od -An -tu4 -j $((1024 + 0x60)) -N4 "$w/unknown.img" | tr -d ' ')
(((incompat >> 31) & 1)) || f4_die "could not set an unknown incompat bit"
f4_expect_refusal "unknown incompat feature" "unsupported.*FEATURE_I31" -o ro "$w/unknown.img" "$mnt"
mke2fs -q -F -t ext4 -O casefold "$w/casefold.img" 32M >/dev/null 2>&1 ||
	f4_die "mke2fs -O casefold failed"
f4_expect_refusal "casefold" "unsupported.*casefold" -o ro "$w/casefold.img" "$mnt"
mke2fs -q -F -t ext4 -O encrypt "$w/encrypt.img" 32M >/dev/null 2>&1 ||
	f4_die "mke2fs -O encrypt failed"
f4_expect_refusal "encrypt" "unsupported.*encrypt" -o ro "$w/encrypt.img" "$mnt"

# offset= at something that is not a filesystem, or past the end.
f4_expect_refusal "offset at no filesystem" "does not contain.*at that offset" \
	-o ro,offset=4096 "$w/good.img" "$mnt"
f4_expect_refusal "offset past the end" "beyond the end" \
	-o ro,offset=$((64 * 1024 * 1024)) "$w/good.img" "$mnt"

# A filesystem whose image was cut short (a failed copy): the superblock
# is fine, but half the blocks are missing.
head -c 16M "$w/good.img" >"$w/truncated.img"
f4_expect_refusal "image shorter than its filesystem" "truncated.img" -o ro "$w/truncated.img" "$mnt"

# None of the refusals touched the good image, which still mounts.
if f4_have_fuse; then
	f4_check_mounts "the good image" "$w/good.img" "$mnt" -o ro
fi
f4_finish
