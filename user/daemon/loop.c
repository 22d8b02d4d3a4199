// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The event loop: records from the ring buffer, in the order the kernel
 * reserved them, update the process table; every exec is checked by the
 * process rules and every connect by the network arm, and may become an
 * alert line. The DNS questions the kernel saw leave are judged and make
 * the answers from the capture sockets believable, which feed the name
 * cache. Once a second the drop counters are read and any change is
 * logged. A bad record or packet is counted, never fatal.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "daemon.h"

#define TICK_MS		100	/* the kernel wakes us only for a backlog */
#define SWEEP_SECS	60
#define DNS_BATCH	256		/* packets read per wake-up before the ring again */
#define DNS_RCVBUF	(4 << 20)
#define DNS_PKT_MAX	65536
#define NET_IDLE_SECS	60		/* network hooks stop this long after the last session */

enum user_counter {
	UC_MALFORMED,		/* records that failed validation */
	UC_TABLE_FULL,		/* processes not kept: table at its cap */
	UC_TRACK_FAILED,	/* kernel tracked-map updates that failed */
	UC_ALERT_FAILED,	/* alerts that could not be rendered */
	UC_DNS_DROPPED,		/* DNS packets the capture socket could not queue */
	UC_DNS_MALFORMED,	/* DNS packets or messages that failed to parse */
	UC_RENAME_OVERFLOW,	/* fanotify queue overflows: renames lost */
	UC_RENAME_UNRESOLVED,	/* renames whose directory was gone before it was read */
	UC_MAX,
};

static const char *const user_counter_names[UC_MAX] = {
	[UC_MALFORMED] = "records_malformed",
	[UC_TABLE_FULL] = "proctable_full",
	[UC_TRACK_FAILED] = "track_failed",
	[UC_ALERT_FAILED] = "alerts_failed",
	[UC_DNS_DROPPED] = "dns_dropped",
	[UC_DNS_MALFORMED] = "dns_malformed",
	[UC_RENAME_OVERFLOW] = "rename_queue_overflows",
	[UC_RENAME_UNRESOLVED] = "rename_unresolved",
};

struct daemon_ctx {
	const struct config *cfg;
	struct sensor *sensor;
	const struct host_info *host;
	struct proctable *pt;
	struct ring_buffer *rb;
	struct egress *egress;
	struct files *files;
	struct gate *gate;		/* exclusions, min_severity, repeats */
	struct fswatch *fsw;		/* renames outside sessions; NULL: name hooks always on */
	int dns_fd[2];			/* packet sockets, IPv4 and IPv6; -1 when off */
	uint64_t drained_ns;		/* boot time of the last read of both to EAGAIN */
	time_t net_busy;		/* last second an install session was alive */
	bool net_on;			/* connect hooks and DNS capture are on */
	bool dns_failed;		/* capture could not be set up: said once */
	int epfd;
	uint8_t *pkt;			/* one captured packet */
	uint64_t records[DS_EV_MAX];
	uint64_t alerts;
	uint64_t rule_alerts[RULE_MAX];	/* alerts written, by rule */
	uint64_t user[UC_MAX];
	uint64_t kernel[DS_COUNTER_MAX];
	uint64_t reported[DS_COUNTER_MAX + UC_MAX];
	time_t last_sweep;
	bool repin_failed;		/* said once */
};

static volatile sig_atomic_t stop_requested;

static void dns_drain(struct daemon_ctx *d);
static void net_start(struct daemon_ctx *d);

static void on_signal(int sig)
{
	(void)sig;
	stop_requested = 1;
}

void loop_stop(void)
{
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
	if (output_write(line, len) == 0) {
		d->alerts++;
		d->rule_alerts[v->rule]++;
	}
	free(line);
}

void loop_emit(struct daemon_ctx *d, const struct proc *p, struct verdict *v, uint64_t ts)
{
	if (gate_pass(d->gate, p, v, ts))
		emit(d, p, v, ts);
}

static void evaluate(struct daemon_ctx *d, struct proc *p, uint64_t ts)
{
	struct verdict v;

	rules_eval(d->cfg, p, &v);
	if (gate_pass(d->gate, p, &v, ts))
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
		struct proctable_stats st;

		proctable_session_start(d->pt, p, pm, track, d);
		proctable_stats(d->pt, &st);
		tamper_heartbeat((uint32_t)st.sessions);	/* it may be killed next */
		/* its exec was not tracked yet: the CI context is in its environ */
		if (d->sensor)
			procfs_env(p, &d->cfg->env_vars);
		net_start(d);
		log_debug("session rooted at pid %u: %s", p->pid, p->img->cmdline);
	}
}

static int handle_exec(struct daemon_ctx *d, struct event *e)
{
	const struct proc *prev = proctable_find(d->pt, e->pid, e->start);
	const struct proc *parent = proctable_find(d->pt, e->exec.ppid, e->exec.pstart);
	struct image *img = e->exec.img;
	struct proc *p;

	/* without its environment, the image keeps the one before it */
	if (!(img->flags & DS_F_ENV_PRESENT) &&
	    image_inherit_env(img, prev ? prev->img : parent ? parent->img : NULL))
		return -EINVAL;
	e->exec.img = NULL;	/* the table's now */
	p = proctable_exec(d->pt, e->pid, e->start, e->exec.ppid, e->exec.pstart, img);
	if (!p) {
		d->user[UC_TABLE_FULL]++;
		return 0;
	}
	p->uid = e->exec.uid;
	p->gid = e->exec.gid;
	p->cgroup_id = e->exec.cgroup_id;
	p->exec_ts = e->ts;
	place(d, p, e->session);
	events_exec(d->host, p, e->ts);
	evaluate(d, p, e->ts);
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
		track(p, d);
	return 0;
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

static int handle_connect(struct daemon_ctx *d, struct event *e)
{
	struct net_event *ev = &e->connect;
	const struct proc *p;
	struct verdict v;
	struct stub st;

	p = proc_or_stub(d, e->pid, e->start, e->comm, &st);
	if (!p)
		return 0;
	/* the answer that named this address came before the connect, but may
	 * still wait in the packet sockets: read them first, once per batch */
	if (d->dns_fd[0] >= 0 && e->ts > d->drained_ns)
		dns_drain(d);
	egress_connect(d->egress, p, ev, e->ts, &v);
	events_net(d->host, p, ev, e->ts);
	if (gate_pass(d->gate, p, &v, e->ts))
		emit(d, p, &v, e->ts);
	else if (v.excluded_by)
		log_debug("connect by pid %u excluded by \"%s\"", p->pid, v.excluded_by);
	stub_release(&st);
	return 0;
}

/* A DNS datagram a socket sent (a question; or an answer, from a session). */
static int handle_dns(struct daemon_ctx *d, const struct event *e)
{
	const struct proc *p = NULL;
	struct net_event ev;
	struct verdict v;
	struct stub st = { 0 };
	int n;

	if (e->session && !(p = proc_or_stub(d, e->pid, e->start, NULL, &st)))
		return 0;
	n = egress_dns_sent(d->egress, e, p, &ev, &v);
	if (n < 0)
		d->user[UC_DNS_MALFORMED]++;
	if (n > 0) {
		events_net(d->host, p, &ev, e->ts);
		if (gate_pass(d->gate, p, &v, e->ts))
			emit(d, p, &v, e->ts);
	}
	stub_release(&st);
	return 0;
}

/*
 * A packet socket for one network protocol on every interface of the
 * daemon's network namespace, filtered in the kernel to DNS over UDP.
 * Bound to ETH_P_IP or ETH_P_IPV6, not ETH_P_ALL, it sees received packets
 * only (loopback traffic is received too): no copy of every packet the
 * host sends. Created unbound, so nothing arrives before the filter is on.
 */
static int dns_open(struct daemon_ctx *d, int proto)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(proto) };
	int fd, prog = sensor_dns_filter_fd(d->sensor), size = DNS_RCVBUF;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("dns capture: socket");
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &prog, sizeof(prog)) ||
	    (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) &&
	     setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size))) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		log_warn("dns capture: set-up");
		close(fd);
		return -1;
	}
	return fd;
}

static void dns_packet(struct daemon_ctx *d, const uint8_t *buf, size_t len, int pkttype,
		       uint64_t now)
{
	struct dns_packet pk;
	struct dns_msg m;

	if (dns_packet_parse(buf, len, &pk) || dns_parse(pk.payload, pk.payload_len, &m)) {
		d->user[UC_DNS_MALFORMED]++;
		return;
	}
	/* Answers only: the questions come from the kernel as they leave */
	if (m.response && pk.sport == 53 && pkttype != PACKET_OUTGOING)
		egress_dns_answer(d->egress, &pk, &m, now);
}

/* Read what the packet sockets hold. An answer that came before a connect
 * is read by the first drain that starts after the connect. */
static void dns_drain(struct daemon_ctx *d)
{
	struct sockaddr_ll from;
	uint64_t start = boot_now();
	bool all = true;
	socklen_t flen;
	ssize_t n = -1;
	int i, k;

	for (k = 0; k < 2; k++) {
		for (i = 0; d->dns_fd[k] >= 0 && i < DNS_BATCH; i++) {
			flen = sizeof(from);
			n = recvfrom(d->dns_fd[k], d->pkt, DNS_PKT_MAX, MSG_TRUNC,
				     (struct sockaddr *)&from, &flen);
			if (n < 0)
				break;
			if (n > DNS_PKT_MAX) {
				d->user[UC_DNS_MALFORMED]++;
				continue;
			}
			dns_packet(d, d->pkt, (size_t)n, from.sll_pkttype, boot_now());
		}
		if (d->dns_fd[k] >= 0 && n >= 0)
			all = false;	/* a full batch: more may wait */
	}
	if (all)
		d->drained_ns = start;
}

/* The capture sockets' drops since the last call (the kernel resets them). */
static void dns_count_drops(struct daemon_ctx *d)
{
	struct tpacket_stats ts;
	socklen_t len;
	int k;

	for (k = 0; k < 2; k++) {
		len = sizeof(ts);
		if (d->dns_fd[k] >= 0 &&
		    getsockopt(d->dns_fd[k], SOL_PACKET, PACKET_STATISTICS, &ts, &len) == 0)
			d->user[UC_DNS_DROPPED] += ts.tp_drops;
	}
}

static void dns_stop(struct daemon_ctx *d)
{
	int k;

	if (d->dns_fd[0] < 0)
		return;
	dns_drain(d);
	dns_count_drops(d);
	sensor_hooks(d->sensor, SENSOR_HOOK_DNS, false);
	for (k = 0; k < 2; k++) {
		if (d->dns_fd[k] >= 0)
			close(d->dns_fd[k]);	/* leaves the epoll set too */
		d->dns_fd[k] = -1;
	}
}

static void dns_start(struct daemon_ctx *d)
{
	static const int protos[2] = { ETH_P_IP, ETH_P_IPV6 };
	struct epoll_event ev = { .events = EPOLLIN };
	int k;

	if (d->dns_fd[0] >= 0 || !d->cfg->dns_capture || !d->pkt || !d->sensor)
		return;
	/* the questions first: an answer is believed only as an answer to one */
	if (sensor_hooks(d->sensor, SENSOR_HOOK_DNS, true))
		goto fail;
	for (k = 0; k < 2; k++) {
		d->dns_fd[k] = dns_open(d, protos[k]);
		ev.data.fd = d->dns_fd[k];
		if (d->dns_fd[k] < 0 || epoll_ctl(d->epfd, EPOLL_CTL_ADD, d->dns_fd[k], &ev))
			goto fail;
	}
	return;
fail:
	if (!d->dns_failed)	/* connects are still judged, by address alone */
		log_warnx("DNS capture failed: destinations will have no names");
	d->dns_failed = true;
	sensor_hooks(d->sensor, SENSOR_HOOK_DNS, false);
	for (k = 0; k < 2; k++) {
		if (d->dns_fd[k] >= 0)
			close(d->dns_fd[k]);
		d->dns_fd[k] = -1;
	}
}

/*
 * The connect, rename and link hooks and DNS capture run while install
 * sessions do, and a minute after the last: while any syscall tracepoint
 * is attached, every system call of every process takes the kernel's slow
 * path (measured in docs/PERFORMANCE.md). Only sessions' connects and
 * lookups matter; renames outside sessions come through fanotify. A
 * package manager's exec wakes the daemon at once, so all are on before
 * its first connect.
 */
static void net_start(struct daemon_ctx *d)
{
	int err;

	d->net_busy = time(NULL);
	if (d->net_on || !d->sensor)
		return;
	d->net_on = true;
	err = sensor_hooks(d->sensor, SENSOR_HOOK_CONNECT | SENSOR_HOOK_NAMES, true);
	if (err)
		log_warnx("cannot attach the session hooks: %s", strerror(-err));
	dns_start(d);
	log_debug("session hooks on");
}

static void net_stop(struct daemon_ctx *d)
{
	if (!d->net_on)
		return;
	d->net_on = false;
	sensor_hooks(d->sensor, SENSOR_HOOK_CONNECT | (d->fsw ? SENSOR_HOOK_NAMES : 0), false);
	dns_stop(d);
	log_debug("session hooks off: no install session for %d s", NET_IDLE_SECS);
}

/* An alert about (pid, start), or an event when v has no rule: its entry,
 * or a stub if it is gone. */
static void emit_for(struct daemon_ctx *d, uint32_t pid, uint64_t start, const char *comm,
		     const struct verdict *v, uint64_t ts)
{
	const struct proc *p;
	struct stub st;

	p = proc_or_stub(d, pid, start, comm, &st);
	if (p && v->rule == RULE_NONE)
		events_file(d->host, p, v->file);
	else if (p)
		emit(d, p, v, ts);
	stub_release(&st);
}

/* A signal to the daemon: an alert when an install session sent it; once
 * written, the pinned record of it is marked alerted (docs/rules.md). */
static int handle_signal(struct daemon_ctx *d, const struct event *e)
{
	struct tamper_event ev;
	struct verdict v;

	if (!tamper_signal_judge(e, &ev, &v) || !gate_pass(d->gate, NULL, &v, e->ts)) {
		log_debug("signal %d to the daemon from pid %u (%s)", e->signal.s.sig, e->pid,
			  e->comm);
		return 0;
	}
	emit_for(d, e->pid, e->start, e->comm, &v, e->ts);
	if (d->sensor && e->signal.seq)
		sensor_tamper_ack(d->sensor, e->signal.seq);
	return 0;
}

/* A watched file written, renamed or linked onto, alerted or not. */
static void file_seen(const struct file_event *ev, void *arg)
{
	struct verdict v = { .rule = RULE_NONE, .file = ev };

	emit_for(arg, ev->pid, ev->start, ev->comm, &v, ev->ts);
}

/* A judged file event. */
static void file_alert(const struct file_event *ev, void *arg)
{
	struct verdict v;

	files_verdict(ev, &v);
	emit_for(arg, ev->pid, ev->start, ev->comm, &v, ev->ts);
}

static int handle_file(struct daemon_ctx *d, struct event *e)
{
	const struct proc *p = proctable_find(d->pt, e->pid, e->start);

	files_record(d->files, p, &e->file, file_alert, d);
	return 0;
}

static void renamed(uint32_t pid, const char *path, const char *old_path, bool dir, void *arg)
{
	struct daemon_ctx *d = arg;

	if (dir && d->sensor)
		sensor_dir_renamed(d->sensor);

	files_rename(d->files, proctable_find_late(d->pt, pid), pid, path, old_path, file_alert,
		     d);
}

/*
 * Renames from fanotify. The records are read again after each batch: a
 * renamer's exec record was sent before its rename, so it is in the table
 * by then (and its exit, if sent already, leaves the entry findable a
 * while: proctable_find_late).
 */
static void renames_drain(struct daemon_ctx *d)
{
	struct fswatch_stats st;
	int i, n;

	if (!d->fsw)
		return;
	for (i = 0; i < 16 && (n = fswatch_read(d->fsw)) > 0; i++) {
		ring_buffer__consume(d->rb);
		fswatch_each(d->fsw, renamed, d);
	}
	if (n < 0)
		log_warnx("fanotify: %s", strerror(-n));
	fswatch_stats(d->fsw, &st);
	d->user[UC_RENAME_OVERFLOW] = st.overflows;
	d->user[UC_RENAME_UNRESOLVED] = st.unresolved;
}

static void repeated(const struct verdict *v, uint32_t pid, uint64_t start, const char *comm,
		     uint64_t ts, void *arg)
{
	emit_for(arg, pid, start, comm, v, ts);
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

int loop_handle_record(struct daemon_ctx *d, const void *data, size_t len)
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

/* The health line (status.c): what was seen, written, lost and held. */
static void update_status(struct daemon_ctx *d)
{
	struct status st = { .network_hooks = d->net_on };
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
		st.losses[i].value = i < DS_COUNTER_MAX ? d->kernel[i] : d->user[i - DS_COUNTER_MAX];
	}
	output_stats(NULL, &output_errors);
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
	status_update(&st, d->cfg);
	tamper_heartbeat((uint32_t)st.sessions);
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

	dns_count_drops(d);
	report_counters(d, false);
	events_report(false);
	gate_repeats(d->gate, boot_now(), false, repeated, d);
	files_flush(d->files, boot_now(), file_alert, d);
	proctable_forget(d->pt, false);
	egress_expire(d->egress, boot_now());
	proctable_stats(d->pt, &st);
	if (st.sessions)
		d->net_busy = now;
	else if (now - d->net_busy >= NET_IDLE_SECS)
		net_stop(d);
	/* a lost exit record leaves an entry behind: retire them from /proc */
	if (now - d->last_sweep >= SWEEP_SECS &&
	    (d->kernel[DS_DROP_EXIT] || st.live > d->cfg->proctable_max / 2)) {
		d->last_sweep = now;
		proctable_sweep(d->pt);
	}
	update_status(d);
	tamper_check(d);
}

/* One epoll set: the ring buffer's own epoll fd, and the DNS socket. */
static int loop_poll_setup(struct daemon_ctx *d)
{
	struct epoll_event ev = { .events = EPOLLIN };

	d->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (d->epfd < 0) {
		log_warn("epoll_create1");
		return -1;
	}
	ev.data.fd = ring_buffer__epoll_fd(d->rb);
	if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev)) {
		log_warn("epoll_ctl");
		return -1;
	}
	if (d->fsw) {
		ev.data.fd = fswatch_fd(d->fsw);
		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev))
			return -1;
		ev.events = EPOLLPRI;
		ev.data.fd = fswatch_mounts_fd(d->fsw);
		if (epoll_ctl(d->epfd, EPOLL_CTL_ADD, ev.data.fd, &ev))
			return -1;
	}
	/* even with capture off: a reload may turn it on */
	d->pkt = malloc(DNS_PKT_MAX);
	return d->pkt ? 0 : -1;
}

/* fanotify for renames outside sessions, else the rename and link hooks
 * stay attached (and cost every system call: docs/PERFORMANCE.md) */
static void renames_open(struct daemon_ctx *d)
{
	struct fswatch_stats st;
	int err;

	if (d->cfg->rename_tracepoints_always) {
		log_info("renames and links outside install sessions: syscall tracepoints "
			 "(files.rename_tracepoints_always)");
		goto always;
	}
	d->fsw = fswatch_open();
	if (d->fsw) {
		fswatch_stats(d->fsw, &st);
		log_info("renames outside install sessions: fanotify on %llu filesystems",
			 (unsigned long long)st.filesystems);
		return;
	}
	log_warnx("fanotify with directory handles unavailable (%s): rename and link "
		  "tracepoints stay attached, at a cost to every system call", strerror(errno));
always:
	err = sensor_hooks(d->sensor, SENSOR_HOOK_NAMES, true);
	if (err)
		log_warnx("cannot attach the rename hooks: %s", strerror(-err));
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
	d->dns_fd[0] = d->dns_fd[1] = d->epfd = -1;
	d->pt = proctable_new(c->proctable_max);
	d->egress = egress_new(c);
	d->files = files_new(c);
	d->gate = gate_new(c);
	if (!d->pt || !d->egress || !d->files || !d->gate)
		goto fail;
	if (events_enabled())
		files_observe(d->files, file_seen, d);
	if (s) {
		renames_open(d);
		d->rb = sensor_ringbuf(s, on_record, d);
		if (!d->rb || loop_poll_setup(d))
			goto fail;
		procfs_scan(d->pt, &c->env_vars, scanned, d);
		status_init();
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
	d->cfg = c;
	if (!c->dns_capture)
		dns_stop(d);
	else if (d->net_on)
		dns_start(d);
	return 0;
}

int loop_run(struct daemon_ctx *d)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct epoll_event evs[8];
	struct timespec last, now;
	int i, n;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	clock_gettime(CLOCK_MONOTONIC, &last);
	while (!stop_requested) {
		n = epoll_wait(d->epfd, evs, ARRAY_SIZE(evs), TICK_MS);
		if (n < 0 && errno != EINTR) {
			log_warn("epoll_wait");
			return -1;
		}
		for (i = 0; i < n; i++)
			if (d->fsw && evs[i].data.fd == fswatch_mounts_fd(d->fsw))
				fswatch_rescan(d->fsw);
		/* packets, then records (an answer read before its question's
		 * record waits for it), then renames */
		dns_drain(d);
		n = ring_buffer__consume(d->rb);	/* records sent without a wake-up too */
		if (n < 0 && n != -EINTR) {
			log_warnx("ring buffer: %s", strerror(-n));
			return -1;
		}
		renames_drain(d);
		files_flush(d->files, boot_now(), file_alert, d);
		if (reload_pending())
			reload_apply(d, d->sensor);
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (now.tv_sec != last.tv_sec) {
			last = now;
			tick(d);
		}
	}
	/* drain what the kernel already sent */
	dns_drain(d);
	ring_buffer__consume(d->rb);
	renames_drain(d);
	dns_count_drops(d);
	loop_flush(d);
	return 0;
}

void loop_flush(struct daemon_ctx *d)
{
	gate_repeats(d->gate, boot_now(), true, repeated, d);
	files_flush(d->files, 0, file_alert, d);
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
		log_info("dns: %llu questions seen leaving, %llu answers believed (%llu of them "
			 "from a server not the asker's resolver), dns_unsolicited=%llu, "
			 "%llu questions unanswered in time, %llu evicted unanswered; "
			 "%llu responses sent by install sessions: %llu questions voided, "
			 "%llu believed answers taken back",
			 (unsigned long long)es.dnsq.questions, (unsigned long long)es.dnsq.believed,
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
			 "into a rename, %llu unwatched, %llu generated build files, "
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
			 "%llu malformed", (unsigned long long)ws.renames,
			 (unsigned long long)ws.filesystems, (unsigned long long)ws.fs_skipped,
			 (unsigned long long)ws.overflows, (unsigned long long)ws.unresolved,
			 (unsigned long long)ws.malformed);
	}
	status_remove();
	if (d->dns_fd[0] >= 0)
		close(d->dns_fd[0]);
	if (d->dns_fd[1] >= 0)
		close(d->dns_fd[1]);
	if (d->epfd >= 0)
		close(d->epfd);
	free(d->pkt);
	egress_free(d->egress);
	gate_free(d->gate);
	fswatch_close(d->fsw);
	files_free(d->files);
	proctable_free(d->pt);
	free(d);
}
