// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * egress: the response to install sessions' connections, in the kernel.
 * Socket address programs on the root cgroup (so every process of the
 * host, whatever cgroup it lives in) see each connect and each datagram
 * sent with a destination, before anything leaves: a process outside the
 * tracked map passes after one lookup; one inside an install session may
 * reach only
 *   - the resolvers, on port 53 (user space lists them),
 *   - the allowlist's addresses and ranges (egress_nets),
 *   - the addresses believed answers gave allowlisted names, while their
 *     time to live lasts (egress_addrs, filled by the DNS filter in
 *     bpf/dns.bpf.c before the asker can read the answer).
 * Anything else is denied: refused with EPERM when the response blocks,
 * let through and marked when it only detects. A connect's verdict is
 * handed to the connect syscall's return (bpf/connect.bpf.c), which
 * records it with the result; a datagram's is recorded here, once per
 * process and destination, and so is a connect that did not come through
 * the connect syscall's hooks (io_uring's IORING_OP_CONNECT, which no
 * syscall tracepoint sees).
 *
 * These programs need the process that connects: bpf_get_current_pid_tgid
 * in a socket address program. Every kernel we build for allows it (5.10,
 * 6.1, 6.12 and later, tested in their guests); user space still probes
 * for it and leaves the programs unloaded where a kernel refuses it: the
 * response then falls back to stopping the process (docs/response.md).
 */
#include "task.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET	    2
#define AF_INET6    10
#define DNS_PORT    53
#define SOCK_ALLOW  1
#define SOCK_REFUSE 0

static __always_inline bool ports_allow(const struct ds_ports *p, __u16 port)
{
	int i;

	if (!p->port[0])
		return true;
	for (i = 0; i < DS_EGRESS_PORTS; i++)
		if (p->port[i] == port)
			return true;
	return false;
}

static __always_inline bool allowed(const struct ds_addr *a, __u16 port)
{
	struct ds_addr_allow *aa;
	struct ds_net_key nk;
	struct ds_ports *np;

	if (port == DNS_PORT && bpf_map_lookup_elem(&egress_resolvers, a))
		return true;
	aa = bpf_map_lookup_elem(&egress_addrs, a);
	if (aa && aa->expires > bpf_ktime_get_ns() && ports_allow(&aa->ports, port))
		return true;
	nk.prefixlen = 128;
	__builtin_memcpy(nk.addr, a->a, sizeof(nk.addr));
	np = bpf_map_lookup_elem(&egress_nets, &nk);
	return np && ports_allow(np, port);
}

/* A denied datagram, or connect the syscall's hooks do not see: one record
 * per process and destination. */
static __always_inline void record_denied(struct bpf_sock_addr *ctx, const struct ds_track *t,
					  const struct ds_addr *a, __u16 port, __u16 verdict)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct egress_sent_key k = { .tgid = id >> 32, .port = port };
	struct ds_connect *e;
	__u8 one = 1;

	k.addr = *a;
	if (bpf_map_lookup_elem(&egress_sent, &k))
		return;
	bpf_map_update_elem(&egress_sent, &k, &one, BPF_ANY);
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(DS_DROP_CONNECT);
		return;
	}
	__builtin_memset(e, 0, sizeof(*e));
	e->hdr.type = DS_EV_CONNECT;
	e->hdr.flags = DS_F_TRACKED;
	e->hdr.size = sizeof(*e);
	e->hdr.ts = bpf_ktime_get_boot_ns();
	e->hdr.pid = id >> 32; /* start 0: user space knows the process by pid */
	e->hdr.tid = (__u32)id;
	e->session = t->session;
	/* what comes of it: refused, sent (a datagram), or not known here */
	e->ret = verdict & DS_EGRESS_BLOCKED   ? -1 /* EPERM */
		 : verdict & DS_EGRESS_SENDMSG ? 0
					       : -115 /* EINPROGRESS */;
	e->family = ctx->family;
	e->protocol = ctx->protocol;
	e->sock_type = ctx->type;
	e->dport = port;
	e->egress = verdict;
	if (ctx->family == AF_INET)
		__builtin_memcpy(e->daddr, &a->a[12], 4);
	else
		__builtin_memcpy(e->daddr, a->a, sizeof(e->daddr));
	bpf_ringbuf_submit(e, rb_alert_flags());
}

static __always_inline int judge(struct bpf_sock_addr *ctx, const struct ds_addr *a, __u16 port,
				 bool datagram)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 zero = 0, tgid = id >> 32;
	struct ds_resp_cfg *cfg;
	struct ds_track *t;
	__u16 verdict;

	cfg = bpf_map_lookup_elem(&resp_cfg, &zero);
	if (!cfg || !cfg->mode)
		return SOCK_ALLOW;
	t = bpf_map_lookup_elem(&tracked, &tgid);
	if (!t || allowed(a, port))
		return SOCK_ALLOW;
	verdict = DS_EGRESS_DENIED | (cfg->mode & DS_RESP_BLOCK ? DS_EGRESS_BLOCKED : 0);
	if (datagram)
		record_denied(ctx, t, a, port, verdict | DS_EGRESS_SENDMSG);
	else if (!bpf_map_lookup_elem(&connect_args, &id))
		record_denied(ctx, t, a, port, verdict); /* io_uring, or no hooks */
	else
		bpf_map_update_elem(&egress_verdict, &id, &verdict, BPF_ANY);
	return verdict & DS_EGRESS_BLOCKED ? SOCK_REFUSE : SOCK_ALLOW;
}

static __always_inline int judge4(struct bpf_sock_addr *ctx, bool datagram)
{
	struct ds_addr a = {};
	__u32 ip = ctx->user_ip4, port = ctx->user_port;

	a.a[10] = 0xff;
	a.a[11] = 0xff;
	__builtin_memcpy(&a.a[12], &ip, sizeof(ip));
	return judge(ctx, &a, bpf_ntohs((__u16)port), datagram);
}

static __always_inline int judge6(struct bpf_sock_addr *ctx, bool datagram)
{
	struct ds_addr a;
	__u32 w[4], port = ctx->user_port;

	w[0] = ctx->user_ip6[0];
	w[1] = ctx->user_ip6[1];
	w[2] = ctx->user_ip6[2];
	w[3] = ctx->user_ip6[3];
	__builtin_memcpy(a.a, w, sizeof(w));
	return judge(ctx, &a, bpf_ntohs((__u16)port), datagram);
}

SEC("cgroup/connect4")
int egress_connect4(struct bpf_sock_addr *ctx)
{
	return judge4(ctx, false);
}

SEC("cgroup/connect6")
int egress_connect6(struct bpf_sock_addr *ctx)
{
	return judge6(ctx, false);
}

SEC("cgroup/sendmsg4")
int egress_sendmsg4(struct bpf_sock_addr *ctx)
{
	return judge4(ctx, true);
}

SEC("cgroup/sendmsg6")
int egress_sendmsg6(struct bpf_sock_addr *ctx)
{
	return judge6(ctx, true);
}
