// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * DNS as the capture sockets see it (user/dns.c): the input is parsed as a
 * whole IPv4 or IPv6 packet (dns_packet_parse, then dns_parse of its
 * payload) and as a bare DNS message (dns_parse). What a parse returns
 * must keep its promises (names NUL-terminated within their arrays,
 * counts within their bounds, the payload inside the packet); its names
 * and addresses then go through the name cache and are rendered as the
 * DNS question and the connect of an install session, and each line must
 * be one strict JSON object with no null.
 */
#include <netinet/in.h>
#include <sys/socket.h>

#include "fuzz.h"

static struct dns_cache *cache;
static struct proc proc;

/* A process of an install session, for the lines rendered. */
static void proc_setup(void)
{
	static const char argv[] = "curl\0-s\0http://example.test/x";
	static struct session sess = { .id = 7 };

	proc.img = image_new();
	if (!proc.img || image_set_argv(proc.img, argv, sizeof(argv)))
		abort();
	proc.img->exe = strdup("/usr/bin/curl");
	proc.img->filename = strdup("/usr/bin/curl");
	proc.img->name = strdup("curl");
	proc.img->cwd = strdup("/tmp");
	memcpy(proc.img->comm, "curl", 5);
	proc.pid = 4242;
	proc.ppid = 1;
	proc.start = 1000000000ULL;
	proc.refs = 1;
	sess.root = &proc;
	sess.pm = &sess.own_pm;
	sess.own_pm.name = "npm";
	sess.own_pm.package_type = "npm";
	proc.sess = &sess;
	cache = dns_cache_new(64, 1, 3600);
	if (!cache)
		abort();
}

static void check_name(const char *name, const char *what)
{
	if (!memchr(name, '\0', DNS_NAME_MAX))
		fuzz_fail(what, "not NUL-terminated within DNS_NAME_MAX", 40);
}

static void render(struct net_event *ev)
{
	struct verdict v = {
		.rule = RULE_EGRESS,
		.severity = SEV_MEDIUM,
		.reason = "fuzz",
		.rules_matched = 1U << RULE_EGRESS,
		.net = ev,
	};
	size_t len;
	char *line;

	line = alert_render(fuzz_host(), &proc, &v, 1000, &len);
	if (line)
		fuzz_check_line(line, len);
	free(line);
	v.rule = RULE_NONE;
	line = event_render(fuzz_host(), &proc, &v, 1000, &len);
	if (line)
		fuzz_check_line(line, len);
	free(line);
}

/* What the daemon does with a message: cache its addresses, judge its
 * question, name the connects to those addresses. */
static void use(const struct dns_msg *m)
{
	struct net_event ev = { .kind = NET_DNS_QUERY, .transport = IPPROTO_UDP, .dport = 53 };
	size_t i;

	check_name(m->qname, "qname");
	if (m->nchain > DNS_CHAIN_MAX || m->naddrs > DNS_ADDRS_MAX)
		fuzz_fail("counts over their bounds", "", 0);
	for (i = 0; i < m->nchain; i++)
		check_name(m->chain[i], "chain");
	dns_qtype_name(m->qtype);
	ev.dst.family = AF_INET;
	ev.dst.bytes[0] = 127;
	ev.dst.bytes[3] = 53;
	ev.qname = m->qname;
	ev.qtype = m->qtype;
	ev.dns_id = m->id;
	render(&ev);
	for (i = 0; i < m->naddrs; i++) {
		const struct dns_answer *a = &m->addrs[i];
		struct net_event c = { .kind = NET_CONNECT,
				       .transport = IPPROTO_TCP,
				       .dport = 443 };

		if (a->addr.family != AF_INET && a->addr.family != AF_INET6)
			fuzz_fail("answer address of no family", "", 0);
		dns_cache_add(cache, 0, &a->addr, m->qname, a->ttl, 1);
		c.dst = a->addr;
		c.domain = dns_cache_lookup(cache, 0, &a->addr, 2);
		render(&c);
	}
	dns_cache_expire(cache, UINT64_MAX);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dns_packet pk;
	struct dns_msg m;

	if (!cache) {
		fuzz_quiet();
		proc_setup();
	}
	if (dns_packet_parse(data, size, &pk) == 0) {
		if (pk.payload < data || pk.payload_len > size ||
		    pk.payload + pk.payload_len > data + size)
			fuzz_fail("payload outside the packet", "", 0);
		if (dns_parse(pk.payload, pk.payload_len, &m) == 0)
			use(&m);
	}
	if (dns_parse(data, size, &m) == 0)
		use(&m);
	return 0;
}
