/* Owns where the log goes once the server has daemonized (stderr then
 * goes nowhere): a file given with -o logfile= (opened before, so that
 * a bad path is an error on the terminal); otherwise syslog when a
 * syslog daemon listens on /dev/log; otherwise the kernel log
 * (/dev/kmsg, for root: what dmesg shows); otherwise syslog all the
 * same (the messages are lost, as the man page says). */
#ifndef F4_BASE_LOGSINK_H
#define F4_BASE_LOGSINK_H

#include <stdbool.h>
#include <stddef.h>

/* Open path for appending (created 0640). 0 or -errno with a one-line
 * reason in msg. */
int f4_logsink_open_file(const char *path, char *msg, size_t len);

/* Install the sink: the file if one was opened (also in the
 * foreground); else, when daemonized, the first of syslog, kernel log
 * that works. Returns what was chosen, for a debug line. */
const char *f4_logsink_install(bool daemonized);

#endif
