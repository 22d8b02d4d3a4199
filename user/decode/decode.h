/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Decoding: every record the kernel sends, every DNS packet and every
 * fanotify event is checked and turned into a typed event here, and
 * nowhere else.
 */
#ifndef DEPSENTRY_DECODE_H
#define DEPSENTRY_DECODE_H

#include "config/config.h"

/* image.c: what exec put into a process */
struct envvar {
	char *name;
	char *value;
};

/* What exec put into a process; shared by a forked child until it execs. */
struct image {
	int refs;
	uint32_t flags; /* DS_F_* truncation flags */
	char comm[DS_COMM_LEN];
	char *exe;	/* resolved executable path */
	char *filename; /* path as invoked */
	char *name;	/* basename of exe */
	char **argv;	/* argc strings, NULL-terminated */
	int argc;
	int argc_total; /* the exec's own count, when argv holds fewer; else 0 */
	char *cmdline;	/* argv joined by spaces */
	char *cwd;
	char *root; /* its root directory as its mount namespace sees it, NULL for "/" */
	/* with a root of its own, exe or cwd the kernel could only give as its
	 * namespace sees them: that view (NULL otherwise; model/places.c
	 * finds the host's view of the process's own) */
	char *host_exe, *host_cwd;
	/* inode numbers of its pid, mount and network namespaces, 0 unknown */
	uint32_t pid_ns, mnt_ns, net_ns;
	uint32_t root_mnt;  /* mount id of its root's mount */
	struct envvar *env; /* configured variables found in environ */
	size_t nenv;
	/* the executable's inode as exec found it: mode, change time (wall
	 * ns, 0 unknown), the mode of its directory (0 unknown) */
	uint32_t exe_mode, dir_mode;
	int64_t exe_ctime;
};

struct image *image_new(void);
struct image *image_get(struct image *img);
void image_put(struct image *img);
/* Build an image from an exec record; env from the record, else inherited. */
struct image *image_from_exec(const struct ds_exec *e, const char *data, size_t len,
			      const struct strlist *env_vars);
/* An exec record without the environment (DS_F_ENV_PRESENT unset) keeps
 * the variables of the image before it, or of the parent's: 0 or -ENOMEM. */
int image_inherit_env(struct image *img, const struct image *from);
int image_set_argv(struct image *img, const char *buf, size_t len);
int image_set_env(struct image *img, const char *buf, size_t len, const struct strlist *vars);

/* dns.c: DNS messages seen on the wire */
#define DNS_ADDRS_MAX 32 /* addresses kept from one answer */
#define DNS_CHAIN_MAX 8	 /* CNAME links followed from the question */

/* One UDP datagram to or from port 53, as captured at the network layer. */
struct dns_packet {
	struct ipaddr src, dst;
	uint16_t sport, dport;	/* host order */
	const uint8_t *payload; /* the DNS message, inside the packet */
	size_t payload_len;
};

struct dns_answer {
	struct ipaddr addr;
	uint32_t ttl; /* the smallest TTL along the CNAME chain */
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
	char chain[DNS_CHAIN_MAX][DNS_NAME_MAX]; /* CNAME targets, in order */
	size_t nchain;
	struct dns_answer addrs[DNS_ADDRS_MAX];
	size_t naddrs;
	bool addrs_truncated; /* more than DNS_ADDRS_MAX matched */
};

/* Parse an IPv4 or IPv6 packet (no link header) carrying UDP to or from
 * port 53; -EINVAL for anything else or anything malformed. */
int dns_packet_parse(const uint8_t *pkt, size_t len, struct dns_packet *out);
/* Parse a DNS message; -EINVAL when malformed (loops, bad pointers, labels
 * over 63, names over 253, truncation, no question). */
int dns_parse(const uint8_t *msg, size_t len, struct dns_msg *out);
const char *dns_qtype_name(uint16_t qtype); /* "A", "AAAA", ..., NULL if unknown */

/* resolv.c: the nameserver addresses a resolv.conf names, at most max; how many. */
size_t resolv_conf_nameservers(FILE *f, struct ipaddr *out, size_t max);
/* The same of the file at path; 0 when it cannot be read. */
size_t resolv_conf_read(const char *path, struct ipaddr *out, size_t max);
/* Of the /etc/resolv.conf process pid sees (containers, private mount
 * namespaces: through /proc/PID/root); 0 when it cannot be read. */
size_t resolv_conf_of(uint32_t pid, struct ipaddr *out, size_t max);

/* A connect or a DNS question (rules/egress.c judges it) */
enum net_kind {
	NET_CONNECT = 1, /* connect() */
	NET_DNS_QUERY,	 /* a DNS question seen on the wire */
};

struct net_event {
	enum net_kind kind;
	struct ipaddr src, dst; /* IPv4-mapped addresses already unmapped */
	uint16_t sport, dport;
	uint8_t transport;  /* IPPROTO_TCP, IPPROTO_UDP, 0 if unknown */
	int result;	    /* connect: 0 or -errno */
	uint64_t session;   /* the kernel's session id, 0 if none */
	uint32_t netns;	    /* the socket's network namespace, 0 if unknown */
	const char *domain; /* destination.domain, NULL if unknown */
	const char *qname;  /* NET_DNS_QUERY: the question */
	uint16_t qtype;
	uint16_t dns_id;
	uint64_t repeats;	    /* a follow-up line: times seen in all */
	uint64_t first_ns, last_ns; /* a follow-up line: boot-time ns */
	bool resolver;		    /* connect: to the process's own DNS resolver */
	unsigned int egress;	    /* connect: DS_EGRESS_*, the response's verdict */
};

/* A write, rename or link onto a watched path (rules/files.c judges it),
 * or an install session's open of one for reading (rules/creds.c) */
struct file_event {
	enum ds_file_op op;
	char *path;	     /* absolute */
	char *old_path;	     /* rename/link: where it came from, else NULL */
	const char *pattern; /* the watched pattern that matched */
	const char *action;  /* "creation", "overwrite", "rename", "link", "open" */
	const char *reason;  /* why it is an alert, NULL: the rule's own words */
	enum rule_id rule;   /* the rule that judged it */
	bool alert;	     /* its rule alerts it (else only an event) */
	bool created;	     /* event.type creation, else change */
	unsigned int cut;    /* FILE_CUT_*: what the kernel could not give whole */
	bool resolved;	     /* rename/link: symbolic links in the directory resolved */
	enum file_writer writer;
	bool pm_writer;	     /* in a session, the writer's image is a package manager */
	bool trusted_writer; /* outside sessions, the writer is a trusted installer */
	enum severity severity;
	uint64_t session; /* the kernel's session id, 0 if none */
	uint32_t pid;
	uint64_t start, ts;
	int64_t atime;	      /* write: the inode's access time, ns since the epoch */
	unsigned long mnt_ns; /* the namespace path is in; 0: the daemon's */
	uint32_t dev;	      /* write: the filesystem's device, kernel encoding */
	bool rooted;	      /* the actor has a root directory of its own */
	bool own_view;	      /* path is as the actor sees it, from its root */
	char *host_path;      /* path in its mount namespace's view, when it differs */
	char comm[DS_COMM_LEN];
};

#define FILE_CUT_PATH \
	(1U << 0)		/* the directories: deeper or longer than the walk,
					 * or not joined to their mount point */
#define FILE_CUT_NAME (1U << 1) /* the name as passed */
#define FILE_CUT_OLD  (1U << 2) /* old_path */

/* Join the leaf-first NUL-separated components of a kernel path walk into
 * "/a/b/c"; -EINVAL if malformed. */
int file_path_join(const char *comps, size_t len, char *out, size_t outlen);
/* Lexically normalise an absolute path in place: "//", "." and "..". */
void file_path_normalize(char *path);

/* file.c: a file record decoded (paths allocated: file_event_free); 0 or
 * -EINVAL when malformed */
int file_decode(const struct ds_file *e, const char *data, size_t len, struct file_event *ev);
void file_event_free(struct file_event *ev);
/* The same for a file event's path, given the actor's root directory. */
int file_event_root(struct file_event *ev, const char *root);
/* A path given in its mount namespace's view (!own_view), of a process
 * with root directory root (NULL: the namespace's): below the root, *path
 * becomes what the process sees and *host the namespace's view. 0 or
 * -ENOMEM. */
int path_views(const char *root, bool own_view, char **path, char **host);
/* root + path, for a path seen from root; NULL when root is NULL. */
char *path_under_root(const char *root, const char *path);
/* The inode number of a namespace file ("/proc/1/ns/mnt"), 0 if unknown. */
unsigned long mnt_ns_of(const char *path);
unsigned long mnt_ns_self(void); /* the daemon's own, read once */

/* signal.c: a signal sent to the daemon */
enum tamper_origin {
	ORIGIN_NONE = 0, /* nothing recorded */
	ORIGIN_PROCESS,	 /* kill, tgkill, sigqueue, pidfd_send_signal */
	ORIGIN_KERNEL,	 /* the kernel's own: a fault, the OOM killer, a child's exit */
	ORIGIN_SELF,	 /* the daemon sent it to itself (abort, a fault: a crash) */
};

/* A signal to the daemon, from a kernel record. */
struct tamper_signal {
	int sig;  /* 0: none */
	int code; /* si_code */
	enum tamper_origin origin;
	uint32_t pid; /* the sender (current when it was sent) */
	uint64_t start;
	uint32_t uid;
	uint64_t session; /* the sender's session, 0 if none */
	char comm[DS_COMM_LEN];
	char name[16]; /* "SIGKILL" */
};

/* What a sensor-signal or sensor-interrupted alert says beyond the process. */

void tamper_signal_from(const struct ds_signal *e, struct tamper_signal *out);
const char *tamper_signal_name(int sig, char *buf, size_t len); /* "SIGKILL", "SIG34" */
const char *tamper_origin_name(enum tamper_origin o);		/* "process", "kernel", "self" */

/* record.c: one ring-buffer record, checked and decoded. Nothing else
 * reads the kernel's record layouts (include/depsentry.h). */

/* A DNS datagram a socket sent, as the kernel saw it leave. */
enum dns_sent_kind {
	DNS_SENT_MALFORMED = 0, /* not a DNS message over UDP (counted, ignored) */
	DNS_SENT_QUESTION,	/* a question to port 53: m is parsed */
	DNS_SENT_RESPONSE,	/* a response: only its transaction id is read */
	DNS_SENT_OTHER,		/* a question not to port 53: ignored */
};

struct dns_sent {
	enum dns_sent_kind kind;
	struct dns_packet pk; /* payload points into the record */
	uint16_t id;	      /* the transaction id */
	uint32_t netns;	      /* the sending socket's network namespace */
	struct dns_msg m;     /* DNS_SENT_QUESTION */
};

/* The datagram of len bytes at pkt, sent in network namespace netns. */
void dns_sent_decode(const uint8_t *pkt, size_t len, uint32_t netns, struct dns_sent *out);

struct event {
	enum ds_event_type type;
	uint32_t pid;
	uint64_t start;		/* with pid, the process's identity */
	uint64_t ts;		/* boot-time ns at the hook */
	uint32_t flags;		/* DS_F_* */
	uint64_t session;	/* the kernel's session id, 0 if none */
	char comm[DS_COMM_LEN]; /* the record's, "" when it carries none */
	union {
		struct {
			struct image *img; /* a reference, released by event_release */
			uint32_t ppid;
			uint64_t pstart;
			uint32_t uid, gid;
			uint64_t cgroup_id;
		} exec;
		struct {
			uint32_t ppid;
			uint64_t pstart;
		} fork;
		struct {
			int code; /* as in wait(2) status */
		} exit;
		struct net_event connect; /* NET_CONNECT; addresses as given */
		struct file_event file;
		struct {
			struct tamper_signal s;
			uint32_t target_pid; /* the daemon signalled */
			uint64_t target_start;
			uint32_t seq; /* its number in the pinned map, 0 if none */
		} signal;
		struct dns_sent dns;
	};
};

/* Decode the record of len bytes at data into ev: 0, or -EINVAL when it is
 * malformed (nothing to release then). env_vars: the variables an exec's
 * image keeps. */
int event_decode(const void *data, size_t len, const struct strlist *env_vars, struct event *ev);
void event_release(struct event *ev);

#endif /* DEPSENTRY_DECODE_H */
