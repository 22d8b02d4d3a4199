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

#define DS_COMM_LEN		16
#define DS_ARGS_MAX		32768	/* argv bytes copied from mm->arg_start */
#define DS_FILENAME_MAX		256	/* the path as passed to execve */
#define DS_PATH_MAX		4096	/* a walked path (PATH_MAX), components and NULs */
#define DS_PATH_DEPTH		64	/* dentry components walked per path */
#define DS_NAME_MAX		255	/* one path component */
#define DS_ENV_MAX		16384	/* environ bytes copied, tracked processes only */
#define DS_ANCHOR_LEN		32	/* bytes of a path component the file filter keys on */
#define DS_FD_NAME_MAX		4096	/* a rename or link name as passed (PATH_MAX) */

/* The variable part of an exec record is built in a per-CPU scratch buffer.
 * Offsets into it are masked with DS_DATA_MASK and every copy is bounded by
 * its section maximum, so the scratch buffer is twice the mask. */
#define DS_DATA_MASK		65535
#define DS_SCRATCH_SIZE		(2 * (DS_DATA_MASK + 1))

enum ds_event_type {
	DS_EV_EXEC = 1,
	DS_EV_FORK = 2,
	DS_EV_EXIT = 3,
	DS_EV_CONNECT = 4,
	DS_EV_FILE = 5,
	DS_EV_MAX,
};

/* Drop and health counters, one slot each in the per-CPU counters map. */
enum ds_counter {
	DS_DROP_EXEC = 0,	/* ring buffer full: exec record lost */
	DS_DROP_FORK,		/* ring buffer full: fork record lost */
	DS_DROP_EXIT,		/* ring buffer full: exit record lost */
	DS_DROP_TRACK,		/* tracked map full: a child could not inherit */
	DS_ERR_ARGS,		/* argv could not be read */
	DS_ERR_ENV,		/* environ could not be read */
	DS_ERR_PATH,		/* a path walk faulted */
	DS_DROP_CONNECT,	/* ring buffer full: connect record lost */
	DS_ERR_CONNECT,		/* connect arguments unreadable or not stashed */
	DS_DROP_FILE,		/* ring buffer full: file record lost */
	DS_ERR_FILE,		/* rename/link arguments unreadable or not stashed */
	DS_COUNTER_MAX,
};

/* Record flags. */
#define DS_F_ARGS_TRUNC		(1U << 0)	/* argv longer than DS_ARGS_MAX */
#define DS_F_FILENAME_TRUNC	(1U << 1)
#define DS_F_EXE_TRUNC		(1U << 2)	/* path deeper or longer than the walk */
#define DS_F_CWD_TRUNC		(1U << 3)
#define DS_F_ENV_TRUNC		(1U << 4)
#define DS_F_ARGS_FAULT		(1U << 5)	/* argv pages not readable */
#define DS_F_ENV_FAULT		(1U << 6)
#define DS_F_TRACKED		(1U << 7)	/* task is in an install session */
#define DS_F_ENV_PRESENT	(1U << 8)	/* environ section was captured */
#define DS_F_PATH_TRUNC		(1U << 9)	/* file: path deeper or longer than the walk */
#define DS_F_PATH_FSREL		(1U << 10)	/* file: no mount found, path from its fs root */
#define DS_F_NAME_TRUNC		(1U << 11)	/* file: the new name as passed was cut */
#define DS_F_OLD_TRUNC		(1U << 12)	/* file: old directory path or old name cut */

/* Every record starts with this header. */
struct ds_hdr {
	__u16 type;		/* enum ds_event_type */
	__u16 flags;		/* DS_F_* */
	__u32 size;		/* bytes in the whole record */
	__u64 ts;		/* bpf_ktime_get_boot_ns() at the hook */
	__u64 start;		/* process start, boot-time ns: with pid, its identity */
	__u32 pid;		/* tgid */
	__u32 tid;
};

/*
 * exec: the bytes after the record hold, in this order and each of its length:
 *   args     NUL-separated argv
 *   filename the path as invoked, NUL-terminated
 *   exe      resolved executable, components leaf first, each NUL-terminated
 *   cwd      working directory, components leaf first, each NUL-terminated
 *   env      raw environ block (only when DS_F_ENV_PRESENT)
 * A path with no component is the root directory.
 */
struct ds_exec {
	struct ds_hdr hdr;
	__u32 ppid;		/* current real parent tgid */
	__u32 uid;
	__u32 gid;
	__u32 argc;		/* argv entries, as the kernel counted them */
	__u64 pstart;		/* real parent start, boot-time ns */
	__u64 cgroup_id;
	__u64 session;		/* session id from the tracked map, 0 if none */
	__u16 args_len;
	__u16 filename_len;
	__u16 exe_len;
	__u16 cwd_len;
	__u16 env_len;
	__u16 pad2[3];
	char comm[DS_COMM_LEN];
	/* the data sections follow the record */
};

/* fork of a new process (threads are not reported). hdr is the child. */
struct ds_fork {
	struct ds_hdr hdr;
	__u32 ppid;		/* tgid of the parent at fork time */
	__u32 pad;
	__u64 pstart;
	__u64 session;		/* session id inherited in the kernel, 0 if none */
};

/* exit of the last thread of a process. */
struct ds_exit {
	struct ds_hdr hdr;
	__u32 exit_code;	/* as in wait(2) status */
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
	__u64 session;		/* session id from the tracked map */
	__s32 ret;		/* connect()'s return: 0 or -errno */
	__u16 family;		/* AF_INET or AF_INET6, of the destination */
	__u16 protocol;		/* the socket's IPPROTO_*, 0 if unknown */
	__u16 sock_type;	/* SOCK_STREAM, SOCK_DGRAM, ... */
	__u16 sport;		/* host order */
	__u16 dport;		/* host order */
	__u16 pad;
	__u8 saddr[16];		/* network order; IPv4 in the first 4 bytes */
	__u8 daddr[16];
	char comm[DS_COMM_LEN];	/* the calling thread's */
};

/*
 * file: a watched path was written (its inode dirtied by the current task),
 * or a rename or hard link onto one succeeded. The bytes after the record:
 *   path     components leaf first, each NUL-terminated: for a write the
 *            file itself; for a rename or link the directory the new name
 *            is relative to (empty when the new name is absolute)
 *   name     rename/link: the new name as passed, NUL-terminated
 *   old_dir  rename/link: the directory the old name is relative to
 *   old_name rename/link: the old name as passed, NUL-terminated
 * Only paths with a component that starts with a configured anchor (the
 * literal part of a watched pattern) are sent.
 */
enum ds_file_op {
	DS_FILE_WRITE = 1,
	DS_FILE_RENAME = 2,
	DS_FILE_LINK = 3,
};

struct ds_file {
	struct ds_hdr hdr;
	__u64 session;		/* from the tracked map, 0 if none */
	__u64 ino;		/* write: the inode written */
	__u32 dev;		/* write: its filesystem's device (kernel encoding) */
	__u32 mnt_ns;		/* inode number of the writer's mount namespace */
	__u16 op;		/* enum ds_file_op */
	__u16 path_len;
	__u16 name_len;
	__u16 old_dir_len;
	__u16 old_name_len;
	__u16 pad[3];
	__s64 atime;		/* write: the inode's access time, ns since the epoch */
	char comm[DS_COMM_LEN];
	/* the data sections follow the record */
};

/* Key of the anchors LPM trie: a path component, lower-case, at most
 * DS_ANCHOR_LEN - 1 bytes then NUL. An anchor that is a whole name keeps
 * its NUL in the prefix, so it matches that name only. */
struct ds_anchor_key {
	__u32 prefixlen;	/* in bits */
	char name[DS_ANCHOR_LEN];
};

/* Key of the wake_comm LPM trie: exec of a command whose name starts with
 * one of these prefixes (a package manager's executable) wakes user space
 * at once, so the session is rooted before its first connect. */
struct ds_wake_key {
	__u32 prefixlen;	/* in bits, of comm */
	char comm[DS_COMM_LEN];
};

/* Value of the tracked map: a process inside an install session. */
struct ds_track {
	__u64 session;
};

/* The file record's sections, masked like the exec record's. Past the mask
 * the scratch holds a name as passed (read there once to be judged): every
 * copy at a masked offset is bounded by DS_FD_NAME_MAX, so that is room
 * enough for each of them too. */
#define DS_FILE_DATA_MAX	(2 * DS_PATH_MAX + 2 * DS_FD_NAME_MAX)
#define DS_FILE_DATA_MASK	16383
#define DS_FILE_SCRATCH		(DS_FILE_DATA_MASK + 1 + DS_FD_NAME_MAX)

#define DS_EXEC_BASE_SIZE	(sizeof(struct ds_exec))
#define DS_EXEC_DATA_MAX	(DS_ARGS_MAX + DS_FILENAME_MAX + 2 * DS_PATH_MAX + DS_ENV_MAX)

_Static_assert(sizeof(struct ds_hdr) == 32, "ds_hdr layout");
_Static_assert(sizeof(struct ds_exec) == 104, "ds_exec layout");
_Static_assert(sizeof(struct ds_fork) == 56, "ds_fork layout");
_Static_assert(sizeof(struct ds_exit) == 40, "ds_exit layout");
_Static_assert(sizeof(struct ds_connect) == 104, "ds_connect layout");
_Static_assert(sizeof(struct ds_file) == 96, "ds_file layout");
_Static_assert(DS_EXEC_DATA_MAX <= DS_DATA_MASK + 1, "exec data fits the mask");
_Static_assert(DS_FILE_DATA_MAX <= DS_FILE_DATA_MASK + 1, "file data fits the mask");

#endif /* DEPSENTRY_H */
