#!/bin/bash
# mount(8)'s generic options mean for fuse4fs what they mean for ext4.
#   accepted: every generic option (and fstab's, and x-* comments) mounts,
#             alone and as mount(8) passes them back (rw,relatime,...);
#   atime:    relatime (the default), strictatime, noatime, nodiratime:
#             whether a read and a listing update the access times of a
#             file and a directory, in two fresh mounts in a row, as the
#             kernel's ext4 decides on a copy of the same image (read off
#             the image with debugfs after each unmount);
#   dirsync, sync: a directory change (sync: also a plain write) is on
#             the image when it returns: fuse4fs is killed right after,
#             with commit=3600 so that no timer commit helps, and the
#             kernel's replay shows it; without the option it is lost;
#   fsname:   an image path with a comma and a backslash mounts, shown
#             as it is in the mount table.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "$(dirname "$0")/../lib/lib.sh"
f4_require_root
f4_require_loop
f4_require_fuse
f4_require_cmds debugfs e2fsck findmnt
f4_init

w=$F4_WORK
img=$w/base.img
mke2fs -q -F -t ext4 -b 4096 "$img" 64M >/dev/null 2>&1 || f4_die "mke2fs failed"

# ----- accepted ---------------------------------------------------------
for o in defaults rw,relatime relatime strictatime atime noatime nodiratime \
	diratime lazytime nolazytime sync async dirsync dev,suid,exec \
	nodev,nosuid,noexec auto noauto user users nouser nofail _netdev \
	x-systemd.automount,x-gvfs-show,x-comment=hello \
	rw,nosuid,nodev,relatime,defaults; do
	f4_check_mounts "-o $o" "$img" "$w/mnt" -o "$o"
done

# ----- atime ------------------------------------------------------------
# The start: d/f written, its atime and d's an hour before their mtime
# (so relatime updates them once).
mnt=$w/kmnt
f4_mount_kernel "$img" "$mnt" rw || f4_die "kernel mount failed"
mkdir "$mnt/d" && echo data >"$mnt/d/f" || f4_die "cannot write the start"
touch -a -d "@$(($(date +%s) - 3600))" "$mnt/d/f" "$mnt/d"
f4_umount_kernel "$mnt"

# atime_of IMG PATH: the on-disk atime (seconds:extra, hex).
atime_of() {
	debugfs -R "stat $2" "$1" 2>/dev/null | sed -n 's/^ *atime: *\(0x[0-9a-f:]*\).*/\1/p'
}

# atime_steps MOUNTER IMG OPTS: two fresh mounts, each reading d/f and
# listing d; prints for each step whether f's and d's atimes changed.
atime_steps() {
	local mounter=$1 im=$2 opts=$3 step f0 d0 out=""
	for step in 1 2; do
		f0=$(atime_of "$im" /d/f)
		d0=$(atime_of "$im" /d)
		sleep 1.1	# a new second: an update shows
		if [ "$mounter" = kernel ]; then
			f4_mount_kernel "$im" "$w/am" "rw,$opts" || return 1
		else
			f4_mount_fuse "$im" "$w/am" -o "$opts" || return 1
		fi
		cat "$w/am/d/f" >/dev/null
		ls "$w/am/d" >/dev/null
		if [ "$mounter" = kernel ]; then
			f4_umount_kernel "$w/am"
		else
			f4_umount_fuse "$w/am"
		fi
		out+="step $step: file $([ "$(atime_of "$im" /d/f)" = "$f0" ] && echo kept || echo updated),"
		out+=" dir $([ "$(atime_of "$im" /d)" = "$d0" ] && echo kept || echo updated); "
	done
	echo "$out"
}

for opts in relatime strictatime noatime nodiratime; do
	cp "$img" "$w/k.img"
	cp "$img" "$w/f.img"
	want=$(atime_steps kernel "$w/k.img" "$opts") || f4_die "kernel -o $opts failed"
	got=$(atime_steps fuse "$w/f.img" "$opts") || { f4_fail "-o $opts: does not mount"; continue; }
	if [ "$got" = "$want" ]; then
		f4_pass "-o $opts: access times as the kernel's ext4: $got"
	else
		f4_fail "-o $opts: access times: fuse4fs: $got; the kernel: $want"
	fi
	f4_check_fsck "$w/f.img" "-o $opts"
done

# ----- dirsync and sync -------------------------------------------------
# durable_case LABEL OPTS WANT ACTION: mount with OPTS (and commit=3600),
# run ACTION in the mount, kill -9 fuse4fs at once, let the kernel
# replay; WANT=kept: d2 and d2/new (with its bytes) must be there;
# WANT=lost: they must not (the control: the option is what keeps them).
durable_case() {
	local label=$1 opts=$2 want=$3 action=$4 m=$w/dm pid got
	cp "$img" "$w/d.img"
	f4_mount_fuse "$w/d.img" "$m" -o "commit=3600${opts:+,$opts}" ||
		{ f4_fail "$label: does not mount"; return; }
	pid=${F4_PID[$(f4__canon "$m")]}
	(cd "$m" && eval "$action") || f4_fail "$label: the action failed"
	{ kill -KILL "$pid"; wait "$pid"; } 2>/dev/null
	unset "F4_PID[$(f4__canon "$m")]"
	fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m"
	f4_mount_kernel "$w/d.img" "$w/dk" rw || { f4_fail "$label: the kernel cannot mount it"; return; }
	if [ -d "$w/dk/d2" ] && [ "$(cat "$w/dk/d2/new" 2>/dev/null)" = "payload" ]; then
		got=kept
	else
		got=lost
	fi
	f4_umount_kernel "$w/dk"
	if [ "$got" = "$want" ]; then
		f4_pass "$label: the change is $got after kill -9"
	else
		f4_fail "$label: the change is $got after kill -9 (expected $want)"
	fi
	f4_check_fsck "$w/d.img" "$label"
}

# dirsync: the write itself is made durable by fsync; the names by the
# option. sync: nothing but the option.
durable_case "-o dirsync" dirsync kept \
	'mkdir d2 && printf payload >d2/tmp && sync -d d2/tmp && mv d2/tmp d2/new'
durable_case "no dirsync (control)" "" lost \
	'mkdir d2 && printf payload >d2/tmp && sync -d d2/tmp && mv d2/tmp d2/new'
durable_case "-o sync" sync kept 'mkdir d2 && printf payload >d2/new'

# ----- fsname -----------------------------------------------------------
odd=$w/'odd,name\with.img'
cp "$img" "$odd"
if f4_mount_fuse "$odd" "$w/om"; then
	src=$(findmnt -n -o SOURCE --mountpoint "$w/om")
	[ "$src" = "$odd" ] && f4_pass "a comma and a backslash in the image path: mounted, shown as $src" ||
		f4_fail "a comma and a backslash in the image path: the mount table shows '$src'"
	f4_umount_fuse "$w/om"
else
	f4_fail "an image path with a comma and a backslash does not mount"
fi
f4_finish
