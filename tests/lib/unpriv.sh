# shellcheck shell=bash
# Helpers for the tests of unprivileged mounts, sourced after lib.sh.
#
# The tests run as root (to build images, look at them with the kernel's
# ext4 driver, and read /proc of the servers), create an ordinary user of
# their own and do the mounting as that user:
#
#     f4u_require                 # or skip (77): root, useradd, setpriv...
#     f4_init; f4u_user_create    # F4U_USER, F4U_UID, F4U_GID; removed at exit
#     f4u CMD...                  # run CMD as the user
#     F4_FUSE4FS=$(f4u_fuse4fs)   # lib.sh's mount helpers now mount as the user
#     f4u_dir DIR...              # directories (mountpoints) owned by the user
#
# The user is removed at exit after everything mounted (registered later)
# is unmounted. /dev/fuse is made 0666, as distributions ship it.

f4u_require() {
	f4_require_root
	f4_require_cmds useradd userdel setpriv fusermount3
	[ -c /dev/fuse ] || f4_skip "needs /dev/fuse"
	[ -u "$(command -v fusermount3)" ] ||
		f4_skip "fusermount3 is not setuid root (ordinary users cannot mount)"
	f4_require_built
}

f4u_user_create() {
	local name=f4u$$ d
	useradd --system --no-create-home --home-dir /nonexistent --user-group \
		--shell /bin/sh "$name" >/dev/null 2>&1 || f4_die "useradd $name failed"
	f4_at_exit "userdel -f '$name'"
	F4U_USER=$name
	F4U_UID=$(id -u "$name")
	F4U_GID=$(id -g "$name")
	chmod 0666 /dev/fuse || f4_die "cannot make /dev/fuse 0666"
	# The work dir and the binaries must be reachable for the user.
	chmod 0755 "$F4_WORK" || f4_die "cannot chmod $F4_WORK"
	for d in "$F4_WORK" "$F4_FUSE4FS"; do
		f4u test -r "$d" ||
			f4_skip "$d is not reachable for an ordinary user (a parent directory is not searchable)"
	done
	f4_log "user $F4U_USER ($F4U_UID:$F4U_GID)"
}

# Run a command as the test user (no supplementary groups but its own).
f4u() {
	setpriv --reuid="$F4U_UID" --regid="$F4U_GID" --init-groups \
		env HOME=/ LC_ALL=C "$@"
}

# A wrapper that runs fuse4fs as the user, for F4_FUSE4FS: the daemon
# keeps the wrapper's pid (everything execs).
f4u_fuse4fs() {
	local w=$F4_WORK/fuse4fs-as-$F4U_USER real=${F4U_REAL_FUSE4FS:-$F4_FUSE4FS}
	cat >"$w" <<-EOF
		#!/bin/sh
		exec setpriv --reuid=$F4U_UID --regid=$F4U_GID --init-groups env HOME=/ '$real' "\$@"
	EOF
	chmod 0755 "$w"
	echo "$w"
}

f4u_dir() {
	local d
	for d in "$@"; do
		mkdir -p "$d" && chown "$F4U_UID:$F4U_GID" "$d" || f4_die "cannot create $d"
	done
}

# f4u_status PID FIELD: a field of /proc/PID/status (e.g. CapEff).
f4u_status() { awk -v f="$2:" '$1 == f { print $2 }' "/proc/$1/status" 2>/dev/null; }

# f4u_check_caps LABEL PID BOUNDING NNP: every thread of PID holds no
# capability in its inheritable, permitted, effective and ambient sets;
# its bounding set is BOUNDING ("empty", or "any"); NoNewPrivs is NNP.
f4u_check_caps() {
	local label=$1 pid=$2 bnd=$3 nnp=$4 t f v bad=0 n=0
	for t in /proc/"$pid"/task/*; do
		n=$((n + 1))
		for f in CapInh CapPrm CapEff CapAmb; do
			v=$(awk -v f="$f:" '$1 == f { print $2 }' "$t/status")
			[ "$v" = 0000000000000000 ] || { f4_fail "$label: $f=$v in thread ${t##*/}"; bad=1; }
		done
		v=$(awk '$1 == "CapBnd:" { print $2 }' "$t/status")
		if [ "$bnd" = empty ] && [ "$v" != 0000000000000000 ]; then
			f4_fail "$label: CapBnd=$v in thread ${t##*/}"
			bad=1
		fi
		v=$(awk '$1 == "NoNewPrivs:" { print $2 }' "$t/status")
		[ "$v" = "$nnp" ] || { f4_fail "$label: NoNewPrivs=$v in thread ${t##*/}, expected $nnp"; bad=1; }
	done
	[ $n -gt 0 ] || { f4_fail "$label: no process $pid"; return 1; }
	[ $bad -eq 0 ] && f4_pass "$label: $n thread(s) hold no capability (bounding set: $bnd, NoNewPrivs $nnp)"
	return $bad
}

# f4u_fd_flags PID FILE: the open flags (octal, from fdinfo) of PID's
# descriptor for FILE (the first one), or nothing.
f4u_fd_flags() {
	local pid=$1 file fd
	file=$(realpath "$2")
	for fd in /proc/"$pid"/fd/*; do
		[ "$(readlink "$fd")" = "$file" ] || continue
		awk '$1 == "flags:" { print $2 }' "/proc/$pid/fdinfo/${fd##*/}"
		return 0
	done
}

# Wait up to 10 s for PID to exit; its status in F4U_RC (if our child).
f4u_wait_exit() {
	local pid=$1 i
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	kill -0 "$pid" 2>/dev/null && return 1
	wait "$pid" 2>/dev/null
	F4U_RC=$?
	return 0
}
