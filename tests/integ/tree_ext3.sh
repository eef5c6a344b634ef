#!/bin/bash
# Tree comparison on an ext3 image (journal, block-mapped files).
# The checks: f4_tree_test in tests/lib/tree.sh.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
. "$(dirname "$0")/../lib/tree.sh"
f4_tree_test ext3
