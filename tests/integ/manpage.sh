#!/bin/bash
# Every option in `fuse4fs --help` is documented in man/fuse4fs.8, and
# every option the man page documents (its OPTIONS sections: tags of .TP
# and .IP entries) is in --help. Options are compared by name: "-f",
# "--help", and "-o name" for mount options (-o offset=BYTES is
# "-o offset"). Needs no privileges.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_require_built
f4_init

man=$F4_TOP_SRCDIR/man/fuse4fs.8
[ -f "$man" ] || f4_die "no man page at $man"

help=$("$F4_FUSE4FS" --help) || f4_fail "fuse4fs --help exited with $?"
[ "$("$F4_FUSE4FS" -h)" = "$help" ] || f4_fail "-h and --help print different text"
"$F4_FUSE4FS" --version | grep -q '^fuse4fs ' || f4_fail "fuse4fs --version does not say 'fuse4fs ...'"

# --help: indented lines starting with options. "-o NAME[=VALUE]" is a
# mount option; "-o OPT[,OPT...]" (capitals) is the generic -o itself.
help_opts() {
	printf '%s\n' "$help" | awk '
		/^[ \t]+-/ {
			if ($1 == "-o") {
				if ($2 ~ /^[a-z]/) { n = $2; sub(/=.*/, "", n); print "-o " n }
				next
			}
			for (i = 1; i <= NF && $i ~ /^-/; i++) {
				o = $i; sub(/,$/, "", o); print o
			}
		}' | sort -u
}

# The man page: in sections whose title contains OPTIONS, the line after
# .TP (or the argument of .IP) is an entry tag. Font macros and escapes
# are removed; every "-x", "--long" and "-o name" in a tag counts.
man_opts() {
	awk '
		/^\.SH/ { inopt = (toupper($0) ~ /OPTIONS/); next }
		!inopt { next }
		/^\.TP/ { want = 1; next }
		/^\.IP/ { tag = $0; sub(/^\.IP[ \t]*/, "", tag); if (tag != "") print tag; next }
		want && /^\./ && !/^\.(B|BI|BR|I|IR|IB|RB|RI)([ \t]|$)/ { next }
		want { print; want = 0 }
	' "$man" | sed -e 's/^\.[A-Z][A-Z]*[ \t]*//' -e 's/\\f[BIRP]//g' -e 's/\\f(..//g' \
		-e 's/\\-/-/g' -e 's/\\ / /g' -e 's/\\&//g' -e 's/"//g' |
	awk '{
		line = $0
		while (match(line, /-o[ \t]*[a-z][a-z0-9_]*/)) {
			o = substr(line, RSTART, RLENGTH); sub(/-o[ \t]*/, "", o)
			print "-o " o
			line = substr(line, RSTART + RLENGTH)
		}
		line = $0
		gsub(/-o[ \t]*[a-z][a-z0-9_]*/, "", line)
		n = split(line, t, /[ \t,|]+/)
		for (i = 1; i <= n; i++)
			if (t[i] ~ /^--?[A-Za-z][A-Za-z0-9-]*$/ && t[i] != "-o") print t[i]
	}' | sort -u
}

help_opts >"$F4_WORK/help.opts"
man_opts >"$F4_WORK/man.opts"
f4_log "--help lists $(wc -l <"$F4_WORK/help.opts") options, the man page $(wc -l <"$F4_WORK/man.opts")"
[ -s "$F4_WORK/help.opts" ] || f4_fail "found no options in fuse4fs --help"
missing=$(comm -23 "$F4_WORK/help.opts" "$F4_WORK/man.opts")
extra=$(comm -13 "$F4_WORK/help.opts" "$F4_WORK/man.opts")
if [ -n "$missing" ]; then
	f4_fail "in --help but not documented in man/fuse4fs.8: $(echo $missing | sed 's/ -/, -/g')"
fi
if [ -n "$extra" ]; then
	f4_fail "documented in man/fuse4fs.8 but not in --help: $(echo $extra | sed 's/ -/, -/g')"
fi
[ -z "$missing$extra" ] && f4_pass "--help and the man page document the same $(wc -l <"$F4_WORK/help.opts") options"
f4_finish
