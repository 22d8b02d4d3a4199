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

#include "internal.h"

#define STATE_VERSION		1
#define STATE_MAX		4096	/* bytes of a state file */
#define STATE_REFRESH_SECS	60	/* the state's heartbeat, besides session changes */
#define STATUS_READ_MAX		2048
#define SAME_BOOT_NS		(60 * 1000000000LL)	/* wall-clock steps tolerated */
#define DEDUP_MAX		32	/* (sender, signal) pairs alerted lately */
#define NSEC			1000000000LL

static const char *const sig_names[32] = {
	[1] = "SIGHUP",	    [2] = "SIGINT",	[3] = "SIGQUIT",   [4] = "SIGILL",
	[5] = "SIGTRAP",    [6] = "SIGABRT",	[7] = "SIGBUS",	   [8] = "SIGFPE",
	[9] = "SIGKILL",    [10] = "SIGUSR1",	[11] = "SIGSEGV",  [12] = "SIGUSR2",
	[13] = "SIGPIPE",   [14] = "SIGALRM",	[15] = "SIGTERM",  [16] = "SIGSTKFLT",
	[17] = "SIGCHLD",   [18] = "SIGCONT",	[19] = "SIGSTOP",  [20] = "SIGTSTP",
	[21] = "SIGTTIN",   [22] = "SIGTTOU",	[23] = "SIGURG",   [24] = "SIGXCPU",
	[25] = "SIGXFSZ",   [26] = "SIGVTALRM", [27] = "SIGPROF",  [28] = "SIGWINCH",
	[29] = "SIGIO",	    [30] = "SIGPWR",	[31] = "SIGSYS",
};

static const char *const origin_names[] = {
	[ORIGIN_NONE] = "none",
	[ORIGIN_PROCESS] = "process",
	[ORIGIN_KERNEL] = "kernel",
	[ORIGIN_SELF] = "self",
};

const char *tamper_signal_name(int sig, char *buf, size_t len)
{
	if (sig > 0 && sig < 32 && sig_names[sig])
		return sig_names[sig];
	snprintf(buf, len, "SIG%d", sig);
	return buf;
}

const char *tamper_origin_name(enum tamper_origin o)
{
	return o < ARRAY_SIZE(origin_names) ? origin_names[o] : "?";
}

void tamper_signal_from(const struct ds_signal *e, struct tamper_signal *out)
{
	const char *name;

	memset(out, 0, sizeof(*out));
	out->sig = e->sig;
	out->code = e->code;
	out->origin = e->hdr.pid == e->target_pid ? ORIGIN_SELF :
		      DS_SIG_FROM_PROCESS(e->code) ? ORIGIN_PROCESS : ORIGIN_KERNEL;
	out->pid = e->hdr.pid;
	out->start = e->hdr.start;
	out->uid = e->uid;
	out->session = e->hdr.flags & DS_F_TRACKED ? e->session : 0;
	memcpy(out->comm, e->comm, sizeof(out->comm) - 1);
	name = tamper_signal_name(e->sig, out->name, sizeof(out->name));
	if (name != out->name)
		snprintf(out->name, sizeof(out->name), "%s", name);
}

/* ------------------------------------------------------------ signals */

/* A package can send the daemon a signal a million times: one alert per
 * sender and signal number among the last DEDUP_MAX alerted. */
static struct {
	uint32_t pid;
	uint64_t start;
	int sig;
} dedup[DEDUP_MAX];
static size_t dedup_next;

static bool dedup_seen(uint32_t pid, uint64_t start, int sig)
{
	size_t i;

	for (i = 0; i < DEDUP_MAX; i++)
		if (dedup[i].pid == pid && dedup[i].start == start && dedup[i].sig == sig)
			return true;
	dedup[dedup_next].pid = pid;
	dedup[dedup_next].start = start;
	dedup[dedup_next].sig = sig;
	dedup_next = (dedup_next + 1) % DEDUP_MAX;
	return false;
}

static void verdict_for(struct verdict *v, enum rule_id rule, enum severity sev,
			const char *reason, struct tamper_event *ev)
{
	memset(v, 0, sizeof(*v));
	v->rule = rule;
	v->severity = sev;
	v->reason = reason;
	v->rules_matched = 1U << rule;
	v->tamper = ev;
}

bool tamper_signal_judge(const struct ds_signal *e, struct tamper_event *ev, struct verdict *v)
{
	memset(ev, 0, sizeof(*ev));
	tamper_signal_from(e, &ev->signal);
	ev->sensor_pid = e->target_pid;
	ev->sensor_start = e->target_start;
	/* systemd's SIGTERM, an administrator's SIGHUP, a child's SIGCHLD */
	if (ev->signal.origin != ORIGIN_PROCESS || !ev->signal.session)
		return false;
	if (dedup_seen(e->hdr.pid, e->hdr.start, e->sig))
		return false;
	verdict_for(v, RULE_SENSOR_SIGNAL, SEV_HIGH, "an install session signalled the sensor", ev);
	v->matched = ev->signal.name;
	v->matched_field = "depsentry.signal.name";
	return true;
}

/* ------------------------------------------------------- the state file */

static int parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}

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

static const char *const state_keys[SK_MAX] = {
	[SK_VERSION] = "version", [SK_STATE] = "state",	  [SK_PID] = "pid",
	[SK_START] = "start",	  [SK_TGID] = "tgid",	  [SK_BOOT] = "boot",
	[SK_NONCE] = "nonce",	  [SK_UPDATED] = "updated", [SK_SESSIONS] = "sessions",
};

#define SK_REQUIRED	((1U << SK_VERSION) | (1U << SK_STATE) | (1U << SK_PID) | \
			 (1U << SK_START) | (1U << SK_BOOT) | (1U << SK_UPDATED))

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

	if (len > STATE_MAX || memchr(buf, '\0', len))
		return -EINVAL;
	for (; line < end; line = nl + 1) {
		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			return -EINVAL;	/* every line ends: a cut file is not a state */
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
	memset(st, 0, sizeof(*st));	/* nothing half-read is used */
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
		prev->kind = state_alive && tamper_same_boot(st->boot_ns, prev->boot_ns) ?
				     PREV_ALIVE : PREV_UNCLEAN;
	else if (prev->state_unreadable)
		prev->kind = PREV_UNCLEAN;
	else if (prev->have_status)	/* removed at a clean stop: left by a dead one */
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
		session = &t->session;	/* not alerted while the daemon ran */
	*rec = session ? session : fatal;
	if (*rec)
		tamper_signal_from(&(*rec)->sig, &ev->signal);
	if (fatal && session && !same_signal(&fatal->sig, &session->sig))
		tamper_signal_from(&fatal->sig, &ev->ended_by);
	if (*rec && ev->signal.origin != ORIGIN_PROCESS)
		*rec = NULL;	/* the kernel's, or its own: no sender to name */
	ev->cause = !fatal ? "unknown" :
		    fatal->sig.hdr.pid == fatal->sig.target_pid ? "crash" :
		    DS_SIG_FROM_PROCESS(fatal->sig.code) ? "signal" : "kernel";
	ev->sessions_running = ev->sessions > 0 || session;
	verdict_for(v, RULE_SENSOR_INTERRUPTED, session ? SEV_HIGH : SEV_MEDIUM,
		    session ? "the sensor stopped without a clean shutdown after an install session signalled it"
			    : "the sensor stopped without a clean shutdown",
		    ev);
	if (ev->signal.sig) {
		v->matched = ev->signal.name;
		v->matched_field = "depsentry.signal.name";
	}
	return true;
}

/* ------------------------------------------------------- the daemon's life */

static struct {
	bool watchdog;		/* systemd's WatchdogSec= is on for this process */
	bool watchdog_failed;	/* a ping could not be sent: said once */
	bool active;		/* this daemon keeps the state file */
	bool started;		/* and has written it */
	bool failed;		/* a write failed: said once */
	char path[PATH_MAX];
	struct tamper_state st;
	struct tamper_prev prev;
	time_t written;
} T;

static int64_t clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (int64_t)ts.tv_sec * NSEC + ts.tv_nsec;
}

static int64_t boot_instant(void)
{
	return clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_BOOTTIME);
}

/* At most max bytes of path, or -errno; more than max is -EFBIG. */
static ssize_t read_small(const char *path, char *buf, size_t max, int64_t *mtime_ns)
{
	struct stat sb;
	ssize_t n, total = 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);

	if (fd < 0)
		return -errno;
	if (fstat(fd, &sb) || !S_ISREG(sb.st_mode)) {
		close(fd);
		return -EINVAL;
	}
	while ((size_t)total <= max && (n = read(fd, buf + total, max + 1 - total)) > 0)
		total += n;
	close(fd);
	if (mtime_ns)
		*mtime_ns = (int64_t)sb.st_mtim.tv_sec * NSEC + sb.st_mtim.tv_nsec;
	return (size_t)total > max ? -EFBIG : total;
}

static void read_state(struct tamper_prev *prev, const char *path)
{
	char buf[STATE_MAX + 1];
	ssize_t n = read_small(path, buf, STATE_MAX, NULL);

	if (n == -ENOENT)
		return;
	if (n >= 0 && tamper_state_parse(buf, (size_t)n, &prev->state) == 0) {
		prev->have_state = true;
		return;
	}
	prev->state_unreadable = true;
	log_warnx("%s: not a state file (%s): treated as a daemon that stopped uncleanly", path,
		  n < 0 ? strerror((int)-n) : "malformed");
}

/* The status file's writer, install sessions and last rewrite. */
static void read_status(struct tamper_prev *prev, const char *path)
{
	char buf[STATUS_READ_MAX + 1];
	const char *s;
	uint64_t x;
	ssize_t n = read_small(path, buf, STATUS_READ_MAX, &prev->status_ns);
	size_t len;

	if (n <= 0)
		return;
	buf[n] = '\0';
	if (strncmp(buf, "pid=", 4) || parse_u64(buf + 4, strspn(buf + 4, "0123456789"),
						 INT32_MAX, &x) || !x)
		return;
	prev->have_status = true;
	prev->status_pid = (uint32_t)x;
	prev->status_sessions = -1;
	s = strstr(buf, " sessions=");
	if (!s)
		return;
	s += strlen(" sessions=");
	len = strspn(s, "0123456789");
	if ((s[len] == ' ' || s[len] == '\n' || !s[len]) && !parse_u64(s, len, INT32_MAX, &x))
		prev->status_sessions = (int)x;
}

/* pid runs (as the process started at start, when known) and is not this one */
static bool pid_alive_as(uint32_t pid, uint64_t start)
{
	uint64_t s;

	char comm[DS_COMM_LEN];

	if (!pid || pid == (uint32_t)getpid())
		return false;
	if (!start) {	/* a status file names a pid alone: a reused one is not a daemon */
		procfs_comm(pid, comm, sizeof(comm));
		if (strcmp(comm, "depsentry") || procfs_start(pid, &s))
			return false;
	}
	return procfs_running(pid, start ? start : s);
}

/*
 * systemd's watchdog (WatchdogSec=, docs/deployment.md) is pinged with
 * every heartbeat: a daemon a package stopped with SIGSTOP, blind but
 * alive, stops pinging and is killed and restarted, and the next one says
 * who stopped it.
 */
static bool watchdog_wanted(void)
{
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	uint64_t x;

	if (!usec || parse_u64(usec, strlen(usec), UINT64_MAX, &x) || !x)
		return false;
	return !pid || (parse_u64(pid, strlen(pid), INT32_MAX, &x) == 0 && x == (uint64_t)getpid());
}

const char *tamper_open(const struct config *c)
{
	struct tamper_prev *prev = &T.prev;
	const char *status = c->status_file ? c->status_file : STATUS_FILE_DEFAULT;

	memset(&T, 0, sizeof(T));
	T.watchdog = watchdog_wanted();
	snprintf(T.path, sizeof(T.path), "%s", c->state_file ? c->state_file : STATE_FILE_DEFAULT);
	prev->now_ns = clock_ns(CLOCK_REALTIME);
	prev->boot_ns = boot_instant();
	read_state(prev, T.path);
	read_status(prev, status);
	tamper_prev_judge(prev, prev->have_state && pid_alive_as(prev->state.pid, prev->state.start),
			  pid_alive_as(prev->status_pid, 0));
	if (prev->kind == PREV_ALIVE) {
		log_warnx("another depsentry daemon (pid %u) runs: this one keeps no state in %s and "
			  "pins nothing", prev->have_state ? prev->state.pid : prev->status_pid, T.path);
		return NULL;
	}
	T.active = true;
	return TAMPER_PIN;
}

static void state_write(void)
{
	char buf[STATE_MAX];
	int err;

	T.st.updated_ns = clock_ns(CLOCK_REALTIME);
	T.written = time(NULL);
	err = tamper_state_format(&T.st, buf, sizeof(buf));
	if (!err) {
		buf[strlen(buf) - 1] = '\0';	/* status_write ends the last line */
		err = status_write(T.path, buf);
	}
	if (err && !T.failed)
		log_warnx("%s: cannot write the state file: %s", T.path, strerror(-err));
	T.failed = err != 0;
}

/* The process an interruption alert is about: the sender, with the
 * environment the kernel kept (its package), or the interrupted daemon. */
static void interruption_proc(struct proc *p, struct image *img, const struct tamper_event *ev,
			      const struct ds_tamper_rec *rec, const struct config *c)
{
	memset(p, 0, sizeof(*p));
	p->img = img;
	p->exited = true;
	if (!rec) {
		p->pid = ev->sensor_pid;
		p->start = ev->sensor_start;
		snprintf(img->comm, sizeof(img->comm), "depsentry");
		return;
	}
	p->pid = ev->signal.pid;
	p->start = ev->signal.start;
	p->uid = ev->signal.uid;
	memcpy(img->comm, ev->signal.comm, sizeof(img->comm));
	if (rec->sig.env_len && rec->sig.env_len <= sizeof(rec->env))
		image_set_env(img, rec->env, rec->sig.env_len, &c->env_vars);
}

static void report(struct daemon_ctx *d, struct sensor *s, const struct config *c)
{
	const struct ds_tamper *t = sensor_tamper_previous(s);
	const struct ds_tamper_rec *rec;
	struct tamper_event ev;
	struct verdict v;
	struct image *img;
	struct proc p;
	char gap[32] = "unknown";
	int64_t ns;

	/* the pinned records are that daemon's only if it reset the map */
	if (!t || !T.prev.have_state || !T.prev.state.nonce || t->nonce != T.prev.state.nonce)
		t = NULL;
	tamper_prev_recheck(&T.prev, t);
	if (T.prev.state_contradicted)
		log_warnx("%s says the last daemon stopped cleanly, but the kernel saw a signal end it",
			  T.path);
	if (!tamper_interruption(&T.prev, t, &ev, &v, &rec))
		return;
	ns = tamper_gap_ns(ev.heartbeat_ns, ev.restart_ns);
	if (ns >= 0)
		snprintf(gap, sizeof(gap), "%.1f s", (double)ns / NSEC);
	log_warnx("the daemon before this one (pid %u) stopped without a clean shutdown: cause %s%s%s, "
		  "nothing watched for %s", ev.sensor_pid, ev.cause, ev.signal.sig ? ", " : "",
		  ev.signal.sig ? ev.signal.name : "", gap);
	img = image_new();
	if (!img)
		return;
	interruption_proc(&p, img, &ev, rec, c);
	loop_emit(d, &p, &v, boot_now());
	image_put(img);
}

void tamper_started(struct daemon_ctx *d, struct sensor *s, const struct config *c)
{
	uint64_t start = 0;

	if (!T.active)
		return;
	report(d, s, c);
	memset(&T.st, 0, sizeof(T.st));
	T.st.running = true;
	T.st.pid = (uint32_t)getpid();
	if (procfs_start(T.st.pid, &T.st.start))
		T.st.start = 0;
	if (s && sensor_self(s, &T.st.tgid, &start))
		T.st.tgid = 0;
	T.st.boot_ns = boot_instant();
	T.st.nonce = s ? sensor_tamper_nonce(s) : 0;
	T.started = true;
	state_write();
}

void tamper_heartbeat(uint32_t sessions)
{
	if (T.watchdog)
		T.watchdog_failed = notify_systemd("WATCHDOG=1", !T.watchdog_failed) != 0;
	if (!T.started)
		return;
	if ((sessions > 0) == (T.st.sessions > 0) && time(NULL) - T.written < STATE_REFRESH_SECS)
		return;
	T.st.sessions = sessions;
	state_write();
}

void tamper_stopped(void)
{
	if (!T.started)
		return;
	T.st.running = false;
	state_write();
	T.started = false;
}
