# The integration tests' shell library (tests/lib/): lib.sh, the entry
# point every case sources, and its parts; tree.sh, unpriv.sh, overlay.sh
# and ns.sh for the cases that need them. Included from tests/Makefile.inc.
EXTRA_DIST += tests/lib/lib.sh tests/lib/setup.sh tests/lib/require.sh \
	tests/lib/cleanup.sh tests/lib/mount.sh tests/lib/xfail.sh \
	tests/lib/seed.sh tests/lib/image.sh tests/lib/compare.sh \
	tests/lib/tree.sh tests/lib/unpriv.sh tests/lib/overlay.sh \
	tests/lib/ns.sh
