/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The model: what the daemon knows of the machine between records: the
 * process-ancestry table and its install sessions, the names DNS gave
 * addresses and the questions that make answers believable, the host and
 * the CI job.
 */
#ifndef DEPSENTRY_MODEL_H
#define DEPSENTRY_MODEL_H

#include "decode/decode.h"

struct session;
struct stat;

struct proc {
	uint32_t pid;
	uint32_t ppid;	  /* fork-time parent */
	uint64_t start;	  /* boot-time ns */
	uint64_t exec_ts; /* boot-time ns of the last exec, 0 if none seen */
	uint32_t uid;
	uint32_t gid;
	uint64_t cgroup_id;
	struct proc *parent;  /* fork-time parent, holds a reference */
	struct image *img;    /* never NULL once inserted */
	struct session *sess; /* install session, NULL outside one */
	uint16_t depth;	      /* generations below the session root, 0 = root */
	bool exited;
	bool from_proc; /* found by the /proc scan, start time approximate */
	int refs;	/* table + children */
	int exit_code;
	struct proc *hnext;		  /* hash chain */
	struct proc *lru_prev, *lru_next; /* exited list, oldest first */
};

struct session {
	int refs;		 /* member processes other than the root */
	uint64_t id;		 /* also the value in the kernel's tracked map */
	const struct pm_def *pm; /* the package manager that rooted it: own_pm */
	struct pm_def own_pm;	 /* its name and package_type, copied: a config
					 * reload may free the definition */
	struct proc *root;	 /* holds a reference until the session ends */
	bool lifecycle;		 /* rooted at a lifecycle script (its environment),
				  * not at a package manager depsentry knows */
	struct session *next;
};

/* The table: one entry per live process, plus exited ancestors still
 * referenced by a descendant. Bounded by max; see docs/architecture.md. */
struct proctable;

struct proctable_stats {
	uint64_t live;	   /* entries in the hash */
	uint64_t held;	   /* exited entries kept for a descendant's ancestry */
	uint64_t full;	   /* inserts refused: table at its cap */
	uint64_t sessions; /* install sessions alive */
	uint64_t swept;	   /* entries retired because /proc no longer had them */
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
/* Each live entry, then each exited one still kept. */
void proctable_each(struct proctable *t, void (*fn)(struct proc *p, void *arg), void *arg);

/* pid.c: a process in /proc by its identity; procfs.c: the processes that
 * were running before the hooks were attached */
/* At most len bytes of a /proc file: how many, or -errno. */
ssize_t procfs_read(const char *path, char *buf, size_t len);
/* pid's fork-time parent and start (boot-time ns): 0 or -errno. */
int procfs_stat(uint32_t pid, uint32_t *ppid, uint64_t *start);
typedef void (*proc_fn)(struct proc *p, void *arg);
/* Insert every running process, parents first; added() sees each one. */
int procfs_scan(struct proctable *t, const struct strlist *env_vars, proc_fn added, void *arg);
uint64_t procfs_boot_ns_from_ticks(unsigned long long ticks);
bool procfs_alive(uint32_t pid, uint64_t start);
int procfs_start(uint32_t pid, uint64_t *start); /* boot-time ns, 0 or -errno */
/* The one identity test: a start time read in /proc (proc_ns) is start's
 * process, within one clock tick either way. */
bool procfs_same_start(uint64_t proc_ns, uint64_t start);
/* alive as that process, and not a zombie: exited, if not reaped yet */
bool procfs_running(uint32_t pid, uint64_t start);
/* The same; start 0 (a pid alone): the process named comm that has it now. */
bool procfs_running_as(uint32_t pid, uint64_t start, const char *comm);
/* stat() a file as the process (pid, start) names it, relative to cwd
 * when not absolute: through /proc/PID/root while that process runs (its
 * mount namespace), else as the daemon sees it; dir gets the directory's.
 * A file removed already is all zeros (st_mode 0) if its directory is
 * there. 0 or -errno. */
int procfs_stat_file(uint32_t pid, uint64_t start, const char *cwd, const char *path,
		     struct stat *file, struct stat *dir);
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

/* names.c: what DNS named addresses */
/* The (network namespace, IP) -> name cache: bounded, least recently
 * added evicted first; an entry lives for its TTL clamped to [min_ttl,
 * max_ttl] seconds. A namespace is the inode number of its nsfs file. */
struct dns_cache;

struct dns_cache_stats {
	uint64_t entries;
	uint64_t inserted;
	uint64_t evicted;   /* dropped to make room */
	uint64_t expired;   /* dropped at or after their TTL */
	uint64_t forgotten; /* taken back (dns_cache_forget) */
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
int dns_cache_add(struct dns_cache *c, uint32_t netns, const struct ipaddr *addr, const char *name,
		  uint32_t ttl, uint64_t now_ns);
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
#define DNSQ_MAX 4096 /* questions waiting for their answer, at most */

struct dnsq;

/* A question as it left its socket (addresses as on the wire). */
struct dnsq_question {
	struct ipaddr client, server;
	uint16_t cport; /* the client's port; the server's is 53 */
	uint16_t id;
	uint16_t qtype, qclass;
	char qname[DNS_NAME_MAX]; /* lower-case, as dns_parse gives it */
	uint32_t netns;		  /* the asking socket's network namespace */
	uint32_t pid;		  /* the asking process, 0 if unknown */
	uint64_t asked_ns;	  /* when it left, boot-time ns */
};

struct dnsq_stats {
	uint64_t questions;   /* recorded */
	uint64_t waiting;     /* waiting for their answer now */
	uint64_t believed;    /* answers that matched their question */
	uint64_t unsolicited; /* answers to no question recorded, or taken back: ignored */
	uint64_t evicted;     /* unanswered questions dropped to make room */
	uint64_t expired;     /* questions not answered within the timeout */
	uint64_t voided;      /* questions an install session sent an answer to itself */
	uint64_t revoked;     /* believed answers taken back for that reason */
};

/* The addresses a believed answer to q gave (n may be 0: NXDOMAIN, no
 * record), or the ones it gave taken back. */
typedef void (*dnsq_names_fn)(const struct dnsq_question *q, const struct dns_answer *a, size_t n,
			      uint64_t now_ns, void *arg);

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

/* Lookups used by rules and alerts. */
const char *proc_env(const struct proc *p, const char *name); /* NULL if unset */

/* package.c: the package a process acts for */
enum package_source {
	PKG_NONE,
	PKG_ENVIRONMENT, /* its own environment (npm_package_name) */
	PKG_ANCESTOR,	 /* an ancestor's environment, in its session */
	PKG_DIRECTORY,	 /* the directory it or an ancestor ran in */
};

#define PACKAGE_NAME_MAX 256 /* bytes of a name taken from a directory */

struct package_ref {
	const char *name;    /* NULL when unknown */
	const char *version; /* NULL when unknown */
	enum package_source source;
	const struct proc *from; /* the process it was learnt from */
	char buf[PACKAGE_NAME_MAX];
};

/*
 * The package p acts for: npm_package_name in its environment, else in
 * the nearest ancestor's within its install session (env -i, setsid and
 * double forks clear the environment, not the fork-time ancestry), else
 * the directory it or the nearest ancestor in its session runs in
 * (node_modules/<name>, node_modules/@scope/<name>, a pip build
 * directory pip-install-RANDOM/NAME_HASH). False when none names one.
 */
bool proc_package(const struct proc *p, struct package_ref *r);
const char *package_source_name(enum package_source s);
/* The lifecycle event p runs for: its own environment's, else the nearest
 * ancestor's in its session. */
const char *proc_lifecycle_event(const struct proc *p);
/* The package name a working directory names, into buf: true if any. */
bool package_from_directory(const char *cwd, char *buf, size_t len);
/* The entity id: stable across the life of a process, unique per host. */
struct host_info;
void proc_entity_id(const struct host_info *h, const struct proc *p, char *buf, size_t len);

/* ci.c: the CI job an alert belongs to (depsentry.ci in docs/fields.md) */
enum ci_field {
	CI_PROVIDER, /* "github-actions", "gitlab", ..., "unknown" */
	CI_REPOSITORY,
	CI_PROJECT_ID,
	CI_WORKFLOW,
	CI_RUN_ID, /* GitHub's workflow run, GitLab's pipeline */
	CI_JOB,
	CI_JOB_ID,
	CI_RUNNER,
	CI_COMMIT,
	CI_REF,
	CI_EVENT,
	CI_URL,
	CI_FIELD_MAX,
};

#define CI_VALUE_MAX 1024 /* bytes kept of one value */

struct ci_context {
	const char *source;	     /* "exec", "session" or "process" */
	const char *v[CI_FIELD_MAX]; /* NULL when unknown; valid while the source is */
	char url[CI_VALUE_MAX];	     /* a url built from several variables */
};

/* One variable of an environment (src), or NULL. */
typedef const char *(*ci_env_fn)(const void *src, const char *name);

const char *ci_field_name(enum ci_field f); /* "run_id", ... */
/* The context an environment describes; false when it names no CI. */
bool ci_context_read(struct ci_context *c, ci_env_fn get, const void *src);
/* Under `depsentry exec`: CMD (its pid and the agent's, its fork-time
 * parent) and the context read from the environment the agent gave it. */
struct ci_exec {
	bool set;
	uint32_t pid, ppid;
	struct ci_context ctx;
	char *own[CI_FIELD_MAX];
};

/* The context of an alert about p, from the most trusted environment. */
bool ci_context_for(const struct ci_exec *x, const struct proc *p, struct ci_context *c);
/* depsentry exec: CMD's pid when p is CMD or below it, else 0. */
uint32_t ci_exec_pid(const struct ci_exec *x, const struct proc *p);
/* depsentry exec: CMD is pid, forked by ppid, with environment envp. */
int ci_exec_set(struct ci_exec *x, uint32_t pid, uint32_t ppid, char *const *envp);
void ci_exec_clear(struct ci_exec *x);

/* host.c: the host, and a process's container */
/* Who writes the alerts: the host, and under `depsentry exec` its CMD. */
struct host_info {
	char hostname[256];
	char id[64];	   /* /etc/machine-id */
	char os_name[128]; /* PRETTY_NAME-less NAME from os-release */
	char os_version[64];
	char os_kernel[128];
	char os_family[32];
	char agent_id[64];
	char architecture[32]; /* uname machine: "x86_64" */
	/* the host's pid, mount and network namespaces (inode numbers: PID
	 * 1's, else the daemon's): a process in others is in a container,
	 * named or not */
	uint32_t ns_pid, ns_mnt, ns_net;
	struct ci_exec exec; /* depsentry exec: CMD, and the CI job it runs in */
};

void host_info_load(struct host_info *h);

/* places.c: what a container's own files say, kept past its processes */
#define PLACE_RESOLVERS 8

/* Has the image a place of its own (a mount namespace other than the
 * daemon's, or a root directory of its own)? */
bool place_is_own(const struct image *img);
/* An exec of p: the first of its place has the place's resolv.conf read. */
void place_seen(const struct proc *p);
/* The resolvers of img's place, or of the place seen with network
 * namespace net_ns (not the daemon's): how many, 0 when unknown. */
size_t place_resolvers(const struct image *img, uint32_t net_ns, struct ipaddr *out, size_t max);
/* The resolvers process pid (p when known, in network namespace net_ns)
 * asks: its own resolv.conf while it lives, its place's after, its live
 * ancestors' in its session, the host's; the local one without any. */
size_t proc_resolvers(const struct proc *p, uint32_t pid, uint32_t net_ns, struct ipaddr *out,
		      size_t max);
void places_forget(void);
/* The host name in img's place's /etc/hostname, "" when unknown. */
const char *place_hostname(const struct image *img);
/* A path as a process of img's place sees it (own), as the host does: through
 * the place's mounts and the daemon's; else img's root + own; NULL when
 * the same or unknown. Freed by the caller. */
char *place_host_path(const struct image *img, const char *own);
/* A file path of img's mount namespace, walked through a mount of the
 * whole filesystem kdev (a file record's device), as a process of img's
 * place sees it through its mounts (a host directory bind-mounted into a
 * container); NULL when none shows it. */
char *place_own_path(const struct image *img, uint32_t kdev, const char *ns_path);

/* container.c: the container a process runs in, from its cgroup */
struct container {
	char id[80];	       /* the runtime's (64 hex), or a machine's name */
	char runtime[24];      /* "docker", "podman", "containerd", ...; "" unknown */
	char name[128];	       /* "" unknown */
	char orchestrator[16]; /* "kubernetes" or "" */
};

/* The container of a cgroup path or a /proc/PID/cgroup line: false when
 * it is no runtime's (c is cleared). */
bool container_from_cgroup(const char *path, struct container *c);
/* The container of cgroup v2 id cgid (an exec record's), found by its
 * path even when none of its processes lives any more; cached. */
bool container_by_cgroup_id(uint64_t cgid, struct container *c);
/* The container in /proc/<pid>/cgroup, if that pid still is the process
 * started at start_ns; false when none or unknown. */
bool container_by_pid(uint32_t pid, uint64_t start_ns, struct container *c);
/* c's name from its runtime's state on disk, if it keeps one: found? A
 * build step's container, found by no id, is looked up by its processes'
 * host name (the id's first 12 digits), which fills in its id too. */
bool container_name_lookup(struct container *c, const char *hostname);
/* Where docker and containers/storage keep names (tests). */
void container_set_state_paths(const char *docker_dir, const char *storage_file);

#endif /* DEPSENTRY_MODEL_H */
