/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Every map of depsentry, declared once. Each hook file includes this
 * header; the maps are weak so that `bpftool gen object` merges the copies
 * into one map per name.
 */
#ifndef DEPSENTRY_MAPS_H
#define DEPSENTRY_MAPS_H

/* All records to user space. Size set by user space before load. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 16 * 1024 * 1024);
} events SEC(".maps") __weak;

/* Drop and fault counters (enum ds_counter), per CPU so hooks never contend. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, DS_COUNTER_MAX);
	__type(key, __u32);
	__type(value, __u64);
} counters SEC(".maps") __weak;

/* Processes inside an install session, by tgid. User space adds a package
 * manager when it recognises one; fork copies the entry to the child and
 * exit removes it, so the session survives reparenting in the kernel too.
 * Later hooks use it to send only session activity. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, struct ds_track);
} tracked SEC(".maps") __weak;

/* Name prefixes of package-manager executables, set by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ds_wake_key);
	__type(value, __u8);
} wake_comm SEC(".maps") __weak;

/* connect() calls of tracked threads between the syscall's entry and its
 * return, by pid_tgid: what the caller asked for, read at entry. LRU, so
 * a thread killed inside the call cannot leak its slot for good. */
struct connect_stash {
	__u64 session;
	__s32 fd;
	__u16 family;
	__u16 dport; /* network order */
	__u8 daddr[16];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct connect_stash);
} connect_args SEC(".maps") __weak;

/* Scratch space for one exec record per CPU: larger than the BPF stack and
 * than a per-CPU map value may be, so an array indexed by CPU number. User
 * space sets max_entries to the number of possible CPUs. */
struct exec_scratch {
	struct ds_exec ev;
	char data[DS_SCRATCH_SIZE];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct exec_scratch);
} exec_buf SEC(".maps") __weak;

/* The file filter's anchors, from the watched patterns; set by user space.
 * The value: the classes (DS_ANCHOR_*) the key stands for. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 256);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ds_anchor_key);
	__type(value, __u8);
} anchors SEC(".maps") __weak;

/* The first two bytes (lower case) of every anchor, as a table indexed by
 * byte << 8 | byte, with the classes of the anchors that start so: most
 * path components are ruled out by one array load instead of a copy and a
 * trie lookup. Set by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 65536);
	__type(key, __u32);
	__type(value, __u8);
} anchor_starts SEC(".maps") __weak;

/* The literal ends of the patterns whose last component is '*' then a
 * literal ("*.pth"), with their classes: a file's own name is looked up
 * by its last bytes, one lookup per length in use (suffix_lens, a bit
 * each). Set by user space. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct ds_suffix_key);
	__type(value, __u8);
} anchor_suffixes SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} suffix_lens SEC(".maps") __weak;

/* The last inode each CPU judged for a write, and by whom: a large write
 * dirties page after page of one inode, and only the first is looked at.
 * And the last directory whose whole path was found without an anchor:
 * files written one after another in one directory are judged on their
 * own name, until that directory is renamed (its name's hash moves with
 * its name and parent) or a directory is renamed anywhere (dir_gen moves,
 * at once for renames the hooks see, when the daemon has read them for
 * those fanotify reports). */
struct file_last {
	__u64 inode; /* the struct inode's address */
	__u64 ino;   /* and its number, should the address be reused */
	__u32 tgid;
	__u32 clean_gen;  /* dir_gen when clean_dir was judged */
	__u64 clean_dir;  /* a struct dentry's address */
	__u64 clean_ino;  /* and its inode's number */
	__u64 clean_hash; /* and its d_name.hash_len: a rename of it changes it */
};

/* Bumped by every directory rename seen (by the rename hooks here, by
 * fanotify in user space): a directory judged clean may not be any more. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} dir_gen SEC(".maps") __weak;

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct file_last);
} file_seen SEC(".maps") __weak;

/* rename*() and link*() calls, and opens by processes of install
 * sessions, between entry and return, by pid_tgid. */
struct name_stash {
	__u64 oldname; /* user pointers; 0 for an open */
	__u64 newname; /* an open's name */
	__s32 olddfd;
	__s32 newdfd;
	__u16 op; /* DS_FILE_RENAME, DS_FILE_LINK or DS_FILE_OPEN */
	__u16 pad[3];
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, struct name_stash);
} name_args SEC(".maps") __weak;

/* Scratch space for one file record per CPU. */
struct file_scratch {
	struct ds_file ev;
	char data[DS_FILE_SCRATCH]; /* sent right after ev */
	struct ds_anchor_key key;   /* name_anchored(): the component so far */
	__u32 klen;		    /* and its length, unknown to the verifier */
	char tail[DS_SUFFIX_LEN];   /* suffix_hit(): the last bytes of a name */
	struct ds_suffix_key skey;  /* and the key made of them */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct file_scratch);
} file_buf SEC(".maps") __weak;

/* Which process is the daemon (struct ds_self): its pid and pid namespace
 * set by user space before attaching, its global tgid learnt by the
 * signal hook. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ds_self);
} self SEC(".maps") __weak;

/* The signals the daemon got (struct ds_tamper), pinned by user space under
 * /sys/fs/bpf/depsentry so that they outlive a killed daemon; mapped into
 * user space, which reads it and marks what it alerted without rewriting
 * the whole value under the hook's feet. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__uint(map_flags, BPF_F_MMAPABLE);
	__type(key, __u32);
	__type(value, struct ds_tamper);
} tamper SEC(".maps") __weak;

/* The response to install sessions' egress (struct ds_resp_cfg), set by
 * user space from the configuration. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct ds_resp_cfg);
} resp_cfg SEC(".maps") __weak;

/* Allowed networks: the allowlist's addresses and ranges. */
struct {
	__uint(type, BPF_MAP_TYPE_LPM_TRIE);
	__uint(max_entries, 1024);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, struct ds_net_key);
	__type(value, struct ds_ports);
} egress_nets SEC(".maps") __weak;

/* Allowed names, by the hash of their wire form. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct ds_name_allow);
} egress_names SEC(".maps") __weak;

/* Addresses believed answers gave allowed names (the DNS filter's). */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 8192);
	__type(key, struct ds_addr);
	__type(value, struct ds_addr_allow);
} egress_addrs SEC(".maps") __weak;

/* The resolvers install sessions may send DNS to (port 53 only). */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 256);
	__type(key, struct ds_addr);
	__type(value, __u8);
} egress_resolvers SEC(".maps") __weak;

/* Questions install sessions sent, for the DNS filter to match answers. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct ds_dns_ask);
	__type(value, __u64);
} dns_asked SEC(".maps") __weak;

/* A connect's verdict, from the cgroup program to the syscall's return,
 * by thread. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, __u64);
	__type(value, __u16);
} egress_verdict SEC(".maps") __weak;

/* Datagrams denied already, by (process, destination): one record each. */
struct egress_sent_key {
	__u32 tgid;
	__u16 port;
	__u16 pad;
	struct ds_addr addr;
};

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 4096);
	__type(key, struct egress_sent_key);
	__type(value, __u8);
} egress_sent SEC(".maps") __weak;

/* The DNS filter's copy of a question's name, per CPU. */
struct dns_scratch {
	__u8 name[256];
	__u64 starts[4];	/* bit i: a label starts at name[i] */
	struct ds_ports ports;	/* of the allowlist entry the name matched */
	__u64 ttl_min, ttl_max; /* ns */
	__u32 end;		/* name[end] is the root's zero */
	__u32 hit;		/* name_allowed()'s finding */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct dns_scratch);
} dns_buf SEC(".maps") __weak;

#endif /* DEPSENTRY_MAPS_H */
