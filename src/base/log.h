/* Logging for the whole program: f4_log and its level macros write
 * through one replaceable sink, stderr ("fuse4fs: " first) by default;
 * once the server has daemonized, src/fuse/session.c installs a syslog
 * sink (f4_log_set_sink), as stderr then goes nowhere. Plus the one
 * process-wide setting, the debug switch. Corruption is reported through
 * f4_fs_corrupt (src/fs/errors.h), which logs here. */
#ifndef F4_BASE_LOG_H
#define F4_BASE_LOG_H

#include <stdarg.h>
#include <stdbool.h>

enum f4_log_level {
	F4_LOG_ERR,
	F4_LOG_WARNING,
	F4_LOG_INFO,
	F4_LOG_DEBUG,
};

typedef void (*f4_log_sink_fn)(enum f4_log_level level, const char *fmt,
			       va_list ap);

/* The one process-wide setting: debug tracing costs this one test when off. */
extern bool f4_log_debug_enabled;

void f4_log_set_sink(f4_log_sink_fn sink);
void f4_log(enum f4_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define f4_err(...)  f4_log(F4_LOG_ERR, __VA_ARGS__)
#define f4_warn(...) f4_log(F4_LOG_WARNING, __VA_ARGS__)
#define f4_info(...) f4_log(F4_LOG_INFO, __VA_ARGS__)
#define f4_dbg(...)                                                      \
	do {                                                             \
		if (f4_log_debug_enabled)                                \
			f4_log(F4_LOG_DEBUG, __VA_ARGS__);               \
	} while (0)

#endif
