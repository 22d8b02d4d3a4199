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

int events_open(struct events *ev_out, const char *path, enum events_scope scope)
{
	int fd;

	events_close(ev_out);
	memset(&ev_out->st, 0, sizeof(ev_out->st));
	ev_out->reported = 0;
	if (!path)
		return 0;
	fd = output_open_path(path, &ev_out->owned);
	if (fd < 0)
		return fd;
	ev_out->path = strdup(path);
	ev_out->fd = fd;
	ev_out->on = true;
	ev_out->scope = scope;
	log_debug("events to %s, scope %s", path, scope == EVENTS_ALL ? "all" : "sessions");
	return 0;
}

bool events_enabled(const struct events *ev_out)
{
	return ev_out && ev_out->on;
}

static void events_write(struct events *ev_out, const struct host_info *h, const struct proc *p,
			 const struct verdict *v, uint64_t ts)
{
	size_t len;
	char *line = event_render(h, p, v, ts, &len);
	int ret;

	if (!line) {
		ev_out->st.unrendered++;
		return;
	}
	ret = output_line(ev_out->fd, line, len);
	if (ret < 0)
		ev_out->st.failed++;
	else if (ret > 0)
		ev_out->st.split++;
	else
		ev_out->st.written++;
	free(line);
}

void events_exec(struct events *ev_out, const struct host_info *h, const struct proc *p,
		 uint64_t ts)
{
	struct verdict v = { .rule = RULE_NONE };

	if (!events_enabled(ev_out) || (ev_out->scope == EVENTS_SESSIONS && !p->sess))
		return;
	events_write(ev_out, h, p, &v, ts);
}

/* The kernel reports connects of install sessions only, whatever the scope. */
void events_net(struct events *ev_out, const struct host_info *h, const struct proc *p,
		const struct net_event *ev, uint64_t ts)
{
	struct verdict v = { .rule = RULE_NONE, .net = ev };

	if (events_enabled(ev_out))
		events_write(ev_out, h, p, &v, ts);
}

void events_file(struct events *ev_out, const struct host_info *h, const struct proc *p,
		 const struct file_event *ev)
{
	struct verdict v = { .rule = RULE_NONE, .file = ev };

	if (events_enabled(ev_out))
		events_write(ev_out, h, p, &v, ev->ts);
}

void events_stats(const struct events *ev_out, struct events_stats *st)
{
	if (ev_out)
		*st = ev_out->st;
	else
		memset(st, 0, sizeof(*st));
}

void events_report(struct events *ev_out, bool final)
{
	const struct events_stats *st = &ev_out->st;
	uint64_t lost = st->unrendered + st->failed + st->split;

	if (!events_enabled(ev_out) || (!final && lost == ev_out->reported))
		return;
	ev_out->reported = lost;
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

int events_reopen(struct events *ev_out)
{
	if (!events_enabled(ev_out) || !ev_out->owned || !ev_out->path)
		return 0;
	return output_reopen_path(ev_out->path, &ev_out->fd);
}

void events_close(struct events *ev_out)
{
	if (!events_enabled(ev_out))
		return;
	events_report(ev_out, true);
	if (ev_out->owned)
		close(ev_out->fd);
	ev_out->on = false;
	ev_out->owned = false;
	free(ev_out->path);
	ev_out->path = NULL;
}
