/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/* depsentry user space: the one internal header. */
#ifndef DEPSENTRY_INTERNAL_H
#define DEPSENTRY_INTERNAL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

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

/* net addresses, shared by the DNS cache, the allowlist and the alerts */
struct ipaddr {
	uint8_t family;		/* AF_INET or AF_INET6, 0 if none */
	uint8_t bytes[16];	/* network order; an IPv4 address fills the first 4 */
};

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
int severity_parse(const char *s, enum severity *out);	/* "low".."critical": 0 or -EINVAL */

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
	struct strlist rules;		/* in~ on rule ids it applies to; empty: all */
};

/* One registry allowlist entry: a name, a *.suffix or a CIDR (an address
 * is a /32 or /128), with a port or 0 for any. Names are lower-case
 * without a trailing dot; a suffix entry matches names below it only. */
enum allow_kind {
	ALLOW_NAME = 1,
	ALLOW_SUFFIX,
	ALLOW_CIDR,
};

struct allow_entry {
	enum allow_kind kind;
	char *text;		/* as configured, for messages and alerts */
	char *name;		/* ALLOW_NAME, ALLOW_SUFFIX (without the "*.") */
	struct ipaddr net;	/* ALLOW_CIDR, host bits cleared */
	uint8_t prefix;
	uint16_t port;
};

/* Who wrote a watched file, which decides the severity. */
enum file_writer {
	WRITER_OTHER = 0,
	WRITER_SESSION,		/* inside an install session: a package's hook */
	WRITER_SUSPICIOUS,	/* a shell, curl/wget, a one-liner, a binary from /tmp */
	WRITER_KNOWN,		/* git, an editor, a build tool */
	WRITER_MAX,
};

/* Which processes' starts the events file gets (docs/events.md). */
enum events_scope {
	EVENTS_SESSIONS = 0,	/* those of install sessions */
	EVENTS_ALL,		/* every process */
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
	/* the network arm: rule pm-unexpected-egress */
	bool egress_enabled;
	enum severity egress_severity;		/* an unlisted destination with a name */
	enum severity egress_raw_severity;	/* a destination with no known name */
	enum severity egress_dns_severity;	/* a question for an unlisted name */
	struct allow_entry *allow;		/* the registry allowlist */
	size_t nallow;
	bool dns_capture;			/* watch DNS answers and questions */
	uint32_t dns_cache_max;			/* addresses remembered */
	uint32_t dns_min_ttl, dns_max_ttl;	/* seconds an answer is kept */
	uint32_t dns_question_timeout;		/* seconds a question waits for its answer */
	/* the CI/CD-file arm: rule cicd-file-modified */
	bool cicd_enabled;
	enum severity cicd_sev[WRITER_MAX];	/* by who wrote it */
	struct strlist watch_pipeline;		/* like~ on the absolute path */
	struct strlist watch_build;		/* the same, unless in a generated tree */
	struct strlist generated_markers;	/* file names that mark a build tree */
	struct strlist ignored_paths;		/* dependency trees: package contents */
	bool rename_tracepoints_always;		/* not fanotify outside sessions: sees links */
	struct strlist writers_suspicious;	/* like~ on process names or executable */
	struct strlist writers_suspicious_cmd;	/* like~ on the command line */
	struct strlist writers_known;		/* like~ on process names or executable */
	/* the events behind the rules (docs/events.md) */
	char *events_output;			/* a file or "-", NULL: none unless -e */
	enum events_scope events_scope;
	/* health: status.c */
	uint32_t status_interval;		/* seconds between status lines, 0: never */
	char *status_file;			/* NULL: STATUS_FILE_DEFAULT */
	char *state_file;			/* NULL: STATE_FILE_DEFAULT (tamper.c) */
};

extern const char config_builtin[];	/* config/depsentry.json, compiled in */

/* Parse path (NULL: the built-in default) into a new config. Every error is
 * printed to errs as "FILE:LINE: message" or "FILE: $.json.path: message";
 * returns 0, or -EINVAL with *out untouched. */
int config_load(const char *path, struct config **out, FILE *errs);
int config_parse(const char *name, const char *text, size_t len, struct config **out,
		 FILE *errs);
void config_free(struct config *c);
/* The file to read: -c's, else the system file when it exists, else NULL
 * (the built-in default). */
const char *config_path(const char *opt);

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
	int argc_total;		/* the exec's own count, when argv holds fewer; else 0 */
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
	const struct pm_def *pm;	/* the package manager that rooted it: own_pm */
	struct pm_def own_pm;		/* its name and package_type, copied: a config
					 * reload may free the definition */
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
/* by pid alone, the live entry or else the last that exited (kept a while) */
struct proc *proctable_find_late(struct proctable *t, uint32_t pid);
void proctable_forget(struct proctable *t, bool all);
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
int procfs_start(uint32_t pid, uint64_t *start);	/* boot-time ns, 0 or -errno */
/* alive as that process, and not a zombie: exited, if not reaped yet */
bool procfs_running(uint32_t pid, uint64_t start);
/* /proc/<pid>/comm into buf ("" when gone) */
void procfs_comm(uint32_t pid, char *buf, size_t len);
/* Replace the captured variables of live p with what its environment holds
 * now, unless its exec record carried them; 0 or -errno. */
int procfs_env(struct proc *p, const struct strlist *vars);
/* The parsers of what /proc gives (buf NUL-terminated): the fork-time
 * parent and start time in clock ticks from /proc/PID/stat (0 or
 * -EINVAL), and the real uid and gid from /proc/PID/status (left as they
 * were when absent). */
int procfs_parse_stat(const char *buf, uint32_t *ppid, unsigned long long *ticks, char *state);
void procfs_parse_ids(const char *buf, uint32_t *uid, uint32_t *gid);

/* dns.c: DNS messages seen on the wire, and the names they give addresses */
#define DNS_NAME_MAX	254	/* presentation form, no trailing dot, plus NUL */
#define DNS_ADDRS_MAX	32	/* addresses kept from one answer */
#define DNS_CHAIN_MAX	8	/* CNAME links followed from the question */

/* One UDP datagram to or from port 53, as captured at the network layer. */
struct dns_packet {
	struct ipaddr src, dst;
	uint16_t sport, dport;		/* host order */
	const uint8_t *payload;		/* the DNS message, inside the packet */
	size_t payload_len;
};

struct dns_answer {
	struct ipaddr addr;
	uint32_t ttl;			/* the smallest TTL along the CNAME chain */
};

/* A parsed message: the first question, and for a response the A/AAAA
 * records reachable from the question name through its CNAME chain (other
 * records are ignored, so an answer cannot name addresses for an owner
 * the client did not ask about). Names are lower-case, without the
 * trailing dot. */
struct dns_msg {
	uint16_t id;
	bool response;
	uint8_t rcode;
	uint16_t qtype;
	uint16_t qclass;
	char qname[DNS_NAME_MAX];
	char chain[DNS_CHAIN_MAX][DNS_NAME_MAX];	/* CNAME targets, in order */
	size_t nchain;
	struct dns_answer addrs[DNS_ADDRS_MAX];
	size_t naddrs;
	bool addrs_truncated;		/* more than DNS_ADDRS_MAX matched */
};

/* Parse an IPv4 or IPv6 packet (no link header) carrying UDP to or from
 * port 53; -EINVAL for anything else or anything malformed. */
int dns_packet_parse(const uint8_t *pkt, size_t len, struct dns_packet *out);
/* Parse a DNS message; -EINVAL when malformed (loops, bad pointers, labels
 * over 63, names over 253, truncation, no question). */
int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out);
const char *dns_qtype_name(uint16_t qtype);	/* "A", "AAAA", ..., NULL if unknown */

/* The (network namespace, IP) -> name cache: bounded, least recently
 * added evicted first; an entry lives for its TTL clamped to [min_ttl,
 * max_ttl] seconds. A namespace is the inode number of its nsfs file. */
struct dns_cache;

struct dns_cache_stats {
	uint64_t entries;
	uint64_t inserted;
	uint64_t evicted;	/* dropped to make room */
	uint64_t expired;	/* dropped at or after their TTL */
	uint64_t forgotten;	/* taken back (dns_cache_forget) */
};

struct dns_cache *dns_cache_new(uint32_t max, uint32_t min_ttl, uint32_t max_ttl);
void dns_cache_free(struct dns_cache *c);
/* New limits, keeping what the cache holds (the oldest entries go when max
 * shrinks; entries keep the expiry they were given). 0, or -ENOMEM or
 * -EINVAL with the cache unchanged. */
int dns_cache_resize(struct dns_cache *c, uint32_t max, uint32_t min_ttl, uint32_t max_ttl);
/* Remember that addr is name in namespace netns, from now_ns (any
 * monotonic ns clock). A newer answer for the same address there replaces
 * the name and TTL. */
int dns_cache_add(struct dns_cache *c, uint32_t netns, const struct ipaddr *addr,
		  const char *name, uint32_t ttl, uint64_t now_ns);
/* The name addr had in netns, or NULL when unknown or expired. Valid until
 * the next call that changes the cache. */
const char *dns_cache_lookup(struct dns_cache *c, uint32_t netns, const struct ipaddr *addr,
			     uint64_t now_ns);
/* Drop addr's entry in netns if it still says name: 0, or -ENOENT. */
int dns_cache_forget(struct dns_cache *c, uint32_t netns, const struct ipaddr *addr,
		     const char *name);
void dns_cache_expire(struct dns_cache *c, uint64_t now_ns);
void dns_cache_stats(const struct dns_cache *c, struct dns_cache_stats *st);

/* dnsq.c: the DNS questions that left this host. An answer is believed
 * only as the answer to one of them (docs/rules.md): the same transaction
 * id, question name, type and class, to the address and port the question
 * left from, from the server and port 53 it went to, within the timeout,
 * and only once. Everything else is counted as unsolicited and ignored. */
#define DNSQ_MAX	4096	/* questions waiting for their answer, at most */

struct dnsq;

/* A question as it left its socket (addresses as on the wire). */
struct dnsq_question {
	struct ipaddr client, server;
	uint16_t cport;			/* the client's port; the server's is 53 */
	uint16_t id;
	uint16_t qtype, qclass;
	char qname[DNS_NAME_MAX];	/* lower-case, as dns_parse gives it */
	uint32_t netns;			/* the asking socket's network namespace */
	uint32_t pid;			/* the asking process, 0 if unknown */
	uint64_t asked_ns;		/* when it left, boot-time ns */
};

struct dnsq_stats {
	uint64_t questions;	/* recorded */
	uint64_t waiting;	/* waiting for their answer now */
	uint64_t believed;	/* answers that matched their question */
	uint64_t unsolicited;	/* answers to no question recorded, or taken back: ignored */
	uint64_t evicted;	/* unanswered questions dropped to make room */
	uint64_t expired;	/* questions not answered within the timeout */
	uint64_t voided;	/* questions an install session sent an answer to itself */
	uint64_t revoked;	/* believed answers taken back for that reason */
};

/* The addresses a believed answer to q gave (n may be 0: NXDOMAIN, no
 * record), or the ones it gave taken back. */
typedef void (*dnsq_names_fn)(const struct dnsq_question *q, const struct dns_answer *a,
			      size_t n, uint64_t now_ns, void *arg);

/* At most max questions wait, each timeout_secs; NULL if out of memory. */
struct dnsq *dnsq_new(uint32_t max, uint32_t timeout_secs, dnsq_names_fn believed,
		      dnsq_names_fn revoked, void *arg);
void dnsq_free(struct dnsq *t);
void dnsq_set_timeout(struct dnsq *t, uint32_t timeout_secs);
/* A question that left a socket at q->asked_ns. A question already waiting
 * with the same client, port, server and id (a resend) is replaced; when
 * max wait, the oldest goes. */
void dnsq_question(struct dnsq *t, const struct dnsq_question *q);
/* A response m received in pk (from port 53) at now_ns. An answer that
 * came before its question was read (questions come through the ring
 * buffer, answers through the capture sockets) waits for it a while. */
void dnsq_answer(struct dnsq *t, const struct dns_packet *pk, const struct dns_msg *m,
		 uint64_t now_ns);
/* A response with transaction id sent from port 53 by a process of an
 * install session, in pk: no answer to that client, port and id from that
 * server is believed, and one believed already is taken back. */
void dnsq_forged(struct dnsq *t, const struct dns_packet *pk, uint16_t id, uint64_t now_ns);
/* Questions past their timeout, answers that waited in vain. */
void dnsq_expire(struct dnsq *t, uint64_t now_ns);
void dnsq_stats(const struct dnsq *t, struct dnsq_stats *st);

/* sensor.c: the BPF object's life: open, size, load, attach, detach */
struct sensor;

/* Loaded and attached, or NULL. tamper_pin: where the tamper map is pinned
 * (NULL: not pinned, it dies with the daemon). */
struct sensor *sensor_open(const struct config *c, const char *tamper_pin);
void sensor_close(struct sensor *s);
struct ring_buffer;
struct ring_buffer *sensor_ringbuf(struct sensor *s, int (*fn)(void *, void *, size_t),
				   void *ctx);
int sensor_track(struct sensor *s, uint32_t pid, uint64_t session);
/* A directory was renamed: the write filter's clean-directory memory is stale. */
void sensor_dir_renamed(struct sensor *s);
int sensor_dns_filter_fd(struct sensor *s);	/* the socket filter for dns capture */
/* The syscall tracepoints, attached on demand: every system call of every
 * process takes the kernel's slow path while any is; and the hook on every
 * packet sent, for the DNS questions. */
#define SENSOR_HOOK_CONNECT	(1U << 0)	/* connect */
#define SENSOR_HOOK_NAMES	(1U << 1)	/* rename, renameat(2), link, linkat */
#define SENSOR_HOOK_DNS		(1U << 2)	/* net_dev_queue: DNS questions sent */
/* Attach (on) or detach the hooks of these kinds; 0 or -errno. */
int sensor_hooks(struct sensor *s, unsigned int kinds, bool on);
/* A reload's two steps for the kernel's filters (wake-up prefixes, file
 * anchors): add c's keys beside old's (on failure, those old lacks are
 * removed again: -errno), then drop old's keys that c lacks. */
int sensor_filters_add(struct sensor *s, const struct config *c, const struct config *old);
void sensor_filters_drop(struct sensor *s, const struct config *old, const struct config *c);
/* Sum the per-CPU counters (enum ds_counter) into out. */
int sensor_counters(struct sensor *s, uint64_t out[DS_COUNTER_MAX]);
/* The pinned tamper map as the daemon before this one left it (NULL when
 * not pinned), and the nonce this daemon reset it with (0: not pinned). */
const struct ds_tamper *sensor_tamper_previous(const struct sensor *s);
uint64_t sensor_tamper_nonce(const struct sensor *s);
/* The session signal numbered seq was alerted. */
void sensor_tamper_ack(struct sensor *s, uint32_t seq);
/* Pin the tamper map again if its pin was removed: 1 when it was, 0 when
 * nothing was missing, -errno. */
int sensor_tamper_repin(struct sensor *s);
/* The daemon as the kernel names it (global tgid, start): 0 or -ESRCH. */
int sensor_self(struct sensor *s, uint32_t *tgid, uint64_t *start);
const char *sensor_counter_name(int i);

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
/* Write an alert about p, counted with the others. */
struct verdict;
void loop_emit(struct daemon_ctx *d, const struct proc *p, const struct verdict *v, uint64_t ts);

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

/* Lookups used by rules and alerts. */
const char *proc_env(const struct proc *p, const char *name);	/* NULL if unset */
const char *proc_package_name(const struct proc *p);
const char *proc_package_version(const struct proc *p);
const char *proc_lifecycle_event(const struct proc *p);
/* The entity id: stable across the life of a process, unique per host. */
void proc_entity_id(const struct proc *p, char *buf, size_t len);

/* ci.c: the CI job an alert belongs to (depsentry.ci in docs/fields.md) */
enum ci_field {
	CI_PROVIDER,	/* "github-actions", "gitlab", ..., "unknown" */
	CI_REPOSITORY,
	CI_PROJECT_ID,
	CI_WORKFLOW,
	CI_RUN_ID,	/* GitHub's workflow run, GitLab's pipeline */
	CI_JOB,
	CI_JOB_ID,
	CI_RUNNER,
	CI_COMMIT,
	CI_REF,
	CI_EVENT,
	CI_URL,
	CI_FIELD_MAX,
};

#define CI_VALUE_MAX	1024	/* bytes kept of one value */

struct ci_context {
	const char *source;		/* "exec", "session" or "process" */
	const char *v[CI_FIELD_MAX];	/* NULL when unknown; valid while the source is */
	char url[CI_VALUE_MAX];		/* a url built from several variables */
};

/* One variable of an environment (src), or NULL. */
typedef const char *(*ci_env_fn)(const void *src, const char *name);

const char *ci_field_name(enum ci_field f);	/* "run_id", ... */
/* The context an environment describes; false when it names no CI. */
bool ci_context_read(struct ci_context *c, ci_env_fn get, const void *src);
/* The context of an alert about p, from the most trusted environment. */
bool ci_context_for(const struct proc *p, struct ci_context *c);
/* depsentry exec: CMD's pid when p is CMD or below it, else 0. */
uint32_t ci_exec_pid(const struct proc *p);
/* depsentry exec: CMD is pid, forked by ppid, with environment envp. */
int ci_exec_root_set(uint32_t pid, uint32_t ppid, char *const *envp);
void ci_exec_root_clear(void);

/* egress.c: the network arm, rule pm-unexpected-egress */
enum net_kind {
	NET_CONNECT = 1,	/* connect() */
	NET_DNS_QUERY,		/* a DNS question seen on the wire */
};

struct net_event {
	enum net_kind kind;
	struct ipaddr src, dst;		/* IPv4-mapped addresses already unmapped */
	uint16_t sport, dport;
	uint8_t transport;		/* IPPROTO_TCP, IPPROTO_UDP, 0 if unknown */
	int result;			/* connect: 0 or -errno */
	uint64_t session;		/* the kernel's session id, 0 if none */
	uint32_t netns;			/* the socket's network namespace, 0 if unknown */
	const char *domain;		/* destination.domain, NULL if unknown */
	const char *qname;		/* NET_DNS_QUERY: the question */
	uint16_t qtype;
	uint16_t dns_id;
	uint64_t repeats;		/* a follow-up line: times seen in all */
	uint64_t first_ns, last_ns;	/* a follow-up line: boot-time ns */
	bool resolver;			/* connect: to the process's own DNS resolver */
};

struct tamper_event;

/* rules.c */
enum rule_id {
	RULE_NONE = 0,
	RULE_PM_CHILD,		/* pm-suspicious-child */
	RULE_LIFECYCLE,		/* lifecycle-hook-suspicious-child */
	RULE_EGRESS,		/* pm-unexpected-egress */
	RULE_CICD,		/* cicd-file-modified */
	RULE_SENSOR_SIGNAL,	/* sensor-signal: integrity, not configurable */
	RULE_SENSOR_INTERRUPTED,	/* sensor-interrupted: integrity, not configurable */
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
	const struct net_event *net;	/* pm-unexpected-egress: what was seen */
	const struct allow_entry *allowed_by;	/* never set on an alert */
	const struct file_event *file;	/* cicd-file-modified: what was written */
	const struct tamper_event *tamper;	/* sensor-signal, sensor-interrupted */
};

/* Evaluate every process rule for p, just after its exec. */
void rules_eval(const struct config *c, const struct proc *p, struct verdict *v);
/* The comment of the first exclusion for rule matching p, or NULL. */
const char *rules_excluded_for(const struct config *c, const struct proc *p, enum rule_id rule);
/* The first pattern of l matching one of p's names or its executable. */
const char *rules_proc_named(const struct strlist *l, const struct proc *p);
/* Is p a package manager by its executable and arguments? */
const struct pm_def *rules_package_manager(const struct config *c, const struct proc *p);

/* egress.c: functions */
#define IPADDR_STRLEN	46	/* INET6_ADDRSTRLEN */

int ipaddr_parse(const char *s, struct ipaddr *a);		/* 0 or -EINVAL */
void ipaddr_format(const struct ipaddr *a, char *buf, size_t len);
void ipaddr_unmap(struct ipaddr *a);	/* ::ffff:a.b.c.d -> a.b.c.d */
bool ipaddr_in(const struct ipaddr *a, const struct ipaddr *net, uint8_t prefix);
/* Lower-case s in place and drop one trailing dot; false if not a name. */
bool dns_name_normalize(char *s);
/* "host", "*.suffix", "a.b.c.d", "a.b.c.d/n", "v6", "v6/n", each with an
 * optional ":port" ("[v6]:port", "[v6/n]:port"). Returns 0, or -EINVAL
 * with *why saying what is wrong. */
int allow_parse(const char *s, struct allow_entry *e, const char **why);
void allow_free(struct allow_entry *e);
/* The first entry allowing (domain or addr, port), or NULL. domain may be
 * NULL, addr may be NULL; port 0 matches entries with any port. */
const struct allow_entry *allow_match(const struct allow_entry *v, size_t n, const char *domain,
				      const struct ipaddr *addr, uint16_t port);
/* The nameserver addresses a resolv.conf names, at most max; how many. */
size_t resolv_conf_nameservers(FILE *f, struct ipaddr *out, size_t max);
/* The dedup key's site of a DNS name: its last two labels, three under a
 * short second-level label ("evil.co.uk"). */
const char *dns_site(const char *name);

struct egress;

struct egress_stats {
	uint64_t alerts;	/* first sightings alerted */
	uint64_t repeats;	/* sightings folded into an earlier alert */
	uint64_t resolver;	/* connects to the process's own resolver */
	uint64_t allowed;	/* connects or questions allowlisted */
	uint64_t dns_answers;	/* addresses put in the cache */
	uint64_t dns_other_server;	/* answers believed from a server not the asker's resolver */
	uint64_t dns_forged;	/* responses sent by processes of install sessions */
	struct dnsq_stats dnsq;	/* the questions and the answers they made believable */
};

/* Called for each (session, destination) with sightings not yet reported. */
typedef void (*repeat_fn)(const struct net_event *ev, uint32_t pid, uint64_t start,
			  const char *comm, void *arg);

struct egress *egress_new(const struct config *c);
void egress_free(struct egress *g);
/* Judge from now on by c (a reload), the DNS cache resized to its limits
 * with its names kept. 0, or -errno with nothing changed. */
int egress_set_config(struct egress *g, const struct config *c);
/* A connect by p (NULL if unknown) described by ev: fills v (RULE_NONE for
 * no alert). ev->domain is set from the cache. */
void egress_connect(struct egress *g, const struct proc *p, struct net_event *ev,
		    uint64_t now_ns, struct verdict *v);
/* A DNS response m received in pk at now_ns: its names go to the cache
 * only when it answers a question that left this host (dnsq.c), and only
 * when it comes from a resolver of the process that asked. */
void egress_dns_answer(struct egress *g, const struct dns_packet *pk, const struct dns_msg *m,
		       uint64_t now_ns);
/* A datagram to or from port 53 that left a socket (a dns record from the
 * kernel); p is its sender when inside an install session, else NULL. A
 * question is recorded and, a session's, judged into v (RULE_NONE for no
 * alert) and described in ev (qname valid until the next call): returns 1
 * then, 0 when there is nothing to report, -EINVAL when malformed. */
int egress_dns_sent(struct egress *g, const struct ds_dns *e, const struct proc *p,
		    struct net_event *ev, struct verdict *v);
/* A question ev->qname asked by p: judged into v. */
void egress_dns_query(struct egress *g, const struct proc *p, struct net_event *ev,
		      uint64_t now_ns, struct verdict *v);
/* Drop expired names, questions and waiting answers. */
void egress_expire(struct egress *g, uint64_t now_ns);
/* Report repeats: those quiet for a while, or all of them when flush. */
void egress_repeats(struct egress *g, uint64_t now_ns, bool flush, repeat_fn fn, void *arg);
void egress_stats(const struct egress *g, struct egress_stats *st);
struct dns_cache *egress_cache(struct egress *g);

/* files.c: the CI/CD-file arm, rule cicd-file-modified */
struct file_event {
	enum ds_file_op op;
	char *path;		/* absolute */
	char *old_path;		/* rename/link: where it came from, else NULL */
	const char *pattern;	/* the watched pattern that matched */
	const char *action;	/* "creation", "overwrite", "rename", "link" */
	bool alert;		/* cicd-file-modified alerts it (else only an event) */
	bool created;		/* event.type creation, else change */
	unsigned int cut;	/* FILE_CUT_*: what the kernel could not give whole */
	bool resolved;		/* rename/link: symbolic links in the directory resolved */
	enum file_writer writer;
	enum severity severity;
	uint64_t session;	/* the kernel's session id, 0 if none */
	uint32_t pid;
	uint64_t start, ts;
	unsigned long mnt_ns;	/* the namespace path is in; 0: the daemon's */
	char comm[DS_COMM_LEN];
};

#define FILE_CUT_PATH	(1U << 0)	/* the directories: deeper or longer than the walk,
					 * or not joined to their mount point */
#define FILE_CUT_NAME	(1U << 1)	/* the name as passed */
#define FILE_CUT_OLD	(1U << 2)	/* old_path */

/* The anchor of a watched pattern: the longest literal start of one of
 * its path components, lower-case, with a trailing NUL counted when the
 * component is all literal. Returns its length in bytes (NUL included),
 * or -EINVAL when no component starts with a literal. */
int file_anchor(const char *pattern, char *out, size_t outlen);
/* Join the leaf-first NUL-separated components of a kernel path walk into
 * "/a/b/c"; -EINVAL if malformed. */
int file_path_join(const char *comps, size_t len, char *out, size_t outlen);
/* Lexically normalise an absolute path in place: "//", "." and "..". */
void file_path_normalize(char *path);

struct files;

struct files_stats {
	uint64_t records;	/* file records seen */
	uint64_t unwatched;	/* passed the kernel's filter, matched no pattern */
	uint64_t generated;	/* build files in a generated tree */
	uint64_t repeats;	/* the same process and path again */
	uint64_t merged;	/* writes of a temporary file the writer renamed */
	uint64_t excluded;	/* by an exclusion or below min_severity */
	uint64_t alerts;
	uint64_t held;		/* writes held now, waiting for their writer */
};

typedef void (*file_emit_fn)(const struct file_event *ev, void *arg);

struct files *files_new(const struct config *c);
void files_free(struct files *f);
/* Judge from now on by c (a reload); held writes keep their own pattern. */
void files_set_config(struct files *f, const struct config *c);
/* A decoded record by p (NULL when unknown). A rename or link is judged
 * and emitted at once; a write is held until its writer exits, renames it
 * away, or FILES_HOLD_NS pass, so that sed -i gives one alert. */
int files_record(struct files *f, const struct proc *p, const struct ds_file *e,
		 const char *data, size_t len, file_emit_fn fn, void *arg);
/* A rename seen by fswatch (paths in the daemon's mount namespace) by pid,
 * whose entry is p (NULL when unknown); judged and emitted at once. */
void files_rename(struct files *f, const struct proc *p, uint32_t pid, const char *path,
		  const char *old_path, file_emit_fn fn, void *arg);
/* The writer (pid, start) exited: its held writes go out at the next
 * flush, after the renames it made before exiting were read. */
void files_writer_exited(struct files *f, uint32_t pid, uint64_t start);
/* Emit held writes whose writer exited or that are older than the hold at
 * now_ns; all of them when now_ns is 0. */
void files_flush(struct files *f, uint64_t now_ns, file_emit_fn fn, void *arg);
void files_stats(const struct files *f, struct files_stats *st);
void file_event_free(struct file_event *ev);
/* Also hand every watched write, rename and link to fn, alerted or not (an
 * exclusion, min_severity, the rule disabled), once per process and path. */
void files_observe(struct files *f, file_emit_fn fn, void *arg);

/* fswatch.c: renames outside install sessions, through fanotify */
struct fswatch;

struct fswatch_stats {
	uint64_t renames;	/* renames reported */
	uint64_t overflows;	/* the kernel's queue overflowed: renames lost */
	uint64_t unresolved;	/* directory gone before its path was read */
	uint64_t malformed;	/* events that failed to parse */
	uint64_t filesystems;	/* marked now */
	uint64_t fs_skipped;	/* mounted but not markable (no handles, or over the cap) */
};

/* a rename onto path by pid; old_path NULL when its first half was lost;
 * dir when a directory was renamed */
typedef void (*fswatch_fn)(uint32_t pid, const char *path, const char *old_path, bool dir,
			   void *arg);

/* NULL with errno when fanotify with directory handles is not available */
struct fswatch *fswatch_open(void);
/* One with no fanotify group and no mark, for fswatch_parse alone. */
struct fswatch *fswatch_new(void);
void fswatch_close(struct fswatch *w);
int fswatch_fd(const struct fswatch *w);
/* /proc/self/mountinfo: EPOLLPRI when the mount table changed */
int fswatch_mounts_fd(const struct fswatch *w);
/* mark filesystems mounted since the last scan */
void fswatch_rescan(struct fswatch *w);
/* Read what the kernel queued: bytes read, 0 when none, -errno. */
int fswatch_read(struct fswatch *w);
/* Report what the last read got, then forget it. */
void fswatch_each(struct fswatch *w, fswatch_fn fn, void *arg);
/* The path of the open directory dfd in our namespace; false when the
 * directory was deleted, or the path does not fit len. */
bool fswatch_dir_fd_path(int dfd, char *out, size_t len);
/* Report the events in buf (len bytes, as read from the fanotify group). */
void fswatch_parse(struct fswatch *w, const void *buf, size_t len, fswatch_fn fn, void *arg);

/* One line of /proc/self/mountinfo, split in place (root and mnt
 * unescaped); false when it is not one. */
struct mountinfo_line {
	dev_t dev;
	char *root, *mnt, *type;
};

bool fswatch_parse_mountinfo(char *line, struct mountinfo_line *m);
void fswatch_stats(const struct fswatch *w, struct fswatch_stats *st);

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
/* CLOCK_BOOTTIME now, in ns: the clock of every kernel record. */
uint64_t boot_now(void);
/* FNV-1a over a string, from hash (FNV1A64_OFFSET to start). */
#define FNV1A64_OFFSET	0xcbf29ce484222325ULL
uint64_t fnv1a64(uint64_t hash, const char *s);
/* A boot-time ns stamp on the wall clock, ns since the epoch. */
int64_t boot_to_wall_ns(uint64_t boot_ns);
/* Convert a boot-time ns stamp into an RFC 3339 UTC string with ms. */
void format_boot_time(uint64_t boot_ns, char *buf, size_t len);
/* The same for ns since the epoch. */
void format_wall_time(int64_t wall_ns, char *buf, size_t len);
/* Render one alert as a JSON line ending in '\n'; returns a malloc'd
 * string and its length, or NULL. */
char *alert_render(const struct host_info *h, const struct proc *p, const struct verdict *v,
		   uint64_t event_ts, size_t *len);
/* The same for an event (event.kind "event"): the process start of p, or
 * v's connect, DNS question or file; no rule, threat, verdict or ancestry. */
char *event_render(const struct host_info *h, const struct proc *p, const struct verdict *v,
		   uint64_t event_ts, size_t *len);
/* text.c: every string that leaves depsentry (docs/fields.md, docs/ci.md) */
struct json_object;

/* Length of the valid UTF-8 sequence at s, 0 if s starts an invalid one.
 * s is NUL-terminated, so a sequence cut by the end fails on the NUL. */
size_t utf8_seq_len(const unsigned char *s);
/* At an invalid sequence: the bytes one U+FFFD replaces (its maximal
 * subpart, at least 1). */
size_t utf8_bad_len(const unsigned char *s);
/* s as valid UTF-8 of at most cap bytes, each maximal invalid subsequence
 * replaced by U+FFFD, cut on a character boundary (*cut set when cut). */
char *utf8_clean(const char *s, size_t cap, bool *cut);
/* o serialised (json-c flags) as one line ending in '\n', made valid
 * UTF-8 and with U+2028 and U+2029 escaped; malloc'd, or NULL. */
char *json_line(struct json_object *o, int flags, size_t *len);

enum text_mode {
	TEXT_PLAIN,	/* controls, C1, bidi, line separators, bad bytes escaped */
	TEXT_MARKDOWN,	/* also ASCII punctuation backslash-escaped */
};

void text_put(FILE *f, const char *s, enum text_mode mode);
char *text_escape(const char *s, enum text_mode mode);	/* malloc'd, or NULL */
/* Where the line (len bytes) would start a CI workflow command (`::`,
 * `##[` or `##vso[` after white space): 1 + the offset of its first
 * character, else 0. */
size_t text_command_at(const char *line, size_t len);
/* Write buf, each line that would start a CI workflow command with its
 * first character escaped; 0 or -EIO. */
int text_write_guarded(FILE *f, const char *buf, size_t len, enum text_mode mode);

/* host.c: the 64-hex container id in /proc/<pid>/cgroup, if that pid still
 * is the process started at start_ns; false when none or unknown. */
bool host_container_id(uint32_t pid, uint64_t start_ns, char *buf, size_t len);
/* Its parsers (NUL-terminated text): the start time in clock ticks from
 * a /proc/PID/stat line, and the container id in a /proc/PID/cgroup line. */
bool host_stat_start_ticks(const char *buf, unsigned long long *ticks);
bool host_cgroup_container_id(const char *line, char *buf, size_t len);

/* summary.c: what an alert log says, for `report` and `exec` */
enum report_format {
	REPORT_TEXT,
	REPORT_MARKDOWN,	/* for $GITHUB_STEP_SUMMARY */
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
enum severity summary_highest(const struct summary *s);	/* SEV_NONE: no alert */
uint64_t summary_at_or_above(const struct summary *s, enum severity sev);
int summary_print(const struct summary *s, enum report_format fmt, const char *title, FILE *f);
/* RFC 3339 (2026-11-23T09:41:26.650Z, or with +hh:mm) to ns since the epoch. */
int summary_parse_time(const char *s, int64_t *ns);

/* report.c and agent.c: the report and exec commands */
#define REPORT_EXIT_ALERTS	3	/* report and exec: the --fail-on threshold was crossed */
int report_main(int argc, char **argv);
int report_parse_format(const char *s, enum report_format *fmt);
int report_parse_fail_on(const char *s, enum severity *sev);	/* also "none" */
int agent_main(int argc, char **argv);

/* output.c */
int output_open(const char *const *paths, size_t n);	/* "-" is stdout */
int output_write(const char *line, size_t len);	/* one write per destination */
/* Open each file by its name again (after a rename); on failure the file
 * open before is kept. 0, or the first -errno. Paths must outlive outputs. */
int output_reopen(void);
void output_close(void);
/* fn sees every line given to output_write, before it is written. */
typedef void (*output_tap_fn)(const char *line, size_t len, void *arg);
void output_set_tap(output_tap_fn fn, void *arg);
/* Lines written whole, and failed or short writes, summed over destinations. */
void output_stats(uint64_t *written, uint64_t *errors);
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
	uint64_t written;	/* lines written whole */
	uint64_t unrendered;	/* lines that could not be rendered */
	uint64_t failed;	/* writes that failed: line lost */
	uint64_t split;		/* lines written in several pieces */
};

int events_open(const char *path, enum events_scope scope);	/* 0 or -errno */
bool events_enabled(void);
/* The start of p (after its exec): all processes, or sessions' only. */
void events_exec(const struct host_info *h, const struct proc *p, uint64_t ts);
/* A connect or a DNS question of p (a stub when unknown). */
void events_net(const struct host_info *h, const struct proc *p, const struct net_event *ev,
		uint64_t ts);
/* A watched file written, renamed or linked onto by p. */
void events_file(const struct host_info *h, const struct proc *p, const struct file_event *ev);
void events_stats(struct events_stats *st);
/* Log lost lines once they change (final: every counter, at exit). */
void events_report(bool final);
void events_close(void);	/* reports the final counts */

/* caps.c: the capabilities the running daemon keeps (docs/deployment.md) */
uint64_t caps_kept(void);	/* bit (1 << CAP_x) for each */
/* Keep only those, in the effective, permitted and bounding sets; empty the
 * inheritable and ambient sets; set no_new_privs. 0 or -errno. */
int caps_drop(void);

/* status.c: the daemon's health, one line of key=value words */
#define STATUS_FILE_DEFAULT	"/run/depsentry/status"
#define STATUS_INTERVAL_DEFAULT	300
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
/* Open the events file by its name again (SIGHUP after a rename); on
 * failure the file open before is kept. 0 or -errno, logged. */
int events_reopen(void);
/* tamper.c: the sensor's own integrity (docs/rules.md, "The sensor's
 * integrity"): signals sent to the daemon, and what the daemon before this
 * one left when it stopped without a clean shutdown. */
#define STATE_FILE_DEFAULT	"/var/lib/depsentry/state"
#define TAMPER_PIN		"/sys/fs/bpf/depsentry/tamper"

enum tamper_origin {
	ORIGIN_NONE = 0,	/* nothing recorded */
	ORIGIN_PROCESS,		/* kill, tgkill, sigqueue, pidfd_send_signal */
	ORIGIN_KERNEL,		/* the kernel's own: a fault, the OOM killer, a child's exit */
	ORIGIN_SELF,		/* the daemon sent it to itself (abort, a fault: a crash) */
};

/* A signal to the daemon, from a kernel record. */
struct tamper_signal {
	int sig;		/* 0: none */
	int code;		/* si_code */
	enum tamper_origin origin;
	uint32_t pid;		/* the sender (current when it was sent) */
	uint64_t start;
	uint32_t uid;
	uint64_t session;	/* the sender's session, 0 if none */
	char comm[DS_COMM_LEN];
	char name[16];		/* "SIGKILL" */
};

/* What a sensor-signal or sensor-interrupted alert says beyond the process. */
struct tamper_event {
	struct tamper_signal signal;	/* the signal alerted; interrupted: the reported one */
	uint32_t sensor_pid;		/* the daemon signalled, or the one interrupted */
	uint64_t sensor_start;		/* boot-time ns, 0 if unknown */
	/* sensor-interrupted */
	bool interrupted;
	struct tamper_signal ended_by;	/* the signal that ended it, when not the one reported */
	const char *cause;		/* "signal", "crash", "kernel", "unknown" */
	int64_t heartbeat_ns;		/* last heartbeat, ns since the epoch; -1 unknown */
	int64_t restart_ns;		/* this start, ns since the epoch */
	const char *heartbeat_from;	/* "status_file", "state_file", NULL */
	int sessions;			/* install sessions at that heartbeat, -1 unknown */
	bool sessions_running;
	bool reboot;			/* the machine restarted in between */
	bool state_unreadable;		/* the state file was there but not a state */
	bool state_contradicted;	/* it said "stopped"; the kernel saw it ended */
};

/* The state file: what each daemon says of itself (untrusted when read). */
struct tamper_state {
	bool running;			/* state=running, else stopped */
	uint32_t pid;			/* the daemon as it saw itself */
	uint64_t start;			/* its start, boot-time ns */
	uint32_t tgid;			/* as the kernel names it, 0 if unknown */
	int64_t boot_ns;		/* when the machine booted, ns since the epoch */
	uint64_t nonce;			/* of the pinned tamper map, 0 if none */
	int64_t updated_ns;		/* when written, ns since the epoch */
	uint32_t sessions;		/* install sessions alive then */
};

int tamper_state_parse(const char *buf, size_t len, struct tamper_state *st);	/* 0 or -EINVAL */
int tamper_state_format(const struct tamper_state *st, char *buf, size_t len);	/* 0 or -ENOSPC */

/* What was found at start about the daemon before this one. */
enum tamper_prev_kind {
	PREV_NONE = 0,		/* no trace of one */
	PREV_CLEAN,		/* it stopped cleanly */
	PREV_UNCLEAN,		/* it stopped without a clean shutdown */
	PREV_ALIVE,		/* it still runs: this one keeps no state */
};

struct tamper_prev {
	enum tamper_prev_kind kind;
	bool have_state, state_unreadable, state_contradicted;
	struct tamper_state state;
	bool have_status;		/* a status file of that daemon */
	uint32_t status_pid;
	int status_sessions;		/* -1 when it does not say */
	int64_t status_ns;		/* its last change, ns since the epoch */
	int64_t boot_ns;		/* this boot's, ns since the epoch */
	int64_t now_ns;
};

/* Decide what kind of stop prev describes, given whether the pid of its
 * state file and that of its status file still run (as the same process). */
void tamper_prev_judge(struct tamper_prev *prev, bool state_alive, bool status_alive);
/* A state that says the daemon stopped cleanly, against that daemon's
 * pinned records (t: its nonce checked) holding the signal that ended it:
 * the kernel is believed, and prev becomes an unclean stop. */
void tamper_prev_recheck(struct tamper_prev *prev, const struct ds_tamper *t);
/* Whether two boot instants are the same boot (the wall clock may step). */
bool tamper_same_boot(int64_t a_ns, int64_t b_ns);
/* The sensor-interrupted alert for an unclean prev and the pinned records
 * (NULL when none are its own); false when there is nothing to say. *rec is
 * the record of the process reported, NULL when none is (the alert is then
 * about the interrupted daemon). */
bool tamper_interruption(const struct tamper_prev *prev, const struct ds_tamper *t,
			 struct tamper_event *ev, struct verdict *v,
			 const struct ds_tamper_rec **rec);
/* Gap from heartbeat to now in ns, -1 when unknown or negative. */
int64_t tamper_gap_ns(int64_t heartbeat_ns, int64_t now_ns);
/* A signal record: true and v filled when it is an alert. */
bool tamper_signal_judge(const struct ds_signal *e, struct tamper_event *ev, struct verdict *v);
void tamper_signal_from(const struct ds_signal *e, struct tamper_signal *out);
const char *tamper_signal_name(int sig, char *buf, size_t len);	/* "SIGKILL", "SIG34" */
const char *tamper_origin_name(enum tamper_origin o);	/* "process", "kernel", "self" */

/* The daemon's life, for `run`: read what the last daemon left and say
 * where to pin (NULL: another daemon runs, or no state is kept); after the
 * loop is set up, alert an unclean stop and mark this one running; every
 * second and at a session's start, the heartbeat; at a clean stop, say so. */
const char *tamper_open(const struct config *c);
void tamper_started(struct daemon_ctx *d, struct sensor *s, const struct config *c);
void tamper_heartbeat(uint32_t sessions);
void tamper_stopped(void);
#endif /* DEPSENTRY_INTERNAL_H */
