// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The sensor's own integrity: a package running as root can signal, stop
 * or kill the daemon, and that must not pass unseen.
 *
 * Signals. The signal hook (bpf/signal.bpf.c) sends a record for every
 * signal another process sends the daemon: one from a process of an install
 * session is a sensor-signal alert at once (SIGTERM included: the daemon
 * drains what the kernel sent before it exits). The hook also keeps, in a
 * map pinned on the BPF file system, the first signal that ends the daemon
 * and the last one an install session sent, with the sender's environment.
 *
 * Interruptions. Each daemon says in its state file (state_file,
 * /var/lib/depsentry/state: it survives a reboot) that it runs, with its
 * pid, start, boot and the nonce it reset the pinned map with; it rewrites
 * it when install sessions start or all end and every minute, and says
 * "stopped" after a clean stop, when it also removes its status file. A
 * daemon that finds a state that says "running" for a process that no
 * longer runs (or, without a state file, a status file left by one) writes
 * one sensor-interrupted alert: the gap from the last heartbeat (the status
 * file's last rewrite, else the state file's) to now, whether install
 * sessions were running, and, from the pinned map when its nonce is the
 * state's, who sent the signal that ended it and the package it ran for.
 * Both files are untrusted input: a package running as root can write
 * them; they are parsed field by field and bounded.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "rules.h"

#define STATE_VERSION 1
#define SAME_BOOT_NS  (60 * 1000000000LL) /* wall-clock steps tolerated */
#define NSEC	      1000000000LL

/* ------------------------------------------------------------ signals */

static void verdict_for(struct verdict *v, enum rule_id rule, enum severity sev, const char *reason,
			struct tamper_event *ev)
{
	memset(v, 0, sizeof(*v));
	v->rule = rule;
	v->severity = sev;
	v->reason = reason;
	v->rules_matched = 1U << rule;
	v->tamper = ev;
}

bool tamper_signal_judge(const struct event *e, struct tamper_event *ev, struct verdict *v)
{
	memset(ev, 0, sizeof(*ev));
	ev->signal = e->signal.s;
	ev->sensor_pid = e->signal.target_pid;
	ev->sensor_start = e->signal.target_start;
	/* systemd's SIGTERM, an administrator's SIGHUP, a child's SIGCHLD */
	if (ev->signal.origin != ORIGIN_PROCESS || !ev->signal.session)
		return false;
	verdict_for(v, RULE_SENSOR_SIGNAL, SEV_HIGH, "an install session signalled the sensor", ev);
	/* a package can send the daemon a signal a million times: the gate
	 * writes one alert per sender and signal */
	snprintf(v->fold_key, sizeof(v->fold_key), "%u/%llu/%d", e->pid,
		 (unsigned long long)e->start, e->signal.s.sig);
	v->matched = ev->signal.name;
	v->matched_field = "depsentry.signal.name";
	return true;
}

/* ------------------------------------------------------- the state file */

static int parse_hex64(const char *s, size_t len, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len != 16)
		return -EINVAL;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c >= '0' && c <= '9')
			v = v << 4 | (uint64_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v = v << 4 | (uint64_t)(c - 'a' + 10);
		else
			return -EINVAL;
	}
	*out = v;
	return 0;
}

enum state_key {
	SK_VERSION,
	SK_STATE,
	SK_PID,
	SK_START,
	SK_TGID,
	SK_BOOT,
	SK_NONCE,
	SK_UPDATED,
	SK_SESSIONS,
	SK_MAX,
};

/* clang-format off */
static const char *const state_keys[SK_MAX] = {
	[SK_VERSION] = "version", [SK_STATE] = "state",	  [SK_PID] = "pid",
	[SK_START] = "start",	  [SK_TGID] = "tgid",	  [SK_BOOT] = "boot",
	[SK_NONCE] = "nonce",	  [SK_UPDATED] = "updated", [SK_SESSIONS] = "sessions",
};
/* clang-format on */

#define SK_REQUIRED                                                                  \
	((1U << SK_VERSION) | (1U << SK_STATE) | (1U << SK_PID) | (1U << SK_START) | \
	 (1U << SK_BOOT) | (1U << SK_UPDATED))

static int state_field(struct tamper_state *st, enum state_key k, const char *v, size_t n)
{
	uint64_t x = 0;
	int err = 0;

	switch (k) {
	case SK_VERSION:
		err = parse_u64(v, n, UINT32_MAX, &x);
		return err ? err : x == STATE_VERSION ? 0 : -EINVAL;
	case SK_STATE:
		if (n == 7 && !memcmp(v, "running", 7))
			st->running = true;
		else if (!(n == 7 && !memcmp(v, "stopped", 7)))
			return -EINVAL;
		return 0;
	case SK_NONCE:
		return parse_hex64(v, n, &st->nonce);
	case SK_START:
		return parse_u64(v, n, INT64_MAX, &st->start);
	case SK_BOOT:
	case SK_UPDATED:
		err = parse_u64(v, n, INT64_MAX, &x);
		*(k == SK_BOOT ? &st->boot_ns : &st->updated_ns) = (int64_t)x;
		return err;
	default:
		err = parse_u64(v, n, INT32_MAX, &x);
		*(k == SK_PID ? &st->pid : k == SK_TGID ? &st->tgid : &st->sessions) = (uint32_t)x;
		return err;
	}
}

/* Every line "key=value\n", each known key once, the required ones there;
 * unknown keys are a later release's. */
static int state_lines(const char *buf, size_t len, struct tamper_state *st)
{
	const char *line = buf, *end = buf + len, *nl, *eq;
	unsigned int seen = 0;
	size_t k;

	if (len > TAMPER_STATE_MAX || memchr(buf, '\0', len))
		return -EINVAL;
	for (; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			return -EINVAL; /* every line ends: a cut file is not a state */
		eq = memchr(line, '=', (size_t)(nl - line));
		if (!eq)
			return -EINVAL;
		for (k = 0; k < SK_MAX; k++)
			if (strlen(state_keys[k]) == (size_t)(eq - line) &&
			    !memcmp(line, state_keys[k], (size_t)(eq - line)))
				break;
		if (k == SK_MAX)
			continue;
		if (seen & (1U << k) || state_field(st, k, eq + 1, (size_t)(nl - eq - 1)))
			return -EINVAL;
		seen |= 1U << k;
	}
	return (seen & SK_REQUIRED) == SK_REQUIRED && st->pid ? 0 : -EINVAL;
}

int tamper_state_parse(const char *buf, size_t len, struct tamper_state *st)
{
	memset(st, 0, sizeof(*st));
	if (state_lines(buf, len, st) == 0)
		return 0;
	memset(st, 0, sizeof(*st)); /* nothing half-read is used */
	return -EINVAL;
}

int tamper_state_format(const struct tamper_state *st, char *buf, size_t len)
{
	int n;

	n = snprintf(buf, len,
		     "version=%d\nstate=%s\npid=%u\nstart=%" PRIu64 "\ntgid=%u\nboot=%" PRId64
		     "\nnonce=%016" PRIx64 "\nupdated=%" PRId64 "\nsessions=%u\n",
		     STATE_VERSION, st->running ? "running" : "stopped", st->pid, st->start,
		     st->tgid, st->boot_ns, st->nonce, st->updated_ns, st->sessions);
	return n < 0 || (size_t)n >= len ? -ENOSPC : 0;
}

/* ------------------------------------------------------ interruptions */

bool tamper_same_boot(int64_t a_ns, int64_t b_ns)
{
	return a_ns - b_ns < SAME_BOOT_NS && b_ns - a_ns < SAME_BOOT_NS;
}

void tamper_prev_judge(struct tamper_prev *prev, bool state_alive, bool status_alive)
{
	const struct tamper_state *st = &prev->state;

	if (prev->have_state && !st->running)
		prev->kind = PREV_CLEAN;
	else if (prev->have_state)
		prev->kind = state_alive && tamper_same_boot(st->boot_ns, prev->boot_ns)
				     ? PREV_ALIVE
				     : PREV_UNCLEAN;
	else if (prev->state_unreadable)
		prev->kind = PREV_UNCLEAN;
	else if (prev->have_status) /* removed at a clean stop: left by a dead one */
		prev->kind = status_alive ? PREV_ALIVE : PREV_UNCLEAN;
	else
		prev->kind = PREV_NONE;
}

void tamper_prev_recheck(struct tamper_prev *prev, const struct ds_tamper *t)
{
	if (prev->kind != PREV_CLEAN || !t || !t->fatal.sig.hdr.ts)
		return;
	prev->kind = PREV_UNCLEAN;
	prev->state_contradicted = true;
}

int64_t tamper_gap_ns(int64_t heartbeat_ns, int64_t now_ns)
{
	if (heartbeat_ns < 0 || now_ns < heartbeat_ns)
		return -1;
	return now_ns - heartbeat_ns;
}

/* The last heartbeat: the status file's rewrite when it is that daemon's
 * and of this boot, else the state file's own. */
static void heartbeat(const struct tamper_prev *prev, struct tamper_event *ev)
{
	const struct tamper_state *st = &prev->state;
	bool status = prev->have_status && !ev->reboot &&
		      (!prev->have_state || prev->status_pid == st->pid);

	ev->heartbeat_ns = -1;
	ev->sessions = -1;
	if (prev->have_state) {
		ev->heartbeat_ns = st->updated_ns;
		ev->heartbeat_from = "state_file";
		ev->sessions = (int)st->sessions;
	}
	if (status && prev->status_ns >= ev->heartbeat_ns) {
		ev->heartbeat_ns = prev->status_ns;
		ev->heartbeat_from = "status_file";
		if (prev->status_sessions >= 0)
			ev->sessions = prev->status_sessions;
	}
}

static bool same_signal(const struct ds_signal *a, const struct ds_signal *b)
{
	return a->hdr.ts == b->hdr.ts && a->hdr.pid == b->hdr.pid && a->sig == b->sig;
}

bool tamper_interruption(const struct tamper_prev *prev, const struct ds_tamper *t,
			 struct tamper_event *ev, struct verdict *v,
			 const struct ds_tamper_rec **rec)
{
	const struct ds_tamper_rec *fatal = NULL, *session = NULL;

	*rec = NULL;
	if (prev->kind != PREV_UNCLEAN)
		return false;
	memset(ev, 0, sizeof(*ev));
	ev->interrupted = true;
	ev->restart_ns = prev->now_ns;
	ev->state_unreadable = prev->state_unreadable;
	ev->state_contradicted = prev->state_contradicted;
	ev->reboot = prev->have_state && !tamper_same_boot(prev->state.boot_ns, prev->boot_ns);
	ev->sensor_pid = prev->have_state ? (prev->state.tgid ? prev->state.tgid : prev->state.pid)
					  : prev->status_pid;
	ev->sensor_start = prev->have_state ? prev->state.start : 0;
	heartbeat(prev, ev);
	if (t && t->fatal.sig.hdr.ts)
		fatal = &t->fatal;
	if (t && t->session.sig.hdr.ts && (int32_t)(t->session_seq - t->acked_seq) > 0)
		session = &t->session; /* not alerted while the daemon ran */
	*rec = session ? session : fatal;
	if (*rec)
		tamper_signal_from(&(*rec)->sig, &ev->signal);
	if (fatal && session && !same_signal(&fatal->sig, &session->sig))
		tamper_signal_from(&fatal->sig, &ev->ended_by);
	if (*rec && ev->signal.origin != ORIGIN_PROCESS)
		*rec = NULL; /* the kernel's, or its own: no sender to name */
	ev->cause = !fatal					  ? "unknown"
		    : fatal->sig.hdr.pid == fatal->sig.target_pid ? "crash"
		    : DS_SIG_FROM_PROCESS(fatal->sig.code)	  ? "signal"
								  : "kernel";
	ev->sessions_running = ev->sessions > 0 || session;
	verdict_for(
		v, RULE_SENSOR_INTERRUPTED, session ? SEV_HIGH : SEV_MEDIUM,
		session ? "the sensor stopped without a clean shutdown after an install session signalled it"
			: "the sensor stopped without a clean shutdown",
		ev);
	if (ev->signal.sig) {
		v->matched = ev->signal.name;
		v->matched_field = "depsentry.signal.name";
	}
	return true;
}

void judge_signal(struct judges *j, struct event *e, const struct proc *p, struct verdict *v)
{
	(void)p;
	if (!tamper_signal_judge(e, j->tamper, v))
		v->rule = RULE_NONE;
}
