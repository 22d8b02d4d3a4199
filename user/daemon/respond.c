// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The response's user-space half (docs/response.md): an alert about a
 * process of an install session, at or above the configured severity,
 * stops that process and its descendants in the session, before the alert
 * is written, so that the alert says what was done. In detect mode
 * nothing is stopped and the alert says what would have been.
 *
 * A process is signalled through a pidfd, never by a bare pid: the pidfd
 * is opened first, then the process behind it is checked to be the one
 * judged (its start time), so a pid reused in between is never hit.
 * Processes outside install sessions are never signalled.
 *
 * Where the kernel cannot refuse connections (egress.c), a connection the
 * response would have refused stops its process instead.
 */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "daemon.h"

#ifndef SYS_pidfd_open
#define SYS_pidfd_open 434
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif

#define KILL_MAX 256 /* processes stopped for one alert */

/* Signal (pid, start) with SIGKILL through a pidfd: 0, or -errno (-ESRCH:
 * gone, or the pid is someone else's now). */
static int kill_exact(uint32_t pid, uint64_t start)
{
	int fd = (int)syscall(SYS_pidfd_open, (pid_t)pid, 0), err = 0;

	if (fd < 0)
		return -errno;
	/* the pidfd holds whatever has the pid now: is it ours? */
	if (!procfs_alive(pid, start))
		err = -ESRCH;
	else if (syscall(SYS_pidfd_send_signal, fd, SIGKILL, NULL, 0))
		err = -errno;
	close(fd);
	return err;
}

struct victims {
	const struct proc *root;
	const struct proc *v[KILL_MAX];
	size_t n;
	bool full;
};

/* Is p below root, in root's session? */
static bool descends(const struct proc *p, const struct proc *root)
{
	const struct proc *a;

	for (a = p->parent; a && a->sess == root->sess; a = a->parent)
		if (a == root)
			return true;
	return false;
}

static void collect(struct proc *p, void *arg)
{
	struct victims *vs = arg;

	if (p->exited || p == vs->root || !p->sess || !descends(p, vs->root))
		return;
	if (vs->n < KILL_MAX)
		vs->v[vs->n++] = p;
	else
		vs->full = true;
}

/* Should this alert stop its process? */
static bool kill_due(const struct daemon_ctx *d, const struct proc *p, const struct verdict *v)
{
	const struct config *c = d->cfg;

	if (c->response_mode == RESPONSE_OFF || !c->response_kill || !p || !p->sess || !p->pid)
		return false;
	if (v->severity >= c->kill_severity)
		return true;
	/* a connection the egress rule did not allow, where the kernel could
	 * not refuse it: stopping is the refusal */
	return v->rule == RULE_EGRESS && v->net && v->net->kind == NET_CONNECT &&
	       c->response_egress && d->sensor && !sensor_egress_in_kernel(d->sensor);
}

void respond(struct daemon_ctx *d, const struct proc *p, const struct verdict *v,
	     struct response *r)
{
	struct victims vs = { .root = p };
	size_t i;
	int err;

	memset(r, 0, sizeof(*r));
	if (v->net && (v->net->egress & DS_EGRESS_DENIED)) {
		r->egress = v->net->egress & DS_EGRESS_BLOCKED ? "blocked" : "would_block";
		d->responses += !!(v->net->egress & DS_EGRESS_BLOCKED);
	}
	if (!kill_due(d, p, v))
		return;
	if (d->cfg->response_mode == RESPONSE_DETECT) {
		r->action = "would_kill";
		return;
	}
	/* the judged one first: it forks no more */
	err = p->exited ? -ESRCH : kill_exact(p->pid, p->start);
	if (err == 0)
		r->killed++;
	proctable_each(d->pt, collect, &vs);
	for (i = 0; i < vs.n; i++)
		if (kill_exact(vs.v[i]->pid, vs.v[i]->start) == 0)
			r->killed++;
	r->action = r->killed ? "killed" : "kill_failed";
	if (!r->killed)
		r->error = err == -ESRCH ? "the process had exited" : strerror(-err);
	if (vs.full)
		log_warnx("response: more than %d processes below pid %u: the rest not stopped",
			  KILL_MAX, p->pid);
	d->responses++;
	d->killed += r->killed;
}
