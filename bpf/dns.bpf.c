// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * dns: a socket filter for the daemon's packet socket, which passes only
 * UDP datagrams to or from port 53, so that user space sees the host's DNS
 * questions and answers (passively: depsentry sends no query of its own)
 * and nothing else. Attached with SO_ATTACH_BPF to an AF_PACKET SOCK_DGRAM
 * socket, where the packet starts at the network header. IPv4 fragments
 * after the first and IPv6 extension headers are not followed.
 */
#include "task.h"
#include <bpf/bpf_endian.h>

char LICENSE[] SEC("license") = "Dual BSD/GPL";

#define ETH_P_IP     0x0800
#define ETH_P_IPV6   0x86DD
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
