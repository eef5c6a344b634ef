#!/bin/bash
# Tree comparison on ext4 images with 1 KiB, 2 KiB and 4 KiB blocks.
# The checks: f4_tree_test in tests/lib/tree.sh.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tree.sh"
f4_tree_test ext4-1k ext4-2k ext4-4k
