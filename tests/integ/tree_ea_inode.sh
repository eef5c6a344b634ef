#!/bin/bash
# Tree comparison on ext4 with ea_inode; two xattr values are
# stored in EA inodes (60000 and 4096 bytes) and must read back byte for byte.
# The checks: f4_tree_test in tests/lib/tree.sh.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tree.sh"
f4_tree_test ea_inode
