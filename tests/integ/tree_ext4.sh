#!/bin/bash
# Tree comparison on ext4 images with 1 KiB, 2 KiB and 4 KiB blocks.
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

for v in ext4-1k ext4-2k ext4-4k; do
	f4_timed "variant $v" f4_tree_variant "$v"
done
f4_finish
