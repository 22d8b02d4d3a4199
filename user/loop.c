// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The event loop: records from the ring buffer, in the order the kernel
 * reserved them, update the process table; every exec is checked by the
 * rules and may become an alert line. Once a second the drop counters are
 * read and any change is logged. A bad record is counted, never fatal.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bpf/libbpf.h>

#include "internal.h"

#define TICK_MS		100	/* the kernel wakes us only for a backlog */
#define SWEEP_SECS	60

enum user_counter {
	UC_MALFORMED,		/* records that failed validation */
	UC_TABLE_FULL,		/* processes not kept: table at its cap */
	UC_TRACK_FAILED,	/* kernel tracked-map updates that failed */
	UC_ALERT_FAILED,	/* alerts that could not be rendered */
	UC_MAX,
};

static const char *const user_counter_names[UC_MAX] = {
	[UC_MALFORMED] = "records_malformed",
	[UC_TABLE_FULL] = "proctable_full",
	[UC_TRACK_FAILED] = "track_failed",
	[UC_ALERT_FAILED] = "alerts_failed",
};

struct daemon_ctx {
	const struct config *cfg;
	struct sensor *sensor;
	const struct host_info *host;
	struct proctable *pt;
	struct ring_buffer *rb;
	uint64_t records[DS_EV_MAX];
	uint64_t alerts;
	uint64_t user[UC_MAX];
	uint64_t kernel[DS_COUNTER_MAX];
	uint64_t reported[DS_COUNTER_MAX + UC_MAX];
	time_t last_sweep;
};

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

static void track(const struct proc *p, void *arg)
{
	struct daemon_ctx *d = arg;

	if (!p->exited && d->sensor && sensor_track(d->sensor, p->pid, p->sess->id))
		d->user[UC_TRACK_FAILED]++;
}

static void emit(struct daemon_ctx *d, const struct proc *p, const struct verdict *v,
		 uint64_t ts)
{
	size_t len;
	char *line = alert_render(d->host, p, v, ts, &len);

	if (!line) {
		d->user[UC_ALERT_FAILED]++;
		return;
	}
	if (output_write(line, len) == 0)
		d->alerts++;
	free(line);
}

static void evaluate(struct daemon_ctx *d, struct proc *p, uint64_t ts)
{
	struct verdict v;

	rules_eval(d->cfg, p, &v);
	if (v.rule != RULE_NONE)
		emit(d, p, &v, ts);
	else if (v.excluded_by)
		log_debug("pid %u (%s) excluded by \"%s\"", p->pid, p->img->name, v.excluded_by);
}

/* Put p in a session: the kernel's word, or a package manager starting one. */
static void place(struct daemon_ctx *d, struct proc *p, uint64_t kernel_session)
{
	const struct pm_def *pm;
	struct session *s;

	if (!p->sess && kernel_session &&
	    (s = proctable_session_by_id(d->pt, kernel_session)))
		proctable_join(p, s, p->parent ? p->parent->depth + 1 : 1);
	if (p->sess)
		return;
	pm = rules_package_manager(d->cfg, p);
	if (pm) {
		proctable_session_start(d->pt, p, pm, track, d);
		log_debug("session rooted at pid %u: %s", p->pid, p->img->cmdline);
	}
}

static int handle_exec(struct daemon_ctx *d, const struct ds_exec *e, size_t len)
{
	const struct proc *prev = proctable_find(d->pt, e->hdr.pid, e->hdr.start);
	const struct proc *parent = proctable_find(d->pt, e->ppid, e->pstart);
	const struct image *inherit = prev ? prev->img : parent ? parent->img : NULL;
	struct image *img;
	struct proc *p;

	img = image_from_exec(e, (const char *)(e + 1), len - sizeof(*e), &d->cfg->env_vars,
			      inherit);
	if (!img)
		return -EINVAL;
	p = proctable_exec(d->pt, e->hdr.pid, e->hdr.start, e->ppid, e->pstart, img);
	if (!p) {
		d->user[UC_TABLE_FULL]++;
		return 0;
	}
	p->uid = e->uid;
	p->gid = e->gid;
	p->cgroup_id = e->cgroup_id;
	p->exec_ts = e->hdr.ts;
	place(d, p, e->session);
	evaluate(d, p, e->hdr.ts);
	return 0;
}

static int handle_fork(struct daemon_ctx *d, const struct ds_fork *e)
{
	struct proc *p = proctable_fork(d->pt, e->hdr.pid, e->hdr.start, e->ppid, e->pstart);

	if (!p) {
		d->user[UC_TABLE_FULL]++;
		return 0;
	}
	if (!p->sess && e->session)
		place(d, p, e->session);
	/* forked while user space was rooting the session: tell the kernel */
	if (p->sess && !(e->hdr.flags & DS_F_TRACKED))
		track(p, d);
	return 0;
}

int loop_handle_record(struct daemon_ctx *d, const void *data, size_t len)
{
	const struct ds_hdr *h = data;

	if (len < sizeof(*h) || h->size != len || h->type == 0 || h->type >= DS_EV_MAX)
		goto bad;
	d->records[h->type]++;
	switch (h->type) {
	case DS_EV_EXEC:
		if (len < sizeof(struct ds_exec) || handle_exec(d, data, len))
			goto bad;
		return 0;
	case DS_EV_FORK:
		if (len != sizeof(struct ds_fork))
			goto bad;
		return handle_fork(d, data);
	case DS_EV_EXIT:
		if (len != sizeof(struct ds_exit))
			goto bad;
		proctable_exit(d->pt, h->pid, h->start, ((const struct ds_exit *)data)->exit_code);
		return 0;
	}
bad:
	d->user[UC_MALFORMED]++;
	return -EINVAL;
}

static int on_record(void *ctx, void *data, size_t len)
{
	loop_handle_record(ctx, data, len);
	return 0;	/* never stop consuming */
}

static void scanned(struct proc *p, void *arg)
{
	place(arg, p, 0);
}

/* Log every counter that changed since the last report, or all at exit. */
static void report_counters(struct daemon_ctx *d, bool final)
{
	char msg[512];
	size_t off = 0;
	int i;

	if (d->sensor)
		sensor_counters(d->sensor, d->kernel);
	for (i = 0; i < DS_COUNTER_MAX + UC_MAX; i++) {
		uint64_t v = i < DS_COUNTER_MAX ? d->kernel[i] : d->user[i - DS_COUNTER_MAX];
		const char *name = i < DS_COUNTER_MAX ? sensor_counter_name(i)
						      : user_counter_names[i - DS_COUNTER_MAX];

		if (v == d->reported[i] && !final)
			continue;
		d->reported[i] = v;
		off += snprintf(msg + off, sizeof(msg) - off, " %s=%llu", name,
					(unsigned long long)v);
		if (off >= sizeof(msg))
			off = sizeof(msg) - 1;
	}
	if (final)
		log_info("counters at exit:%s", msg);
	else if (off)
		log_warnx("events lost or damaged:%s", msg);
}

static void tick(struct daemon_ctx *d)
{
	struct proctable_stats st;
	time_t now = time(NULL);

	report_counters(d, false);
	proctable_stats(d->pt, &st);
	/* a lost exit record leaves an entry behind: retire them from /proc */
	if (now - d->last_sweep >= SWEEP_SECS &&
	    (d->kernel[DS_DROP_EXIT] || st.live > d->cfg->proctable_max / 2)) {
		d->last_sweep = now;
		proctable_sweep(d->pt);
	}
}

struct daemon_ctx *loop_new(const struct config *c, struct sensor *s, const struct host_info *h)
{
	struct daemon_ctx *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->cfg = c;
	d->sensor = s;
	d->host = h;
	d->last_sweep = time(NULL);
	d->pt = proctable_new(c->proctable_max);
	if (!d->pt)
		goto fail;
	if (s) {
		d->rb = sensor_ringbuf(s, on_record, d);
		if (!d->rb)
			goto fail;
		procfs_scan(d->pt, &c->env_vars, scanned, d);
	}
	return d;
fail:
	loop_free(d);
	return NULL;
}

int loop_run(struct daemon_ctx *d)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct timespec last, now;
	int n;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &last);
	while (!stop_requested) {
		n = ring_buffer__poll(d->rb, TICK_MS);
		if (n >= 0 || n == -EINTR)
			n = ring_buffer__consume(d->rb);	/* records sent without a wake-up */
		if (n < 0 && n != -EINTR) {
			log_warnx("ring buffer poll: %s", strerror(-n));
			return -1;
		}
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec != last.tv_sec) {
			last = now;
			tick(d);
		}
	}
	/* drain what the kernel already sent */
	ring_buffer__consume(d->rb);
	return 0;
}

void loop_free(struct daemon_ctx *d)
{
	struct proctable_stats st;

	if (!d)
		return;
	if (d->pt) {
		proctable_stats(d->pt, &st);
		log_info("exit: %llu exec, %llu fork, %llu exit records, %llu alerts, "
			 "%llu processes, %llu sessions",
			 (unsigned long long)d->records[DS_EV_EXEC],
			 (unsigned long long)d->records[DS_EV_FORK],
			 (unsigned long long)d->records[DS_EV_EXIT], (unsigned long long)d->alerts,
			 (unsigned long long)st.live, (unsigned long long)st.sessions);
		report_counters(d, true);
	}
	proctable_free(d->pt);
	free(d);
}
