/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The configuration: parsed and checked whole before anything uses it
 * (docs/configuration.md), and the names it gives rules.
 */
#ifndef DEPSENTRY_CONFIG_H
#define DEPSENTRY_CONFIG_H

#include "lib/lib.h"

#define DEFAULT_CONFIG_PATH	"/etc/depsentry/depsentry.json"
#define DEFAULT_ALERT_PATH	"/var/log/depsentry/alerts.json"
#define MAX_OUTPUTS		4
#define STATUS_FILE_DEFAULT	"/run/depsentry/status"
#define STATUS_INTERVAL_DEFAULT 300
#define STATE_FILE_DEFAULT	"/var/lib/depsentry/state"
#define TAMPER_PIN		"/sys/fs/bpf/depsentry/tamper"

enum severity {
	SEV_NONE = 0,
	SEV_LOW,
	SEV_MEDIUM,
	SEV_HIGH,
	SEV_CRITICAL,
};

const char *severity_name(enum severity s);	       /* "low", ... */
int severity_score(enum severity s);		       /* 21, 47, 73, 99 */
int severity_parse(const char *s, enum severity *out); /* "low".."critical": 0 or -EINVAL */

/* How a package-manager process is recognised: its executable basename
 * matches one of executables and, when given, its script (first
 * non-option argument of an interpreter, or the module after -m) matches
 * one of scripts and its command line one of command_lines. */
struct pm_def {
	char *name;	    /* "npm" */
	char *package_type; /* ECS package.type: "npm", "pypi", ... */
	struct strlist executables;
	struct strlist scripts;
	struct strlist command_lines;
};

/* A suspicious-list entry: names (like~ on process names) or patterns
 * (like~ on the whole command line), with the severity they carry. */
struct sus_group {
	enum severity severity;
	char *reason; /* "network tool", "reverse shell", ... */
	struct strlist patterns;
};

/* An exclusion matches when every non-empty list matches (lists are OR). */
struct exclusion {
	char *comment;
	struct strlist executables;   /* like~ on process names or executable path */
	struct strlist command_lines; /* like~ on the command line */
	struct strlist packages;      /* like~ on package.name */
	struct strlist users;	      /* in~ on user name or numeric uid */
	struct strlist ancestors;     /* like~ on any ancestor's name or command line */
	struct strlist rules;	      /* in~ on rule ids it applies to; empty: all */
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
	char *text;	   /* as configured, for messages and alerts */
	char *name;	   /* ALLOW_NAME, ALLOW_SUFFIX (without the "*.") */
	struct ipaddr net; /* ALLOW_CIDR, host bits cleared */
	uint8_t prefix;
	uint16_t port;
};

/* Who wrote a watched file, which decides the severity. */
enum file_writer {
	WRITER_OTHER = 0,
	WRITER_SESSION,	   /* inside an install session: a package's hook */
	WRITER_SUSPICIOUS, /* a shell, curl/wget, a one-liner, a binary from /tmp */
	WRITER_KNOWN,	   /* git, an editor, a build tool */
	WRITER_MAX,
};

/* A group of the install-payload-tool rule: processes by name, or command
 * lines, that a compromised package's payload runs, with their severity. */
struct payload_group {
	enum severity severity;
	char *reason;		      /* "secret scanner", ... */
	struct strlist names;	      /* like~ on the process's names or executable */
	struct strlist command_lines; /* like~ on the command line */
};

/* When a DNS name carries data (rule install-dns-exfiltration): the
 * thresholds of its tests on the part of the name below its registered
 * domain (docs/rules.md). */
struct dns_data_limits {
	uint32_t hex_run;     /* hex digits in a row, a decimal one among them */
	uint32_t encoded_run; /* base32/base64 characters in a row ... */
	double entropy;	      /* ... with this many bits per character at least */
	uint32_t labels;      /* more labels than this */
	uint32_t length;      /* more characters than this */
};

/* A group of the install-persistence rule: paths where a file written
 * makes code run later, with their severity and when they count. */
#define PERSIST_GROUPS_MAX 12

struct persist_group {
	enum severity severity;
	char *reason;		     /* "shell start-up file", ... */
	struct strlist paths;	     /* like~ on the absolute path */
	struct strlist lines;	     /* like~ on a line of the file: one must match */
	bool outside_sessions;	     /* also written outside install sessions */
	bool package_manager_writes; /* the package manager's own writes are normal */
};

/* What depsentry does about what it judges (docs/response.md). */
enum response_mode {
	RESPONSE_OFF = 0, /* report only */
	RESPONSE_DETECT,  /* report, and mark what blocking would have stopped */
	RESPONSE_BLOCK,	  /* refuse install sessions' egress, stop processes */
};

const char *response_mode_name(enum response_mode m); /* "off", "detect", "block" */

/* Which processes' starts the events file gets (docs/events.md). */
enum events_scope {
	EVENTS_SESSIONS = 0, /* those of install sessions */
	EVENTS_ALL,	     /* every process */
};

struct config {
	char *source;		 /* file name, or "(built-in)" */
	uint32_t ringbuf_bytes;	 /* power of two, >= 4096 * 64 */
	uint32_t proctable_max;	 /* processes kept, >= 1024 */
	struct strlist env_vars; /* environment variables captured */
	struct pm_def *pms;
	size_t npms;
	struct strlist shells;	 /* shell names */
	struct sus_group *names; /* suspicious process names */
	size_t nnames;
	struct sus_group *cmdlines; /* suspicious command-line patterns */
	size_t ncmdlines;
	bool pm_child_enabled;		  /* rule pm-suspicious-child */
	bool lifecycle_enabled;		  /* rule lifecycle-hook-suspicious-child */
	struct strlist lifecycle_parents; /* like~ on an ancestor command line */
	struct strlist lifecycle_events;  /* in~ on npm_lifecycle_event */
	bool payload_enabled;		  /* rule install-payload-tool */
	/* rule install-credential-read: files read by install sessions */
	bool cred_enabled;
	enum severity cred_severity;
	struct strlist cred_paths;   /* like~ on the absolute path */
	struct strlist cred_readers; /* like~ on names: the tools whose job it is */
	/* rule install-persistence: start-up files written */
	bool persist_enabled;
	struct persist_group *persist;
	size_t npersist;
	struct strlist persist_trusted; /* like~ on names: installers, outside sessions */
	struct payload_group *payload;
	size_t npayload;
	bool dropped_enabled;		/* rule install-dropped-exec */
	enum severity dropped_severity; /* its severity */
	struct strlist dropped_trees;	/* like~: where package managers put what they install */
	struct strlist interpreters;	/* like~ on names: programs that run a script file */
	/* rule install-dns-exfiltration */
	bool exfil_enabled;
	enum severity exfil_server_severity; /* a question to a server not a resolver */
	enum severity exfil_data_severity;   /* a name that carries data */
	struct allow_entry *exfil_resolvers; /* addresses and ranges counted as resolvers */
	size_t nexfil_resolvers;
	/* the response (docs/response.md) */
	enum response_mode response_mode;
	bool response_egress; /* install sessions reach allowed destinations only */
	bool response_kill;   /* stop what is judged at or above kill_severity */
	enum severity kill_severity;
	struct allow_entry *resp_resolvers; /* resolvers besides the host's and sessions' */
	size_t nresp_resolvers;
	struct strlist exfil_ignored; /* like~ on names never judged as carrying data */
	struct dns_data_limits exfil_limits;
	struct exclusion *excl;
	size_t nexcl;
	enum severity min_severity; /* alerts below are not written */
	/* the network arm: rule pm-unexpected-egress */
	bool egress_enabled;
	enum severity egress_severity;	   /* an unlisted destination with a name */
	enum severity egress_raw_severity; /* a destination with no known name */
	enum severity egress_dns_severity; /* a question for an unlisted name */
	struct allow_entry *allow;	   /* the registry allowlist */
	size_t nallow;
	bool dns_capture;		   /* watch DNS answers and questions */
	uint32_t dns_cache_max;		   /* addresses remembered */
	uint32_t dns_min_ttl, dns_max_ttl; /* seconds an answer is kept */
	uint32_t dns_question_timeout;	   /* seconds a question waits for its answer */
	/* the CI/CD-file arm: rule cicd-file-modified */
	bool cicd_enabled;
	enum severity cicd_sev[WRITER_MAX];    /* by who wrote it */
	struct strlist watch_pipeline;	       /* like~ on the absolute path */
	struct strlist watch_build;	       /* the same, unless in a generated tree */
	struct strlist generated_markers;      /* file names that mark a build tree */
	struct strlist ignored_paths;	       /* dependency trees: package contents */
	bool rename_tracepoints_always;	       /* not fanotify outside sessions: sees links */
	struct strlist writers_suspicious;     /* like~ on process names or executable */
	struct strlist writers_suspicious_cmd; /* like~ on the command line */
	struct strlist writers_known;	       /* like~ on process names or executable */
	/* the events behind the rules (docs/events.md) */
	char *events_output; /* a file or "-", NULL: none unless -e */
	enum events_scope events_scope;
	/* health: status.c */
	uint32_t status_interval;   /* seconds between status lines, 0: never */
	uint32_t realtime_priority; /* SCHED_FIFO priority of the daemon, 0: not real-time */
	char *status_file;	    /* NULL: STATUS_FILE_DEFAULT */
	char *state_file;	    /* NULL: STATE_FILE_DEFAULT (tamper.c) */
};

extern const char config_builtin[]; /* config/depsentry.json, compiled in */

/* Parse path (NULL: the built-in default) into a new config. Every error is
 * printed to errs as "FILE:LINE: message" or "FILE: $.json.path: message";
 * returns 0, or -EINVAL with *out untouched. */
int config_load(const char *path, struct config **out, FILE *errs);
int config_parse(const char *name, const char *text, size_t len, struct config **out, FILE *errs);
void config_free(struct config *c);
/* The file to read: -c's, else the system file when it exists, else NULL
 * (the built-in default). */
const char *config_path(const char *opt);

/* rule_ids.c: the rules, as the configuration and the alerts name them */
enum rule_id {
	RULE_NONE = 0,
	RULE_PM_CHILD,		 /* pm-suspicious-child */
	RULE_LIFECYCLE,		 /* lifecycle-hook-suspicious-child */
	RULE_EGRESS,		 /* pm-unexpected-egress */
	RULE_CICD,		 /* cicd-file-modified */
	RULE_SENSOR_SIGNAL,	 /* sensor-signal: integrity, not configurable */
	RULE_SENSOR_INTERRUPTED, /* sensor-interrupted: integrity, not configurable */
	RULE_PAYLOAD,		 /* install-payload-tool */
	RULE_DROPPED,		 /* install-dropped-exec */
	RULE_DNS_EXFIL,		 /* install-dns-exfiltration */
	RULE_CRED,		 /* install-credential-read */
	RULE_PERSIST,		 /* install-persistence */
	RULE_MAX,
};

const char *rule_id_name(enum rule_id r);  /* "pm-suspicious-child", "none" */
enum rule_id rule_id_find(const char *id); /* RULE_NONE when unknown */
bool rule_id_excludable(enum rule_id r);   /* the sensor's own rules are not */

/* allow.c: the registry allowlist */
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
/* name is suffix or below it */
bool dns_suffix_match(const char *suffix, const char *name);
/* The dedup key's site of a DNS name: its last two labels, three under a
 * short second-level label ("evil.co.uk"). */
const char *dns_site(const char *name);
/* A reverse lookup (in-addr.arpa, ip6.arpa): it names an address the
 * asker has already. */
bool dns_is_reverse(const char *name);

/* anchor.c */
/* The anchor of a watched pattern: the longest literal start of one of
 * its path components, lower-case, with a trailing NUL counted when the
 * component is all literal. Returns its length in bytes (NUL included),
 * or -EINVAL when no component starts with a literal. */
int file_anchor(const char *pattern, char *out, size_t outlen);
/* The suffix of a pattern whose last component is '*' then a literal
 * (".../site-packages/" then "*.pth" gives ".pth"): its last DS_SUFFIX_LEN
 * bytes at most, lower case. The kernel keys such a pattern on it, whatever its
 * other components. Returns its length, or -EINVAL for any other pattern. */
int file_suffix(const char *pattern, char *out, size_t outlen);

#endif /* DEPSENTRY_CONFIG_H */
