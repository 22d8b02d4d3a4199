// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * exec: the record that names a process. sched_process_exec fires after the
 * new image is in place and before it runs, so argv, environ, the resolved
 * executable and the caller's identity are all settled and readable. A
 * BTF-enabled tracepoint needs no tracefs and exists on every kernel we
 * support (5.10+).
 */
#include "task.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

/* Bytes of the user range [start, end), at most max; sets flag if cut. */
static __always_inline __u64 span(unsigned long start, unsigned long end, __u64 max,
				  struct ds_exec *e, __u16 flag)
{
	__u64 len = end > start ? end - start : 0;

	if (len > max) {
		len = max;
		e->hdr.flags |= flag;
	}
	return len;
}

/* argv from the new mm, NUL-separated, at the start of data. */
static __always_inline __u32 copy_args(struct ds_exec *e, char *data, struct mm_struct *mm)
{
	unsigned long start = BPF_CORE_READ(mm, arg_start);
	__u64 len = span(start, BPF_CORE_READ(mm, arg_end), DS_ARGS_MAX, e, DS_F_ARGS_TRUNC);

	if (bpf_probe_read_user(data, len & (2 * DS_ARGS_MAX - 1), (void *)start)) {
		e->hdr.flags |= DS_F_ARGS_FAULT;
		count(DS_ERR_ARGS);
		len = 0;
	}
	return len;
}

/* environ, only for processes of an install session or of a lifecycle
 * script: it carries the npm lifecycle event and package, and is too large
 * to send for every exec. */
static __always_inline __u32 copy_env(struct ds_exec *e, char *data, __u32 off,
				      struct mm_struct *mm)
{
	unsigned long start = BPF_CORE_READ(mm, env_start);
	__u64 len = span(start, BPF_CORE_READ(mm, env_end), DS_ENV_MAX, e, DS_F_ENV_TRUNC);

	if (bpf_probe_read_user(data + (off & DS_DATA_MASK), len & (2 * DS_ENV_MAX - 1),
				(void *)start)) {
		e->hdr.flags |= DS_F_ENV_FAULT;
		count(DS_ERR_ENV);
		return 0;
	}
	e->hdr.flags |= DS_F_ENV_PRESENT;
	return len;
}

/* Bytes of one environment variable read at a time by lifecycle_env(). */
#define VAR_READ 1024

/*
 * Does the environ hold DS_LIFECYCLE_VAR? Asked of execs outside any
 * session, so that a package manager depsentry does not know (a native
 * pnpm, one not configured) still has its install hooks seen. Each
 * variable is read up to its NUL by the helper, which copies at native
 * speed and says how far it went, so the cost is one copy of the first
 * DS_LIFECYCLE_VARS variables; a variable longer than a read is stepped
 * over in pieces, never compared from its middle. The name is compared
 * as three words at a fixed, aligned place of the CPU's scratch; and the
 * function is global, so the verifier checks its loop once, not once for
 * every state the path walks before it hand on.
 */
__noinline int lifecycle_env(__u64 start, __u64 end)
{
	__u32 cpu = bpf_get_smp_processor_id();
	const long vlen = sizeof(DS_LIFECYCLE_VAR) - 1;
	bool part = false; /* the next read starts inside a variable */
	struct exec_scratch *b;
	__u64 w0, w1, p = start;
	char *tmp;
	__u32 w2;
	int i;

	b = bpf_map_lookup_elem(&exec_buf, &cpu);
	if (!b)
		return 0;
	/* past the record's data: DS_SCRATCH_SIZE is twice what it holds */
	tmp = b->data + DS_DATA_MASK + 1;
	_Static_assert(sizeof(DS_LIFECYCLE_VAR) - 1 == 20, "three words compare the name");
	__builtin_memcpy(&w0, &DS_LIFECYCLE_VAR[0], 8);
	__builtin_memcpy(&w1, &DS_LIFECYCLE_VAR[8], 8);
	__builtin_memcpy(&w2, &DS_LIFECYCLE_VAR[16], 4);
	for (i = 0; i < DS_LIFECYCLE_VARS && p < end; i++) {
		long n = bpf_probe_read_user_str(tmp, VAR_READ, (void *)p);

		if (n <= 0)
			return 0;
		if (!part && n > vlen && *(__u64 *)tmp == w0 && *(__u64 *)(tmp + 8) == w1 &&
		    *(__u32 *)(tmp + 16) == w2)
			return 1;
		part = n == VAR_READ;
		p += part ? VAR_READ - 1 : n;
	}
	return 0;
}

/* The executable's inode: its mode and change time (a file dropped or made
 * executable lately has a recent one, which no user call can set back), and
 * the mode of the directory it was reached through. */
static __always_inline void exe_inode(struct ds_exec *e, struct file *f)
{
	struct inode *inode = BPF_CORE_READ(f, f_inode);

	e->exe_mode = BPF_CORE_READ(inode, i_mode);
	e->exe_ctime = INODE_TIME(inode, ctime);
	e->dir_mode = BPF_CORE_READ(f, f_path.dentry, d_parent, d_inode, i_mode);
}

/* The namespaces the process lives in: its own pid namespace (the level
 * its pid was made at, not the one its children would get), its mount and
 * network namespaces. A container's processes differ from the host's in
 * them even when no runtime names the container. */
static __always_inline void fill_ns(struct ds_exec *e, struct task_struct *task)
{
	struct pid *pid = BPF_CORE_READ(task, thread_pid);
	unsigned int level = BPF_CORE_READ(pid, level);
	struct upid up = {};

	/* numbers[] has level + 1 entries; pid namespaces nest 32 deep at most */
	bpf_probe_read_kernel(&up, sizeof(up), __builtin_preserve_access_index(&pid->numbers[0]));
	if (level)
		bpf_probe_read_kernel(&up, sizeof(up),
				      (void *)__builtin_preserve_access_index(&pid->numbers[0]) +
					      (level & 31) * sizeof(struct upid));
	e->pid_ns = BPF_CORE_READ(up.ns, ns.inum);
	e->mnt_ns = BPF_CORE_READ(task, nsproxy, mnt_ns, ns.inum);
	e->net_ns = BPF_CORE_READ(task, nsproxy, net_ns, ns.inum);
	e->pad2 = 0;
}

static __always_inline void fill_ids(struct ds_exec *e, struct task_struct *task)
{
	struct task_struct *parent = BPF_CORE_READ(task, real_parent);
	__u64 ugid = bpf_get_current_uid_gid();
	struct ds_track *t;

	fill_hdr(&e->hdr, DS_EV_EXEC, task);
	e->ppid = BPF_CORE_READ(parent, tgid);
	e->argc = 0;
	e->pstart = task_start(parent);
	e->uid = (__u32)ugid;
	e->gid = ugid >> 32;
	e->cgroup_id = bpf_get_current_cgroup_id();
	t = bpf_map_lookup_elem(&tracked, &e->hdr.pid);
	e->session = t ? t->session : 0;
	if (t)
		e->hdr.flags |= DS_F_TRACKED;
	bpf_get_current_comm(e->comm, sizeof(e->comm));
}

/* A package manager may connect out soon after its exec, and so may a
 * lifecycle script: wake user space now, so the session (and the tracked
 * entry) exists before that. An exec inside a session may be an alert. */
static __always_inline __u64 exec_flags(const struct ds_exec *e)
{
	struct ds_wake_key k = { .prefixlen = DS_COMM_LEN * 8 };

	__builtin_memcpy(k.comm, e->comm, sizeof(k.comm));
	if (e->session || (e->hdr.flags & DS_F_LIFECYCLE))
		return rb_alert_flags();
	if (!e->session && bpf_map_lookup_elem(&wake_comm, &k))
		return BPF_RB_FORCE_WAKEUP;
	return rb_flags();
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(handle_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct mm_struct *mm = BPF_CORE_READ(task, mm);
	__u32 cpu = bpf_get_smp_processor_id();
	struct exec_scratch *b;
	struct ds_exec *e;
	struct path pwd;
	__u32 off;
	long n;

	b = bpf_map_lookup_elem(&exec_buf, &cpu);
	if (!b)
		return 0;
	e = &b->ev;
	fill_ids(e, task);

	off = copy_args(e, b->data, mm);
	e->args_len = off;
	e->argc = BPF_CORE_READ(bprm, argc);

	n = bpf_probe_read_kernel_str(b->data + (off & DS_DATA_MASK), DS_FILENAME_MAX,
				      BPF_CORE_READ(bprm, filename));
	if (n < 0)
		n = 0;
	if (n == DS_FILENAME_MAX)
		e->hdr.flags |= DS_F_FILENAME_TRUNC;
	e->filename_len = n;
	off += n;

	e->in_root = 0;
	if (path_walk(b->data, off, BPF_CORE_READ(bprm, file, f_path.dentry),
		      BPF_CORE_READ(bprm, file, f_path.mnt), &e->exe_len, &e->hdr.flags,
		      DS_F_EXE_TRUNC))
		e->in_root |= DS_IN_ROOT_PATH;
	off += e->exe_len;

	exe_inode(e, BPF_CORE_READ(bprm, file));

	BPF_CORE_READ_INTO(&pwd, task, fs, pwd);
	if (path_walk(b->data, off, pwd.dentry, pwd.mnt, &e->cwd_len, &e->hdr.flags,
		      DS_F_CWD_TRUNC))
		e->in_root |= DS_IN_ROOT_CWD;
	off += e->cwd_len;

	/* the root as its mount namespace sees it: empty unless chrooted
	 * (or a container's root directory that is not its namespace's) */
	BPF_CORE_READ_INTO(&pwd, task, fs, root);
	path_walk_mask(b->data, off, DS_DATA_MASK, pwd.dentry, pwd.mnt, &e->root_len, &e->hdr.flags,
		       DS_F_ROOT_TRUNC, 0, true);
	off += e->root_len;
	e->root_mnt = BPF_CORE_READ(container_of(pwd.mnt, struct mount, mnt), mnt_id);
	e->pad3 = 0;
	fill_ns(e, task);

	e->env_len = 0;
	if (!e->session && lifecycle_env(BPF_CORE_READ(mm, env_start), BPF_CORE_READ(mm, env_end)))
		e->hdr.flags |= DS_F_LIFECYCLE;
	if (e->session || (e->hdr.flags & DS_F_LIFECYCLE))
		e->env_len = copy_env(e, b->data, off, mm);
	off += e->env_len;

	e->hdr.size = sizeof(*e) + (off & DS_DATA_MASK);
	if (bpf_ringbuf_output(&events, e, e->hdr.size & (2 * DS_DATA_MASK + 1), exec_flags(e)))
		count(DS_DROP_EXEC);
	return 0;
}
