/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * The records the kernel side sends to user space, their limits and flags.
 * This is the only header shared by bpf/ and user/: every layout is defined
 * here once, with explicit padding, and checked with _Static_assert.
 */
#ifndef DEPSENTRY_H
#define DEPSENTRY_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define DS_COMM_LEN	16
#define DS_ARGS_MAX	32768 /* argv bytes copied from mm->arg_start */
#define DS_FILENAME_MAX 256   /* the path as passed to execve */
#define DS_PATH_MAX	4096  /* a walked path (PATH_MAX), components and NULs */
#define DS_PATH_DEPTH	64    /* dentry components walked per path */
#define DS_NAME_MAX	255   /* one path component */
#define DS_ENV_MAX	16384 /* environ bytes copied, tracked processes only */
#define DS_ANCHOR_LEN	32    /* bytes of a path component the file filter keys on */
#define DS_SUFFIX_LEN	8     /* bytes of a file name's end the file filter keys on */
#define DS_FD_NAME_MAX	4096  /* a rename or link name as passed (PATH_MAX) */
#define DS_DNS_DATA_MAX 352   /* packet bytes of a dns record: a whole question */

/* The variable part of an exec record is built in a per-CPU scratch buffer.
 * Offsets into it are masked with DS_DATA_MASK and every copy is bounded by
 * its section maximum, so the scratch buffer is twice the mask. */
#define DS_DATA_MASK	65535
#define DS_SCRATCH_SIZE (2 * (DS_DATA_MASK + 1))

enum ds_event_type {
	DS_EV_EXEC = 1,
	DS_EV_FORK = 2,
	DS_EV_EXIT = 3,
	DS_EV_CONNECT = 4,
	DS_EV_FILE = 5,
	DS_EV_SIGNAL = 6,
	DS_EV_DNS = 7,
	DS_EV_MAX,
};

/* Drop and health counters, one slot each in the per-CPU counters map. */
enum ds_counter {
	DS_DROP_EXEC = 0, /* ring buffer full: exec record lost */
	DS_DROP_FORK,	  /* ring buffer full: fork record lost */
	DS_DROP_EXIT,	  /* ring buffer full: exit record lost */
	DS_DROP_TRACK,	  /* tracked map full: a child could not inherit */
	DS_ERR_ARGS,	  /* argv could not be read */
	DS_ERR_ENV,	  /* environ could not be read */
	DS_ERR_PATH,	  /* a path walk faulted */
	DS_DROP_CONNECT,  /* ring buffer full: connect record lost */
	DS_ERR_CONNECT,	  /* connect arguments unreadable or not stashed */
	DS_DROP_FILE,	  /* ring buffer full: file record lost */
	DS_ERR_FILE,	  /* rename/link arguments unreadable or not stashed */
	DS_DROP_SIGNAL,	  /* ring buffer full: record of a signal to the daemon lost */
	DS_DROP_DNS,	  /* a DNS question sent but not recorded */
	DS_COUNTER_MAX,
};

/* Record flags. */
#define DS_F_ARGS_TRUNC	    (1U << 0) /* argv longer than DS_ARGS_MAX */
#define DS_F_FILENAME_TRUNC (1U << 1)
#define DS_F_EXE_TRUNC	    (1U << 2) /* path deeper or longer than the walk */
#define DS_F_CWD_TRUNC	    (1U << 3)
#define DS_F_ENV_TRUNC	    (1U << 4)
#define DS_F_ARGS_FAULT	    (1U << 5) /* argv pages not readable */
#define DS_F_ENV_FAULT	    (1U << 6)
#define DS_F_TRACKED	    (1U << 7)  /* task is in an install session */
#define DS_F_ENV_PRESENT    (1U << 8)  /* environ section was captured */
#define DS_F_PATH_TRUNC	    (1U << 9)  /* file: path deeper or longer than the walk */
#define DS_F_PATH_FSREL	    (1U << 10) /* file: no mount found, path from its fs root */
#define DS_F_NAME_TRUNC	    (1U << 11) /* file: the new name as passed was cut */
#define DS_F_OLD_TRUNC	    (1U << 12) /* file: old directory path or old name cut */
#define DS_F_DNS_TRUNC	    (1U << 13) /* dns: the packet is longer than data */
#define DS_F_LIFECYCLE	    (1U << 14) /* exec: environ names a lifecycle event */
#define DS_F_ROOT_TRUNC	    (1U << 15) /* exec: root directory deeper or longer than the walk */

/* The variable every package manager that runs npm lifecycle scripts (npm,
 * pnpm, yarn, bun) sets for them: an untracked exec whose environ holds it
 * is sent with its environ (DS_F_LIFECYCLE). At most DS_LIFECYCLE_VARS
 * variables are looked at. */
#define DS_LIFECYCLE_VAR  "npm_lifecycle_event="
#define DS_LIFECYCLE_VARS 256

/* Every record starts with this header. */
struct ds_hdr {
	__u16 type;  /* enum ds_event_type */
	__u16 flags; /* DS_F_* */
	__u32 size;  /* bytes in the whole record */
	__u64 ts;    /* bpf_ktime_get_boot_ns() at the hook */
	__u64 start; /* process start, boot-time ns: with pid, its identity */
	__u32 pid;   /* tgid */
	__u32 tid;
};

/*
 * exec: the bytes after the record hold, in this order and each of its length:
 *   args     NUL-separated argv
 *   filename the path as invoked, NUL-terminated
 *   exe      resolved executable, components leaf first, each NUL-terminated
 *   cwd      working directory, components leaf first, each NUL-terminated
 *   root     the process's root directory (chroot, a container's root),
 *            walked to the root of its mount namespace, leaf first
 *   env      raw environ block (only when DS_F_ENV_PRESENT)
 * A path with no component is the root directory. exe and cwd are walked up
 * to the process's root: they are the paths as the process itself sees them.
 */
struct ds_exec {
	struct ds_hdr hdr;
	__u32 ppid; /* current real parent tgid */
	__u32 uid;
	__u32 gid;
	__u32 argc;   /* argv entries, as the kernel counted them */
	__u64 pstart; /* real parent start, boot-time ns */
	__u64 cgroup_id;
	__u64 session; /* session id from the tracked map, 0 if none */
	__u16 args_len;
	__u16 filename_len;
	__u16 exe_len;
	__u16 cwd_len;
	__u16 env_len;
	__u16 exe_mode; /* the executable's inode mode */
	__u16 dir_mode; /* and its directory's (as the path reached it) */
	__u16 root_len;
	__s64 exe_ctime; /* the executable's inode change time, real-time ns */
	__u32 pid_ns;	 /* inode numbers of its pid, mount and network namespaces */
	__u32 mnt_ns;
	__u32 net_ns;
	__u16 in_root; /* DS_IN_ROOT_*: which walks ended at a root of its own */
	__u16 pad2;
	__u32 root_mnt; /* mount id of its root directory's mount (pivot_root changes it) */
	__u32 pad3;
	char comm[DS_COMM_LEN];
	/* the data sections follow the record */
};

/* A path walk that ended at the process's root directory, where that is
 * not its mount namespace's root (a chroot, a container's root): the path
 * is as the process sees it, and root + path is its namespace's view. One
 * that did not (a bind mount from outside the root, an open fd from before
 * a chroot) went on to the namespace's root. */
#define DS_IN_ROOT_PATH 1U /* exec: exe; file: path */
#define DS_IN_ROOT_CWD	2U /* exec: cwd; file: old_dir */
#define DS_IN_ROOT_SET \
	4U /* file: the actor has a root of its own (names
			    * passed as absolute are relative to it) */

/* fork of a new process (threads are not reported). hdr is the child. */
struct ds_fork {
	struct ds_hdr hdr;
	__u32 ppid; /* tgid of the parent at fork time */
	__u32 pad;
	__u64 pstart;
	__u64 session; /* session id inherited in the kernel, 0 if none */
};

/* exit of the last thread of a process. */
struct ds_exit {
	struct ds_hdr hdr;
	__u32 exit_code; /* as in wait(2) status */
	__u32 pad;
};

/*
 * connect() by a tracked process to an IPv4 or IPv6 address, sent when the
 * call returns. The destination is the sockaddr the caller passed (an
 * IPv4-mapped IPv6 address stays as it was given); the source is the
 * socket's local address after the call, zero if it has none yet.
 */
struct ds_connect {
	struct ds_hdr hdr;
	__u64 session;	 /* session id from the tracked map */
	__s32 ret;	 /* connect()'s return: 0 or -errno */
	__u16 family;	 /* AF_INET or AF_INET6, of the destination */
	__u16 protocol;	 /* the socket's IPPROTO_*, 0 if unknown */
	__u16 sock_type; /* SOCK_STREAM, SOCK_DGRAM, ... */
	__u16 sport;	 /* host order */
	__u16 dport;	 /* host order */
	__u16 egress;	 /* DS_EGRESS_*: the response's verdict, 0 if none */
	__u32 netns;	 /* inode number of the socket's network namespace, 0 if unknown */
	__u32 pad2;
	__u8 saddr[16]; /* network order; IPv4 in the first 4 bytes */
	__u8 daddr[16];
	char comm[DS_COMM_LEN]; /* the calling thread's */
};

/*
 * dns: a UDP datagram leaving a socket on a network device of the
 * socket's own namespace, sent from the device queue where it is whole:
 * either to port 53 (a DNS question, from any process), or from port 53
 * by a process inside an install session (an answer it made itself).
 * data holds the packet from its IP header on, len bytes of it, cut at
 * DS_DNS_DATA_MAX (DS_F_DNS_TRUNC): enough for the header and question of
 * any DNS message. The header names the sending task.
 */
struct ds_dns {
	struct ds_hdr hdr;
	__u64 session;	 /* session id from the tracked map, 0 if none */
	__u32 netns;	 /* inode number of the sending socket's network namespace */
	__u32 ifindex;	 /* the device it left by, in that namespace */
	__u16 len;	 /* bytes in data */
	__u16 sock_type; /* the sending socket's SOCK_DGRAM, SOCK_RAW, ... */
	__u16 protocol;	 /* and its IPPROTO_* */
	__u16 pad;
	__u8 data[DS_DNS_DATA_MAX];
};

/*
 * file: a watched path was written (its inode dirtied by the current task),
 * a rename or hard link onto one succeeded, or a process of an install
 * session opened one for reading. The bytes after the record:
 *   path     components leaf first, each NUL-terminated: for a write the
 *            file itself; for a rename, link or open the directory the
 *            (new) name is relative to (empty when it is absolute)
 *   name     rename/link/open: the (new) name as passed, NUL-terminated
 *   old_dir  rename/link: the directory the old name is relative to
 *   old_name rename/link: the old name as passed, NUL-terminated
 * Only paths with a component that starts with a configured anchor (the
 * literal part of a watched pattern) of the operation's class are sent.
 */
enum ds_file_op {
	DS_FILE_WRITE = 1,
	DS_FILE_RENAME = 2,
	DS_FILE_LINK = 3,
	DS_FILE_OPEN = 4, /* an open for reading by a process of an install session */
};

struct ds_file {
	struct ds_hdr hdr;
	__u64 session; /* from the tracked map, 0 if none */
	__u64 ino;     /* write: the inode written */
	__u32 dev;     /* write: its filesystem's device (kernel encoding) */
	__u32 mnt_ns;  /* inode number of the writer's mount namespace */
	__u16 op;      /* enum ds_file_op */
	__u16 path_len;
	__u16 name_len;
	__u16 old_dir_len;
	__u16 old_name_len;
	__u16 in_root; /* DS_IN_ROOT_*: which walks ended at the actor's own root */
	__u16 pad[2];
	__s64 atime; /* write: the inode's access time, ns since the epoch */
	char comm[DS_COMM_LEN];
	/* the data sections follow the record */
};

/* Key of the anchors LPM trie: a path component, lower-case, at most
 * DS_ANCHOR_LEN - 1 bytes then NUL. An anchor that is a whole name keeps
 * its NUL in the prefix, so it matches that name only. Its value is the
 * classes (DS_ANCHOR_*) of the anchors it starts with: the trie answers
 * with the longest prefix only, so a key carries the classes of the
 * shorter anchors that are prefixes of it too. */
#define DS_ANCHOR_WRITE (1U << 0) /* writes, renames and links: CI/CD, persistence */
#define DS_ANCHOR_READ	(1U << 1) /* opens for reading in sessions: credentials */

struct ds_anchor_key {
	__u32 prefixlen; /* in bits */
	char name[DS_ANCHOR_LEN];
};

/* Key of the anchor_suffixes hash: the last len bytes (1 to DS_SUFFIX_LEN)
 * of a file's own name, lower case, the rest zero: the literal end of a
 * pattern whose last component is '*' then a literal ("*.pth"). Its value
 * is the classes (DS_ANCHOR_*); the suffix_lens array's one value has bit
 * len set for each length in use. */
struct ds_suffix_key {
	__u32 len;
	char s[DS_SUFFIX_LEN];
};

/* Key of the wake_comm LPM trie: exec of a command whose name starts with
 * one of these prefixes (a package manager's executable) wakes user space
 * at once, so the session is rooted before its first connect. */
struct ds_wake_key {
	__u32 prefixlen; /* in bits, of comm */
	char comm[DS_COMM_LEN];
};

/*
 * signal: a signal sent to the daemon by another process (signal_generate,
 * in the sender's context). hdr is the sender: tgid, tid, start, and ts
 * when the signal was sent; DS_F_TRACKED when it is in an install session.
 * The same record, with the sender's environment after it (DS_F_ENV_TRUNC,
 * DS_F_ENV_FAULT), is kept in the pinned tamper map for the daemon's
 * successor; there, a signal the daemon sent itself (a crash) has the
 * daemon's own tgid as the sender.
 */
struct ds_signal {
	struct ds_hdr hdr;
	__u64 session;	    /* the sender's session (tracked map), 0 if none */
	__u64 target_start; /* the daemon's start, boot-time ns */
	__u32 target_pid;   /* the daemon's tgid */
	__u32 uid;	    /* the sender's real uid */
	__s32 sig;
	__s32 code;    /* si_code; SI_KERNEL (0x80) for the kernel's own */
	__u32 seq;     /* DS_F_TRACKED: its number in tamper.session_seq */
	__u16 env_len; /* pinned record: bytes of env */
	__u16 pad;
	char comm[DS_COMM_LEN];
};

/* Sent by a process (kill, tgkill, sigqueue, pidfd_send_signal; a zero
 * code is also what the kernel gives SEND_SIG_NOINFO), not by the kernel
 * on its own behalf (a child's exit, a fault, the OOM killer, a timer). */
#define DS_SIG_FROM_PROCESS(code) ((code) == 0 || (code) == -1 || (code) == -6)

/* Signals that end the daemon: SIGKILL, and every signal whose default
 * action ends a process and which the daemon neither catches nor ignores
 * (it catches HUP, INT, TERM and USR1, and ignores PIPE). Bit sig - 1. */
#define DS_SIG_BIT(sig) (1ULL << ((sig)-1))
#define DS_SIG_FATAL_MASK                                                                     \
	(DS_SIG_BIT(3) | DS_SIG_BIT(4) | DS_SIG_BIT(5) | DS_SIG_BIT(6) | DS_SIG_BIT(7) |      \
	 DS_SIG_BIT(8) | DS_SIG_BIT(9) | DS_SIG_BIT(11) | DS_SIG_BIT(12) | DS_SIG_BIT(14) |   \
	 DS_SIG_BIT(16) | DS_SIG_BIT(24) | DS_SIG_BIT(25) | DS_SIG_BIT(26) | DS_SIG_BIT(27) | \
	 DS_SIG_BIT(29) | DS_SIG_BIT(30) | DS_SIG_BIT(31) | 0xffffffff00000000ULL)
#define DS_SIG_FATAL(sig) ((sig) >= 1 && (sig) <= 64 && (DS_SIG_FATAL_MASK & DS_SIG_BIT(sig)))

/* One signal kept in the pinned map, with the sender's environment when
 * it was in an install session (the package it ran for). */
struct ds_tamper_rec {
	struct ds_signal sig; /* hdr.ts 0: none */
	char env[DS_ENV_MAX];
};

/*
 * The pinned tamper map's one value (/sys/fs/bpf/depsentry/tamper): what
 * signals the daemon got, for the daemon that starts after it. Each daemon
 * copies it at start and resets it with a nonce of its own, which it also
 * writes to its state file, so that its successor knows the records are
 * its predecessor's.
 */
struct ds_tamper {
	__u64 nonce;	   /* set by the daemon at start */
	__u64 count;	   /* signals from other processes */
	__u32 session_seq; /* signals from install sessions */
	__u32 acked_seq;   /* the last of those the daemon alerted */
	__u32 target_pid;  /* the daemon, as the kernel names it */
	__u32 pad;
	__u64 target_start;
	struct ds_tamper_rec fatal;   /* the first signal that ends the daemon */
	struct ds_tamper_rec session; /* the last from an install session */
};

/* Value of the self map: which process is the daemon. User space gives its
 * pid and pid namespace (what it can see); the kernel fills in the global
 * tgid and start the first time a signal is sent to it. */
struct ds_self {
	__u32 ns_pid;	 /* getpid() */
	__u32 tgid;	 /* learnt: 0 until then */
	__u64 pidns_ino; /* inode number of /proc/self/ns/pid */
	__u64 start;	 /* learnt: the daemon's start, boot-time ns */
};

/*
 * The response to install sessions' egress (bpf/egress.bpf.c): socket
 * address programs on the root cgroup judge every connect and every UDP
 * datagram sent with an address, of the processes in the tracked map,
 * against the allowed destinations that user space and the DNS filter put
 * in the egress maps. Addresses are keyed as IPv6: IPv4 as ::ffff:a.b.c.d.
 */
#define DS_RESP_DETECT 1U /* judge and report what would be blocked */
#define DS_RESP_BLOCK  2U /* refuse it (EPERM) */

/* A connect record's egress field: what the response made of it. */
#define DS_EGRESS_DENIED  (1U << 0) /* not an allowed destination */
#define DS_EGRESS_BLOCKED (1U << 1) /* refused in the kernel */
#define DS_EGRESS_SENDMSG (1U << 2) /* a datagram sent with an address, not a connect */

#define DS_EGRESS_PORTS 4 /* ports an allowed destination may carry; 0 first: any */

struct ds_addr {
	__u8 a[16];
};

struct ds_resp_cfg {
	__u32 mode;    /* DS_RESP_*; 0: off */
	__u32 min_ttl; /* seconds an allowed name's address lives, at least */
	__u32 max_ttl; /* and at most */
	__u32 pad;
};

/* egress_nets: an allowed network (LPM trie) */
struct ds_net_key {
	__u32 prefixlen; /* bits of addr, counted from the IPv6 form */
	__u8 addr[16];
};

struct ds_ports {
	__u16 port[DS_EGRESS_PORTS]; /* host order; port[0] == 0: every port */
};

/* egress_names: key, the hash of a name's wire form from a label on
 * (ds_name_hash); what it allows */
#define DS_NAME_EXACT  1U /* the name itself */
#define DS_NAME_SUFFIX 2U /* names below it */

struct ds_name_allow {
	__u32 kind; /* DS_NAME_* */
	struct ds_ports ports;
	__u32 pad;
};

/* egress_addrs: an address a believed answer gave an allowed name */
struct ds_addr_allow {
	__u64 expires; /* CLOCK_MONOTONIC ns (bpf_ktime_get_ns: every kernel, every program type) */
	struct ds_ports ports;
};

/* dns_asked: a question an install session sent, waiting for its answer */
struct ds_dns_ask {
	__u8 server[16];
	__u16 cport; /* network order, as on the wire */
	__u16 id;    /* network order */
	__u32 pad;
};

/* The hash of a DNS name's wire form (length bytes and labels, lower
 * case, without the root's zero), taken from its last byte back to
 * its first, so that the hash of every suffix comes on the way. */
#define DS_NAME_HASH_INIT	0xcbf29ce484222325ULL
#define DS_NAME_HASH_PRIME	0x100000001b3ULL
#define DS_NAME_HASH_STEP(h, c) (((h) ^ (__u8)(c)) * DS_NAME_HASH_PRIME)

/* Value of the tracked map: a process inside an install session. */
struct ds_track {
	__u64 session;
};

/* The file record's sections, masked like the exec record's. Past the mask
 * the scratch holds a name as passed (read there once to be judged): every
 * copy at a masked offset is bounded by DS_FD_NAME_MAX, so that is room
 * enough for each of them too. */
#define DS_FILE_DATA_MAX  (2 * DS_PATH_MAX + 2 * DS_FD_NAME_MAX)
#define DS_FILE_DATA_MASK 16383
#define DS_FILE_SCRATCH	  (DS_FILE_DATA_MASK + 1 + DS_FD_NAME_MAX)

#define DS_EXEC_DATA_MAX (DS_ARGS_MAX + DS_FILENAME_MAX + 3 * DS_PATH_MAX + DS_ENV_MAX)

_Static_assert(sizeof(struct ds_hdr) == 32, "ds_hdr layout");
_Static_assert(sizeof(struct ds_exec) == 136, "ds_exec layout");
_Static_assert(sizeof(struct ds_fork) == 56, "ds_fork layout");
_Static_assert(sizeof(struct ds_exit) == 40, "ds_exit layout");
_Static_assert(sizeof(struct ds_connect) == 112, "ds_connect layout");
_Static_assert(sizeof(struct ds_dns) == 56 + DS_DNS_DATA_MAX, "ds_dns layout");
/* IPv4 header with options, UDP, DNS header, the longest name, type and class */
_Static_assert(DS_DNS_DATA_MAX >= 60 + 8 + 12 + 255 + 4, "a dns record holds any question");
_Static_assert(sizeof(struct ds_file) == 96, "ds_file layout");
_Static_assert(sizeof(struct ds_signal) == 88, "ds_signal layout");
_Static_assert(sizeof(struct ds_suffix_key) == 12, "ds_suffix_key layout");
_Static_assert(sizeof(struct ds_self) == 24, "ds_self layout");
_Static_assert(sizeof(struct ds_net_key) == 20, "ds_net_key layout");
_Static_assert(sizeof(struct ds_name_allow) == 16, "ds_name_allow layout");
_Static_assert(sizeof(struct ds_addr_allow) == 16, "ds_addr_allow layout");
_Static_assert(sizeof(struct ds_dns_ask) == 24, "ds_dns_ask layout");
_Static_assert(sizeof(struct ds_tamper) == 40 + 2 * sizeof(struct ds_tamper_rec),
	       "ds_tamper layout");
_Static_assert(DS_EXEC_DATA_MAX <= DS_DATA_MASK + 1, "exec data fits the mask");
_Static_assert(DS_FILE_DATA_MAX <= DS_FILE_DATA_MASK + 1, "file data fits the mask");

#endif /* DEPSENTRY_H */
