# shellcheck shell=bash
# Integration-test library, comparisons.
# Tree listings (treedump), diffs, statfs and lsattr views. Sourced by
# tests/lib/lib.sh.

# treedump options for everything the kernel reports (fuse4fs vs kernel on
# the same image). Without options treedump prints what a seed tree
# defines (no ctime, atime, inode numbers, block counts, directory sizes
# or flags).
F4_DUMP_FULL="-c -a -i -b -s -F"

# f4_dump ROOT OUT [treedump options]: a listing into OUT; treedump's
# complaints (unreadable files...) fail the test.
f4_dump() {
	local root=$1 out=$2
	shift 2
	"$F4_TREEDUMP" "$@" "$root" >"$out" 2>"$out.err"
	local rc=$?
	if [ $rc -ne 0 ]; then
		f4_fail "treedump $* $root: exit $rc"
		head -20 "$out.err" | sed 's/^/    /'
		return 1
	fi
}

# f4_compare_files LABEL EXPECTED ACTUAL: diff, showing the first lines.
f4_compare_files() {
	local label=$1 exp=$2 act=$3 diffs
	diffs=$F4_WORK/$(printf %s "$label" | tr -c 'A-Za-z0-9_.-' '_').diff
	if diff -u "$exp" "$act" >"$diffs"; then
		rm -f "$diffs"
		f4_pass "$label"
		return 0
	fi
	f4_fail "$label: listings differ ($(grep -c '^[-+][^-+]' "$diffs") lines; $diffs)"
	head -n 60 "$diffs" | sed 's/^/    /'
	return 1
}

# f4_compare_trees LABEL ROOT_EXPECTED ROOT_ACTUAL [treedump options]
f4_compare_trees() {
	local label=$1 a=$2 b=$3 base
	shift 3
	base=$F4_WORK/$(printf %s "$label" | tr -c 'A-Za-z0-9_.-' '_')
	f4_dump "$a" "$base.expected" "$@" || return 1
	f4_dump "$b" "$base.actual" "$@" || return 1
	f4_compare_files "$label" "$base.expected" "$base.actual"
}

# statfs as the kernel reports it, minus the fsid and type.
f4_statfs() { stat -f -c 'bsize=%S blocks=%b bfree=%f bavail=%a files=%c ffree=%d namelen=%l' "$1"; }

# lsattr of a whole tree with the root path taken out.
f4_lsattr_tree() {
	(cd "$1" && lsattr -Ra . 2>/dev/null) | sort
}
