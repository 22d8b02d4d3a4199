// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Logging: stderr in the foreground (journald captures it under systemd).
 * A message may carry what a process controls (a path, a name, a command
 * line): it is escaped as the text report is (text.c), so one message is
 * one line that starts with "depsentry: ", never two, and never a CI
 * workflow command.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include "lib.h"

static int log_verbose;
static bool log_syslog;

void log_init(int verbose, bool use_syslog)
{
	log_verbose = verbose;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog("depsentry", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

/* One message, escaped, as one line. */
static void log_line(int pri, const char *msg)
{
	char *clean = text_escape(msg, TEXT_PLAIN);
	const char *out = clean ? clean : "(a message that could not be escaped)";

	if (log_syslog)
		syslog(pri, "%s", out);
	else
		fprintf(stderr, "depsentry: %s\n", out);
	free(clean);
}

static void vlog(int pri, const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0) {
		log_line(pri, fmt);
		return;
	}
	log_line(pri, msg);
	free(msg);
}

/* fmt then ": strerror(errno)", errno as on entry */
static void vlog_errno(int pri, const char *fmt, va_list ap)
{
	char *msg, *line;
	int saved = errno;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (asprintf(&line, "%s: %s", msg ? msg : fmt, strerror(saved)) < 0)
		line = NULL;
	log_line(pri, line ? line : msg ? msg : fmt);
	free(line);
	free(msg);
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
