// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The hooks that run while install sessions do, and a minute after the
 * last: connect, rename and link, open, and DNS capture. While any syscall
 * tracepoint is attached, every system call of every process takes the
 * kernel's slow path (measured in docs/PERFORMANCE.md). Only sessions'
 * connects and lookups matter; renames outside sessions come through
 * fanotify (when it is not available, the rename hooks stay on), whose
 * marks are off while the rename hooks judge every rename. A package
 * manager's exec wakes the daemon at once, so all are on before its first
 * connect.
 */
#include <string.h>

#include "capture.h"

#define IDLE_SECS 60 /* the hooks stop this long after the last session */

void session_hooks_init(struct session_hooks *h, struct sensor *s, struct dnscap *cap,
			struct fswatch *fsw)
{
	memset(h, 0, sizeof(*h));
	h->sensor = s;
	h->cap = cap;
	h->fsw = fsw;
	h->names_always = !fsw;
}

void session_hooks_start(struct session_hooks *h, bool dns, time_t now)
{
	int err;

	h->busy = now;
	if (h->on || !h->sensor)
		return;
	h->on = true;
	err = sensor_hooks(h->sensor, SENSOR_HOOK_CONNECT | SENSOR_HOOK_NAMES | SENSOR_HOOK_OPEN,
			   true);
	if (err)
		log_warnx("cannot attach the session hooks: %s", strerror(-err));
	else if (h->fsw)
		fswatch_pause(h->fsw, true);
	if (dns)
		dnscap_start(h->cap);
	log_debug("session hooks on");
}

void session_hooks_tick(struct session_hooks *h, uint64_t sessions, time_t now, dnscap_fn fn,
			void *arg)
{
	if (sessions) {
		h->busy = now;
		return;
	}
	if (!h->on || now - h->busy < IDLE_SECS)
		return;
	h->on = false;
	if (h->fsw)
		fswatch_pause(h->fsw, false);
	sensor_hooks(h->sensor,
		     SENSOR_HOOK_CONNECT | SENSOR_HOOK_OPEN |
			     (h->names_always ? 0 : SENSOR_HOOK_NAMES),
		     false);
	dnscap_stop(h->cap, fn, arg);
	log_debug("session hooks off: no install session for %d s", IDLE_SECS);
}

void session_hooks_dns(struct session_hooks *h, bool dns, dnscap_fn fn, void *arg)
{
	if (!dns)
		dnscap_stop(h->cap, fn, arg);
	else if (h->on)
		dnscap_start(h->cap);
}
