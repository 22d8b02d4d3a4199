// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * depsentry report: summarise an alert log (summary.c) as text, Markdown
 * or JSON on stdout. Lines that are not alerts are named on stderr and
 * counted in the summary; they never stop it. Exit status: 0, or
 * REPORT_EXIT_ALERTS when --fail-on is given and an alert at or above it
 * is in the window, 1 when the log cannot be read, 2 for a usage error.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"

#define WARN_LINES_MAX 10 /* malformed lines named on stderr */

/* clang-format off */
static const struct {
	const char *name;
	enum report_format fmt;
} report_formats[] = {
	{ "text", REPORT_TEXT },
	{ "markdown", REPORT_MARKDOWN },
	{ "json", REPORT_JSON },
};
/* clang-format on */

/* clang-format off */
static const struct {
	char unit;
	int64_t secs;
} since_units[] = {
	{ 's', 1 },
	{ 'm', 60 },
	{ 'h', 3600 },
	{ 'd', 86400 },
};
/* clang-format on */

static int report_usage(void)
{
	fprintf(stderr, "usage: depsentry report [-i FILE|-] [--since TIME] "
			"[--format text|markdown|json] [--fail-on low|medium|high|critical]\n");
	return 2;
}

/* An RFC 3339 time, a date (its midnight UTC), or a duration before now
 * ("90s", "15m", "2h", "7d"), to ns since the epoch. */
static int parse_since(const char *s, int64_t *ns)
{
	struct timespec now;
	char *end, date[40];
	unsigned long long n;
	size_t i;

	if (summary_parse_time(s, ns) == 0)
		return 0;
	if (strlen(s) == 10 && snprintf(date, sizeof(date), "%sT00:00:00Z", s) > 0 &&
	    summary_parse_time(date, ns) == 0)
		return 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	errno = 0;
	n = strtoull(s, &end, 10);
	if (errno || end[0] == '\0' || end[1] != '\0')
		return -EINVAL;
	clock_gettime(CLOCK_REALTIME, &now);
	for (i = 0; i < ARRAY_SIZE(since_units); i++) {
		if (*end != since_units[i].unit)
			continue;
		if (n > (unsigned long long)now.tv_sec / since_units[i].secs)
			return -ERANGE;
		*ns = ((int64_t)now.tv_sec - (int64_t)n * since_units[i].secs) * 1000000000LL +
		      now.tv_nsec;
		return 0;
	}
	return -EINVAL;
}

int report_parse_format(const char *s, enum report_format *fmt)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(report_formats); i++) {
		if (strcmp(s, report_formats[i].name) == 0) {
			*fmt = report_formats[i].fmt;
			return 0;
		}
	}
	return -EINVAL;
}

int report_parse_fail_on(const char *s, enum severity *sev)
{
	if (strcmp(s, "none") == 0) {
		*sev = SEV_NONE;
		return 0;
	}
	return severity_parse(s, sev);
}

/* Feed every line of f to s; 0, or -errno when reading failed. */
static int read_log(FILE *f, const char *name, struct summary *s)
{
	char *line = NULL;
	size_t cap = 0;
	uint64_t lineno = 0, bad = 0;
	const char *why;
	ssize_t n;
	int err = 0;

	while ((n = getline(&line, &cap, f)) >= 0) {
		lineno++;
		if (summary_add(s, line, (size_t)n, &why) == -ENOMEM) {
			err = -ENOMEM;
			break;
		}
		if (why && bad++ < WARN_LINES_MAX)
			log_warnx("%s:%llu: not an alert: %s", name, (unsigned long long)lineno,
				  why);
	}
	if (!err && ferror(f))
		err = -EIO;
	if (bad > WARN_LINES_MAX)
		log_warnx("%s: %llu more lines that are not alerts", name,
			  (unsigned long long)(bad - WARN_LINES_MAX));
	free(line);
	return err;
}

int report_main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "input", required_argument, NULL, 'i' },
		{ "since", required_argument, NULL, 's' },
		{ "format", required_argument, NULL, 'f' },
		{ "fail-on", required_argument, NULL, 'F' },
		{ NULL, 0, NULL, 0 },
	};
	enum report_format fmt = REPORT_TEXT;
	enum severity fail_on = SEV_NONE;
	const char *input = DEFAULT_ALERT_PATH;
	struct summary *s;
	int64_t since = 0;
	FILE *f;
	int ch, err;

	log_init(0);
	while ((ch = getopt_long(argc, argv, "i:", longopts, NULL)) != -1) {
		switch (ch) {
		case 'i':
			input = optarg;
			break;
		case 's':
			if (parse_since(optarg, &since)) {
				fprintf(stderr,
					"depsentry: --since %s: expected an RFC 3339 time "
					"(2026-11-23T09:41:26Z), a date or a duration "
					"(90s, 15m, 2h, 7d)\n",
					optarg);
				return report_usage();
			}
			break;
		case 'f':
			if (report_parse_format(optarg, &fmt))
				return report_usage();
			break;
		case 'F':
			if (report_parse_fail_on(optarg, &fail_on))
				return report_usage();
			break;
		default:
			return report_usage();
		}
	}
	if (optind != argc)
		return report_usage();
	f = strcmp(input, "-") == 0 ? stdin : fopen(input, "re");
	if (!f) {
		log_warn("%s", input);
		return 1;
	}
	s = summary_new(since, fail_on);
	err = s ? read_log(f, input, s) : -ENOMEM;
	if (f != stdin)
		fclose(f);
	if (err) {
		log_warnx("%s: %s", input, strerror(-err));
		summary_free(s);
		return 1;
	}
	err = summary_print(s, fmt, "depsentry report", stdout);
	if (!err && fail_on != SEV_NONE && summary_at_or_above(s, fail_on))
		err = REPORT_EXIT_ALERTS;
	else if (err)
		err = 1;
	summary_free(s);
	return err;
}
