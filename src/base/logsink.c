/* Owns where the log goes after daemonizing (see logsink.h). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "src/base/log.h"
#include "src/base/logsink.h"

static int file_fd = -1;	/* -o logfile= */
static int kmsg_fd = -1;	/* /dev/kmsg */

static const char *const level_name[] = { "error", "warning", "info", "debug" };

/* One line, one write: lines of several threads do not mix. */
static void write_line(int fd, const char *prefix, const char *fmt, va_list ap)
{
	char line[2048];
	int n = snprintf(line, sizeof(line), "%s", prefix);

	if (n < 0 || (size_t)n >= sizeof(line))
		return;
	n += vsnprintf(line + n, sizeof(line) - (size_t)n, fmt, ap);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line) - 1)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	if (write(fd, line, (size_t)n) != n)
		return;	/* nowhere left to say so */
}

static void file_sink(enum f4_log_level level, const char *fmt, va_list ap)
{
	char prefix[96], stamp[32];
	time_t now = time(NULL);
	struct tm tm;

	strftime(stamp, sizeof(stamp), "%Y-%m-%d %H:%M:%S", localtime_r(&now, &tm));
	snprintf(prefix, sizeof(prefix), "%s fuse4fs[%d]: %s: ", stamp, (int)getpid(),
		 level_name[level]);
	write_line(file_fd, prefix, fmt, ap);
}

static void kmsg_sink(enum f4_log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };
	char prefix[64];

	snprintf(prefix, sizeof(prefix), "<%d>fuse4fs[%d]: ", LOG_DAEMON | prio[level],
		 (int)getpid());
	write_line(kmsg_fd, prefix, fmt, ap);
}

static void syslog_sink(enum f4_log_level level, const char *fmt, va_list ap)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG };

	vsyslog(prio[level], fmt, ap);
}

/* Does a syslog daemon listen (a datagram socket at /dev/log)? */
static bool syslog_listens(void)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX, .sun_path = "/dev/log" };
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool ok = fd >= 0 && connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;

	if (fd >= 0)
		close(fd);
	return ok;
}

int f4_logsink_open_file(const char *path, char *msg, size_t len)
{
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);

	if (fd < 0) {
		snprintf(msg, len, "cannot open the log file %s: %s", path, strerror(errno));
		return -errno;
	}
	if (file_fd >= 0)
		close(file_fd);
	file_fd = fd;
	return 0;
}

const char *f4_logsink_install(bool daemonized)
{
	if (file_fd >= 0) {
		f4_log_set_sink(file_sink);
		return "the log file";
	}
	if (!daemonized)
		return "stderr";
	if (syslog_listens()) {
		openlog("fuse4fs", LOG_PID, LOG_DAEMON);
		f4_log_set_sink(syslog_sink);
		return "syslog";
	}
	kmsg_fd = open("/dev/kmsg", O_WRONLY | O_CLOEXEC);
	if (kmsg_fd >= 0) {
		f4_log_set_sink(kmsg_sink);
		return "the kernel log";
	}
	openlog("fuse4fs", LOG_PID, LOG_DAEMON);
	f4_log_set_sink(syslog_sink);
	return "syslog (no daemon listens: messages are lost)";
}
