/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon: start-up, the loop that waits and dispatches, reloads,
 * health, and the commands around it.
 */
#ifndef DEPSENTRY_DAEMON_H
#define DEPSENTRY_DAEMON_H

#include "output/output.h"

/* loop.c: decode records, keep the table, run the rules, write alerts */
struct daemon_ctx;
struct host_info;
/* Table, ring buffer and /proc scan ready; hooks already attached. */
struct daemon_ctx *loop_new(const struct config *c, struct sensor *s, const struct host_info *h);
int loop_run(struct daemon_ctx *d);	/* until SIGINT or SIGTERM */
void loop_stop(void);	/* async-signal-safe: loop_run drains and returns */
void loop_free(struct daemon_ctx *d);	/* logs the final counts */
/* Judge by c from the next record on (a reload): the loop, the network and
 * file arms together. 0, or -errno with nothing changed. */
int loop_set_config(struct daemon_ctx *d, const struct config *c);
/* The record handler, exposed for tests: returns 0, or -EINVAL for a
 * malformed record (counted, never fatal). */
int loop_handle_record(struct daemon_ctx *d, const void *data, size_t len);
/* Write an alert about p through the gate, counted with the others. */
struct verdict;
void loop_emit(struct daemon_ctx *d, const struct proc *p, struct verdict *v, uint64_t ts);

/* What is held back goes out as at exit (repeated sightings, held
 * writes). */
void loop_flush(struct daemon_ctx *d);

/* reload.c: SIGHUP reopens the alert files and reads the configuration
 * again (-c opt, as at start); *cfg is the running one, replaced and freed
 * by a successful reload. The handler is installed at once. */
void reload_setup(const char *opt, struct config **cfg);
bool reload_pending(void);	/* a SIGHUP came since the last call */
void reload_apply(struct daemon_ctx *d, struct sensor *s);
/* Settings that need a restart: each one c changes is logged and set back
 * to old's value; returns how many. */
int reload_keep_restart_settings(struct config *c, const struct config *old);

/* notify.c: a state for systemd (READY=1, WATCHDOG=1, ...); 0 without
 * NOTIFY_SOCKET, or -errno (logged when log_failure) */
int notify_systemd(const char *state, bool log_failure);

/* pidfile.c: run -p FILE */
int pidfile_write(const char *path);	/* 0 or -errno, logged */
void pidfile_remove(const char *path);


/* report.c and agent.c: the report and exec commands */
#define REPORT_EXIT_ALERTS	3	/* report and exec: the --fail-on threshold was crossed */
int report_main(int argc, char **argv);
int report_parse_format(const char *s, enum report_format *fmt);
int report_parse_fail_on(const char *s, enum severity *sev);	/* also "none" */
int agent_main(int argc, char **argv);

/* caps.c: the capabilities the running daemon keeps (docs/deployment.md) */
uint64_t caps_kept(void);	/* bit (1 << CAP_x) for each */
/* Keep only those, in the effective, permitted and bounding sets; empty the
 * inheritable and ambient sets; set no_new_privs. 0 or -errno. */
int caps_drop(void);

#define STATUS_LOSSES_MAX	32

struct status_count {
	const char *name;
	uint64_t value;
};

struct status {
	uint32_t pid;			/* set by status_update */
	uint64_t uptime;		/* seconds, set by status_update */
	uint64_t records[DS_EV_MAX];	/* records read, by type */
	uint64_t alerts[RULE_MAX];	/* alerts written, by rule */
	struct status_count losses[STATUS_LOSSES_MAX];	/* every loss counter */
	size_t nlosses;
	uint64_t processes;		/* live entries of the process table */
	uint64_t exited_held;		/* exited ancestors kept for a descendant */
	uint64_t sessions;		/* install sessions alive */
	uint64_t dns_cache;		/* addresses with a name */
	uint64_t dns_unsolicited;	/* DNS answers ignored: no question of this host asked them */
	uint64_t held_writes;		/* file writes waiting for their writer */
	bool network_hooks;		/* connect hooks and DNS capture attached */
};

void status_init(void);		/* SIGUSR1 asks for a line */
/* The line; -ENOSPC when it had to be cut to fit len. */
int status_format(const struct status *st, char *buf, size_t len);
/* Write line to path atomically (temporary file, rename), mode 0644. */
int status_write(const char *path, const char *line);
/* Once a second: the status file; the log line when due or asked for. */
void status_update(struct status *st, const struct config *c);
void status_remove(void);	/* at exit: the file this daemon wrote */
int status_main(int argc, char **argv);	/* depsentry status [-c FILE] */


/* The daemon's life, for `run`: read what the last daemon left and say
 * where to pin (NULL: another daemon runs, or no state is kept); after the
 * loop is set up, alert an unclean stop and mark this one running; every
 * second and at a session's start, the heartbeat; at a clean stop, say so. */
const char *tamper_open(const struct config *c);
void tamper_started(struct daemon_ctx *d, struct sensor *s, const struct config *c);
void tamper_heartbeat(uint32_t sessions);
void tamper_stopped(void);

#endif /* DEPSENTRY_DAEMON_H */
