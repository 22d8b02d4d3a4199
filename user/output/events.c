// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The events behind the rules, for teams that run rules of their own in a
 * SIEM: process starts, connects and DNS questions of install sessions
 * (every process start with scope "all") and creations and changes of
 * watched files, one ECS line each in a file of their own (-e, or the
 * configuration's events.output). alert.c renders them, so an event has the
 * same process, parent, package, session, destination and file fields as
 * an alert; exclusions and min_severity are the alerts' business and do not
 * apply. Each line goes out in one write(2) on an O_APPEND descriptor
 * (output.c); a line not rendered or not written whole is counted and
 * reported. Field list and set-up: docs/events.md.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "output.h"

static struct {
	int fd;	    /* -1: no events file */
	bool owned; /* opened here, closed by events_close */
	char *path; /* for events_reopen */
	enum events_scope scope;
	struct events_stats st;
	uint64_t reported; /* lines lost at the last report */
} ev_out = { .fd = -1 };

int events_open(const char *path, enum events_scope scope)
{
	int fd;

	events_close();
	memset(&ev_out.st, 0, sizeof(ev_out.st));
	ev_out.reported = 0;
	if (!path)
		return 0;
	fd = output_open_path(path, &ev_out.owned);
	if (fd < 0)
		return fd;
	ev_out.path = strdup(path);
	ev_out.fd = fd;
	ev_out.scope = scope;
	log_debug("events to %s, scope %s", path, scope == EVENTS_ALL ? "all" : "sessions");
	return 0;
}

bool events_enabled(void)
{
	return ev_out.fd >= 0;
}

static void events_write(const struct host_info *h, const struct proc *p, const struct verdict *v,
			 uint64_t ts)
{
	size_t len;
	char *line = event_render(h, p, v, ts, &len);
	int ret;

	if (!line) {
		ev_out.st.unrendered++;
		return;
	}
	ret = output_line(ev_out.fd, line, len);
	if (ret < 0)
		ev_out.st.failed++;
	else if (ret > 0)
		ev_out.st.split++;
	else
		ev_out.st.written++;
	free(line);
}

void events_exec(const struct host_info *h, const struct proc *p, uint64_t ts)
{
	struct verdict v = { .rule = RULE_NONE };

	if (ev_out.fd < 0 || (ev_out.scope == EVENTS_SESSIONS && !p->sess))
		return;
	events_write(h, p, &v, ts);
}

/* The kernel reports connects of install sessions only, whatever the scope. */
void events_net(const struct host_info *h, const struct proc *p, const struct net_event *ev,
		uint64_t ts)
{
	struct verdict v = { .rule = RULE_NONE, .net = ev };

	if (ev_out.fd >= 0)
		events_write(h, p, &v, ts);
}

void events_file(const struct host_info *h, const struct proc *p, const struct file_event *ev)
{
	struct verdict v = { .rule = RULE_NONE, .file = ev };

	if (ev_out.fd >= 0)
		events_write(h, p, &v, ev->ts);
}

void events_stats(struct events_stats *st)
{
	*st = ev_out.st;
}

void events_report(bool final)
{
	const struct events_stats *st = &ev_out.st;
	uint64_t lost = st->unrendered + st->failed + st->split;

	if (ev_out.fd < 0 || (!final && lost == ev_out.reported))
		return;
	ev_out.reported = lost;
	if (final)
		log_info(
			"events: %llu lines written, %llu not rendered, %llu failed to write, %llu written in pieces",
			(unsigned long long)st->written, (unsigned long long)st->unrendered,
			(unsigned long long)st->failed, (unsigned long long)st->split);
	else
		log_warnx(
			"events lost or damaged: events_unrendered=%llu events_failed=%llu events_split=%llu",
			(unsigned long long)st->unrendered, (unsigned long long)st->failed,
			(unsigned long long)st->split);
}

int events_reopen(void)
{
	if (ev_out.fd < 0 || !ev_out.owned || !ev_out.path)
		return 0;
	return output_reopen_path(ev_out.path, &ev_out.fd);
}

void events_close(void)
{
	if (ev_out.fd < 0)
		return;
	events_report(true);
	if (ev_out.owned)
		close(ev_out.fd);
	ev_out.fd = -1;
	ev_out.owned = false;
	free(ev_out.path);
	ev_out.path = NULL;
}
