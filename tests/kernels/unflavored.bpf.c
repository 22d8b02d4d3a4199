// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The compile check's own check (btf.sh): this program reads a field that
 * 5.10 does not have through the real kernel type, without a flavor, as a
 * mistake would. It must fail to compile against 5.10's types; if it
 * compiled, the check would not be looking at that kernel's types.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

SEC("tp_btf/writeback_mark_inode_dirty")
int BPF_PROG(unflavored, struct inode *inode, int flags)
{
	return BPF_CORE_READ(inode, i_atime_sec) > 0;
}
