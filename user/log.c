// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Logging: stderr in the foreground (journald captures it under systemd). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "internal.h"

static int log_verbose;
static bool log_syslog;

void log_init(int verbose, bool use_syslog)
{
	log_verbose = verbose;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog("depsentry", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void vlog(int pri, const char *fmt, va_list ap)
{
	if (log_syslog) {
		vsyslog(pri, fmt, ap);
		return;
	}
	fputs("depsentry: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* fmt then ": strerror(errno)", errno as on entry */
static void vlog_errno(int pri, const char *fmt, va_list ap)
{
	char msg[1024];
	int saved = errno;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (log_syslog) {
		syslog(pri, "%s: %s", msg, strerror(saved));
		return;
	}
	fprintf(stderr, "depsentry: %s: %s\n", msg, strerror(saved));
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(LOG_DEBUG, fmt, ap);
	va_end(ap);
}

void fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}

void fatalx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(LOG_CRIT, fmt, ap);
	va_end(ap);
	exit(1);
}
