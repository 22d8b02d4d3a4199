/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Output: alerts and events rendered as ECS JSON lines and written, and
 * the alert log read back for `report` and `exec`.
 */
#ifndef DEPSENTRY_OUTPUT_H
#define DEPSENTRY_OUTPUT_H

#include "rules/rules.h"

#define CHAIN_MAX 16 /* ancestry entries put in one alert */

/* fields.c: the one list of the fields alerts and events are written with,
 * by their dotted names; docs/fields.md describes each. */
extern const char *const alert_fields[];
extern const size_t alert_nfields;
bool alert_field_known(const char *path);

/* alert.c */
/* Render one alert as a JSON line ending in '\n'; returns a malloc'd
 * string and its length, or NULL. */
char *alert_render(const struct host_info *h, const struct proc *p, const struct verdict *v,
		   uint64_t event_ts, size_t *len);
/* The same for an event (event.kind "event"): the process start of p, or
 * v's connect, DNS question or file; no rule, threat, verdict or ancestry. */
char *event_render(const struct host_info *h, const struct proc *p, const struct verdict *v,
		   uint64_t event_ts, size_t *len);

/* summary.c: what an alert log says, for `report` and `exec` */
enum report_format {
	REPORT_TEXT,
	REPORT_MARKDOWN, /* for $GITHUB_STEP_SUMMARY */
	REPORT_JSON,
};

struct summary;

/* Count alerts at or after since_ns (ns since the epoch, 0: all); fail_on
 * (SEV_NONE: none) is the threshold the summary reports on. */
struct summary *summary_new(int64_t since_ns, enum severity fail_on);
void summary_free(struct summary *s);
/* One line of a log, without its newline. A line that is not an alert is
 * counted as malformed: -EINVAL, and *why (when given) says why. */
int summary_add(struct summary *s, const char *line, size_t len, const char **why);
/* Count only alerts from CMD of depsentry exec (depsentry.exec.pid), the
 * others apart. */
void summary_scope(struct summary *s, int64_t exec_pid);
enum severity summary_highest(const struct summary *s); /* SEV_NONE: no alert */
uint64_t summary_at_or_above(const struct summary *s, enum severity sev);
int summary_print(const struct summary *s, enum report_format fmt, const char *title, FILE *f);
/* RFC 3339 (2026-11-23T09:41:26.650Z, or with +hh:mm) to ns since the epoch. */
int summary_parse_time(const char *s, int64_t *ns);

/* output.c: the alert outputs, owned by the daemon (start.c) */
typedef void (*output_tap_fn)(const char *line, size_t len, void *arg);

struct output_dest {
	int fd;
	bool owned;	  /* opened here, closed by output_close */
	const char *path; /* the caller's string, for output_reopen */
};

struct outputs {
	struct output_dest d[MAX_OUTPUTS];
	size_t n;
	uint64_t written;  /* lines written whole, summed over destinations */
	uint64_t errors;   /* failed or short writes */
	output_tap_fn tap; /* sees every line, written or not */
	void *tap_arg;
};

int output_open(struct outputs *out, const char *const *paths, size_t n); /* "-" is stdout */
/* one write per destination; -EBADF when out is NULL or has none */
int output_write(struct outputs *out, const char *line, size_t len);
/* Open each file by its name again (after a rename); on failure the file
 * open before is kept. 0, or the first -errno. Paths must outlive outputs. */
int output_reopen(struct outputs *out);
void output_close(struct outputs *out);
/* fn sees every line given to output_write, before it is written. */
void output_set_tap(struct outputs *out, output_tap_fn fn, void *arg);
/* Lines written whole, and failed or short writes, summed over destinations. */
void output_stats(const struct outputs *out, uint64_t *written, uint64_t *errors);
/* One destination on its own: path opened for appending, its directory
 * made ("-": stdout, *owned false); the descriptor, or -errno. */
int output_open_path(const char *path, bool *owned);
/* Open path anew in place of *fd (after a rename; stdout stays); on
 * failure *fd is kept. 0 or -errno, logged. */
int output_reopen_path(const char *path, int *fd);
/* line in one write(2), a short one finished: 0 when whole, 1 when it
 * took several writes (not atomic), -errno when it failed. */
int output_line(int fd, const char *line, size_t len);

/* events.c: the ECS events behind the rules, one line each in a file of
 * their own (docs/events.md); every call is a no-op while none is open */
struct events_stats {
	uint64_t written;    /* lines written whole */
	uint64_t unrendered; /* lines that could not be rendered */
	uint64_t failed;     /* writes that failed: line lost */
	uint64_t split;	     /* lines written in several pieces */
};

/* The events file, owned by the daemon; every call is a no-op on NULL or
 * one that is not open. */
struct events {
	bool on; /* open: a zeroed one is not */
	int fd;
	bool owned; /* opened here, closed by events_close */
	char *path; /* for events_reopen */
	enum events_scope scope;
	struct events_stats st;
	uint64_t reported; /* lines lost at the last report */
};

int events_open(struct events *ev, const char *path, enum events_scope scope); /* 0 or -errno */
bool events_enabled(const struct events *ev);
/* The start of p (after its exec): all processes, or sessions' only. */
void events_exec(struct events *ev, const struct host_info *h, const struct proc *p, uint64_t ts);
/* A connect or a DNS question of p (a stub when unknown). */
void events_net(struct events *e, const struct host_info *h, const struct proc *p,
		const struct net_event *ev, uint64_t ts);
/* A watched file written, renamed or linked onto by p. */
void events_file(struct events *e, const struct host_info *h, const struct proc *p,
		 const struct file_event *ev);
void events_stats(const struct events *ev, struct events_stats *st);
/* Log lost lines once they change (final: every counter, at exit). */
void events_report(struct events *ev, bool final);
void events_close(struct events *ev); /* reports the final counts */
/* Open the events file by its name again (SIGHUP after a rename); on
 * failure the file open before is kept. 0 or -errno, logged. */
int events_reopen(struct events *ev);

#endif /* DEPSENTRY_OUTPUT_H */
