// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * DNS capture: answers as they arrive, read from packet sockets on every
 * interface of the daemon's network namespace, and of each other network
 * namespace an install session runs in (a container's: its own loopback
 * resolver, its own interfaces), filtered in the kernel to DNS over UDP. The questions come from the kernel's hook on packets sent
 * (SENSOR_HOOK_DNS), attached first: an answer is believed only as the
 * answer to one (model/dnsq.c). A packet that fails to parse is counted.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <stdlib.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "capture.h"

#define DNS_BATCH   256 /* packets read per call before the ring again */
#define DNS_RCVBUF  (4 << 20)
#define DNS_PKT_MAX 65536
#define DNS_NETNS   16 /* other network namespaces captured at once */

/* The sockets of one other network namespace. */
struct dnscap_ns {
	uint32_t netns; /* inode number; 0: a free slot */
	int fd[2];
	uint64_t opened; /* for the oldest's replacement */
};

struct dnscap {
	struct sensor *sensor;
	int epfd;
	int fd[2];	    /* IPv4 and IPv6; -1 when off */
	uint32_t own_netns; /* the daemon's */
	struct dnscap_ns ns[DNS_NETNS];
	uint64_t opens;
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
	for (int i = 0; i < DNS_NETNS; i++)
		c->ns[i].fd[0] = c->ns[i].fd[1] = -1;
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

static void close_pair(int fd[2])
{
	int k;

	for (k = 0; k < 2; k++) {
		if (fd[k] >= 0)
			close(fd[k]); /* leaves the epoll set too */
		fd[k] = -1;
	}
}

static void close_all(struct dnscap *c)
{
	int i;

	close_pair(c->fd);
	for (i = 0; i < DNS_NETNS; i++) {
		close_pair(c->ns[i].fd); /* a socket holds its namespace */
		c->ns[i].netns = 0;
	}
}

/* The IPv4 and IPv6 sockets into fd, in the current network namespace. */
static int open_pair(struct dnscap *c, int fd[2])
{
	static const int protos[2] = { ETH_P_IP, ETH_P_IPV6 };
	struct epoll_event ev = { .events = EPOLLIN };
	int k;

	for (k = 0; k < 2; k++) {
		fd[k] = dnscap_open(c, protos[k]);
		ev.data.fd = fd[k];
		if (fd[k] < 0 || epoll_ctl(c->epfd, EPOLL_CTL_ADD, fd[k], &ev)) {
			close_pair(fd);
			return -1;
		}
	}
	return 0;
}

static uint32_t fd_inode(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (uint32_t)st.st_ino : 0;
}

/*
 * Capture in network namespace netns too, entered through process pid's
 * (which must still be in it): a packet socket lives in the namespace it
 * was made in, so the daemon's thread enters that namespace, makes the
 * pair, and goes back. Kept until capture stops; with DNS_NETNS open, the
 * namespace opened first gives its place.
 */
int dnscap_netns(struct dnscap *c, uint32_t pid, uint32_t netns)
{
	struct dnscap_ns *slot = NULL;
	char path[64];
	int own = -1, target = -1, err = -1, i;

	if (!c->own_netns)
		c->own_netns = ns_inode("/proc/thread-self/ns/net");
	if (c->fd[0] < 0 || !netns || !pid || netns == c->own_netns)
		return 0;
	for (i = 0; i < DNS_NETNS; i++) {
		if (c->ns[i].netns == netns)
			return 0;
		if (!slot || (slot->netns && (!c->ns[i].netns || c->ns[i].opened < slot->opened)))
			slot = &c->ns[i];
	}
	own = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (own < 0)
		goto out;
	snprintf(path, sizeof(path), "/proc/%u/ns/net", pid);
	target = open(path, O_RDONLY | O_CLOEXEC);
	/* the pid may be another process's by now, or have moved */
	if (target < 0 || fd_inode(target) != netns)
		goto out;
	if (slot->netns) {
		close_pair(slot->fd);
		slot->netns = 0;
		c->st.netns_replaced++;
	}
	if (setns(target, CLONE_NEWNET))
		goto out;
	if (open_pair(c, slot->fd) == 0) {
		slot->netns = netns;
		slot->opened = ++c->opens;
		c->st.netns_opened++;
		err = 0;
	}
	if (setns(own, CLONE_NEWNET)) {
		/* cannot happen with the capability that entered; stay safe */
		log_warn("dns capture: back to the daemon's network namespace");
		abort();
	}
out:
	if (err)
		c->st.netns_failed++;
	if (own >= 0)
		close(own);
	if (target >= 0)
		close(target);
	return err;
}

void dnscap_start(struct dnscap *c)
{
	if (c->fd[0] >= 0 || !c->sensor)
		return;
	/* the questions first: an answer is believed only as an answer to one */
	if (sensor_hooks(c->sensor, SENSOR_HOOK_DNS, true))
		goto fail;
	if (open_pair(c, c->fd) == 0)
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

/* Read a batch from fd: false when it was full (more may wait). */
static bool drain_fd(struct dnscap *c, int fd, dnscap_fn fn, void *arg)
{
	struct sockaddr_ll from;
	socklen_t flen;
	ssize_t n;
	int i;

	if (fd < 0)
		return true;
	for (i = 0; i < DNS_BATCH; i++) {
		flen = sizeof(from);
		n = recvfrom(fd, c->pkt, DNS_PKT_MAX, MSG_TRUNC, (struct sockaddr *)&from, &flen);
		if (n < 0)
			return true;
		if (n > DNS_PKT_MAX) {
			c->st.malformed++;
			continue;
		}
		packet(c, (size_t)n, from.sll_pkttype, fn, arg);
	}
	return false;
}

void dnscap_drain(struct dnscap *c, dnscap_fn fn, void *arg)
{
	uint64_t start = boot_now();
	bool all = true;
	int i, k;

	for (k = 0; k < 2; k++) {
		all &= drain_fd(c, c->fd[k], fn, arg);
		for (i = 0; i < DNS_NETNS; i++)
			all &= drain_fd(c, c->ns[i].fd[k], fn, arg);
	}
	if (all)
		c->drained_ns = start;
}

uint64_t dnscap_drained_ns(const struct dnscap *c)
{
	return c->drained_ns;
}

static void count_fd_drops(struct dnscap *c, int fd)
{
	struct tpacket_stats ts;
	socklen_t len = sizeof(ts);

	if (fd >= 0 && getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &ts, &len) == 0)
		c->st.dropped += ts.tp_drops;
}

/* The sockets' drops since the last call (the kernel resets them). */
static void count_drops(struct dnscap *c)
{
	int k, i;

	for (k = 0; k < 2; k++) {
		count_fd_drops(c, c->fd[k]);
		for (i = 0; i < DNS_NETNS; i++)
			count_fd_drops(c, c->ns[i].fd[k]);
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
