// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The one place the kernel's records are read. Each record from the ring
 * buffer is checked against its type's layout (sizes, the lengths of the
 * sections after it, NUL-terminated strings) and turned into a struct
 * event; a record that fails is malformed, counted by the caller, never
 * fatal. Everything in a record may come from a hostile process: its
 * strings, paths and packets are bounded here.
 */
#include <errno.h>
#include <stddef.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

#include "decode.h"

static void addr_copy(struct ipaddr *a, uint16_t family, const uint8_t *bytes)
{
	memset(a, 0, sizeof(*a));
	ipaddr_set(a, (uint8_t)family, bytes);
}

static int decode_exec(const struct ds_exec *e, size_t len, const struct strlist *env_vars,
		       struct event *ev)
{
	memset(&ev->exec, 0, sizeof(ev->exec));
	if (len < sizeof(*e))
		return -EINVAL;
	ev->exec.img = image_from_exec(e, (const char *)(e + 1), len - sizeof(*e), env_vars);
	if (!ev->exec.img)
		return -EINVAL;
	ev->session = e->session;
	ev->exec.ppid = e->ppid;
	ev->exec.pstart = e->pstart;
	ev->exec.uid = e->uid;
	ev->exec.gid = e->gid;
	ev->exec.cgroup_id = e->cgroup_id;
	memcpy(ev->comm, e->comm, DS_COMM_LEN - 1);
	return 0;
}

static int decode_connect(const struct ds_connect *e, struct event *ev)
{
	struct net_event *n = &ev->connect;

	memset(n, 0, sizeof(*n));
	if ((e->family != AF_INET && e->family != AF_INET6) || e->comm[DS_COMM_LEN - 1])
		return -EINVAL;
	n->kind = NET_CONNECT;
	addr_copy(&n->dst, e->family, e->daddr);
	/* the socket's own family says how to read its local address */
	addr_copy(&n->src, e->family, e->saddr);
	n->dport = e->dport;
	n->sport = e->sport;
	n->transport = e->protocol == IPPROTO_TCP || e->protocol == IPPROTO_UDP ? e->protocol : 0;
	if (!n->transport && e->protocol == 0)
		n->transport = e->sock_type == SOCK_STREAM  ? IPPROTO_TCP
			       : e->sock_type == SOCK_DGRAM ? IPPROTO_UDP
							    : 0;
	n->result = e->ret;
	n->session = e->session;
	n->netns = e->netns;
	n->egress = e->egress;
	ev->session = e->session;
	memcpy(ev->comm, e->comm, DS_COMM_LEN);
	return 0;
}

static int decode_signal(const struct ds_signal *e, struct event *ev)
{
	if (e->comm[DS_COMM_LEN - 1])
		return -EINVAL;
	tamper_signal_from(e, &ev->signal.s);
	ev->signal.target_pid = e->target_pid;
	ev->signal.target_start = e->target_start;
	ev->signal.seq = e->seq;
	ev->session = ev->signal.s.session;
	memcpy(ev->comm, e->comm, DS_COMM_LEN);
	return 0;
}

static int decode_dns(const struct ds_dns *e, struct event *ev)
{
	ev->session = e->session;
	if (e->len > sizeof(e->data)) {
		ev->dns.kind = DNS_SENT_MALFORMED;
		return 0;
	}
	dns_sent_decode(e->data, e->len, e->netns, &ev->dns);
	return 0;
}

static int decode_file(const struct ds_file *e, size_t len, struct event *ev)
{
	memset(&ev->file, 0, sizeof(ev->file));
	if (len < sizeof(*e) ||
	    file_decode(e, (const char *)(e + 1), len - sizeof(*e), &ev->file)) {
		file_event_free(&ev->file);
		return -EINVAL;
	}
	ev->session = e->session;
	memcpy(ev->comm, e->comm, DS_COMM_LEN);
	return 0;
}

int event_decode(const void *data, size_t len, const struct strlist *env_vars, struct event *ev)
{
	const struct ds_hdr *h = data;

	/* the header, and then the member of the record's kind only: the
	 * union is mostly a DNS message, 3 KiB no exec or fork needs zeroed */
	memset(ev, 0, offsetof(struct event, exec));
	if (len < sizeof(*h) || h->size != len || h->type == 0 || h->type >= DS_EV_MAX)
		return -EINVAL;
	ev->type = h->type;
	ev->pid = h->pid;
	ev->start = h->start;
	ev->ts = h->ts;
	ev->flags = h->flags;
	switch (h->type) {
	case DS_EV_EXEC:
		return decode_exec(data, len, env_vars, ev);
	case DS_EV_FORK: {
		const struct ds_fork *e = data;

		memset(&ev->fork, 0, sizeof(ev->fork));
		if (len != sizeof(*e))
			return -EINVAL;
		ev->fork.ppid = e->ppid;
		ev->fork.pstart = e->pstart;
		ev->session = e->session;
		return 0;
	}
	case DS_EV_EXIT:
		memset(&ev->exit, 0, sizeof(ev->exit));
		if (len != sizeof(struct ds_exit))
			return -EINVAL;
		ev->exit.code = (int)((const struct ds_exit *)data)->exit_code;
		return 0;
	case DS_EV_FILE:
		return decode_file(data, len, ev);
	case DS_EV_CONNECT:
		return len == sizeof(struct ds_connect) ? decode_connect(data, ev) : -EINVAL;
	case DS_EV_SIGNAL:
		return len == sizeof(struct ds_signal) ? decode_signal(data, ev) : -EINVAL;
	case DS_EV_DNS:
		return len == sizeof(struct ds_dns) ? decode_dns(data, ev) : -EINVAL;
	}
	return -EINVAL;
}

void event_release(struct event *ev)
{
	if (ev->type == DS_EV_EXEC)
		image_put(ev->exec.img);
	else if (ev->type == DS_EV_FILE)
		file_event_free(&ev->file);
	ev->type = 0;
}
