/*
 * log.h — the daemon's logging.
 *
 * In the foreground (-f) lines go to stderr, otherwise to syslog(3).  The
 * level can change at run time (SIGUSR1 raises it, SIGUSR2 lowers it, a
 * reload applies "log level").  Levels follow smb.conf habits:
 *   0 errors, 1 warnings and notices, 2 informational, 3 and up debug.
 * log_warn() appends strerror(errno); log_warnx() does not.
 */
#ifndef SMBSRVD_LOG_H
#define SMBSRVD_LOG_H

#include <stdarg.h>

enum {
	LOG_LVL_ERR = 0,
	LOG_LVL_WARN = 1,
	LOG_LVL_INFO = 2,
	LOG_LVL_DEBUG = 3,
	LOG_LVL_MAX = 10
};

void	log_init(const char *ident, int to_stderr, int level);
void	log_close(void);
void	log_setlevel(int level);
int	log_getlevel(void);
/* A floor under every later log_setlevel() (the foreground's minimum). */
void	log_setfloor(int level);
/* Marks the level as set on the command line: a reload keeps it. */
void	log_setlevel_pinned(int level);
int	log_level_pinned(void);

void	log_err(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_errx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
/* Debug at a given level (3 = LOG_LVL_DEBUG, higher = chattier). */
void	log_debugl(int, const char *, ...)
	    __attribute__((format(printf, 2, 3)));

/* Only at start-up or for a broken invariant; never for client input. */
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif
