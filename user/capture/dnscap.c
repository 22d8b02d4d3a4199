// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * DNS capture: answers as they arrive, read from packet sockets on every
 * interface of the daemon's network namespace, filtered in the kernel to
 * DNS over UDP. The questions come from the kernel's hook on packets sent
 * (SENSOR_HOOK_DNS), attached first: an answer is believed only as the
 * answer to one (model/dnsq.c). A packet that fails to parse is counted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include "capture.h"

#define DNS_BATCH   256 /* packets read per call before the ring again */
#define DNS_RCVBUF  (4 << 20)
#define DNS_PKT_MAX 65536

struct dnscap {
	struct sensor *sensor;
	int epfd;
	int fd[2];	     /* IPv4 and IPv6; -1 when off */
	uint8_t *pkt;	     /* one captured packet */
	uint64_t drained_ns; /* boot time of the last read of both to EAGAIN */
	bool failed;	     /* could not be set up: said once */
	struct dnscap_stats st;
};

struct dnscap *dnscap_new(struct sensor *s, int epfd)
{
	struct dnscap *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->sensor = s;
	c->epfd = epfd;
	c->fd[0] = c->fd[1] = -1;
	c->pkt = malloc(DNS_PKT_MAX);
	if (!c->pkt) {
		free(c);
		return NULL;
	}
	return c;
}

/*
 * A packet socket for one network protocol, filtered in the kernel to DNS
 * over UDP. Bound to ETH_P_IP or ETH_P_IPV6, not ETH_P_ALL, it sees
 * received packets only (loopback traffic is received too): no copy of
 * every packet the host sends. Created unbound, so nothing arrives before
 * the filter is on.
 */
static int dnscap_open(struct dnscap *c, int proto)
{
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(proto) };
	int fd, prog = sensor_dns_filter_fd(c->sensor), size = DNS_RCVBUF;

	fd = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		log_warn("dns capture: socket");
		return -1;
	}
	if (setsockopt(fd, SOL_SOCKET, SO_ATTACH_BPF, &prog, sizeof(prog)) ||
	    (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) &&
	     setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size))) ||
	    bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		log_warn("dns capture: set-up");
		close(fd);
		return -1;
	}
	return fd;
}

static void close_all(struct dnscap *c)
{
	int k;

	for (k = 0; k < 2; k++) {
		if (c->fd[k] >= 0)
			close(c->fd[k]); /* leaves the epoll set too */
		c->fd[k] = -1;
	}
}

void dnscap_start(struct dnscap *c)
{
	static const int protos[2] = { ETH_P_IP, ETH_P_IPV6 };
	struct epoll_event ev = { .events = EPOLLIN };
	int k;

	if (c->fd[0] >= 0 || !c->sensor)
		return;
	/* the questions first: an answer is believed only as an answer to one */
	if (sensor_hooks(c->sensor, SENSOR_HOOK_DNS, true))
		goto fail;
	for (k = 0; k < 2; k++) {
		c->fd[k] = dnscap_open(c, protos[k]);
		ev.data.fd = c->fd[k];
		if (c->fd[k] < 0 || epoll_ctl(c->epfd, EPOLL_CTL_ADD, c->fd[k], &ev))
			goto fail;
	}
	return;
fail:
	if (!c->failed) /* connects are still judged, by address alone */
		log_warnx("DNS capture failed: destinations will have no names");
	c->failed = true;
	sensor_hooks(c->sensor, SENSOR_HOOK_DNS, false);
	close_all(c);
}

bool dnscap_on(const struct dnscap *c)
{
	return c->fd[0] >= 0;
}

static void packet(struct dnscap *c, size_t len, int pkttype, dnscap_fn fn, void *arg)
{
	struct dns_packet pk;
	struct dns_msg m;

	if (dns_packet_parse(c->pkt, len, &pk) || dns_parse(pk.payload, pk.payload_len, &m)) {
		c->st.malformed++;
		return;
	}
	/* answers only: the questions come from the kernel as they leave */
	if (m.response && pk.sport == 53 && pkttype != PACKET_OUTGOING)
		fn(&pk, &m, boot_now(), arg);
}

void dnscap_drain(struct dnscap *c, dnscap_fn fn, void *arg)
{
	struct sockaddr_ll from;
	uint64_t start = boot_now();
	bool all = true;
	socklen_t flen;
	ssize_t n = -1;
	int i, k;

	for (k = 0; k < 2; k++) {
		for (i = 0; c->fd[k] >= 0 && i < DNS_BATCH; i++) {
			flen = sizeof(from);
			n = recvfrom(c->fd[k], c->pkt, DNS_PKT_MAX, MSG_TRUNC,
				     (struct sockaddr *)&from, &flen);
			if (n < 0)
				break;
			if (n > DNS_PKT_MAX) {
				c->st.malformed++;
				continue;
			}
			packet(c, (size_t)n, from.sll_pkttype, fn, arg);
		}
		if (c->fd[k] >= 0 && n >= 0)
			all = false; /* a full batch: more may wait */
	}
	if (all)
		c->drained_ns = start;
}

uint64_t dnscap_drained_ns(const struct dnscap *c)
{
	return c->drained_ns;
}

/* The sockets' drops since the last call (the kernel resets them). */
static void count_drops(struct dnscap *c)
{
	struct tpacket_stats ts;
	socklen_t len;
	int k;

	for (k = 0; k < 2; k++) {
		len = sizeof(ts);
		if (c->fd[k] >= 0 &&
		    getsockopt(c->fd[k], SOL_PACKET, PACKET_STATISTICS, &ts, &len) == 0)
			c->st.dropped += ts.tp_drops;
	}
}

void dnscap_stop(struct dnscap *c, dnscap_fn fn, void *arg)
{
	if (c->fd[0] < 0)
		return;
	dnscap_drain(c, fn, arg);
	count_drops(c);
	sensor_hooks(c->sensor, SENSOR_HOOK_DNS, false);
	close_all(c);
}

void dnscap_stats(struct dnscap *c, struct dnscap_stats *st)
{
	count_drops(c);
	*st = c->st;
}

void dnscap_free(struct dnscap *c)
{
	if (!c)
		return;
	close_all(c);
	free(c->pkt);
	free(c);
}
