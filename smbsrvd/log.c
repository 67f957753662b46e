/*
 * log.c — logging to stderr (foreground) or syslog (see log.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "log.h"

static int	 log_stderr = 1;
static int	 log_level = LOG_LVL_WARN;
static int	 log_pinned;
static int	 log_floor;
static const char *log_ident = "smbsrvd";

void
log_init(const char *ident, int to_stderr, int level)
{
	log_ident = ident;
	log_stderr = to_stderr;
	log_setlevel(level);
	if (!to_stderr)
		openlog(ident, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_close(void)
{
	if (!log_stderr)
		closelog();
}

void
log_setlevel(int level)
{
	if (level < log_floor)
		level = log_floor;
	if (level < 0)
		level = 0;
	if (level > LOG_LVL_MAX)
		level = LOG_LVL_MAX;
	log_level = level;
}

void
log_setfloor(int level)
{
	log_floor = level;
	if (log_level < level)
		log_level = level;
}

int
log_getlevel(void)
{
	return log_level;
}

void
log_setlevel_pinned(int level)
{
	log_setlevel(level);
	log_pinned = 1;
}

int
log_level_pinned(void)
{
	return log_pinned;
}

static void
vlog(int lvl, int prio, int with_errno, const char *fmt, va_list ap)
{
	char msg[1024];
	int saved = errno;

	if (lvl > log_level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (with_errno) {
		size_t n = strlen(msg);

		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(saved));
	}
	if (log_stderr) {
		struct timespec ts;
		struct tm tm;
		char stamp[32];

		clock_gettime(CLOCK_REALTIME, &ts);
		gmtime_r(&ts.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%H:%M:%S", &tm);
		fprintf(stderr, "%s.%03ld %s: %s\n", stamp,
		    ts.tv_nsec / 1000000, log_ident, msg);
	} else
		syslog(prio, "%s", msg);
	errno = saved;
}

#define LOGFN(name, lvl, prio, with_errno)				\
void									\
name(const char *fmt, ...)						\
{									\
	va_list ap;							\
									\
	va_start(ap, fmt);						\
	vlog(lvl, prio, with_errno, fmt, ap);				\
	va_end(ap);							\
}

LOGFN(log_err, LOG_LVL_ERR, LOG_ERR, 1)
LOGFN(log_errx, LOG_LVL_ERR, LOG_ERR, 0)
LOGFN(log_warn, LOG_LVL_WARN, LOG_WARNING, 1)
LOGFN(log_warnx, LOG_LVL_WARN, LOG_WARNING, 0)
LOGFN(log_info, LOG_LVL_INFO, LOG_INFO, 0)
LOGFN(log_debug, LOG_LVL_DEBUG, LOG_DEBUG, 0)

void
log_debugl(int lvl, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(lvl, LOG_DEBUG, 0, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, LOG_CRIT, 1, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_LVL_ERR, LOG_CRIT, 0, fmt, ap);
	va_end(ap);
	exit(1);
}
