/* lib/log.c: see log.h. */
#include "log.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

static int log_level = LOG_INFO;
static int log_syslog_on;
static const char *log_prog = "wren";

void
log_init(int debug, int use_syslog, const char *progname)
{
	log_level = debug ? LOG_DEBUG : LOG_INFO;
	log_syslog_on = use_syslog;
	if (progname != NULL)
		log_prog = progname;
	if (use_syslog)
		openlog(log_prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_level(int pri)
{
	if (pri >= LOG_ERR && pri <= LOG_DEBUG)
		log_level = pri;
}

int
log_get_level(void)
{
	return log_level;
}

int
log_debug_enabled(void)
{
	return log_level >= LOG_DEBUG;
}

/* Write one message, whatever the level. */
static void
log_emit(int pri, const char *errstr, const char *fmt, va_list ap)
{
	char msg[1024];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_syslog_on) {
		if (errstr != NULL)
			syslog(pri, "%s: %s", msg, errstr);
		else
			syslog(pri, "%s", msg);
		return;
	}
	if (errstr != NULL)
		fprintf(stderr, "%s: %s: %s\n", log_prog, msg, errstr);
	else
		fprintf(stderr, "%s: %s\n", log_prog, msg);
	fflush(stderr);
}

/* Write it if the level lets it through; a fatal one always goes. */
static void
log_vwrite(int pri, const char *errstr, const char *fmt, va_list ap)
{
	if (pri > log_level && pri > LOG_CRIT)
		return;
	log_emit(pri, errstr, fmt, ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, e, fmt, ap);
	va_end(ap);
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_WARNING, NULL, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_INFO, NULL, fmt, ap);
	va_end(ap);
}

void
log_notice(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_NOTICE, NULL, fmt, ap);
	va_end(ap);
}

void
log_event(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_NOTICE, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_level < LOG_DEBUG)
		return;
	va_start(ap, fmt);
	log_vwrite(LOG_DEBUG, NULL, fmt, ap);
	va_end(ap);
}

void
fatal(const char *fmt, ...)
{
	va_list ap;
	const char *e = strerror(errno);

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, e, fmt, ap);
	va_end(ap);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_vwrite(LOG_CRIT, NULL, fmt, ap);
	va_end(ap);
	exit(1);
}
