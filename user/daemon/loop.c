// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The loop: it waits and hands on. One epoll set holds the ring buffer,
 * the DNS capture sockets, the fanotify group and its mount watch, and one
 * signalfd for every signal the daemon answers (SIGINT and SIGTERM stop
 * it, SIGHUP reloads, SIGUSR1 asks for a status line, SIGCHLD ends `exec`).
 * Each wake-up reads packets, then records (dispatch.c), then renames
 * (renames.c); once a second the counters, the status, repeats due and
 * the session hooks (capture/hooks.c). A bad record or packet is counted,
 * never fatal.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "daemon.h"

#define TICK_MS	   100 /* the kernel wakes us only for a backlog */
#define SWEEP_SECS 60

/* clang-format off */
static const char *const user_counter_names[UC_MAX] = {
	[UC_MALFORMED] = "records_malformed",
	[UC_TABLE_FULL] = "proctable_full",
	[UC_TRACK_FAILED] = "track_failed",
	[UC_ALERT_FAILED] = "alerts_failed",
	[UC_DNS_DROPPED] = "dns_dropped",
	[UC_DNS_MALFORMED] = "dns_malformed",
	[UC_DNS_NETNS_FAILED] = "dns_netns_failed",
	[UC_RENAME_OVERFLOW] = "rename_queue_overflows",
	[UC_RENAME_UNRESOLVED] = "rename_unresolved",
};
/* clang-format on */

static int on_record(void *ctx, void *data, size_t len)
{
	dispatch_record(ctx, data, len);
	return 0; /* never stop consuming */
}

/* Log every counter that changed since the last report, or all at exit. */
static void report_counters(struct daemon_ctx *d, bool final)
{
	char msg[512];
	size_t off = 0;
	int i;

	if (d->sensor)
		sensor_counters(d->sensor, d->kernel);
	if (d->dnscap) {
		struct dnscap_stats cs;

		dnscap_stats(d->dnscap, &cs);
		d->user[UC_DNS_DROPPED] = cs.dropped;
		d->user[UC_DNS_NETNS_FAILED] = cs.netns_failed;
		d->user[UC_DNS_MALFORMED] = d->judges.dns_malformed + cs.malformed;
	} else {
		d->user[UC_DNS_MALFORMED] = d->judges.dns_malformed;
	}
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

/* The health line (status.c): what was seen, written, lost and held. */
static void update_status(struct daemon_ctx *d)
{
	struct status st = { .network_hooks = d->hooks.on };
	struct proctable_stats ps;
	struct dns_cache_stats cs;
	struct egress_stats es;
	struct files_stats fs;
	uint64_t output_errors;
	int i;

	_Static_assert(DS_COUNTER_MAX + UC_MAX + 1 <= STATUS_LOSSES_MAX, "status losses");
	memcpy(st.records, d->records, sizeof(st.records));
	memcpy(st.alerts, d->rule_alerts, sizeof(st.alerts));
	for (i = 0; i < DS_COUNTER_MAX + UC_MAX; i++) {
		st.losses[i].name = i < DS_COUNTER_MAX ? sensor_counter_name(i)
						       : user_counter_names[i - DS_COUNTER_MAX];
		st.losses[i].value = i < DS_COUNTER_MAX ? d->kernel[i]
							: d->user[i - DS_COUNTER_MAX];
	}
	output_stats(d->out, NULL, &output_errors);
	st.losses[i] = (struct status_count){ "output_errors", output_errors };
	st.nlosses = i + 1;
	proctable_stats(d->pt, &ps);
	st.processes = ps.live;
	st.exited_held = ps.held;
	st.sessions = ps.sessions;
	dns_cache_stats(egress_cache(d->egress), &cs);
	st.dns_cache = cs.entries;
	egress_stats(d->egress, &es);
	st.dns_unsolicited = es.dnsq.unsolicited;
	files_stats(d->files, &fs);
	st.held_writes = fs.held;
	status_update(&d->status, &st, d->cfg);
	tamper_heartbeat(d->state, (uint32_t)st.sessions);
}

/* The pinned tamper map outlives the daemon only while pinned: a package
 * that removed the pin has it put back within a second. */
static void tamper_check(struct daemon_ctx *d)
{
	int err = d->sensor ? sensor_tamper_repin(d->sensor) : 0;

	if (err > 0)
		log_warnx("%s was removed: pinned again", TAMPER_PIN);
	else if (err < 0 && !d->repin_failed)
		log_warnx("%s was removed and cannot be pinned again: %s", TAMPER_PIN,
			  strerror(-err));
	d->repin_failed = err < 0;
}

static void tick(struct daemon_ctx *d)
{
	struct proctable_stats st;
	time_t now = time(NULL);

	report_counters(d, false);
	events_report(d->events, false);
	gate_repeats(d->gate, boot_now(), false, dispatch_repeated, d);
	files_flush(d->files, boot_now(), dispatch_file_alert, d);
	proctable_forget(d->pt, false);
	egress_expire(d->egress, boot_now());
	proctable_stats(d->pt, &st);
	session_hooks_tick(&d->hooks, st.sessions, now, dispatch_dns_answer, d);
	/* a lost exit record leaves an entry behind: retire them from /proc */
	if (now - d->last_sweep >= SWEEP_SECS &&
	    (d->kernel[DS_DROP_EXIT] || st.live > d->cfg->proctable_max / 2)) {
		d->last_sweep = now;
		proctable_sweep(d->pt);
	}
	update_status(d);
	tamper_check(d);
}

static int watch(struct daemon_ctx *d, int fd, uint32_t events)
{
	struct epoll_event ev = { .events = events, .data.fd = fd };

	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &ev)) {
		log_warn("epoll_ctl");
		return -1;
	}
	return 0;
}

/* The epoll set and the signalfd; the signals it reads are blocked from
 * now on, so none is lost before the loop runs. */
static int loop_poll_setup(struct daemon_ctx *d)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGUSR1 };
	size_t i;

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0) {
		log_warn("epoll_create1");
		return -1;
	}
	sigemptyset(&d->sigmask);
	for (i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&d->sigmask, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &d->sigmask, NULL)) {
		log_warn("sigprocmask");
		return -1;
	}
	d->sigfd = signalfd(-1, &d->sigmask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (d->sigfd < 0) {
		log_warn("signalfd");
		return -1;
	}
	return watch(d, d->sigfd, EPOLLIN);
}

/* The capture's descriptors in the epoll set. */
static int capture_setup(struct daemon_ctx *d)
{
	if (watch(d, ring_buffer__epoll_fd(d->rb), EPOLLIN))
		return -1;
	if (d->fsw && (watch(d, fswatch_fd(d->fsw), EPOLLIN) ||
		       watch(d, fswatch_mounts_fd(d->fsw), EPOLLPRI)))
		return -1;
	/* even with capture off: a reload may turn it on */
	d->dnscap = dnscap_new(d->sensor, d->epfd);
	if (!d->dnscap)
		return -1;
	session_hooks_init(&d->hooks, d->sensor, d->dnscap, d->fsw);
	return 0;
}

struct daemon_ctx *loop_new(const struct config *c, struct sensor *s, const struct host_info *h,
			    struct outputs *out, struct events *ev)
{
	struct daemon_ctx *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->cfg = c;
	d->sensor = s;
	d->host = h;
	d->out = out;
	d->events = ev;
	d->last_sweep = time(NULL);
	d->epfd = d->sigfd = -1;
	sigemptyset(&d->sigmask);
	session_hooks_init(&d->hooks, NULL, NULL, NULL);
	d->pt = proctable_new(c->proctable_max);
	d->egress = egress_new(c);
	d->files = files_new(c);
	d->gate = gate_new(c);
	if (!d->pt || !d->egress || !d->files || !d->gate || loop_poll_setup(d))
		goto fail;
	d->judges = (struct judges){ .cfg = c,
				     .pt = d->pt,
				     .egress = d->egress,
				     .files = d->files,
				     .file_fn = dispatch_file_alert,
				     .file_arg = d,
				     .tamper = &d->tamper };
	if (events_enabled(ev))
		files_observe(d->files, dispatch_file_seen, d);
	if (s) {
		renames_open(d);
		d->rb = sensor_ringbuf(s, on_record, d);
		if (!d->rb || capture_setup(d))
			goto fail;
		procfs_scan(d->pt, &c->env_vars, dispatch_scanned, d);
		status_start(&d->status);
		update_status(d);
	}
	return d;
fail:
	loop_free(d);
	return NULL;
}

int loop_set_config(struct daemon_ctx *d, const struct config *c)
{
	int err = egress_set_config(d->egress, c);

	if (err)
		return err;
	files_set_config(d->files, c);
	gate_set_config(d->gate, c);
	d->judges.cfg = c;
	d->cfg = c;
	if (d->dnscap)
		session_hooks_dns(&d->hooks, c->dns_capture, dispatch_dns_answer, d);
	return 0;
}

void loop_set_reload(struct daemon_ctx *d, const char *config_opt, struct config **live)
{
	d->config_opt = config_opt;
	d->live = live;
}

/* SIGHUP: the alert and events files reopened by name; the configuration
 * read again and, if all of it is good, applied to the kernel's filters,
 * the rules and the capture at once; else the running one stays. */
void loop_reload(struct daemon_ctx *d)
{
	struct config *c, *old;
	int err;

	reload_reopen(d->out, d->events);
	if (!d->live)
		return;
	old = *d->live;
	c = reload_read(d->config_opt, old);
	if (!c)
		return;
	err = d->sensor ? sensor_filters_add(d->sensor, c, old) : 0;
	if (!err) {
		err = loop_set_config(d, c);
		if (err && d->sensor)
			sensor_filters_drop(d->sensor, c, old);
	}
	if (err) {
		log_warnx(
			"configuration not reloaded: %s cannot be applied: %s; the one read from %s stays in force",
			c->source, strerror(-err), old->source);
		config_free(c);
		return;
	}
	if (d->sensor)
		sensor_filters_drop(d->sensor, old, c);
	if (d->sensor && (err = sensor_response(d->sensor, c)))
		log_warnx("the response of %s cannot be applied: %s: it is off", c->source,
			  strerror(-err));
	*d->live = c;
	config_free(old);
	log_info("configuration reloaded from %s", c->source);
}

void loop_stop_on_child(struct daemon_ctx *d)
{
	sigaddset(&d->sigmask, SIGCHLD);
	sigprocmask(SIG_BLOCK, &d->sigmask, NULL);
	if (signalfd(d->sigfd, &d->sigmask, SFD_NONBLOCK | SFD_CLOEXEC) < 0)
		log_warn("signalfd");
}

void loop_signals(struct daemon_ctx *d)
{
	struct signalfd_siginfo si;

	while (read(d->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
		switch (si.ssi_signo) {
		case SIGCHLD: /* exec: CMD ended (not merely stopped) */
			if (si.ssi_code == CLD_EXITED || si.ssi_code == CLD_KILLED ||
			    si.ssi_code == CLD_DUMPED)
				d->stop = true;
			break;
		case SIGINT:
		case SIGTERM:
			d->stop = true;
			break;
		case SIGHUP:
			loop_reload(d);
			break;
		case SIGUSR1:
			status_request(&d->status);
			break;
		}
	}
}

int loop_run(struct daemon_ctx *d)
{
	struct epoll_event evs[8];
	struct timespec last, now;
	int i, n;

	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &last);
	loop_signals(d); /* what came while starting */
	while (!d->stop) {
		n = epoll_wait(d->epfd, evs, ARRAY_SIZE(evs), TICK_MS);
		if (n < 0 && errno != EINTR) {
			log_warn("epoll_wait");
			return -1;
		}
		for (i = 0; i < n; i++) {
			if (evs[i].data.fd == d->sigfd)
				loop_signals(d);
			else if (d->fsw && evs[i].data.fd == fswatch_mounts_fd(d->fsw))
				fswatch_rescan(d->fsw);
		}
		/* packets, then records (an answer read before its question's
		 * record waits for it), then renames */
		dnscap_drain(d->dnscap, dispatch_dns_answer, d);
		n = ring_buffer__consume(d->rb); /* records sent without a wake-up too */
		if (n < 0 && n != -EINTR) {
			log_warnx("ring buffer: %s", strerror(-n));
			return -1;
		}
		renames_drain(d);
		files_flush(d->files, boot_now(), dispatch_file_alert, d);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec != last.tv_sec) {
			last = now;
			tick(d);
		}
	}
	/* drain what the kernel already sent */
	dnscap_drain(d->dnscap, dispatch_dns_answer, d);
	ring_buffer__consume(d->rb);
	renames_drain(d);
	loop_flush(d);
	return 0;
}

void loop_flush(struct daemon_ctx *d)
{
	gate_repeats(d->gate, boot_now(), true, dispatch_repeated, d);
	files_flush(d->files, 0, dispatch_file_alert, d);
}

void loop_free(struct daemon_ctx *d)
{
	struct proctable_stats st;

	if (!d)
		return;
	if (d->pt) {
		/* exited entries kept for late reports hold no session open */
		proctable_forget(d->pt, true);
		proctable_stats(d->pt, &st);
		log_info("exit: %llu exec, %llu fork, %llu exit records, %llu alerts, "
			 "%llu processes, %llu sessions",
			 (unsigned long long)d->records[DS_EV_EXEC],
			 (unsigned long long)d->records[DS_EV_FORK],
			 (unsigned long long)d->records[DS_EV_EXIT], (unsigned long long)d->alerts,
			 (unsigned long long)st.live, (unsigned long long)st.sessions);
		report_counters(d, true);
	}
	if (d->egress) {
		struct egress_stats es;
		struct dns_cache_stats cs;
		struct gate_stats gs;

		egress_stats(d->egress, &es);
		gate_stats(d->gate, RULE_EGRESS, &gs);
		dns_cache_stats(egress_cache(d->egress), &cs);
		log_info("network: %llu connect records, %llu alerted, %llu repeats, "
			 "%llu allowlisted, %llu to resolvers, %llu DNS answers cached "
			 "(%llu names held, %llu evicted)",
			 (unsigned long long)d->records[DS_EV_CONNECT],
			 (unsigned long long)gs.passed, (unsigned long long)gs.repeats,
			 (unsigned long long)es.allowed, (unsigned long long)es.resolver,
			 (unsigned long long)es.dns_answers, (unsigned long long)cs.entries,
			 (unsigned long long)cs.evicted);
		if (d->cfg->response_mode != RESPONSE_OFF)
			log_info("response (%s): %llu refused or stopped, %llu processes stopped, "
				 "%llu refusals of allowed destinations",
				 response_mode_name(d->cfg->response_mode),
				 (unsigned long long)d->responses, (unsigned long long)d->killed,
				 (unsigned long long)es.denied_allowed);
		log_info("dns: %llu questions seen leaving, %llu answers believed (%llu of them "
			 "from a server not the asker's resolver), dns_unsolicited=%llu, "
			 "%llu questions unanswered in time, %llu evicted unanswered; "
			 "%llu responses sent by install sessions: %llu questions voided, "
			 "%llu believed answers taken back",
			 (unsigned long long)es.dnsq.questions,
			 (unsigned long long)es.dnsq.believed,
			 (unsigned long long)es.dns_other_server,
			 (unsigned long long)es.dnsq.unsolicited,
			 (unsigned long long)es.dnsq.expired, (unsigned long long)es.dnsq.evicted,
			 (unsigned long long)es.dns_forged, (unsigned long long)es.dnsq.voided,
			 (unsigned long long)es.dnsq.revoked);
	}
	if (d->files) {
		struct files_stats fs;

		files_stats(d->files, &fs);
		log_info("files: %llu file records, %llu alerted, %llu repeats, %llu merged "
			 "with a write, %llu unwatched, %llu generated build files, "
			 "%llu excluded or below min_severity",
			 (unsigned long long)fs.records, (unsigned long long)fs.alerts,
			 (unsigned long long)fs.repeats, (unsigned long long)fs.merged,
			 (unsigned long long)fs.unwatched, (unsigned long long)fs.generated,
			 (unsigned long long)fs.excluded);
	}
	if (d->fsw) {
		struct fswatch_stats ws;

		fswatch_stats(d->fsw, &ws);
		log_info("renames: %llu seen through fanotify on %llu filesystems "
			 "(%llu not markable), %llu queue overflows, %llu unresolved, "
			 "%llu malformed",
			 (unsigned long long)ws.renames, (unsigned long long)ws.filesystems,
			 (unsigned long long)ws.fs_skipped, (unsigned long long)ws.overflows,
			 (unsigned long long)ws.unresolved, (unsigned long long)ws.malformed);
	}
	if (d->status.on)
		status_remove(&d->status);
	dnscap_free(d->dnscap);
	if (d->sigfd >= 0)
		close(d->sigfd);
	if (d->epfd >= 0)
		close(d->epfd);
	sigprocmask(SIG_UNBLOCK, &d->sigmask, NULL);
	egress_free(d->egress);
	gate_free(d->gate);
	fswatch_close(d->fsw);
	files_free(d->files);
	proctable_free(d->pt);
	free(d);
}
