#!/bin/bash
# Tree comparison on ext2 images: 4 KiB blocks with 256-byte inodes, and
# 1 KiB blocks with 128-byte inodes (no nanoseconds, no in-inode xattrs;
# times are compared with the kernel only).
# For each variant: fuse4fs and the kernel's ext4 driver, mounting the same
# image, must agree on every field; fuse4fs must match the seed tree the
# image was built from on everything the seed defines (see f4_tree_variant
# in lib.sh for the checks and f4_seed_build for what the tree contains).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/lib.sh"
f4_require_root
f4_require_fuse
f4_require_loop
f4_require_e2fsprogs
f4_require_cmds setfattr getfattr setfacl lsattr
f4_require_built "$F4_TREEDUMP" "$F4_SEEDTOOL"
f4_init

for v in ext2 ext2-128; do
	f4_timed "variant $v" f4_tree_variant "$v"
done
f4_finish
