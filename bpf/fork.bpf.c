// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * fork: who made whom. The parent recorded here is the one at fork time, so
 * the lineage survives setsid, double forks and reparenting to init or a
 * subreaper. A child of a tracked process is tracked from birth, in the
 * kernel, before it can exec anything.
 */
#include "task.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sched_process_fork")
int BPF_PROG(handle_fork, struct task_struct *parent, struct task_struct *child)
{
	__u32 pid = BPF_CORE_READ(child, pid);
	__u32 tgid = BPF_CORE_READ(child, tgid);
	struct task_struct *rparent;
	struct ds_track *t;
	struct ds_fork *e;

	if (pid != tgid)
		return 0; /* a new thread, not a new process */

	rparent = BPF_CORE_READ(child, real_parent);
	pid = BPF_CORE_READ(rparent, tgid);
	t = bpf_map_lookup_elem(&tracked, &pid);
	if (t && bpf_map_update_elem(&tracked, &tgid, t, BPF_ANY))
		count(DS_DROP_TRACK);

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(DS_DROP_FORK);
		return 0;
	}
	fill_hdr(&e->hdr, DS_EV_FORK, child);
	e->hdr.size = sizeof(*e);
	e->ppid = pid;
	e->pad = 0;
	e->pstart = task_start(rparent);
	e->session = t ? t->session : 0;
	if (t)
		e->hdr.flags |= DS_F_TRACKED;
	bpf_ringbuf_submit(e, rb_flags());
	return 0;
}
