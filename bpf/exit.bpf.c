// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * exit: the end of a process, when its last thread goes (signal->live has
 * already dropped to zero when this tracepoint fires). Lets user space retire
 * the process from its table and the kernel forget the tracked entry.
 */
#include "task.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/sched_process_exit")
int BPF_PROG(handle_exit, struct task_struct *p)
{
	__u32 tgid = BPF_CORE_READ(p, tgid);
	struct ds_exit *e;

	if (BPF_CORE_READ(p, signal, live.counter) != 0)
		return 0; /* other threads still run */
	bpf_map_delete_elem(&tracked, &tgid);

	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(DS_DROP_EXIT);
		return 0;
	}
	fill_hdr(&e->hdr, DS_EV_EXIT, p);
	e->hdr.size = sizeof(*e);
	e->exit_code = BPF_CORE_READ(p, exit_code);
	e->pad = 0;
	bpf_ringbuf_submit(e, rb_flags());
	return 0;
}
