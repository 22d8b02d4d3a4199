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

static __always_inline char lower(char c)
{
	return c >= 'A' && c <= 'Z' ? c + ('a' - 'A') : c;
}

static __always_inline bool response_on(void)
{
	__u32 zero = 0;
	struct ds_resp_cfg *cfg = bpf_map_lookup_elem(&resp_cfg, &zero);

	return cfg && cfg->mode;
}

/*
 * One resource record of an answer at off: an A or AAAA record (of the
 * name asked, or of the end of its CNAME chain) makes its address allowed
 * for the ports of the allowlist entry the question matched, for its time
 * to live. The offset of the next record, 0 when this one is cut or bad.
 */
__noinline int dns_record(struct __sk_buff *skb, __u32 off)
{
	struct ds_addr_allow v = {};
	struct dns_scratch *b;
	struct ds_addr a = {};
	__u32 zero = 0, i;
	__u8 rr[10], c;
	__u16 type, rdlen;
	__u64 ttl;

	b = bpf_map_lookup_elem(&dns_buf, &zero);
	if (!b)
		return 0;
	for (i = 0; i < 128; i++) { /* the owner name: labels, or a pointer */
		if (off > 0xffff || bpf_skb_load_bytes(skb, off, &c, 1))
			return 0;
		if (!c) {
			off += 1;
			break;
		}
		if ((c & 0xc0) == 0xc0) {
			off += 2;
			break;
		}
		if (c & 0xc0)
			return 0;
		off += c + 1;
	}
	if (i == 128 || off > 0xffff || bpf_skb_load_bytes(skb, off, rr, sizeof(rr)))
		return 0;
	type = (__u16)rr[0] << 8 | rr[1];
	rdlen = (__u16)rr[8] << 8 | rr[9];
	off += sizeof(rr);
	if (rr[2] || rr[3] != 1) /* not class IN */
		return off + rdlen;
	if (type == 1 && rdlen == 4) {
		a.a[10] = 0xff;
		a.a[11] = 0xff;
		if (bpf_skb_load_bytes(skb, off, &a.a[12], 4))
			return 0;
	} else if (type == 28 && rdlen == 16) {
		if (bpf_skb_load_bytes(skb, off, a.a, 16))
			return 0;
	} else {
		return off + rdlen;
	}
	ttl = ((__u64)rr[4] << 24 | (__u64)rr[5] << 16 | (__u64)rr[6] << 8 | rr[7]) * 1000000000ULL;
	if (ttl < b->ttl_min)
		ttl = b->ttl_min;
	if (ttl > b->ttl_max)
		ttl = b->ttl_max;
	v.expires = bpf_ktime_get_ns() + ttl;
	v.ports = b->ports;
	bpf_map_update_elem(&egress_addrs, &a, &v, BPF_ANY);
	return off + rdlen;
}

/*
 * Does the question's name (in this CPU's scratch, its end and labels
 * marked) match an allowlisted name? The entry's ports go to the scratch.
 * The end and the finding live in map memory: the verifier sees unknowns,
 * not a range refined anew at every byte, and prunes the loop's states.
 */
__noinline int name_allowed(void)
{
	struct ds_name_allow *v;
	struct dns_scratch *b;
	volatile __u32 *endp;
	__u32 zero = 0;
	__u64 h = DS_NAME_HASH_INIT;
	int i;

	b = bpf_map_lookup_elem(&dns_buf, &zero);
	if (!b)
		return 0;
	endp = &b->end;
	b->hit = 0;
	for (i = 255; i >= 0; i--) {
		if (i >= *endp)
			continue;
		h = DS_NAME_HASH_STEP(h, lower(b->name[i]));
		if (!(b->starts[(i >> 6) & 3] & (1ULL << (i & 63))))
			continue;
		v = bpf_map_lookup_elem(&egress_names, &h);
		if (v && (v->kind & (i ? DS_NAME_SUFFIX : DS_NAME_EXACT))) {
			b->ports = v->ports; /* the nearest the whole name wins */
			b->hit = 1;
		}
	}
	return b->hit;
}

/*
 * An answer that passed the filter, at udp: when it answers a question an
 * install session sent to a resolver (dns_asked, recorded as the question
 * left), from that resolver, for an allowlisted name, the addresses it
 * gives are allowed destinations (egress_addrs). This runs where the
 * packet is handed to the daemon's socket, before the protocol's own
 * delivery: the asker cannot connect before the address is allowed.
 */
__noinline int dns_allow(struct __sk_buff *skb, __u32 udp, __u32 v6)
{
	struct ds_dns_ask k = {};
	struct dns_scratch *b;
	struct ds_resp_cfg *cfg;
	__u32 zero = 0, n, pos, off;
	__u16 ancount;
	__u8 h[12];
	int i, end = -1;

	cfg = bpf_map_lookup_elem(&resp_cfg, &zero);
	b = bpf_map_lookup_elem(&dns_buf, &zero);
	if (!cfg || !cfg->mode || !b || udp > 0xffff)
		return 0;
	if (v6) {
		if (bpf_skb_load_bytes(skb, 8, k.server, 16))
			return 0;
	} else {
		k.server[10] = 0xff;
		k.server[11] = 0xff;
		if (bpf_skb_load_bytes(skb, 12, &k.server[12], 4))
			return 0;
	}
	if (bpf_skb_load_bytes(skb, udp + 2, &k.cport, 2) ||
	    bpf_skb_load_bytes(skb, udp + 8, h, 12))
		return 0;
	/* a response, no error, one question */
	if (!(h[2] & 0x80) || (h[3] & 0x0f) || h[4] || h[5] != 1)
		return 0;
	__builtin_memcpy(&k.id, h, 2);
	if (!bpf_map_lookup_elem(&dns_asked, &k) ||
	    !bpf_map_lookup_elem(&egress_resolvers, k.server))
		return 0;
	bpf_map_delete_elem(&dns_asked, &k);

	off = udp + 8 + 12;
	n = skb->len > off ? skb->len - off : 0;
	if (n < 1)
		return 0;
	if (n > sizeof(b->name))
		n = sizeof(b->name);
	n = ((n - 1) & (sizeof(b->name) - 1)) + 1; /* 1 to 256, as the verifier sees it */
	if (bpf_skb_load_bytes(skb, off, b->name, n))
		return 0;
	__builtin_memset(b->starts, 0, sizeof(b->starts));
	for (i = 0, pos = 0; i < 128; i++) {
		__u8 l;

		if (pos >= n)
			return 0;
		l = b->name[pos & 255];
		if (!l) {
			end = pos;
			break;
		}
		if (l & 0xc0)
			return 0;
		b->starts[(pos >> 6) & 3] |= 1ULL << (pos & 63);
		pos += l + 1;
	}
	if (end <= 0)
		return 0;
	b->ttl_min = (__u64)cfg->min_ttl * 1000000000ULL;
	b->ttl_max = (__u64)cfg->max_ttl * 1000000000ULL;
	b->end = end;
	if (!name_allowed())
		return 0;
	ancount = (__u16)h[6] << 8 | h[7];
	off += end + 1 + 4; /* the root's zero, the type and the class */
	for (i = 0; i < 16 && i < ancount && off; i++)
		off = dns_record(skb, off);
	return 0;
}

SEC("socket")
int dns_filter(struct __sk_buff *skb)
{
	__u8 hdr[10];
	__u32 udp, len;

	if (skb->protocol == bpf_htons(ETH_P_IP)) {
		if (bpf_skb_load_bytes(skb, 0, hdr, sizeof(hdr)))
			return 0;
		if (hdr[9] != IPPROTO_UDP_ || (hdr[6] & 0x3f) || hdr[7])
			return 0; /* not UDP, or a fragment */
		udp = (hdr[0] & 0x0f) * 4;
	} else if (skb->protocol == bpf_htons(ETH_P_IPV6)) {
		if (bpf_skb_load_bytes(skb, 0, hdr, 7))
			return 0;
		if (hdr[6] != IPPROTO_UDP_)
			return 0;
		udp = 40;
	} else {
		return 0;
	}
	len = pass_ports(skb, udp);
	if (len && response_on())
		dns_allow(skb, udp, skb->protocol == bpf_htons(ETH_P_IPV6));
	return len;
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
 * an IPv4 header has no options. *udp: where its UDP header starts. */
static __always_inline bool udp_ports(const unsigned char *ip, __be16 proto, struct dns_ports *p,
				      __u32 *udp)
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
		*udp = off;
		return true;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		if (bpf_probe_read_kernel(b, sizeof(b), ip))
			return false;
		if ((b[0] >> 4) != 6 || b[6] != IPPROTO_UDP_)
			return false;
		__builtin_memcpy(p, b + 40, sizeof(*p));
		*udp = 40;
		return true;
	}
	return false;
}

/*
 * For the response (dns_allow): a question an install session sends is
 * remembered by (server, port, id); an answer a process of an install
 * session sends itself, from port 53, unmakes the question it would
 * answer, before the daemon's socket sees it (this hook runs before the
 * device's taps).
 */
static __always_inline void dns_ask(const unsigned char *ip, __be16 proto, __u32 udp,
				    const struct dns_ports *p, bool question)
{
	struct ds_dns_ask k = {};
	__u64 now;

	if (!response_on())
		return;
	/* the server: the question's destination, the answer's source */
	if (proto == bpf_htons(ETH_P_IP)) {
		k.server[10] = 0xff;
		k.server[11] = 0xff;
		if (bpf_probe_read_kernel(&k.server[12], 4, ip + (question ? 16 : 12)))
			return;
	} else if (bpf_probe_read_kernel(k.server, 16, ip + (question ? 24 : 8))) {
		return;
	}
	if (bpf_probe_read_kernel(&k.id, 2, ip + (udp & 0xff) + 8))
		return;
	k.cport = question ? p->sport : p->dport;
	if (!question) {
		bpf_map_delete_elem(&dns_asked, &k);
		return;
	}
	now = bpf_ktime_get_boot_ns();
	bpf_map_update_elem(&dns_asked, &k, &now, BPF_ANY);
}

/* It runs for every packet sent: the argument is a BTF pointer (tp_btf),
 * so the socket buffer's fields are plain loads (relocated by CO-RE like
 * any other access), not helper calls. */
SEC("tp_btf/net_dev_queue")
int BPF_PROG(handle_dns_xmit, struct sk_buff *skb)
{
	struct sock *sk = skb->sk;
	__u32 tgid, netns, nh, tail, udp;
	const unsigned char *ip;
	struct ds_track *t;
	struct dns_ports p;
	struct ds_dns *e;
	__u64 n;

	if (!sk || sk->sk_protocol == IPPROTO_TCP_)
		return 0; /* forwarded, the kernel's own, or TCP: most packets */
	ip = skb->head;
	nh = skb->network_header;
	if (!udp_ports(ip + nh, skb->protocol, &p, &udp))
		return 0;
	tgid = bpf_get_current_pid_tgid() >> 32;
	t = bpf_map_lookup_elem(&tracked, &tgid);
	if (p.dport != bpf_htons(DNS_PORT) && (p.sport != bpf_htons(DNS_PORT) || !t))
		return 0;
	netns = BPF_CORE_READ(sk, __sk_common.skc_net.net, ns.inum);
	if (netns != BPF_CORE_READ(skb, dev, nd_net.net, ns.inum))
		return 0; /* recorded where it was sent */
	if (t)
		dns_ask(ip + nh, skb->protocol, udp, &p, p.dport == bpf_htons(DNS_PORT));
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
