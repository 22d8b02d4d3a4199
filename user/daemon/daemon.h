/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The daemon: start-up, the loop that waits and dispatches, reloads,
 * health, and the commands around it.
 */
#ifndef DEPSENTRY_DAEMON_H
#define DEPSENTRY_DAEMON_H

#include <limits.h>
#include <signal.h>
#include <time.h>

#include "output/output.h"

/* The state file of one daemon (state.c). */
struct state_file {
	bool watchdog;	      /* systemd's WatchdogSec= is on for this process */
	bool watchdog_failed; /* a ping could not be sent: said once */
	bool active;	      /* this daemon keeps the state file */
	bool started;	      /* and has written it */
	bool failed;	      /* a write failed: said once */
	char path[PATH_MAX];
	struct tamper_state st;
	struct tamper_prev prev;
	time_t written;
};

/* The status file and line of one daemon (status.c). */
struct status_file {
	bool on;     /* started: this daemon keeps one */
	bool wanted; /* SIGUSR1 came */
	time_t started;
	time_t logged;		/* last line logged */
	bool failed;		/* the file could not be written: said once */
	char written[PATH_MAX]; /* the file this daemon wrote, removed at exit */
};

enum user_counter {
	UC_MALFORMED,	      /* records that failed validation */
	UC_TABLE_FULL,	      /* processes not kept: table at its cap */
	UC_TRACK_FAILED,      /* kernel tracked-map updates that failed */
	UC_ALERT_FAILED,      /* alerts that could not be rendered */
	UC_DNS_DROPPED,	      /* DNS packets the capture socket could not queue */
	UC_DNS_MALFORMED,     /* DNS packets or messages that failed to parse */
	UC_DNS_NETNS_FAILED,  /* network namespaces of sessions not captured */
	UC_RENAME_OVERFLOW,   /* fanotify queue overflows: renames lost */
	UC_RENAME_UNRESOLVED, /* renames whose directory was gone before it was read */
	UC_MAX,
};

/* The daemon: the state of one `run` or `exec`, set up by loop_new. */
struct daemon_ctx {
	const struct config *cfg; /* the running configuration */
	struct config **live;	  /* its owner's pointer, swapped by a reload */
	const char *config_opt;	  /* -c, or NULL: config_path() */
	struct sensor *sensor;	  /* NULL in unit tests: no capture */
	const struct host_info *host;
	struct outputs *out;   /* the alert outputs; NULL: none (unit tests) */
	struct events *events; /* the events file; NULL: none */
	/* the model and the rules */
	struct proctable *pt;
	struct egress *egress;
	struct files *files;
	struct gate *gate;
	struct judges judges; /* what the rules' judges work with */
	struct tamper_event tamper;
	/* a sensor-signal verdict's */ /* exclusions, min_severity, repeats */
	/* capture */
	struct ring_buffer *rb;
	struct fswatch *fsw;	    /* renames outside sessions; NULL: name hooks always on */
	struct dnscap *dnscap;	    /* DNS answers; NULL without a sensor */
	struct session_hooks hooks; /* attached while sessions run */
	struct status_file status;  /* the health line and file */
	struct state_file *state;   /* run's state file; NULL: none (exec, tests) */
	/* waiting */
	int epfd;
	int sigfd; /* the signals below, read instead of handled */
	sigset_t sigmask;
	bool stop;
	time_t last_sweep;
	bool repin_failed; /* said once */
	/* counters */
	uint64_t records[DS_EV_MAX];
	uint64_t alerts;
	uint64_t rule_alerts[RULE_MAX]; /* alerts written, by rule */
	uint64_t responses;		/* connections refused, processes stopped */
	uint64_t killed;		/* processes stopped */
	uint64_t user[UC_MAX];
	uint64_t kernel[DS_COUNTER_MAX];
	uint64_t reported[DS_COUNTER_MAX + UC_MAX];
};

/* loop.c: wait, and hand each record, packet, rename and signal on */
/* Table, ring buffer, /proc scan and signalfd ready (SIGINT, SIGTERM,
 * SIGHUP and SIGUSR1 blocked from now on); hooks already attached. Without
 * a sensor (unit tests), the table, the rules and the signals only. */
struct daemon_ctx *loop_new(const struct config *c, struct sensor *s, const struct host_info *h,
			    struct outputs *out, struct events *ev);
int loop_run(struct daemon_ctx *d);   /* until SIGINT or SIGTERM (or SIGCHLD) */
void loop_free(struct daemon_ctx *d); /* logs the final counts, unblocks the signals */
/* Judge by c from the next record on (a reload): the loop, the network and
 * file arms together. 0, or -errno with nothing changed. */
int loop_set_config(struct daemon_ctx *d, const struct config *c);
/* SIGHUP reads the configuration again (config_opt, as at start): *live is
 * the running one, replaced and freed by a successful reload. */
void loop_set_reload(struct daemon_ctx *d, const char *config_opt, struct config **live);
void loop_reload(struct daemon_ctx *d);
/* SIGCHLD stops the loop too (exec: CMD exited). */
void loop_stop_on_child(struct daemon_ctx *d);
/* Read and answer the signals that came. */
void loop_signals(struct daemon_ctx *d);
/* What is held back goes out as at exit (repeated sightings, held
 * writes). */
void loop_flush(struct daemon_ctx *d);

/* dispatch.c: a record to the model and the rules, a verdict through the
 * gate to the outputs */
/* The record handler: returns 0, or -EINVAL for a malformed record
 * (counted, never fatal). */
int dispatch_record(struct daemon_ctx *d, const void *data, size_t len);
/* respond.c: stop what an alert judged, as configured; r says what was done */
void respond(struct daemon_ctx *d, const struct proc *p, const struct verdict *v,
	     struct response *r);
/* Write an alert about p through the gate, counted with the others. */
void dispatch_emit(struct daemon_ctx *d, const struct proc *p, struct verdict *v, uint64_t ts);
/* The callbacks of the parts: tracked sessions, file events and alerts,
 * repeats, processes found in /proc, DNS answers. */
void dispatch_track(const struct proc *p, void *arg);
void dispatch_file_seen(const struct file_event *ev, void *arg);
void dispatch_file_alert(const struct file_event *ev, void *arg);
void dispatch_repeated(const struct verdict *v, uint32_t pid, uint64_t start, const char *comm,
		       uint64_t ts, void *arg);
void dispatch_scanned(struct proc *p, void *arg);
void dispatch_dns_answer(const struct dns_packet *pk, const struct dns_msg *m, uint64_t now_ns,
			 void *arg);

/* start.c: the one start-up of `run` and `exec` */
struct daemon {
	/* the command line */
	const char *config_opt; /* -c, or NULL */
	const char *outputs[MAX_OUTPUTS];
	size_t noutputs;	/* none: DEFAULT_ALERT_PATH */
	const char *events_opt; /* -e, over the configuration's */
	bool keep_state;	/* run: the state file, the pinned tamper map */
	/* what is set up */
	struct config *cfg; /* owned; a reload replaces it */
	struct host_info host;
	struct outputs out;
	struct events events;
	struct state_file state;
	struct sensor *sensor;
	struct daemon_ctx *loop;
};

/* -c FILE, -o FILE, -e FILE: 0, -EINVAL (said), or -ENOENT when ch is
 * none of them. */
int daemon_option(struct daemon *dm, int ch, const char *arg);
int daemon_config(struct daemon *dm); /* 0, or -EINVAL with the errors printed */
/* Outputs, events, host, sensor and loop: 0, or -errno (logged); what was
 * set up is closed by daemon_close either way. */
int daemon_open(struct daemon *dm);
void daemon_close_loop(struct daemon *dm); /* the loop alone, first: its counts */
void daemon_close(struct daemon *dm);

/* renames.c: renames outside install sessions, through fanotify */
void renames_open(struct daemon_ctx *d);
void renames_drain(struct daemon_ctx *d);

/* reload.c: what a SIGHUP changes */
/* The alert and events files opened again by name (after a rotation). */
void reload_reopen(struct outputs *out, struct events *ev);
/* The configuration read again from config_path(opt), with the settings
 * that need a restart kept as in old (each one logged); NULL, with every
 * error logged, when it has errors. */
struct config *reload_read(const char *opt, const struct config *old);
/* Settings that need a restart: each one c changes is logged and set back
 * to old's value; returns how many. */
int reload_keep_restart_settings(struct config *c, const struct config *old);

/* notify.c: a state for systemd (READY=1, WATCHDOG=1, ...); 0 without
 * NOTIFY_SOCKET, or -errno (logged when log_failure) */
int notify_systemd(const char *state, bool log_failure);

/* pidfile.c: run -p FILE */
int pidfile_write(const char *path); /* 0 or -errno, logged */
void pidfile_remove(const char *path);

/* report.c and agent.c: the report and exec commands */
#define REPORT_EXIT_ALERTS 3 /* report and exec: the --fail-on threshold was crossed */
int report_main(int argc, char **argv);
int report_parse_format(const char *s, enum report_format *fmt);
int report_parse_fail_on(const char *s, enum severity *sev); /* also "none" */
int agent_main(int argc, char **argv);

/* caps.c: the capabilities the running daemon keeps (docs/deployment.md) */
uint64_t caps_kept(void); /* bit (1 << CAP_x) for each */
/* Keep only those, in the effective, permitted and bounding sets; empty the
 * inheritable and ambient sets; set no_new_privs. 0 or -errno. */
int caps_drop(void);

#define STATUS_LOSSES_MAX 32

struct status_count {
	const char *name;
	uint64_t value;
};

struct status {
	uint32_t pid;				       /* set by status_update */
	uint64_t uptime;			       /* seconds, set by status_update */
	uint64_t records[DS_EV_MAX];		       /* records read, by type */
	uint64_t alerts[RULE_MAX];		       /* alerts written, by rule */
	struct status_count losses[STATUS_LOSSES_MAX]; /* every loss counter */
	size_t nlosses;
	uint64_t processes;	  /* live entries of the process table */
	uint64_t exited_held;	  /* exited ancestors kept for a descendant */
	uint64_t sessions;	  /* install sessions alive */
	uint64_t dns_cache;	  /* addresses with a name */
	uint64_t dns_unsolicited; /* DNS answers ignored: no question of this host asked them */
	uint64_t held_writes;	  /* file writes waiting for their writer */
	bool network_hooks;	  /* connect hooks and DNS capture attached */
};

void status_start(struct status_file *sf);   /* the uptime starts */
void status_request(struct status_file *sf); /* SIGUSR1: a line at the next update */
/* The line; -ENOSPC when it had to be cut to fit len. */
int status_format(const struct status *st, char *buf, size_t len);
/* Write line to path atomically (temporary file, rename), mode 0644. */
int status_write(const char *path, const char *line);
/* Once a second: the status file; the log line when due or asked for. */
void status_update(struct status_file *sf, struct status *st, const struct config *c);
void status_remove(struct status_file *sf); /* at exit: the file this daemon wrote */
int status_main(int argc, char **argv);	    /* depsentry status [-c FILE] */

/* state.c: the daemon's life, for `run`: read what the last daemon left
 * and say where to pin (NULL: another daemon runs, or no state is kept);
 * after the loop is set up, alert an unclean stop and mark this one
 * running; every second and at a session's start, the heartbeat (a no-op
 * on NULL: exec keeps no state); at a clean stop, say so. */
const char *tamper_open(struct state_file *T, const struct config *c);
void tamper_started(struct state_file *T, struct daemon_ctx *d, struct sensor *s,
		    const struct config *c);
void tamper_heartbeat(struct state_file *T, uint32_t sessions);
void tamper_stopped(struct state_file *T);

#endif /* DEPSENTRY_DAEMON_H */
