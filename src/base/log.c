/* Owns the log sink and the debug switch. */
#include "config.h"

#include <stdio.h>

#include "src/base/log.h"

bool f4_log_debug_enabled;

static void stderr_sink(enum f4_log_level level, const char *fmt, va_list ap)
{
	(void)level;
	fputs("fuse4fs: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

static f4_log_sink_fn log_sink = stderr_sink;

void f4_log_set_sink(f4_log_sink_fn sink)
{
	log_sink = sink ? sink : stderr_sink;
}

void f4_log(enum f4_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_sink(level, fmt, ap);
	va_end(ap);
}
