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

#include "lib.h"

static int log_verbose;

void log_init(int verbose)
{
	log_verbose = verbose;
}

/* One message, escaped, as one line. */
static void log_line(const char *msg)
{
	char *clean = text_escape(msg, TEXT_PLAIN);

	fprintf(stderr, "depsentry: %s\n", clean ? clean : "(a message that could not be escaped)");
	free(clean);
}

static void vlog(const char *fmt, va_list ap)
{
	char *msg;

	if (vasprintf(&msg, fmt, ap) < 0) {
		log_line(fmt);
		return;
	}
	log_line(msg);
	free(msg);
}

/* fmt then ": strerror(errno)", errno as on entry */
static void vlog_errno(const char *fmt, va_list ap)
{
	char *msg, *line;
	int saved = errno;

	if (vasprintf(&msg, fmt, ap) < 0)
		msg = NULL;
	if (asprintf(&line, "%s: %s", msg ? msg : fmt, strerror(saved)) < 0)
		line = NULL;
	log_line(line ? line : msg ? msg : fmt);
	free(line);
	free(msg);
	errno = saved; /* a caller may return -errno after logging it */
}

void log_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog_errno(fmt, ap);
	va_end(ap);
}

void log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}

void log_debug(const char *fmt, ...)
{
	va_list ap;

	if (log_verbose < 1)
		return;
	va_start(ap, fmt);
	vlog(fmt, ap);
	va_end(ap);
}
