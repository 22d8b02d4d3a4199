// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The response's kernel side (bpf/egress.bpf.c, the DNS filter's
 * dns_allow): its socket address programs on the root of the cgroup v2
 * hierarchy, and the maps that say where install sessions may go: the
 * allowlist's ranges (egress_nets) and names (egress_names, by the hash of
 * their wire form), and the resolvers (egress_resolvers): the configured
 * ones, the host's, and each session's own as it starts.
 *
 * The programs need the connecting process's pid, which a kernel may
 * refuse socket address programs (every kernel we build for, 5.10 on,
 * allows it): where it is refused they are not loaded, and the response
 * stops processes instead (the daemon says so at start).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bpf/libbpf.h>
#include <bpf/bpf.h>

#include "capture.h"
#include "decode/decode.h"
#include "depsentry.skel.h"

#define CGROUP2_FALLBACK "/run/depsentry/cgroup2"
#define HOST_RESOLV	 "/etc/resolv.conf"
#define NAMESERVERS_MAX	 8

static struct bpf_program *egress_prog(struct depsentry_bpf *skel, int i)
{
	struct bpf_program *progs[EGRESS_PROGS] = {
		skel->progs.egress_connect4,
		skel->progs.egress_connect6,
		skel->progs.egress_sendmsg4,
		skel->progs.egress_sendmsg6,
	};

	return progs[i];
}

bool egress_prepare(struct depsentry_bpf *skel)
{
	bool ok = libbpf_probe_bpf_helper(BPF_PROG_TYPE_CGROUP_SOCK_ADDR,
					  BPF_FUNC_get_current_pid_tgid, NULL) > 0;
	int i;

	for (i = 0; i < EGRESS_PROGS; i++) {
		bpf_program__set_autoattach(egress_prog(skel, i), false);
		if (!ok)
			bpf_program__set_autoload(egress_prog(skel, i), false);
	}
	return ok;
}

/* The programs on the root cgroup, or off. */
static int egress_attach(struct sensor_egress *e, struct depsentry_bpf *skel, bool on)
{
	int i, err = 0;

	if (on && e->cgroup_fd < 0) {
		if (mkdir("/run/depsentry", 0755) && errno != EEXIST)
			return -errno;
		e->cgroup_fd = cgroup2_open(CGROUP2_FALLBACK);
		if (e->cgroup_fd < 0)
			return e->cgroup_fd;
	}
	for (i = 0; i < EGRESS_PROGS; i++) {
		if (on && !e->links[i]) {
			e->links[i] = bpf_program__attach_cgroup(egress_prog(skel, i),
								 e->cgroup_fd);
			if (!e->links[i]) {
				err = -errno;
				break;
			}
		} else if (!on && e->links[i]) {
			bpf_link__destroy(e->links[i]);
			e->links[i] = NULL;
		}
	}
	if (err)
		egress_attach(e, skel, false);
	return err;
}

static void addr_key(const struct ipaddr *a, struct ds_addr *k)
{
	memset(k, 0, sizeof(*k));
	if (a->family == AF_INET) {
		k->a[10] = 0xff;
		k->a[11] = 0xff;
		memcpy(&k->a[12], a->bytes, 4);
	} else {
		memcpy(k->a, a->bytes, 16);
	}
}

/* Add port to an entry's ports; 0 (any) absorbs the rest. False when there
 * is no room: the caller widens to every port and says so. */
static bool ports_add(struct ds_ports *p, bool fresh, uint16_t port)
{
	int i;

	if (fresh) {
		memset(p, 0, sizeof(*p));
		p->port[0] = port;
		return true;
	}
	if (!p->port[0])
		return true;
	if (!port) {
		memset(p, 0, sizeof(*p));
		return true;
	}
	for (i = 0; i < DS_EGRESS_PORTS; i++) {
		if (p->port[i] == port)
			return true;
		if (!p->port[i]) {
			p->port[i] = port;
			return true;
		}
	}
	memset(p, 0, sizeof(*p));
	return false;
}

uint64_t egress_name_hash(const char *name, size_t from)
{
	uint8_t wire[DNS_NAME_MAX + 2];
	size_t n = 0, len, i;
	const char *p = name, *dot;
	uint64_t h = DS_NAME_HASH_INIT;

	/* the wire form: each label after its length */
	while (*p && n < sizeof(wire) - 1) {
		dot = strchr(p, '.');
		len = dot ? (size_t)(dot - p) : strlen(p);
		if (!len || len > 63 || n + 1 + len >= sizeof(wire))
			return 0;
		wire[n++] = (uint8_t)len;
		memcpy(wire + n, p, len);
		n += len;
		p += len + (dot ? 1 : 0);
	}
	for (i = n; i > from; i--)
		h = DS_NAME_HASH_STEP(h, wire[i - 1]);
	return h;
}

static int map_clear(struct bpf_map *m)
{
	uint8_t key[64], next[64];
	int fd = bpf_map__fd(m);
	bool first = true;

	if (bpf_map__key_size(m) > sizeof(key))
		return -EINVAL;
	/* delete as we go: always ask for the first key again */
	while (bpf_map_get_next_key(fd, first ? NULL : key, next) == 0) {
		if (bpf_map_delete_elem(fd, next))
			return -errno;
		first = true;
	}
	return 0;
}

/* The allowlist's ranges and names. */
static int allow_fill(struct depsentry_bpf *skel, const struct config *c)
{
	int nets = bpf_map__fd(skel->maps.egress_nets),
	    names = bpf_map__fd(skel->maps.egress_names);
	size_t i;

	for (i = 0; i < c->nallow; i++) {
		const struct allow_entry *a = &c->allow[i];
		struct ds_name_allow nv;
		struct ds_net_key nk;
		struct ds_ports pv;
		uint64_t h;
		bool fresh;

		if (a->kind == ALLOW_CIDR) {
			struct ds_addr k;

			addr_key(&a->net, &k);
			nk.prefixlen = a->prefix + (a->net.family == AF_INET ? 96 : 0);
			memcpy(nk.addr, k.a, sizeof(nk.addr));
			fresh = bpf_map_lookup_elem(nets, &nk, &pv) != 0;
			if (!ports_add(&pv, fresh, a->port))
				log_warnx("response: more than %d ports for %s: every port allowed",
					  DS_EGRESS_PORTS, a->text);
			if (bpf_map_update_elem(nets, &nk, &pv, BPF_ANY))
				return -errno;
			continue;
		}
		h = egress_name_hash(a->name, 0);
		if (!h)
			continue;
		fresh = bpf_map_lookup_elem(names, &h, &nv) != 0;
		if (fresh)
			memset(&nv, 0, sizeof(nv));
		nv.kind |= a->kind == ALLOW_SUFFIX ? DS_NAME_SUFFIX : DS_NAME_EXACT;
		if (!ports_add(&nv.ports, fresh, a->port))
			log_warnx("response: more than %d ports for %s: every port allowed",
				  DS_EGRESS_PORTS, a->text);
		if (bpf_map_update_elem(names, &h, &nv, BPF_ANY))
			return -errno;
	}
	return 0;
}

int egress_resolver_add(struct depsentry_bpf *skel, const struct ipaddr *a)
{
	struct ds_addr k;
	uint8_t one = 1;

	addr_key(a, &k);
	return bpf_map_update_elem(bpf_map__fd(skel->maps.egress_resolvers), &k, &one, BPF_ANY)
		       ? -errno
		       : 0;
}

/* The configured resolvers (single addresses: a range is for the DNS
 * exfiltration rule's judgement, not for a destination), and the host's. */
static int resolvers_fill(struct depsentry_bpf *skel, const struct config *c)
{
	struct ipaddr ns[NAMESERVERS_MAX];
	size_t i, n;
	int err;

	for (i = 0; i < c->nresp_resolvers; i++) {
		const struct allow_entry *a = &c->resp_resolvers[i];

		if (a->prefix != (a->net.family == AF_INET ? 32 : 128)) {
			log_warnx("response: resolver %s is a range: not a destination", a->text);
			continue;
		}
		err = egress_resolver_add(skel, &a->net);
		if (err)
			return err;
	}
	n = resolv_conf_read(HOST_RESOLV, ns, NAMESERVERS_MAX);
	for (i = 0; i < n; i++)
		if ((err = egress_resolver_add(skel, &ns[i])))
			return err;
	return 0;
}

int egress_configure(struct sensor_egress *e, struct depsentry_bpf *skel, const struct config *c)
{
	struct ds_resp_cfg rc = { 0 };
	bool on = c->response_mode != RESPONSE_OFF && c->response_egress;
	__u32 zero = 0;
	int err;

	/* off first: no program judges by half-filled maps */
	if (bpf_map__update_elem(skel->maps.resp_cfg, &zero, sizeof(zero), &rc, sizeof(rc),
				 BPF_ANY))
		return -errno;
	if (!on || !e->supported)
		return egress_attach(e, skel, false);
	if ((err = map_clear(skel->maps.egress_nets)) ||
	    (err = map_clear(skel->maps.egress_names)) || (err = allow_fill(skel, c)) ||
	    (err = resolvers_fill(skel, c)))
		return err;
	rc.mode = c->response_mode == RESPONSE_BLOCK ? DS_RESP_BLOCK : DS_RESP_DETECT;
	rc.min_ttl = c->dns_min_ttl;
	rc.max_ttl = c->dns_max_ttl;
	err = egress_attach(e, skel, true);
	if (err)
		return err;
	return bpf_map__update_elem(skel->maps.resp_cfg, &zero, sizeof(zero), &rc, sizeof(rc),
				    BPF_ANY)
		       ? -errno
		       : 0;
}

void egress_close(struct sensor_egress *e)
{
	int i;

	for (i = 0; i < EGRESS_PROGS; i++)
		bpf_link__destroy(e->links[i]);
	if (e->cgroup_fd >= 0)
		close(e->cgroup_fd);
	memset(e, 0, sizeof(*e));
	e->cgroup_fd = -1;
}
