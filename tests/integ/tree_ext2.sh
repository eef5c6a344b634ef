#!/bin/bash
# Tree comparison on ext2 images: 4 KiB blocks with 256-byte inodes, and
# 1 KiB blocks with 128-byte inodes (no nanoseconds, no in-inode xattrs;
# times are compared with the kernel only).
# The checks: f4_tree_test in tests/lib/tree.sh.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tree.sh"
f4_tree_test ext2 ext2-128
