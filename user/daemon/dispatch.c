// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Dispatch: each record, decoded (decode/record.c), goes to the model (the
 * process table and its sessions) and to the rules that judge its kind;
 * every verdict passes the gate (rules/gate.c) and, let through, is
 * rendered and written (output/). Events go to the events file as they
 * are seen. Nothing here decides: the rules do.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "daemon.h"

void dispatch_dns_answer(const struct dns_packet *pk, const struct dns_msg *m, uint64_t now_ns,
			 void *arg)
{
	struct daemon_ctx *d = arg;

	egress_dns_answer(d->egress, pk, m, now_ns);
}

void dispatch_track(const struct proc *p, void *arg)
{
	struct daemon_ctx *d = arg;

	if (!p->exited && d->sensor && sensor_track(d->sensor, p->pid, p->sess->id))
		d->user[UC_TRACK_FAILED]++;
}

static void emit(struct daemon_ctx *d, const struct proc *p, const struct verdict *judged,
		 uint64_t ts)
{
	struct verdict v_ = *judged, *v = &v_;
	struct response r;
	size_t len;
	char *line;

	/* before the line: it says what was done */
	respond(d, p, v, &r);
	if (r.egress || r.action)
		v->response = &r;
	line = alert_render(d->host, p, v, ts, &len);

	if (!line) {
		d->user[UC_ALERT_FAILED]++;
		return;
	}
	if (output_write(d->out, line, len) == 0) {
		d->alerts++;
		d->rule_alerts[v->rule]++;
	}
	free(line);
}

void dispatch_emit(struct daemon_ctx *d, const struct proc *p, struct verdict *v, uint64_t ts)
{
	if (gate_pass(d->gate, p, v, ts))
		emit(d, p, v, ts);
}

/* The resolvers a session's root sees (its own resolv.conf, in its mount
 * namespace) are where its questions may go. */
static void session_resolvers(struct daemon_ctx *d, const struct proc *root)
{
	struct ipaddr ns[PLACE_RESOLVERS];
	size_t n = proc_resolvers(root, root->pid, root->img->net_ns, ns, PLACE_RESOLVERS), i;

	for (i = 0; i < n; i++)
		if (sensor_resolver_add(d->sensor, &ns[i]))
			log_warnx("response: cannot add a resolver of pid %u", root->pid);
}

/* Put p in a session: the kernel's word, or a package manager starting one. */
static void place(struct daemon_ctx *d, struct proc *p, uint64_t kernel_session)
{
	const struct pm_def *pm;
	struct pm_def script_pm;
	struct session *s = NULL;
	char name[40];

	if (!p->sess && kernel_session && (s = proctable_session_by_id(d->pt, kernel_session)))
		proctable_join(p, s, p->parent ? p->parent->depth + 1 : 1);
	if (p->sess)
		return;
	pm = rules_package_manager(d->cfg, p);
	/* a lifecycle script whose package manager was not recognised */
	if (!pm && rules_lifecycle_manager(d->cfg, p, &script_pm, name, sizeof(name)))
		pm = &script_pm;
	if (pm) {
		struct proctable_stats st;

		s = proctable_session_start(d->pt, p, pm, dispatch_track, d);
		if (s)
			s->lifecycle = pm == &script_pm;
		proctable_stats(d->pt, &st);
		tamper_heartbeat(d->state, (uint32_t)st.sessions); /* it may be killed next */
		/* its exec was not tracked yet: the CI context is in its environ */
		if (d->sensor)
			procfs_env(p, &d->cfg->env_vars);
		session_hooks_start(&d->hooks, d->cfg->dns_capture, time(NULL));
		if (d->sensor && d->cfg->response_mode != RESPONSE_OFF)
			session_resolvers(d, p);
		log_debug("session rooted at pid %u: %s", p->pid, p->img->cmdline);
	}
}

/* A process the table does not hold (its exec record was lost, or it ran
 * before the table knew it): enough of one for an alert line. */
struct stub {
	struct proc p;
	struct image *img;
};

static const struct proc *proc_or_stub(struct daemon_ctx *d, uint32_t pid, uint64_t start,
				       const char *comm, struct stub *st)
{
	const struct proc *p = proctable_find(d->pt, pid, start);

	memset(st, 0, sizeof(*st));
	if (p)
		return p;
	st->img = image_new();
	if (!st->img)
		return NULL;
	if (comm)
		memcpy(st->img->comm, comm, DS_COMM_LEN - 1);
	st->p.pid = pid;
	st->p.start = start;
	st->p.img = st->img;
	return &st->p;
}

static void stub_release(struct stub *st)
{
	image_put(st->img);
}

/* An alert about (pid, start), or an event when v has no rule: its entry,
 * or a stub if it is gone. fold: the gate folds its repeats first (the
 * exclusions were applied when it was judged). */
static void emit_for(struct daemon_ctx *d, uint32_t pid, uint64_t start, const char *comm,
		     struct verdict *v, uint64_t ts, bool fold)
{
	const struct proc *p;
	struct stub st;

	p = proc_or_stub(d, pid, start, comm, &st);
	if (p && v->rule == RULE_NONE)
		events_file(d->events, d->host, p, v->file);
	else if (p && (!fold || gate_pass(d->gate, p, v, ts)))
		emit(d, p, v, ts);
	stub_release(&st);
}

/*
 * The rules of e's kind judge it (rules/judge.c); the connect or question
 * goes to the events file first, then each verdict through the gate to the
 * alerts. p is e's process (a stub when gone), NULL for a signal (its
 * sender is found when the alert is written).
 */
static void judge(struct daemon_ctx *d, struct event *e, const struct proc *p)
{
	struct verdict v[RULE_MAX];
	size_t n = rules_judge(&d->judges, e, p, v, RULE_MAX), i;

	if (d->judges.net && p)
		events_net(d->events, d->host, p, d->judges.net, e->ts);
	for (i = 0; i < n; i++) {
		if (!gate_pass(d->gate, p, &v[i], e->ts)) {
			if (v[i].excluded_by)
				log_debug("pid %u (%s) excluded by \"%s\"", e->pid, e->comm,
					  v[i].excluded_by);
			continue;
		}
		if (p)
			emit(d, p, &v[i], e->ts);
		else
			emit_for(d, e->pid, e->start, e->comm, &v[i], e->ts, false);
		/* once written, the pinned record of a signal is marked alerted */
		if (e->type == DS_EV_SIGNAL && d->sensor && e->signal.seq)
			sensor_tamper_ack(d->sensor, e->signal.seq);
	}
}

static int handle_exec(struct daemon_ctx *d, struct event *e)
{
	const struct proc *prev = proctable_find(d->pt, e->pid, e->start);
	const struct proc *parent = proctable_find(d->pt, e->exec.ppid, e->exec.pstart);
	const struct image *before = prev ? prev->img : parent ? parent->img : NULL;
	struct image *img = e->exec.img;
	struct proc *p;

	/* without its environment, the image keeps the one before it */
	if (!(img->flags & DS_F_ENV_PRESENT) && image_inherit_env(img, before))
		return -EINVAL;
	e->exec.img = NULL; /* the table's now */
	p = proctable_exec(d->pt, e->pid, e->start, e->exec.ppid, e->exec.pstart, img);
	if (!p) {
		d->user[UC_TABLE_FULL]++;
		return 0;
	}
	p->uid = e->exec.uid;
	p->gid = e->exec.gid;
	p->cgroup_id = e->exec.cgroup_id;
	p->exec_ts = e->ts;
	place_seen(p); /* a container's resolvers, while it is there to read */
	place(d, p, e->session);
	/* a session in a network namespace of its own: its answers are there */
	if (p->sess && d->dnscap && p->img->net_ns)
		dnscap_netns(d->dnscap, p->pid, p->img->net_ns);
	events_exec(d->events, d->host, p, e->ts);
	judge(d, e, p);
	return 0;
}

static int handle_fork(struct daemon_ctx *d, const struct event *e)
{
	struct proc *p = proctable_fork(d->pt, e->pid, e->start, e->fork.ppid, e->fork.pstart);

	if (!p) {
		d->user[UC_TABLE_FULL]++;
		return 0;
	}
	if (!p->sess && e->session)
		place(d, p, e->session);
	/* forked while user space was rooting the session: tell the kernel */
	if (p->sess && !(e->flags & DS_F_TRACKED))
		dispatch_track(p, d);
	return 0;
}

static int handle_connect(struct daemon_ctx *d, struct event *e)
{
	const struct proc *p;
	struct stub st;

	/* a datagram the response judged names its process by pid alone */
	if (!e->start && (p = proctable_find_late(d->pt, e->pid))) {
		e->start = p->start;
		memcpy(e->comm, p->img->comm, DS_COMM_LEN);
	}
	p = proc_or_stub(d, e->pid, e->start, e->comm, &st);
	if (!p)
		return 0;
	/* the answer that named this address came before the connect, but may
	 * still wait in the packet sockets: read them first, once per batch */
	if (d->dnscap && dnscap_on(d->dnscap) && e->ts > dnscap_drained_ns(d->dnscap))
		dnscap_drain(d->dnscap, dispatch_dns_answer, d);
	judge(d, e, p);
	stub_release(&st);
	return 0;
}

/* A DNS datagram a socket sent (a question; or an answer, from a session). */
static int handle_dns(struct daemon_ctx *d, struct event *e)
{
	const struct proc *p = NULL;
	struct stub st = { 0 };

	if (e->session && !(p = proc_or_stub(d, e->pid, e->start, NULL, &st)))
		return 0;
	judge(d, e, p);
	stub_release(&st);
	return 0;
}

/* A signal to the daemon: an alert when an install session sent it; once
 * written, the pinned record of it is marked alerted (docs/rules.md). */
static int handle_signal(struct daemon_ctx *d, struct event *e)
{
	judge(d, e, NULL);
	return 0;
}

/* A watched file written, renamed or linked onto, alerted or not. */
void dispatch_file_seen(const struct file_event *ev, void *arg)
{
	struct verdict v = { .rule = RULE_NONE, .file = ev };

	emit_for(arg, ev->pid, ev->start, ev->comm, &v, ev->ts, false);
}

/* A judged file event. */
void dispatch_file_alert(const struct file_event *ev, void *arg)
{
	struct verdict v;

	files_verdict(ev, &v);
	emit_for(arg, ev->pid, ev->start, ev->comm, &v, ev->ts,
		 rule_info(v.rule)->fold != FOLD_NONE);
}

static int handle_file(struct daemon_ctx *d, struct event *e)
{
	judge(d, e, proctable_find(d->pt, e->pid, e->start));
	return 0;
}

void dispatch_repeated(const struct verdict *v, uint32_t pid, uint64_t start, const char *comm,
		       uint64_t ts, void *arg)
{
	struct verdict copy = *v;

	emit_for(arg, pid, start, comm, &copy, ts, false);
}

void dispatch_scanned(struct proc *p, void *arg)
{
	place(arg, p, 0);
}

/* One decoded record to the model and the rules of its kind. */
static int dispatch(struct daemon_ctx *d, struct event *e)
{
	switch (e->type) {
	case DS_EV_EXEC:
		return handle_exec(d, e);
	case DS_EV_FORK:
		return handle_fork(d, e);
	case DS_EV_EXIT:
		/* its held writes stand unless a rename not read yet merges
		 * them: out after the renames are read (loop_run) */
		files_writer_exited(d->files, e->pid, e->start);
		proctable_exit(d->pt, e->pid, e->start, e->exit.code);
		return 0;
	case DS_EV_FILE:
		return handle_file(d, e);
	case DS_EV_CONNECT:
		return handle_connect(d, e);
	case DS_EV_SIGNAL:
		return handle_signal(d, e);
	case DS_EV_DNS:
		return handle_dns(d, e);
	default:
		return -EINVAL;
	}
}

int dispatch_record(struct daemon_ctx *d, const void *data, size_t len)
{
	const struct ds_hdr *h = data;
	struct event e;
	int err;

	if (len >= sizeof(*h) && h->size == len && h->type > 0 && h->type < DS_EV_MAX)
		d->records[h->type]++;
	err = event_decode(data, len, &d->cfg->env_vars, &e);
	if (!err)
		err = dispatch(d, &e);
	event_release(&e);
	if (err)
		d->user[UC_MALFORMED]++;
	return err;
}
