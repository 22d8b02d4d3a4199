// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * signal: what is done to the daemon itself. signal_generate fires as a
 * signal is queued, in the sender's context, before the target can react:
 * for every way one is sent (kill, tgkill, sigqueue, pidfd_send_signal and
 * the kernel's own), SIGKILL and SIGSTOP included, which no handler ever
 * sees. A BTF tracepoint (no tracefs); its prototype, (sig, info, task,
 * group, result), is the same from 5.10 to 6.18, and only the first three
 * are read.
 *
 * Every signal on the host pays one array lookup and one compare. A signal
 * to the daemon from another process goes to user space at once (an alert
 * when the sender is in an install session) and is kept in the pinned
 * tamper map, where the daemon's successor finds it should the signal have
 * ended the daemon.
 */
#include "task.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define SI_KERNEL	0x80
#define PIDNS_LEVEL_MAX 32 /* MAX_PID_NS_LEVEL */

/*
 * Is task the daemon? User space knows its pid only as its own pid
 * namespace numbers it; the first signal to it (the daemon sends itself one
 * once attached) matches that against task's pid at its own level, and
 * from then on its global tgid is one compare.
 */
static __always_inline bool is_daemon(struct task_struct *task, struct ds_self *me)
{
	__u32 tgid = BPF_CORE_READ(task, tgid);
	struct upid up = {};
	unsigned int level;
	struct pid *pid;
	void *at;

	if (me->tgid)
		return tgid == me->tgid;
	if (!me->ns_pid)
		return false;
	pid = BPF_CORE_READ(task, group_leader, thread_pid);
	level = BPF_CORE_READ(pid, level);
	if (level > PIDNS_LEVEL_MAX)
		return false;
	at = (void *)pid + bpf_core_field_offset(pid->numbers) + level * sizeof(up);
	if (bpf_probe_read_kernel(&up, sizeof(up), at) || up.nr != (int)me->ns_pid ||
	    BPF_CORE_READ(up.ns, ns.inum) != me->pidns_ino)
		return false;
	me->start = task_start(task);
	me->tgid = tgid;
	return true;
}

/* si_code; SEND_SIG_NOINFO (0) is sent as from the current process, and
 * SEND_SIG_PRIV (1) is the kernel's own. */
static __always_inline int si_code(struct kernel_siginfo *info)
{
	if (!info)
		return 0;
	if ((unsigned long)info == 1)
		return SI_KERNEL;
	return BPF_CORE_READ(info, si_code);
}

/* The sender's environment: the package it runs for. */
static __always_inline void keep_env(struct ds_tamper_rec *r)
{
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
	struct mm_struct *mm = BPF_CORE_READ(cur, mm);
	unsigned long start = BPF_CORE_READ(mm, env_start), end = BPF_CORE_READ(mm, env_end);
	__u64 len = end > start ? end - start : 0;

	if (len > DS_ENV_MAX) {
		len = DS_ENV_MAX;
		r->sig.hdr.flags |= DS_F_ENV_TRUNC;
	}
	if (len && bpf_probe_read_user(r->env, len, (void *)start)) {
		r->sig.hdr.flags |= DS_F_ENV_FAULT;
		len = 0;
	}
	r->sig.env_len = len;
}

/*
 * Into the pinned map: the first signal that ends the daemon (one the
 * daemon sent itself, a crash, included), and the last one sent by a
 * process of an install session, numbered so that the daemon can say it
 * alerted it. Two senders at the same instant may share a slot.
 */
static __always_inline void keep(struct ds_tamper *t, struct ds_signal *rec, bool self_sent)
{
	t->target_pid = rec->target_pid;
	t->target_start = rec->target_start;
	if (DS_SIG_FATAL(rec->sig) && !t->fatal.sig.hdr.ts)
		t->fatal.sig = *rec;
	if (self_sent)
		return;
	__sync_fetch_and_add(&t->count, 1);
	if (!rec->session || !DS_SIG_FROM_PROCESS(rec->code))
		return;
	rec->seq = t->session_seq + 1;
	t->session_seq = rec->seq;
	t->session.sig = *rec;
	keep_env(&t->session);
}

SEC("tp_btf/signal_generate")
int BPF_PROG(handle_signal, int sig, struct kernel_siginfo *info, struct task_struct *task)
{
	struct task_struct *cur = (struct task_struct *)bpf_get_current_task();
	struct ds_signal rec = {};
	struct ds_track *tr;
	struct ds_tamper *t;
	struct ds_self *me;
	__u32 zero = 0;
	bool self_sent;

	me = bpf_map_lookup_elem(&self, &zero);
	if (!me || !is_daemon(task, me))
		return 0;
	fill_hdr(&rec.hdr, DS_EV_SIGNAL, cur);
	rec.hdr.size = sizeof(rec);
	rec.target_pid = me->tgid;
	rec.target_start = me->start;
	rec.uid = (__u32)bpf_get_current_uid_gid();
	rec.sig = sig;
	rec.code = si_code(info);
	bpf_get_current_comm(rec.comm, sizeof(rec.comm));
	tr = bpf_map_lookup_elem(&tracked, &rec.hdr.pid);
	if (tr) {
		rec.session = tr->session;
		rec.hdr.flags |= DS_F_TRACKED;
	}
	self_sent = rec.hdr.pid == me->tgid;
	t = bpf_map_lookup_elem(&tamper, &zero);
	if (t)
		keep(t, &rec, self_sent);
	if (self_sent)
		return 0;
	/* rare, and an alert when from a session: wake the daemon now */
	if (bpf_ringbuf_output(&events, &rec, sizeof(rec), BPF_RB_FORCE_WAKEUP))
		count(DS_DROP_SIGNAL);
	return 0;
}
