# shellcheck shell=bash
# Integration-test library, the one entry point: sourced by every
# tests/integ/*.sh (and tests/stress/stress.sh); it sources the parts
# below, one purpose each.
#
# A test looks like:
#     . "$(dirname "$0")/../lib/lib.sh"
#     f4_require_root; f4_require_fuse; f4_require_loop  # or skip (77)
#     f4_init                       # work dir, cleanup trap
#     ... f4_mount_fuse IMG MNT -o ro; f4_compare_trees ...; f4_fail ...
#     f4_finish                     # exit 0, or 1 if anything failed
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip, 99 hard error
# (the harness itself broke, e.g. mke2fs failed).
#
# Everything a test creates lives in $F4_WORK (under the build tree, never
# the source tree); it is removed when the test passes or skips and kept
# for inspection when it fails. Every mount and every daemon a test starts
# is registered for cleanup and torn down on any exit (including failures,
# INT and TERM): FUSE mounts are unmounted and their daemon waited for
# (then TERM, then KILL); kernel mounts are unmounted and their loop
# devices detached.
#
# Parts: setup.sh (setup and results), require.sh (requirements),
# cleanup.sh, mount.sh (mounting), xfail.sh (expected failures), seed.sh
# (seed trees), image.sh (images), compare.sh (comparisons). Libraries a
# test sources after this one, when it needs them: tree.sh (the tree_*
# tests), unpriv.sh (unprivileged users), overlay.sh (overlayfs), ns.sh
# (run inside a user namespace, standalone).

set -u
export LC_ALL=C
export PATH="$PATH:/usr/sbin:/sbin"

F4_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd -P)
. "$F4_LIB_DIR/setup.sh"
. "$F4_LIB_DIR/require.sh"
. "$F4_LIB_DIR/cleanup.sh"
. "$F4_LIB_DIR/mount.sh"
. "$F4_LIB_DIR/xfail.sh"
. "$F4_LIB_DIR/seed.sh"
. "$F4_LIB_DIR/image.sh"
. "$F4_LIB_DIR/compare.sh"
