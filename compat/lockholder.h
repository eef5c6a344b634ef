/* Owns naming who holds a lock on a file: the process holding a flock
 * on the file open as fd (another fuse4fs still closing, or any other
 * program), read from the kernel's lock table (/proc/locks). Best
 * effort: where there is no such table, or the holder is in another pid
 * namespace, nothing is found. */
#ifndef F4_COMPAT_LOCKHOLDER_H
#define F4_COMPAT_LOCKHOLDER_H

#include <stddef.h>
#include <sys/types.h>

/* The pid of a process other than this one that took a flock on fd's
 * file, with its command name in comm (len bytes). When that process
 * has exited and the lock lives on in a descendant (a daemon's parent,
 * flock(1)), a live process that has the file open instead, or comm
 * "" if none is found. 0 if no lock is found. */
pid_t f4_compat_lock_holder(int fd, char *comm, size_t len);

#endif
