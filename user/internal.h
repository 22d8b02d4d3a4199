/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* depsentry user space: the one internal header. */
#ifndef DEPSENTRY_INTERNAL_H
#define DEPSENTRY_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "depsentry.h"

#define DEPSENTRY_VERSION	"0.1.0"
#define ECS_VERSION		"9.4.0"
#define DEFAULT_CONFIG_PATH	"/etc/depsentry/depsentry.json"
#define DEFAULT_ALERT_PATH	"/var/log/depsentry/alerts.json"
#define MAX_OUTPUTS		4
#define CHAIN_MAX		16	/* ancestry entries put in one alert */

#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))

/* log.c */
void log_init(int verbose, bool use_syslog);
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warnx(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_debug(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
void fatalx(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

/* match.c: EQL-style matching, always case-insensitive */
struct strlist {
	char **v;
	size_t n;
};

bool match_like(const char *pattern, const char *s);	/* like~: '*' any run, '?' one char */
bool match_in(const struct strlist *l, const char *s);	/* in~: exact membership */
/* like~ over a list: returns the first pattern matching s, or NULL */
const char *match_any(const struct strlist *l, const char *s);
void strlist_free(struct strlist *l);

/* config.c */
enum severity {
	SEV_NONE = 0,
	SEV_LOW,
	SEV_MEDIUM,
	SEV_HIGH,
	SEV_CRITICAL,
};

const char *severity_name(enum severity s);	/* "low", ... */
int severity_score(enum severity s);		/* 21, 47, 73, 99 */

/* How a package-manager process is recognised: its executable basename
 * matches one of executables and, when given, its script (first
 * non-option argument of an interpreter, or the module after -m) matches
 * one of scripts and its command line one of command_lines. */
struct pm_def {
	char *name;		/* "npm" */
	char *package_type;	/* ECS package.type: "npm", "pypi", ... */
	struct strlist executables;
	struct strlist scripts;
	struct strlist command_lines;
};

/* A suspicious-list entry: names (like~ on process names) or patterns
 * (like~ on the whole command line), with the severity they carry. */
struct sus_group {
	enum severity severity;
	char *reason;		/* "network tool", "reverse shell", ... */
	struct strlist patterns;
};

/* An exclusion matches when every non-empty list matches (lists are OR). */
struct exclusion {
	char *comment;
	struct strlist executables;	/* like~ on process names or executable path */
	struct strlist command_lines;	/* like~ on the command line */
	struct strlist packages;	/* like~ on package.name */
	struct strlist users;		/* in~ on user name or numeric uid */
	struct strlist ancestors;	/* like~ on any ancestor's name or command line */
};

struct config {
	char *source;			/* file name, or "(built-in)" */
	uint32_t ringbuf_bytes;		/* power of two, >= 4096 * 64 */
	uint32_t proctable_max;		/* processes kept, >= 1024 */
	struct strlist env_vars;	/* environment variables captured */
	struct pm_def *pms;
	size_t npms;
	struct strlist shells;		/* shell names */
	struct sus_group *names;	/* suspicious process names */
	size_t nnames;
	struct sus_group *cmdlines;	/* suspicious command-line patterns */
	size_t ncmdlines;
	bool pm_child_enabled;		/* rule pm-suspicious-child */
	bool lifecycle_enabled;		/* rule lifecycle-hook-suspicious-child */
	struct strlist lifecycle_parents;	/* like~ on an ancestor command line */
	struct strlist lifecycle_events;	/* in~ on npm_lifecycle_event */
	struct exclusion *excl;
	size_t nexcl;
	enum severity min_severity;	/* alerts below are not written */
};

extern const char config_builtin[];	/* config/depsentry.json, compiled in */

/* Parse path (NULL: the built-in default) into a new config. Every error is
 * printed to errs as "FILE:LINE: message" or "FILE: $.json.path: message";
 * returns 0, or -EINVAL with *out untouched. */
int config_load(const char *path, struct config **out, FILE *errs);
int config_parse(const char *name, const char *text, size_t len, struct config **out,
		 FILE *errs);
void config_free(struct config *c);

/* proctable.c: the process-ancestry cache */
struct envvar {
	char *name;
	char *value;
};

/* What exec put into a process; shared by a forked child until it execs. */
struct image {
	int refs;
	uint32_t flags;		/* DS_F_* truncation flags */
	char comm[DS_COMM_LEN];
	char *exe;		/* resolved executable path */
	char *filename;		/* path as invoked */
	char *name;		/* basename of exe */
	char **argv;		/* argc strings, NULL-terminated */
	int argc;
	char *cmdline;		/* argv joined by spaces */
	char *cwd;
	struct envvar *env;	/* configured variables found in environ */
	size_t nenv;
};

struct session;

struct proc {
	uint32_t pid;
	uint32_t ppid;		/* fork-time parent */
	uint64_t start;		/* boot-time ns */
	uint64_t exec_ts;	/* boot-time ns of the last exec, 0 if none seen */
	uint32_t uid;
	uint32_t gid;
	uint64_t cgroup_id;
	struct proc *parent;	/* fork-time parent, holds a reference */
	struct image *img;	/* never NULL once inserted */
	struct session *sess;	/* install session, NULL outside one */
	uint16_t depth;		/* generations below the session root, 0 = root */
	bool exited;
	bool from_proc;		/* found by the /proc scan, start time approximate */
	int refs;		/* table + children */
	int exit_code;
	struct proc *hnext;	/* hash chain */
	struct proc *lru_prev, *lru_next;	/* exited list, oldest first */
};

struct session {
	int refs;			/* member processes other than the root */
	uint64_t id;			/* also the value in the kernel's tracked map */
	const struct pm_def *pm;	/* the package manager that rooted it */
	struct proc *root;		/* holds a reference until the session ends */
	struct session *next;
};

/* The table: one entry per live process, plus exited ancestors still
 * referenced by a descendant. Bounded by max; see docs/architecture.md. */
struct proctable;

struct proctable_stats {
	uint64_t live;		/* entries in the hash */
	uint64_t held;		/* exited entries kept for a descendant's ancestry */
	uint64_t full;		/* inserts refused: table at its cap */
	uint64_t sessions;	/* install sessions alive */
	uint64_t swept;		/* entries retired because /proc no longer had them */
};

/* Called for each process that joins a session while alive, so the kernel
 * can track it too. */
typedef void (*track_fn)(const struct proc *p, void *arg);

struct proctable *proctable_new(uint32_t max);
void proctable_free(struct proctable *t);
struct proc *proctable_find(struct proctable *t, uint32_t pid, uint64_t start);
struct proc *proctable_fork(struct proctable *t, uint32_t pid, uint64_t start, uint32_t ppid,
			    uint64_t pstart);
/* Replace the image of (pid, start), creating the entry if needed; takes
 * the image reference. Returns NULL (image released) if the table is full. */
struct proc *proctable_exec(struct proctable *t, uint32_t pid, uint64_t start, uint32_t ppid,
			    uint64_t pstart, struct image *img);
void proctable_exit(struct proctable *t, uint32_t pid, uint64_t start, int code);
/* Root a new session at p; p and its live descendants join it. */
struct session *proctable_session_start(struct proctable *t, struct proc *p,
					const struct pm_def *pm, track_fn track, void *arg);
struct session *proctable_session_by_id(struct proctable *t, uint64_t id);
void proctable_join(struct proc *p, struct session *s, uint16_t depth);
/* Retire entries whose process is gone (a lost exit record). */
void proctable_sweep(struct proctable *t);
void proctable_stats(const struct proctable *t, struct proctable_stats *st);
void proctable_set_host(const char *host_id);

struct image *image_new(void);
struct image *image_get(struct image *img);
void image_put(struct image *img);
/* Build an image from an exec record; env from the record, else inherited. */
struct image *image_from_exec(const struct ds_exec *e, const char *data, size_t len,
			      const struct strlist *env_vars, const struct image *inherit);
int image_set_argv(struct image *img, const char *buf, size_t len);
int image_set_env(struct image *img, const char *buf, size_t len, const struct strlist *vars);

/* procfs.c: processes that were running before the hooks were attached */
typedef void (*proc_fn)(struct proc *p, void *arg);
/* Insert every running process, parents first; added() sees each one. */
int procfs_scan(struct proctable *t, const struct strlist *env_vars, proc_fn added, void *arg);
uint64_t procfs_boot_ns_from_ticks(unsigned long long ticks);
bool procfs_alive(uint32_t pid, uint64_t start);

/* sensor.c: the BPF object's life: open, size, load, attach, detach */
struct sensor;

struct sensor *sensor_open(const struct config *c);	/* loaded and attached, or NULL */
void sensor_close(struct sensor *s);
struct ring_buffer;
struct ring_buffer *sensor_ringbuf(struct sensor *s, int (*fn)(void *, void *, size_t),
				   void *ctx);
int sensor_track(struct sensor *s, uint32_t pid, uint64_t session);
/* Sum the per-CPU counters (enum ds_counter) into out. */
int sensor_counters(struct sensor *s, uint64_t out[DS_COUNTER_MAX]);
const char *sensor_counter_name(int i);

/* loop.c: decode records, keep the table, run the rules, write alerts */
struct daemon_ctx;
struct host_info;
/* Table, ring buffer and /proc scan ready; hooks already attached. */
struct daemon_ctx *loop_new(const struct config *c, struct sensor *s, const struct host_info *h);
int loop_run(struct daemon_ctx *d);	/* until SIGINT or SIGTERM */
void loop_free(struct daemon_ctx *d);	/* logs the final counts */
/* The record handler, exposed for tests: returns 0, or -EINVAL for a
 * malformed record (counted, never fatal). */
int loop_handle_record(struct daemon_ctx *d, const void *data, size_t len);

/* Lookups used by rules and alerts. */
const char *proc_env(const struct proc *p, const char *name);	/* NULL if unset */
const char *proc_package_name(const struct proc *p);
const char *proc_package_version(const struct proc *p);
const char *proc_lifecycle_event(const struct proc *p);
/* The entity id: stable across the life of a process, unique per host. */
void proc_entity_id(const struct proc *p, char *buf, size_t len);

/* rules.c */
enum rule_id {
	RULE_NONE = 0,
	RULE_PM_CHILD,		/* pm-suspicious-child */
	RULE_LIFECYCLE,		/* lifecycle-hook-suspicious-child */
	RULE_MAX,
};

struct rule_info {
	const char *id;
	const char *name;
	const char *description;
	const char *reference;
};

const struct rule_info *rule_info(enum rule_id r);

struct verdict {
	enum rule_id rule;		/* RULE_NONE: no alert */
	enum severity severity;
	const char *reason;		/* the matched group's reason */
	const char *matched;		/* the name or pattern that matched */
	const char *matched_field;	/* "process.name", "process.command_line", ... */
	const struct proc *hook;	/* lifecycle rule: ancestor whose command line matched */
	unsigned int rules_matched;	/* bit (1 << rule_id) for every rule that matched */
	const char *excluded_by;	/* comment of the exclusion that suppressed it */
};

/* Evaluate every process rule for p, just after its exec. */
void rules_eval(const struct config *c, const struct proc *p, struct verdict *v);
/* Is p a package manager by its executable and arguments? */
const struct pm_def *rules_package_manager(const struct config *c, const struct proc *p);

/* alert.c */
struct host_info {
	char hostname[256];
	char id[64];		/* /etc/machine-id */
	char os_name[128];	/* PRETTY_NAME-less NAME from os-release */
	char os_version[64];
	char os_kernel[128];
	char os_family[32];
	char agent_id[64];
	char architecture[32];	/* uname machine: "x86_64" */
};

void host_info_load(struct host_info *h);
/* Convert a boot-time ns stamp into an RFC 3339 UTC string with ms. */
void format_boot_time(uint64_t boot_ns, char *buf, size_t len);
/* Render one alert as a JSON line ending in '\n'; returns a malloc'd
 * string and its length, or NULL. */
char *alert_render(const struct host_info *h, const struct proc *p, const struct verdict *v,
		   uint64_t event_ts, size_t *len);
/* host.c: the 64-hex container id in /proc/<pid>/cgroup, if that pid still
 * is the process started at start_ns; false when none or unknown. */
bool host_container_id(uint32_t pid, uint64_t start_ns, char *buf, size_t len);

/* output.c */
int output_open(const char *const *paths, size_t n);	/* "-" is stdout */
int output_write(const char *line, size_t len);	/* one write per destination */
void output_close(void);
/* Lines written whole, and failed or short writes, summed over destinations. */
void output_stats(uint64_t *written, uint64_t *errors);
#endif /* DEPSENTRY_INTERNAL_H */
