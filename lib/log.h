/*
 * lib/log.h: logging to stderr or syslog, in the OpenBGPD discipline.
 * log_warn() appends strerror(errno); log_warnx() does not.  fatal()/fatalx()
 * are only for broken internal invariants, never for bad input from outside.
 */
#ifndef WREN_LOG_H
#define WREN_LOG_H

#include <stdarg.h>

void log_init(int debug, int use_syslog, const char *progname);
/*
 * Messages less important than pri (a syslog LOG_* priority: LOG_ERR,
 * LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG) are dropped.  log_init()
 * sets LOG_DEBUG with debug, else LOG_INFO.  fatal() always gets through.
 */
void log_set_level(int pri);
int log_get_level(void);
int log_debug_enabled(void);
void log_notice(const char *, ...) __attribute__((format(printf, 1, 2)));
/* At LOG_NOTICE whatever the level: session state changes. */
void log_event(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *, ...) __attribute__((format(printf, 1, 2), noreturn));

#endif
