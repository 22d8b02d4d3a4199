// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The daemon's life as the next daemon will read it (rules/tamper.c judges
 * what it finds): the state file written at start, at session changes and
 * every minute, and "stopped" at a clean stop; systemd's watchdog pinged
 * with each heartbeat; and at start, what the daemon before this one left.
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

#include "daemon.h"

#define STATE_REFRESH_SECS 60 /* the state's heartbeat, besides session changes */
#define STATUS_READ_MAX	   2048
#define NSEC		   1000000000LL

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
	char buf[TAMPER_STATE_MAX + 1];
	ssize_t n = read_small(path, buf, TAMPER_STATE_MAX, NULL);

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
	if (strncmp(buf, "pid=", 4) ||
	    parse_u64(buf + 4, strspn(buf + 4, "0123456789"), INT32_MAX, &x) || !x)
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
	return pid != (uint32_t)getpid() && procfs_running_as(pid, start, "depsentry");
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

const char *tamper_open(struct state_file *T, const struct config *c)
{
	struct tamper_prev *prev = &T->prev;
	const char *status = c->status_file ? c->status_file : STATUS_FILE_DEFAULT;

	memset(T, 0, sizeof(*T));
	T->watchdog = watchdog_wanted();
	snprintf(T->path, sizeof(T->path), "%s",
		 c->state_file ? c->state_file : STATE_FILE_DEFAULT);
	prev->now_ns = clock_ns(CLOCK_REALTIME);
	prev->boot_ns = boot_instant();
	read_state(prev, T->path);
	read_status(prev, status);
	tamper_prev_judge(prev,
			  prev->have_state && pid_alive_as(prev->state.pid, prev->state.start),
			  pid_alive_as(prev->status_pid, 0));
	if (prev->kind == PREV_ALIVE) {
		log_warnx(
			"another depsentry daemon (pid %u) runs: this one keeps no state in %s and "
			"pins nothing",
			prev->have_state ? prev->state.pid : prev->status_pid, T->path);
		return NULL;
	}
	T->active = true;
	return TAMPER_PIN;
}

static void state_write(struct state_file *T)
{
	char buf[TAMPER_STATE_MAX];
	int err;

	T->st.updated_ns = clock_ns(CLOCK_REALTIME);
	T->written = time(NULL);
	err = tamper_state_format(&T->st, buf, sizeof(buf));
	if (!err) {
		buf[strlen(buf) - 1] = '\0'; /* status_write ends the last line */
		err = status_write(T->path, buf);
	}
	if (err && !T->failed)
		log_warnx("%s: cannot write the state file: %s", T->path, strerror(-err));
	T->failed = err != 0;
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

static void report(struct state_file *T, struct daemon_ctx *d, struct sensor *s,
		   const struct config *c)
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
	if (!t || !T->prev.have_state || !T->prev.state.nonce || t->nonce != T->prev.state.nonce)
		t = NULL;
	tamper_prev_recheck(&T->prev, t);
	if (T->prev.state_contradicted)
		log_warnx(
			"%s says the last daemon stopped cleanly, but the kernel saw a signal end it",
			T->path);
	if (!tamper_interruption(&T->prev, t, &ev, &v, &rec))
		return;
	ns = tamper_gap_ns(ev.heartbeat_ns, ev.restart_ns);
	if (ns >= 0)
		snprintf(gap, sizeof(gap), "%.1f s", (double)ns / NSEC);
	log_warnx(
		"the daemon before this one (pid %u) stopped without a clean shutdown: cause %s%s%s, "
		"nothing watched for %s",
		ev.sensor_pid, ev.cause, ev.signal.sig ? ", " : "",
		ev.signal.sig ? ev.signal.name : "", gap);
	img = image_new();
	if (!img)
		return;
	interruption_proc(&p, img, &ev, rec, c);
	dispatch_emit(d, &p, &v, boot_now());
	image_put(img);
}

void tamper_started(struct state_file *T, struct daemon_ctx *d, struct sensor *s,
		    const struct config *c)
{
	uint64_t start = 0;

	if (!T->active)
		return;
	report(T, d, s, c);
	memset(&T->st, 0, sizeof(T->st));
	T->st.running = true;
	T->st.pid = (uint32_t)getpid();
	if (procfs_start(T->st.pid, &T->st.start))
		T->st.start = 0;
	if (s && sensor_self(s, &T->st.tgid, &start))
		T->st.tgid = 0;
	T->st.boot_ns = boot_instant();
	T->st.nonce = s ? sensor_tamper_nonce(s) : 0;
	T->started = true;
	state_write(T);
}

void tamper_heartbeat(struct state_file *T, uint32_t sessions)
{
	if (!T)
		return;
	if (T->watchdog)
		T->watchdog_failed = notify_systemd("WATCHDOG=1", !T->watchdog_failed) != 0;
	if (!T->started)
		return;
	if ((sessions > 0) == (T->st.sessions > 0) && time(NULL) - T->written < STATE_REFRESH_SECS)
		return;
	T->st.sessions = sessions;
	state_write(T);
}

void tamper_stopped(struct state_file *T)
{
	if (!T->started)
		return;
	T->st.running = false;
	state_write(T);
	T->started = false;
}
