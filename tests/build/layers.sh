#!/bin/bash
# The architecture, checked: which product code may include what.
#   - only src/fuse/ includes <fuse*.h> (the FUSE glue);
#   - compat/ includes nothing of the project (a leaf), iomap/ nothing
#     of src/;
#   - the rooms of src/ form layers, lowest first (RANKS below, the same
#     order as docs/DESIGN.md): a file includes only its own room and
#     lower ones;
#   - no include cycle between modules (a module is NAME.c + NAME.h).
# Prints every violation; exits 1 when there is one.
set -u
top=${F4_TOP_SRCDIR:-$(cd "$(dirname "$0")/../.." && pwd)}
cd "$top" || exit 99
RANKS="compat base io iomap fs journal inode xattr file dir ns mount fuse cli"
bad=0
fail() { echo "layers: $*"; bad=1; }

room() {	# room of a path: compat, iomap, or the folder under src/
	case $1 in
	compat/*) echo compat ;;
	iomap/*) echo iomap ;;
	src/*/*) local r=${1#src/}; echo "${r%%/*}" ;;
	*) echo "?" ;;
	esac
}
rank() {
	local i=0 r
	for r in $RANKS; do
		[ "$r" = "$1" ] && { echo $i; return; }
		i=$((i + 1))
	done
	echo -1
}

files=$(git ls-files 'src/*.[ch]' 'iomap/*.[ch]' 'compat/*.[ch]' 2>/dev/null)
[ -n "$files" ] || files=$(find src iomap compat -name '*.[ch]' | sort)
edges=""
for f in $files; do
	fr=$(room "$f")
	[ "$(rank "$fr")" -ge 0 ] || fail "$f: room '$fr' is not in the layer list"
	if grep -q '^#[[:space:]]*include[[:space:]]*<fuse' "$f" && [ "$fr" != fuse ]; then
		fail "$f includes a FUSE header outside src/fuse/"
	fi
	for inc in $(sed -n 's/^#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f"); do
		[ "$inc" = config.h ] && continue
		[ -f "$inc" ] || { fail "$f: include \"$inc\" is not named from the top of the tree"; continue; }
		ir=$(room "$inc")
		if [ "$(rank "$ir")" -gt "$(rank "$fr")" ]; then
			fail "$f ($fr) includes $inc ($ir), a higher layer"
		fi
		a=${f%.[ch]} b=${inc%.[ch]}
		[ "$a" != "$b" ] && edges="$edges$a $b
"
	done
done
# tsort names the modules of any cycle on stderr.
loops=$(printf '%s' "$edges" | tsort 2>&1 >/dev/null)
[ -z "$loops" ] || fail "include cycle between modules:
$loops"
[ $bad = 0 ] && echo "layers: ok ($(echo "$files" | wc -l) files, rooms: $RANKS)"
exit $bad
