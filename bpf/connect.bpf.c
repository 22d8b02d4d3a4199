// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * connect: where a package manager, or anything inside an install session,
 * reaches out to. The syscall tracepoints are stable ABI on every kernel
 * we support and see the call whatever the protocol (TCP, connected UDP,
 * IPv4, IPv6, IPv4-mapped IPv6). Entry reads the destination while the
 * caller's sockaddr is certainly there; the return adds the result and the
 * source address the kernel chose. Untracked processes cost one hash
 * lookup at entry and one at return: connect is frequent on busy hosts.
 */
#include "task.h"

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define AF_INET	 2
#define AF_INET6 10

SEC("tp/syscalls/sys_enter_connect")
int handle_connect_enter(struct trace_event_raw_sys_enter *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	__u32 tgid = id >> 32;
	const void *uaddr = (const void *)ctx->args[1];
	struct connect_stash st = {};
	struct sockaddr_in6 sa = {};
	struct ds_track *t;

	t = bpf_map_lookup_elem(&tracked, &tgid);
	if (!t)
		return 0;
	if ((int)ctx->args[2] < (int)sizeof(sa.sin6_family) ||
	    bpf_probe_read_user(&sa.sin6_family, sizeof(sa.sin6_family), uaddr))
		return 0; /* the kernel refuses it too */
	if (sa.sin6_family == AF_INET) {
		struct sockaddr_in *in = (struct sockaddr_in *)&sa;

		if ((int)ctx->args[2] < (int)sizeof(*in) ||
		    bpf_probe_read_user(in, sizeof(*in), uaddr))
			goto unreadable;
		__builtin_memcpy(st.daddr, &in->sin_addr.s_addr, 4);
		st.dport = in->sin_port;
	} else if (sa.sin6_family == AF_INET6) {
		if ((int)ctx->args[2] < (int)sizeof(sa) ||
		    bpf_probe_read_user(&sa, sizeof(sa), uaddr))
			goto unreadable;
		__builtin_memcpy(st.daddr, sa.sin6_addr.in6_u.u6_addr8, 16);
		st.dport = sa.sin6_port;
	} else {
		return 0; /* AF_UNIX and friends stay on the host */
	}
	st.session = t->session;
	st.fd = (int)ctx->args[0];
	st.family = sa.sin6_family;
	if (bpf_map_update_elem(&connect_args, &id, &st, BPF_ANY))
		goto unreadable;
	return 0;
unreadable:
	count(DS_ERR_CONNECT);
	return 0;
}

/* The socket behind fd in the current task, or NULL. */
static __always_inline struct sock *fd_sock(int fd)
{
	struct file *f = fd_file(fd);
	struct socket *sock;

	if (!f)
		return NULL;
	sock = BPF_CORE_READ(f, private_data);
	if (!sock || BPF_CORE_READ(sock, file) != f)
		return NULL; /* not a socket */
	return BPF_CORE_READ(sock, sk);
}

static __always_inline void fill_source(struct ds_connect *e, struct sock *sk)
{
	if (!sk)
		return;
	e->protocol = BPF_CORE_READ(sk, sk_protocol);
	e->sock_type = BPF_CORE_READ(sk, sk_type);
	e->sport = BPF_CORE_READ(sk, __sk_common.skc_num);
	/* names are kept per network namespace: the socket's says which */
	e->netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	if (BPF_CORE_READ(sk, __sk_common.skc_family) == AF_INET6) {
		BPF_CORE_READ_INTO(&e->saddr, sk, __sk_common.skc_v6_rcv_saddr.in6_u.u6_addr8);
	} else {
		__u32 a = BPF_CORE_READ(sk, __sk_common.skc_rcv_saddr);

		__builtin_memcpy(e->saddr, &a, sizeof(a));
	}
}

SEC("tp/syscalls/sys_exit_connect")
int handle_connect_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u64 id = bpf_get_current_pid_tgid();
	struct connect_stash *st;
	struct ds_connect *e;
	__u16 *verdict;

	st = bpf_map_lookup_elem(&connect_args, &id);
	if (!st)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		count(DS_DROP_CONNECT);
		goto out;
	}
	__builtin_memset(e, 0, sizeof(*e));
	fill_hdr(&e->hdr, DS_EV_CONNECT, (struct task_struct *)bpf_get_current_task());
	e->hdr.size = sizeof(*e);
	e->hdr.flags = DS_F_TRACKED;
	e->session = st->session;
	e->ret = (__s32)ctx->ret;
	e->family = st->family;
	e->dport = __builtin_bswap16(st->dport);
	__builtin_memcpy(e->daddr, st->daddr, sizeof(e->daddr));
	fill_source(e, fd_sock(st->fd));
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	/* the response's verdict on it (bpf/egress.bpf.c), if it judged */
	verdict = bpf_map_lookup_elem(&egress_verdict, &id);
	if (verdict) {
		e->egress = *verdict;
		bpf_map_delete_elem(&egress_verdict, &id);
	}
	bpf_ringbuf_submit(e, rb_alert_flags()); /* a session's: it may alert */
out:
	bpf_map_delete_elem(&connect_args, &id);
	return 0;
}
