// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * tamper: the state file, written and read back, and refused whole when it
 * is anything else (it is untrusted: a package running as root can write
 * it); the gap from the last heartbeat; what kind of stop the files
 * describe; the sensor-interrupted alert built from them and the pinned
 * records (who is named, how severe, what ended the daemon); which signals
 * to the daemon are sensor-signal alerts; both alerts rendered as valid
 * ECS with their fields.
 */
#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include <json-c/json.h>

#include "unit.h"

#define SEC	1000000000LL
#define NOW	(1790000000LL * SEC)
#define BOOT	(1789990000LL * SEC)
#define DAEMON	812
#define SESSION 0x77ULL

static struct host_info host;

static void state_sample(struct tamper_state *st)
{
	memset(st, 0, sizeof(*st));
	st->running = true;
	st->pid = DAEMON;
	st->start = 123450000000ULL;
	st->tgid = 4812;
	st->boot_ns = BOOT;
	st->nonce = 0x0123456789abcdefULL;
	st->updated_ns = NOW - 30 * SEC;
	st->sessions = 2;
}

static void test_state_roundtrip(void **state)
{
	struct tamper_state st, back;
	char buf[512];

	(void)state;
	state_sample(&st);
	assert_int_equal(tamper_state_format(&st, buf, sizeof(buf)), 0);
	assert_int_equal(tamper_state_parse(buf, strlen(buf), &back), 0);
	assert_memory_equal(&st, &back, sizeof(st));
	st.running = false;
	st.nonce = 0;
	assert_int_equal(tamper_state_format(&st, buf, sizeof(buf)), 0);
	assert_non_null(strstr(buf, "state=stopped\n"));
	assert_non_null(strstr(buf, "nonce=0000000000000000\n"));
	assert_int_equal(tamper_state_parse(buf, strlen(buf), &back), 0);
	assert_false(back.running);
	assert_int_equal(tamper_state_format(&st, buf, 20), -ENOSPC);
}

#define GOOD "version=1\nstate=running\npid=812\nstart=5\nboot=7\nupdated=9\n"

static void test_state_accepts(void **state)
{
	static const char *const good[] = {
		GOOD,
		GOOD "sessions=0\n",
		GOOD "a_later_key=whatever it says\n", /* a later release's */
		"updated=9\nboot=7\nstart=5\npid=812\nstate=stopped\nversion=1\n",
		GOOD "nonce=ffffffffffffffff\ntgid=2147483647\n",
	};
	struct tamper_state st;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(good); i++) {
		assert_int_equal(tamper_state_parse(good[i], strlen(good[i]), &st), 0);
		assert_int_equal(st.pid, 812);
		assert_int_equal(st.start, 5);
		assert_int_equal(st.boot_ns, 7);
		assert_int_equal(st.updated_ns, 9);
	}
}

static void test_state_refuses(void **state)
{
	static const char *const bad[] = {
		"",
		"version=1\nstate=running\npid=812\nstart=5\nboot=7\nupdated=9", /* cut */
		"version=1\nstate=running\npid=812\nstart=5\nboot=7\n",		 /* no updated */
		"version=2\nstate=running\npid=812\nstart=5\nboot=7\nupdated=9\n",
		"version=1\nstate=paused\npid=812\nstart=5\nboot=7\nupdated=9\n",
		"version=1\nstate=running\npid=0\nstart=5\nboot=7\nupdated=9\n",
		"version=1\nstate=running\npid=12x\nstart=5\nboot=7\nupdated=9\n",
		"version=1\nstate=running\npid=-1\nstart=5\nboot=7\nupdated=9\n",
		"version=1\nstate=running\npid= 812\nstart=5\nboot=7\nupdated=9\n",
		"version=1\nstate=running\npid=0812\nstart=5\nboot=7\nupdated=9\n",
		"version=1\nstate=running\npid=2147483648\nstart=5\nboot=7\nupdated=9\n",
		"version=1\nstate=running\npid=812\nstart=99999999999999999999\nboot=7\nupdated=9\n",
		"version=1\nstate=running\npid=812\nstart=5\nboot=9223372036854775808\nupdated=9\n",
		"version=1\nstate=running\npid=812\npid=813\nstart=5\nboot=7\nupdated=9\n",
		GOOD "nonce=0123\n",
		GOOD "nonce=0123456789ABCDEF\n",
		GOOD "sessions=\n",
		GOOD "just a line\n",
		"version=1\nstate=running\r\npid=812\nstart=5\nboot=7\nupdated=9\n",
	};
	struct tamper_state st;
	char big[4200], nul[] = GOOD "tgid=1\0\n";
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(&st, 0xa5, sizeof(st));
		if (tamper_state_parse(bad[i], strlen(bad[i]), &st) != -EINVAL)
			fail_msg("accepted: %s", bad[i]);
		assert_int_equal(st.pid, 0); /* nothing half-read is kept */
	}
	assert_int_equal(tamper_state_parse(nul, sizeof(nul) - 1, &st), -EINVAL);
	memset(big, 'x', sizeof(big));
	memcpy(big, GOOD, strlen(GOOD));
	big[sizeof(big) - 1] = '\n';
	assert_int_equal(tamper_state_parse(big, sizeof(big), &st), -EINVAL);
}

static void test_gap(void **state)
{
	(void)state;
	assert_int_equal(tamper_gap_ns(NOW - 3 * SEC, NOW), 3 * SEC);
	assert_int_equal(tamper_gap_ns(NOW, NOW), 0);
	assert_int_equal(tamper_gap_ns(-1, NOW), -1);	     /* no heartbeat */
	assert_int_equal(tamper_gap_ns(NOW + SEC, NOW), -1); /* the clock went back */
	assert_true(tamper_same_boot(BOOT, BOOT + 59 * SEC));
	assert_true(tamper_same_boot(BOOT, BOOT - 59 * SEC));
	assert_false(tamper_same_boot(BOOT, BOOT + 3600 * SEC));
}

/* prev with a state as state_sample's, and the status file of that daemon. */
static void prev_sample(struct tamper_prev *prev, bool status)
{
	memset(prev, 0, sizeof(*prev));
	prev->have_state = true;
	state_sample(&prev->state);
	prev->boot_ns = BOOT;
	prev->now_ns = NOW;
	prev->status_sessions = -1;
	if (status) {
		prev->have_status = true;
		prev->status_pid = DAEMON;
		prev->status_sessions = 1;
		prev->status_ns = NOW - 4 * SEC;
	}
}

static void test_prev_judge(void **state)
{
	struct tamper_prev prev;

	(void)state;
	memset(&prev, 0, sizeof(prev));
	tamper_prev_judge(&prev, false, false);
	assert_int_equal(prev.kind, PREV_NONE);

	prev_sample(&prev, true);
	prev.state.running = false;
	tamper_prev_judge(&prev, false, false);
	assert_int_equal(prev.kind, PREV_CLEAN); /* the state wins over a status file */

	prev_sample(&prev, false);
	tamper_prev_judge(&prev, true, false);
	assert_int_equal(prev.kind, PREV_ALIVE);
	tamper_prev_judge(&prev, false, false);
	assert_int_equal(prev.kind, PREV_UNCLEAN);
	prev.state.boot_ns = BOOT - 86400 * SEC; /* alive is a pid reused after a reboot */
	tamper_prev_judge(&prev, true, false);
	assert_int_equal(prev.kind, PREV_UNCLEAN);

	memset(&prev, 0, sizeof(prev));
	prev.state_unreadable = true;
	tamper_prev_judge(&prev, false, false);
	assert_int_equal(prev.kind, PREV_UNCLEAN);

	prev_sample(&prev, true);
	prev.have_state = false; /* a status file left behind, no state */
	tamper_prev_judge(&prev, false, false);
	assert_int_equal(prev.kind, PREV_UNCLEAN);
	tamper_prev_judge(&prev, false, true);
	assert_int_equal(prev.kind, PREV_ALIVE);
}

static struct config *gate_cfg;
static struct gate *gate;

static int gate_setup(void **state)
{
	(void)state;
	if (config_load(NULL, &gate_cfg, stderr) || !(gate = gate_new(gate_cfg)))
		return -1;
	return 0;
}

static int gate_teardown(void **state)
{
	(void)state;
	gate_free(gate);
	config_free(gate_cfg);
	return 0;
}

/* A signal record as the daemon handles it: decoded, judged, then through
 * the gate (one alert per sender and signal). */
static bool signal_gated(const struct ds_signal *s, struct tamper_event *ev, struct verdict *v)
{
	struct event e;

	assert_int_equal(event_decode(s, sizeof(*s), NULL, &e), 0);
	return tamper_signal_judge(&e, ev, v) && gate_pass(gate, NULL, v, e.ts);
}

static struct ds_tamper *tamper_sample(void);

static void signal_sample(struct ds_signal *s, uint32_t sender, int sig, int code, uint64_t session,
			  uint64_t ts)
{
	memset(s, 0, sizeof(*s));
	s->hdr.type = DS_EV_SIGNAL;
	s->hdr.size = sizeof(*s);
	s->hdr.ts = ts;
	s->hdr.pid = s->hdr.tid = sender;
	s->hdr.start = 1000ULL * sender;
	s->target_pid = 4812;
	s->target_start = 777;
	s->sig = sig;
	s->code = code;
	s->session = session;
	if (session)
		s->hdr.flags |= DS_F_TRACKED;
	snprintf(s->comm, sizeof(s->comm), "%s", sender == 1 ? "systemd" : "sh");
}

static struct ds_tamper *tamper_sample(void)
{
	struct ds_tamper *t = calloc(1, sizeof(*t));

	assert_non_null(t);
	t->nonce = 0x0123456789abcdefULL;
	t->target_pid = 4812;
	t->target_start = 777;
	return t;
}

static void test_interruption_session_kill(void **state)
{
	const struct ds_tamper_rec *rec;
	struct ds_tamper *t = tamper_sample();
	struct tamper_prev prev;
	struct tamper_event ev;
	struct verdict v;

	(void)state;
	prev_sample(&prev, true);
	prev.kind = PREV_UNCLEAN;
	signal_sample(&t->fatal.sig, 5678, 9, 0, SESSION, 50);
	t->session = t->fatal;
	t->session_seq = 3;
	t->acked_seq = 2; /* SIGSTOP and SIGCONT alerted, the SIGKILL not */
	assert_true(tamper_interruption(&prev, t, &ev, &v, &rec));
	assert_ptr_equal(rec, &t->session); /* its environment names the package */
	assert_int_equal(v.rule, RULE_SENSOR_INTERRUPTED);
	assert_int_equal(v.severity, SEV_HIGH);
	assert_ptr_equal(v.tamper, &ev);
	assert_int_equal(ev.signal.pid, 5678);
	assert_int_equal(ev.signal.origin, ORIGIN_PROCESS);
	assert_int_equal(ev.signal.session, SESSION);
	assert_string_equal(ev.signal.name, "SIGKILL");
	assert_string_equal(v.matched, "SIGKILL");
	assert_int_equal(ev.ended_by.sig, 0); /* the same signal: said once */
	assert_string_equal(ev.cause, "signal");
	assert_true(ev.sessions_running);
	assert_false(ev.reboot);
	assert_int_equal(ev.sensor_pid, 4812); /* as the kernel names it */
	/* the status file is that daemon's and newer than its state */
	assert_string_equal(ev.heartbeat_from, "status_file");
	assert_int_equal(ev.heartbeat_ns, NOW - 4 * SEC);
	assert_int_equal(ev.sessions, 1);
	assert_int_equal(tamper_gap_ns(ev.heartbeat_ns, ev.restart_ns), 4 * SEC);
	free(t);
}

static void test_interruption_outside(void **state)
{
	const struct ds_tamper_rec *rec;
	struct ds_tamper *t = tamper_sample();
	struct tamper_prev prev;
	struct tamper_event ev;
	struct verdict v;

	(void)state;
	prev_sample(&prev, true);
	prev.kind = PREV_UNCLEAN;
	prev.status_pid = 999; /* another daemon's status file: not this one's heartbeat */
	prev.state.sessions = 0;
	signal_sample(&t->fatal.sig, 1, 9, 0, 0, 50);
	signal_sample(&t->session.sig, 5678, 19, 0, SESSION, 40);
	t->session_seq = t->acked_seq = 1; /* alerted while it ran */
	assert_true(tamper_interruption(&prev, t, &ev, &v, &rec));
	assert_int_equal(v.severity, SEV_MEDIUM);
	assert_ptr_equal(rec, &t->fatal);
	assert_int_equal(ev.signal.pid, 1);
	assert_string_equal(ev.signal.comm, "systemd");
	assert_int_equal(ev.signal.session, 0);
	assert_false(ev.sessions_running);
	assert_string_equal(ev.heartbeat_from, "state_file");
	assert_int_equal(ev.heartbeat_ns, NOW - 30 * SEC);
	assert_int_equal(ev.sessions, 0);
	free(t);
}

static void test_interruption_stopped_then_killed(void **state)
{
	const struct ds_tamper_rec *rec;
	struct ds_tamper *t = tamper_sample();
	struct tamper_prev prev;
	struct tamper_event ev;
	struct verdict v;

	(void)state;
	prev_sample(&prev, false);
	prev.kind = PREV_UNCLEAN;
	signal_sample(&t->session.sig, 5678, 19, 0, SESSION, 40); /* SIGSTOP: never alerted */
	t->session_seq = 1;
	signal_sample(&t->fatal.sig, 1, 9, 0, 0, 90); /* then the watchdog's SIGKILL */
	assert_true(tamper_interruption(&prev, t, &ev, &v, &rec));
	assert_int_equal(v.severity, SEV_HIGH);
	assert_ptr_equal(rec, &t->session);
	assert_string_equal(ev.signal.name, "SIGSTOP");
	assert_int_equal(ev.signal.pid, 5678);
	assert_string_equal(ev.ended_by.name, "SIGKILL");
	assert_int_equal(ev.ended_by.pid, 1);
	assert_string_equal(ev.cause, "signal");
	assert_true(ev.sessions_running);
	free(t);
}

static void test_interruption_causes(void **state)
{
	const struct ds_tamper_rec *rec;
	struct ds_tamper *t = tamper_sample();
	struct tamper_prev prev;
	struct tamper_event ev;
	struct verdict v;

	(void)state;
	prev_sample(&prev, true);
	prev.kind = PREV_UNCLEAN;
	signal_sample(&t->fatal.sig, 4812, 11, 1, 0, 50); /* SEGV_MAPERR, to itself */
	assert_true(tamper_interruption(&prev, t, &ev, &v, &rec));
	assert_string_equal(ev.cause, "crash");
	assert_int_equal(ev.signal.origin, ORIGIN_SELF);
	assert_null(rec); /* no sender to name: the alert is about the daemon */
	assert_int_equal(v.severity, SEV_MEDIUM);

	signal_sample(&t->fatal.sig, 3333, 9, 0x80, SESSION, 50); /* the OOM killer */
	assert_true(tamper_interruption(&prev, t, &ev, &v, &rec));
	assert_string_equal(ev.cause, "kernel");
	assert_int_equal(ev.signal.origin, ORIGIN_KERNEL);
	assert_null(rec);
	assert_int_equal(v.severity, SEV_MEDIUM); /* a session's allocation is no tampering */

	assert_true(tamper_interruption(&prev, NULL, &ev, &v, &rec));
	assert_string_equal(ev.cause, "unknown");
	assert_int_equal(ev.signal.sig, 0);
	assert_null(v.matched);

	prev.state.boot_ns = BOOT - 86400 * SEC; /* the machine restarted */
	assert_true(tamper_interruption(&prev, NULL, &ev, &v, &rec));
	assert_true(ev.reboot);
	assert_string_equal(ev.heartbeat_from, "state_file"); /* /run is gone */

	prev.kind = PREV_CLEAN;
	assert_false(tamper_interruption(&prev, t, &ev, &v, &rec));
	prev.kind = PREV_ALIVE;
	assert_false(tamper_interruption(&prev, t, &ev, &v, &rec));

	memset(&prev, 0, sizeof(prev));
	prev.kind = PREV_UNCLEAN;
	prev.state_unreadable = true;
	prev.now_ns = NOW;
	assert_true(tamper_interruption(&prev, NULL, &ev, &v, &rec));
	assert_true(ev.state_unreadable);
	assert_int_equal(ev.heartbeat_ns, -1);
	assert_int_equal(ev.sessions, -1);
	free(t);
}

/* A state that says stopped, and the kernel's record that a signal ended
 * that daemon: the kernel wins. */
static void test_prev_recheck(void **state)
{
	const struct ds_tamper_rec *rec;
	struct ds_tamper *t = tamper_sample();
	struct tamper_prev prev;
	struct tamper_event ev;
	struct verdict v;

	(void)state;
	prev_sample(&prev, false);
	prev.state.running = false;
	tamper_prev_judge(&prev, false, false);
	assert_int_equal(prev.kind, PREV_CLEAN);
	tamper_prev_recheck(&prev, t); /* nothing ended it */
	assert_int_equal(prev.kind, PREV_CLEAN);
	tamper_prev_recheck(&prev, NULL);
	assert_int_equal(prev.kind, PREV_CLEAN);
	signal_sample(&t->fatal.sig, 5678, 9, 0, 0, 50);
	tamper_prev_recheck(&prev, t);
	assert_int_equal(prev.kind, PREV_UNCLEAN);
	assert_true(prev.state_contradicted);
	assert_true(tamper_interruption(&prev, t, &ev, &v, &rec));
	assert_true(ev.state_contradicted);
	assert_string_equal(ev.signal.name, "SIGKILL");
	assert_int_equal(ev.signal.pid, 5678);

	prev_sample(&prev, false);
	tamper_prev_judge(&prev, true, false); /* alive: never a stop */
	tamper_prev_recheck(&prev, t);
	assert_int_equal(prev.kind, PREV_ALIVE);
	free(t);
}

static void test_signal_judge(void **state)
{
	struct tamper_event ev;
	struct ds_signal s;
	struct verdict v;

	(void)state;
	signal_sample(&s, 5678, 19, 0, SESSION, 1); /* kill(2) */
	assert_true(signal_gated(&s, &ev, &v));
	assert_int_equal(v.rule, RULE_SENSOR_SIGNAL);
	assert_int_equal(v.severity, SEV_HIGH);
	assert_string_equal(v.matched, "SIGSTOP");
	assert_string_equal(v.matched_field, "depsentry.signal.name");
	assert_int_equal(ev.sensor_pid, 4812);
	assert_int_equal(ev.sensor_start, 777);
	assert_false(signal_gated(&s, &ev, &v)); /* the same again */
	s.sig = 18;
	assert_true(signal_gated(&s, &ev, &v));	     /* another signal */
	signal_sample(&s, 5679, 15, -6, SESSION, 2); /* tgkill(2) */
	assert_true(signal_gated(&s, &ev, &v));
	signal_sample(&s, 5679, 10, -1, SESSION, 2); /* sigqueue(3) */
	assert_true(signal_gated(&s, &ev, &v));

	signal_sample(&s, 5680, 17, 1, SESSION, 3); /* a session child's exit: CLD_EXITED */
	assert_false(signal_gated(&s, &ev, &v));
	signal_sample(&s, 5680, 14, -2, SESSION, 3); /* a timer */
	assert_false(signal_gated(&s, &ev, &v));
	signal_sample(&s, 5680, 9, 0x80, SESSION, 3); /* the kernel's own */
	assert_false(signal_gated(&s, &ev, &v));
	signal_sample(&s, 1, 15, 0, 0, 3); /* systemd's SIGTERM */
	assert_false(signal_gated(&s, &ev, &v));
	assert_int_equal(ev.signal.origin, ORIGIN_PROCESS);
	signal_sample(&s, 4812, 6, -6, SESSION, 3); /* abort(3) */
	s.hdr.flags &= ~DS_F_TRACKED;
	assert_false(signal_gated(&s, &ev, &v));
	assert_int_equal(ev.signal.origin, ORIGIN_SELF);
}

static void test_signal_names(void **state)
{
	char buf[16];

	(void)state;
	assert_string_equal(tamper_signal_name(9, buf, sizeof(buf)), "SIGKILL");
	assert_string_equal(tamper_signal_name(31, buf, sizeof(buf)), "SIGSYS");
	assert_string_equal(tamper_signal_name(34, buf, sizeof(buf)), "SIG34");
	assert_string_equal(tamper_signal_name(0, buf, sizeof(buf)), "SIG0");
	assert_string_equal(tamper_origin_name(ORIGIN_KERNEL), "kernel");
	/* what ends the daemon: SIGKILL and the default-fatal ones it leaves */
	assert_true(DS_SIG_FATAL(9));
	assert_true(DS_SIG_FATAL(6));
	assert_true(DS_SIG_FATAL(12));
	assert_true(DS_SIG_FATAL(34));
	assert_true(DS_SIG_FATAL(64));
	assert_false(DS_SIG_FATAL(1)); /* HUP: reload */
	assert_false(DS_SIG_FATAL(2)); /* INT, TERM: a clean stop */
	assert_false(DS_SIG_FATAL(15));
	assert_false(DS_SIG_FATAL(10)); /* USR1: a status line */
	assert_false(DS_SIG_FATAL(13)); /* PIPE: ignored */
	assert_false(DS_SIG_FATAL(19)); /* STOP, CONT: not an end */
	assert_false(DS_SIG_FATAL(18));
	assert_false(DS_SIG_FATAL(0));
	assert_false(DS_SIG_FATAL(65));
}

/* tests/ecs_check.py must accept the line. */
static struct json_object *render(const struct proc *p, const struct verdict *v)
{
	char path[] = "/tmp/depsentry-tamper-XXXXXX", cmd[128];
	struct json_object *o;
	size_t len = 0;
	char *line = alert_render(&host, p, v, 5000000000ULL, &len);
	int fd = mkstemp(path);

	assert_non_null(line);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, line, len), (ssize_t)len);
	close(fd);
	snprintf(cmd, sizeof(cmd), "python3 tests/ecs_check.py %s", path);
	assert_int_equal(system(cmd), 0);
	unlink(path);
	o = json_tokener_parse(line);
	assert_non_null(o);
	unit_fields_known(o);
	free(line);
	return o;
}

static const char *jstr(struct json_object *o, const char *path)
{
	o = json_get(o, path);
	return o ? json_object_get_string(o) : NULL;
}

static void test_render(void **state)
{
	static struct pm_def npm = { .name = "npm", .package_type = "npm" };
	const struct ds_tamper_rec *rec;
	struct ds_tamper *t = tamper_sample();
	struct session sess = { .id = SESSION, .pm = &npm };
	struct tamper_prev prev;
	struct tamper_event ev;
	struct proc *p, *root;
	struct json_object *o;
	struct ds_signal s;
	struct verdict v;

	(void)state;
	host_info_load(&host);
	root = unit_proc(NULL, &sess, 700, "/usr/bin/node", "npm install evil.tgz");
	sess.root = root;
	p = unit_proc(root, &sess, 5690, "/usr/bin/dash", "sh -c kill -STOP 812");
	unit_image_setenv(p->img, "npm_package_name", "evil-pkg");
	unit_image_setenv(p->img, "npm_package_version", "1.0.0");
	signal_sample(&s, 5690, 19, 0, SESSION, 10);
	s.hdr.start = p->start;
	assert_true(signal_gated(&s, &ev, &v));
	o = render(p, &v);
	assert_string_equal(jstr(o, "rule.id"), "sensor-signal");
	assert_string_equal(jstr(o, "event.action"), "signal");
	assert_string_equal(jstr(o, "rule.ruleset"), "T1562.001");
	assert_string_equal(jstr(o, "depsentry.signal.name"), "SIGSTOP");
	assert_string_equal(jstr(o, "depsentry.sensor.pid"), "4812");
	assert_string_equal(jstr(o, "package.name"), "evil-pkg");
	assert_string_equal(jstr(o, "package.type"), "npm");
	assert_non_null(strstr(
		jstr(o, "message"),
		"dash (pid 5690) sent SIGSTOP to the sensor (pid 4812) under npm for package evil-pkg@1.0.0"));
	json_object_put(o);

	prev_sample(&prev, true);
	prev.kind = PREV_UNCLEAN;
	signal_sample(&t->fatal.sig, 5690, 9, 0, SESSION, 50);
	t->session = t->fatal;
	t->session_seq = 1;
	assert_true(tamper_interruption(&prev, t, &ev, &v, &rec));
	root->exited = p->exited = true;
	p->sess = NULL; /* as the next daemon knows it: from the pinned record */
	o = render(p, &v);
	assert_string_equal(jstr(o, "rule.id"), "sensor-interrupted");
	assert_string_equal(jstr(o, "event.action"), "interrupted");
	assert_string_equal(jstr(o, "event.severity"), "73");
	assert_string_equal(jstr(o, "event.duration"), "4000000000");
	assert_non_null(jstr(o, "event.start"));
	assert_non_null(jstr(o, "event.end"));
	assert_string_equal(jstr(o, "depsentry.interruption.gap_seconds"), "4.0");
	assert_string_equal(jstr(o, "depsentry.interruption.cause"), "signal");
	assert_string_equal(jstr(o, "depsentry.interruption.sessions_running"), "true");
	assert_string_equal(jstr(o, "depsentry.session.id"), "0000000000000077");
	assert_string_equal(jstr(o, "package.type"), "npm");
	assert_string_equal(jstr(o, "threat.technique.subtechnique.id"), "[ \"T1562.001\" ]");
	assert_non_null(strstr(
		jstr(o, "message"),
		"the sensor (pid 4812) stopped without a clean shutdown: SIGKILL from sh (pid 5690) of an install session for package evil-pkg@1.0.0; no heartbeat for 4.0 s; install sessions were running"));
	json_object_put(o);
	free(t);
	image_put(p->img);
	image_put(root->img);
	free(p);
	free(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_state_roundtrip),
		cmocka_unit_test(test_state_accepts),
		cmocka_unit_test(test_state_refuses),
		cmocka_unit_test(test_gap),
		cmocka_unit_test(test_prev_judge),
		cmocka_unit_test(test_interruption_session_kill),
		cmocka_unit_test(test_interruption_outside),
		cmocka_unit_test(test_interruption_stopped_then_killed),
		cmocka_unit_test(test_interruption_causes),
		cmocka_unit_test(test_prev_recheck),
		cmocka_unit_test(test_signal_judge),
		cmocka_unit_test(test_signal_names),
		cmocka_unit_test(test_render),
	};

	return cmocka_run_group_tests(tests, gate_setup, gate_teardown);
}
