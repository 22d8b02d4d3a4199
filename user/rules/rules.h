/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The rules: each judges the events of its kinds into a verdict
 * (docs/rules.md).
 */
#ifndef DEPSENTRY_RULES_H
#define DEPSENTRY_RULES_H

#include "capture/capture.h"

#define TAMPER_STATE_MAX 4096 /* bytes of a state file */

struct tamper_event;

/* dnsexfil.c: rule install-dns-exfiltration, DNS questions of install
 * sessions that go to a nameserver of their own or carry data in their
 * names (docs/rules.md) */
enum dns_data_test {
	DNS_DATA_NONE = 0,
	DNS_DATA_BINARY,  /* a byte no host name has */
	DNS_DATA_HEX,	  /* a long run of hex digits */
	DNS_DATA_ENCODED, /* a long, mixed, high-entropy run of base32/base64 */
	DNS_DATA_LABELS,  /* too many labels */
	DNS_DATA_LENGTH,  /* too long */
};

/* What the data test found in a name: the test, and the run, label or
 * part of the name that carries it. */
struct dns_data {
	enum dns_data_test test;
	char what[DNS_NAME_MAX];
};

/* What a verdict of the rule points at, valid until the next record. */
struct dns_exfil_scratch {
	struct net_event q;
	char qname[DNS_NAME_MAX];
	char matched[DNS_NAME_MAX];
	char reason[256];
};

/* Does the DNS name (as decoded: lower case, \DDD escapes) carry data,
 * by the tests and thresholds of lim on its part below its registered
 * domain? Reverse lookups never do. */
bool dns_name_data(const char *name, const struct dns_data_limits *lim, struct dns_data *out);
const char *dns_data_test_name(enum dns_data_test t); /* "hex", "encoded", ... */

/* judge.c: what every judge works with, and the one call that runs the
 * judges of a record's kind (rules/table.c) */
struct egress;
struct files;
struct file_event;
struct tamper_event;
struct verdict;
typedef void (*file_emit_fn)(const struct file_event *ev, void *arg);

/* A file a process ran (install-dropped-exec): the executable, the script
 * its #! line ran, or the script an interpreter was given. */
struct dropped_file {
	const char *path; /* as the process named it (its argv or executable) */
	const char *how;  /* "executable", "script", "interpreter script" */
	uint32_t mode;	  /* st_mode */
	uint32_t dir_mode;
	int64_t ctime;		   /* wall ns */
	const struct proc *writer; /* the session's process that named it first, if any */
	char buf[2 * 4096 + 2];	   /* a relative script's path, joined */
};

struct judges {
	const struct config *cfg;
	struct proctable *pt; /* install-dropped-exec looks for a dropped file's writer */
	struct egress *egress;
	struct files *files;
	file_emit_fn file_fn; /* where the file arm's verdicts go, once its held writes are out */
	void *file_arg;
	const struct net_event *net;	/* the record's connect or DNS question, NULL if none */
	struct net_event question;	/* a DNS question's, described by the network arm */
	struct tamper_event *tamper;	/* sensor-signal: what the verdict points at */
	struct dropped_file dropped;	/* install-dropped-exec: what the verdict points at */
	struct dns_exfil_scratch exfil; /* install-dns-exfiltration: what its verdict shows */
	uint64_t dns_malformed;		/* sent DNS datagrams that failed to parse */
};

/* One judge: e (with p, its process: NULL when unknown, or for signals) into
 * v, RULE_NONE for no alert. */
typedef void (*judge_fn)(struct judges *j, struct event *e, const struct proc *p,
			 struct verdict *v);

/* The MITRE ATT&CK technique a rule detects (ECS threat.*). */
struct threat {
	const char *tactic_id, *tactic_name;
	const char *technique_id, *technique_name;
	const char *subtechnique_id, *subtechnique_name;
	const char *tactic_ref, *technique_ref, *subtechnique_ref;
};

/* How the gate folds a rule's repeats (verdict.fold_key). */
enum fold {
	FOLD_NONE = 0, /* every verdict is written */
	FOLD_FOLLOWUP, /* the first; the repeats in one follow-up once quiet */
	FOLD_SILENT,   /* the first; the repeats counted only */
};

/* What a rule is, for the alerts (rule.*, threat.*) and docs/rules.md. */
struct rule_info {
	const char *name;
	const char *description;
	const char *reference;
	const struct threat *threat;
	const char *category; /* ECS event.category of its alerts, besides intrusion_detection */
	unsigned int kinds;   /* bit (1 << DS_EV_*) for the records it judges */
	judge_fn judge;	      /* NULL: judged at start (sensor-interrupted) */
	enum fold fold;
};

const struct rule_info *rule_info(enum rule_id r);

struct verdict {
	enum rule_id rule; /* RULE_NONE: no alert */
	enum severity severity;
	const char *reason;	     /* the matched group's reason */
	const char *matched;	     /* the name or pattern that matched */
	const char *matched_field;   /* "process.name", "process.command_line", ... */
	const struct proc *hook;     /* lifecycle rule: ancestor whose command line matched */
	unsigned int rules_matched;  /* bit (1 << rule_id) for every rule that matched */
	const char *excluded_by;     /* comment of the exclusion that suppressed it */
	const struct net_event *net; /* pm-unexpected-egress: what was seen */
	const struct allow_entry *allowed_by; /* never set on an alert */
	const struct file_event *file;	      /* the file rules: what was written or read */
	const struct tamper_event *tamper;    /* sensor-signal, sensor-interrupted */
	const struct dropped_file *dropped;   /* install-dropped-exec: the file run */
	char fold_key[DNS_NAME_MAX + 96];     /* the gate folds verdicts with the same */
	const struct response *response;      /* what the response did, NULL: nothing */
};

/* What the response did about an alert (daemon/respond.c), for its line. */
struct response {
	const char *egress;  /* "blocked", "would_block", NULL */
	const char *action;  /* "killed", "would_kill", "kill_failed", NULL */
	unsigned int killed; /* processes stopped */
	const char *error;   /* why none was, for kill_failed */
};

/* Each distinct judge of the rules that take e's kind, once: their
 * verdicts (at most max, rule set) into out; how many. */
size_t rules_judge(struct judges *j, struct event *e, const struct proc *p, struct verdict *out,
		   size_t max);
/* The judges of the arms (table.c names them). */
void judge_exec(struct judges *j, struct event *e, const struct proc *p, struct verdict *v);
void judge_payload(struct judges *j, struct event *e, const struct proc *p, struct verdict *v);
void judge_dropped(struct judges *j, struct event *e, const struct proc *p, struct verdict *v);
void judge_net(struct judges *j, struct event *e, const struct proc *p, struct verdict *v);
void judge_file(struct judges *j, struct event *e, const struct proc *p, struct verdict *v);
void judge_signal(struct judges *j, struct event *e, const struct proc *p, struct verdict *v);
void judge_dns_exfil(struct judges *j, struct event *e, const struct proc *p, struct verdict *v);
void judge_cred(struct judges *j, struct event *e, const struct proc *p, struct verdict *v);

/* gate.c: exclusions, min_severity and repeats, for every verdict once */
struct gate;

struct gate_stats {
	uint64_t passed;   /* verdicts let through: alerts */
	uint64_t excluded; /* by an exclusion */
	uint64_t repeats;  /* folded into an earlier alert */
};

/* A repeat follow-up: v as the first sighting was judged, v->net->repeats
 * the sightings in all; about (pid, start) named comm, at ts. */
typedef void (*gate_repeat_fn)(const struct verdict *v, uint32_t pid, uint64_t start,
			       const char *comm, uint64_t ts, void *arg);

struct gate *gate_new(const struct config *c);
void gate_free(struct gate *g);
void gate_set_config(struct gate *g, const struct config *c);
/* Exclusions and min_severity (the sensor's own rules pass): false, with
 * v->rule cleared and v->excluded_by set by an exclusion, when v is not to
 * be written. */
bool gate_screen(const struct config *c, const struct proc *p, struct verdict *v);
/* Screened, then folded: true when v is to be written now. */
bool gate_pass(struct gate *g, const struct proc *p, struct verdict *v, uint64_t now_ns);
/* Follow-ups for repeats quiet for a while, or all of them when flush. */
void gate_repeats(struct gate *g, uint64_t now_ns, bool flush, gate_repeat_fn fn, void *arg);
void gate_stats(const struct gate *g, enum rule_id r, struct gate_stats *st);

/* Evaluate every process rule for p, just after its exec (the gate applies
 * exclusions and min_severity). */
void rules_eval(const struct config *c, const struct proc *p, struct verdict *v);
/* The comment of the first exclusion for rule matching p, or NULL. */
const char *rules_excluded_for(const struct config *c, const struct proc *p, enum rule_id rule);
/* The first pattern of l matching one of p's names or its executable. */
const char *rules_proc_named(const struct strlist *l, const struct proc *p);
/* The script file an interpreter or a shell p runs, as its argument names
 * it (relative to p's working directory or absolute), or NULL. */
const char *rules_script_file(const struct config *c, const struct proc *p);
/* Is p a package manager by its executable and arguments? */
const struct pm_def *rules_package_manager(const struct config *c, const struct proc *p);
/* Is p a lifecycle script outside any session, by its own environment (an
 * install lifecycle event of the configuration)? Then pm names the package
 * manager that ran it, from npm_config_user_agent ("pnpm/9.1.0 npm/?
 * node/v20 ...": pnpm) or "unknown", written into name. */
bool rules_lifecycle_manager(const struct config *c, const struct proc *p, struct pm_def *pm,
			     char *name, size_t len);

/* egress.c: the network arm, rule pm-unexpected-egress */
struct egress;

struct egress_stats {
	uint64_t resolver;	   /* connects to the process's own resolver */
	uint64_t allowed;	   /* connects or questions allowlisted */
	uint64_t dns_answers;	   /* addresses put in the cache */
	uint64_t dns_other_server; /* answers believed from a server not the asker's resolver */
	uint64_t dns_forged;	   /* responses sent by processes of install sessions */
	uint64_t denied_allowed;   /* allowed here, yet denied by the kernel's response */
	struct dnsq_stats dnsq;	   /* the questions and the answers they made believable */
};

struct egress *egress_new(const struct config *c);
void egress_free(struct egress *g);
/* Judge from now on by c (a reload), the DNS cache resized to its limits
 * with its names kept. 0, or -errno with nothing changed. */
int egress_set_config(struct egress *g, const struct config *c);
/* A connect by p (NULL if unknown) described by ev: fills v (RULE_NONE for
 * no alert). ev->domain is set from the cache. */
void egress_connect(struct egress *g, const struct proc *p, struct net_event *ev, uint64_t now_ns,
		    struct verdict *v);
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
int egress_dns_sent(struct egress *g, const struct event *e, const struct proc *p,
		    struct net_event *ev, struct verdict *v);
/* A question ev->qname asked by p: judged into v. */
void egress_dns_query(struct egress *g, const struct proc *p, struct net_event *ev, uint64_t now_ns,
		      struct verdict *v);
/* Is addr a DNS resolver of process pid (p its entry, NULL if unknown;
 * net_ns its socket's network namespace)? proc_resolvers says which. */
bool egress_is_resolver(const struct proc *p, uint32_t pid, uint32_t net_ns,
			const struct ipaddr *addr);
/* The question of the dns record e, qname its name, described in ev. */
void egress_question_event(const struct event *e, const char *qname, struct net_event *ev);
/* Drop expired names, questions and waiting answers. */
void egress_expire(struct egress *g, uint64_t now_ns);
void egress_stats(const struct egress *g, struct egress_stats *st);
struct dns_cache *egress_cache(struct egress *g);

/* files.c: the CI/CD-file arm, rule cicd-file-modified */
struct files;

struct files_stats {
	uint64_t records;   /* file records seen */
	uint64_t unwatched; /* passed the kernel's filter, matched no pattern */
	uint64_t generated; /* build files in a generated tree */
	uint64_t repeats;   /* the same process and path again */
	uint64_t merged;    /* renames by a writer of what it wrote, one alert */
	uint64_t excluded;  /* by an exclusion or below min_severity */
	uint64_t alerts;
	uint64_t held; /* writes held now, waiting for their writer */
};

struct files *files_new(const struct config *c);
void files_free(struct files *f);
/* Judge from now on by c (a reload); held writes keep their own pattern. */
void files_set_config(struct files *f, const struct config *c);
/* A decoded file record by p (NULL when unknown); ev's paths are taken.
 * A rename or link is judged and emitted at once; a write is held until
 * its writer exits, renames it away, or FILES_HOLD_NS pass, so that sed -i
 * gives one alert. */
void files_record(struct files *f, const struct proc *p, struct file_event *ev, file_emit_fn fn,
		  void *arg);
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
/* The cicd-file-modified verdict for an event the arm let through (the
 * exclusions and min_severity were applied when it was judged). */
void files_verdict(const struct file_event *ev, struct verdict *v);
/* Also hand every watched write, rename and link to fn, alerted or not (an
 * exclusion, min_severity, the rule disabled), once per process and path. */
void files_observe(struct files *f, file_emit_fn fn, void *arg);

/* creds.c: rule install-credential-read. An open of ev (p its process,
 * NULL when unknown) into v: true when it is a verdict (ev then points at
 * it, its rule, pattern and severity set). */
bool creds_judge(const struct config *c, const struct proc *p, struct file_event *ev,
		 struct verdict *v);

/* tamper.c: the sensor's own integrity (docs/rules.md, "The sensor's
 * integrity"): signals sent to the daemon, and what the daemon before this
 * one left when it stopped without a clean shutdown. */
struct tamper_event {
	struct tamper_signal signal; /* the signal alerted; interrupted: the reported one */
	uint32_t sensor_pid;	     /* the daemon signalled, or the one interrupted */
	uint64_t sensor_start;	     /* boot-time ns, 0 if unknown */
	/* sensor-interrupted */
	bool interrupted;
	struct tamper_signal ended_by; /* the signal that ended it, when not the one reported */
	const char *cause;	       /* "signal", "crash", "kernel", "unknown" */
	int64_t heartbeat_ns;	       /* last heartbeat, ns since the epoch; -1 unknown */
	int64_t restart_ns;	       /* this start, ns since the epoch */
	const char *heartbeat_from;    /* "status_file", "state_file", NULL */
	int sessions;		       /* install sessions at that heartbeat, -1 unknown */
	bool sessions_running;
	bool reboot;		 /* the machine restarted in between */
	bool state_unreadable;	 /* the state file was there but not a state */
	bool state_contradicted; /* it said "stopped"; the kernel saw it ended */
};

/* The state file: what each daemon says of itself (untrusted when read). */
struct tamper_state {
	bool running;	    /* state=running, else stopped */
	uint32_t pid;	    /* the daemon as it saw itself */
	uint64_t start;	    /* its start, boot-time ns */
	uint32_t tgid;	    /* as the kernel names it, 0 if unknown */
	int64_t boot_ns;    /* when the machine booted, ns since the epoch */
	uint64_t nonce;	    /* of the pinned tamper map, 0 if none */
	int64_t updated_ns; /* when written, ns since the epoch */
	uint32_t sessions;  /* install sessions alive then */
};

int tamper_state_parse(const char *buf, size_t len, struct tamper_state *st);  /* 0 or -EINVAL */
int tamper_state_format(const struct tamper_state *st, char *buf, size_t len); /* 0 or -ENOSPC */

/* What was found at start about the daemon before this one. */
enum tamper_prev_kind {
	PREV_NONE = 0, /* no trace of one */
	PREV_CLEAN,    /* it stopped cleanly */
	PREV_UNCLEAN,  /* it stopped without a clean shutdown */
	PREV_ALIVE,    /* it still runs: this one keeps no state */
};

struct tamper_prev {
	enum tamper_prev_kind kind;
	bool have_state, state_unreadable, state_contradicted;
	struct tamper_state state;
	bool have_status; /* a status file of that daemon */
	uint32_t status_pid;
	int status_sessions; /* -1 when it does not say */
	int64_t status_ns;   /* its last change, ns since the epoch */
	int64_t boot_ns;     /* this boot's, ns since the epoch */
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
bool tamper_signal_judge(const struct event *e, struct tamper_event *ev, struct verdict *v);

#endif /* DEPSENTRY_RULES_H */
