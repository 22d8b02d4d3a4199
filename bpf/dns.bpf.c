// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dns: the two halves of DNS on the wire. A socket filter for the daemon's
 * packet sockets, which passes only UDP datagrams to or from port 53, so
 * that user space sees the DNS answers the host receives (passively:
 * depsentry sends no query of its own) and nothing else; attached with
 * SO_ATTACH_BPF to an AF_PACKET SOCK_DGRAM socket, where the packet starts
 * at the network header. And the questions the host sends, recorded as
 * they leave (handle_dns_xmit). IPv4 fragments after the first and IPv6
 * extension headers are not followed.
 */
#include "task.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define ETH_P_IP     0x0800
#define ETH_P_IPV6   0x86DD
#define IPPROTO_TCP_ 6
#define IPPROTO_UDP_ 17
#define DNS_PORT     53

/* The whole packet, or nothing. */
static __always_inline int pass_ports(struct __sk_buff *skb, __u32 off)
{
	__be16 ports[2];

	if (bpf_skb_load_bytes(skb, off, ports, sizeof(ports)))
		return 0;
	if (ports[0] == bpf_htons(DNS_PORT) || ports[1] == bpf_htons(DNS_PORT))
		return skb->len;
	return 0;
}

SEC("socket")
int dns_filter(struct __sk_buff *skb)
{
	__u8 hdr[10];

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		if (bpf_skb_load_bytes(skb, 0, hdr, sizeof(hdr)))
			return 0;
		if (hdr[9] != IPPROTO_UDP_ || (hdr[6] & 0x3f) || hdr[7])
			return 0; /* not UDP, or a fragment */
		return pass_ports(skb, (hdr[0] & 0x0f) * 4);
	}
	if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		if (bpf_skb_load_bytes(skb, 0, hdr, 7))
			return 0;
		if (hdr[6] != IPPROTO_UDP_)
			return 0;
		return pass_ports(skb, 40);
	}
	return 0;
}

/*
 * What leaves the host is seen where it is queued on a device
 * (net_dev_queue, a stable tracepoint on every packet sent, loopback
 * included), while its socket and its sender are still known: the daemon
 * believes a DNS answer only as the answer to a question recorded here
 * (docs/rules.md), and never an answer a process of an install session
 * sent itself. Attached with the DNS capture only, while install sessions
 * run. A packet forwarded into another namespace than its socket's is
 * not recorded again there, so each question is recorded once, where it
 * was asked. Questions from outside install sessions are not recorded
 * while the ring buffer is more than a quarter full: they cannot crowd out
 * the records of the sessions.
 */
struct dns_ports {
	__be16 sport, dport;
};

/* The UDP ports of the IPv4 or IPv6 packet at ip, or false: one read when
 * an IPv4 header has no options. */
static __always_inline bool udp_ports(const unsigned char *ip, __be16 proto, struct dns_ports *p)
{
	__u8 b[44];
	__u32 off;

	if (proto == bpf_htons(ETH_P_IP)) {
		if (bpf_probe_read_kernel(b, 24, ip))
			return false;
		if ((b[0] >> 4) != 4 || b[9] != IPPROTO_UDP_ || (b[6] & 0x3f) || b[7])
			return false; /* not UDP, or a fragment */
		off = (b[0] & 0x0f) * 4;
		if (off != 20 && bpf_probe_read_kernel(b + 20, 4, ip + off))
			return false;
		__builtin_memcpy(p, b + 20, sizeof(*p));
		return true;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		if (bpf_probe_read_kernel(b, sizeof(b), ip))
			return false;
		if ((b[0] >> 4) != 6 || b[6] != IPPROTO_UDP_)
			return false;
		__builtin_memcpy(p, b + 40, sizeof(*p));
		return true;
	}
	return false;
}

/* It runs for every packet sent: the argument is a BTF pointer (tp_btf),
 * so the socket buffer's fields are plain loads (relocated by CO-RE like
 * any other access), not helper calls. */
SEC("tp_btf/net_dev_queue")
int BPF_PROG(handle_dns_xmit, struct sk_buff *skb)
{
	struct sock *sk = skb->sk;
	__u32 tgid, netns, nh, tail;
	const unsigned char *ip;
	struct ds_track *t;
	struct dns_ports p;
	struct ds_dns *e;
	__u64 n;

	if (!sk || sk->sk_protocol == IPPROTO_TCP_)
		return 0; /* forwarded, the kernel's own, or TCP: most packets */
	ip = skb->head;
	nh = skb->network_header;
	if (!udp_ports(ip + nh, skb->protocol, &p))
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	t = bpf_map_lookup_elem(&tracked, &tgid);
	if (p.dport != bpf_htons(DNS_PORT) && (p.sport != bpf_htons(DNS_PORT) || !t))
		return 0;
	netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	if (netns != BPF_CORE_READ(skb, dev, nd_net.net, ns.inum))
		return 0; /* recorded where it was sent */
	if (!t && bpf_ringbuf_query(&events, BPF_RB_AVAIL_DATA) >
			  bpf_ringbuf_query(&events, BPF_RB_RING_SIZE) / 4)
		goto dropped;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e)
		goto dropped;
	fill_hdr(&e->hdr, DS_EV_DNS, (struct task_struct *)bpf_get_current_task());
	e->hdr.size = sizeof(*e);
	e->session = t ? t->session : 0;
	if (t)
		e->hdr.flags |= DS_F_TRACKED;
	e->netns = netns;
	e->ifindex = BPF_CORE_READ(skb, dev, ifindex);
	e->sock_type = BPF_CORE_READ(sk, sk_type);
	e->protocol = BPF_CORE_READ(sk, sk_protocol);
	e->pad = 0;
	/* the bytes in the linear part: a DNS datagram sent whole is there */
	tail = BPF_CORE_READ(skb, tail);
	n = tail > nh && tail - nh <= BPF_CORE_READ(skb, len) ? tail - nh : 0;
	if (n > DS_DNS_DATA_MAX) {
		n = DS_DNS_DATA_MAX;
		e->hdr.flags |= DS_F_DNS_TRUNC;
	}
	if (bpf_probe_read_kernel(e->data, n, ip + nh))
		n = 0;
	e->len = n;
	bpf_ringbuf_submit(e, t ? rb_alert_flags() : rb_flags());
	return 0;
dropped:
	count(DS_DROP_DNS);
	return 0;
}
