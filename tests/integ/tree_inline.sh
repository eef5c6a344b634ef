#!/bin/bash
# Tree comparison on ext4 with inline_data (small files, symlinks and
# directories stored in the inode).
# The checks: f4_tree_test in tests/lib/tree.sh.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tree.sh"
f4_tree_test inline
