// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The network arm: addresses, the allowlist, and the rule's decisions. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>

#include "unit.h"

#define NS     1000000000ULL
#define HOSTNS 4026531840U /* network namespaces, by inode number */
#define BOXNS  4026532300U

static struct ipaddr ip(const char *s)
{
	struct ipaddr a;

	assert_int_equal(ipaddr_parse(s, &a), 0);
	return a;
}

static void test_ipaddr(void **state)
{
	struct ipaddr a, net;
	char buf[IPADDR_STRLEN];

	(void)state;
	assert_int_equal(ipaddr_parse("300.1.1.1", &a), -EINVAL);
	assert_int_equal(ipaddr_parse("example.org", &a), -EINVAL);
	a = ip("::ffff:192.0.2.7");
	assert_int_equal(a.family, AF_INET6);
	ipaddr_unmap(&a);
	assert_int_equal(a.family, AF_INET);
	ipaddr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "192.0.2.7");
	a = ip("::1");
	ipaddr_unmap(&a); /* not mapped: unchanged */
	ipaddr_format(&a, buf, sizeof(buf));
	assert_string_equal(buf, "::1");
	net = ip("10.0.0.0");
	a = ip("10.200.3.4");
	assert_true(ipaddr_in(&a, &net, 8));
	assert_false(ipaddr_in(&a, &net, 9) && ipaddr_in(&a, &net, 16));
	a = ip("11.0.0.1");
	assert_false(ipaddr_in(&a, &net, 8));
	assert_true(ipaddr_in(&a, &net, 0));
	net = ip("fd00::");
	a = ip("fdff::1");
	assert_true(ipaddr_in(&a, &net, 8));
	a = ip("10.0.0.1");
	assert_false(ipaddr_in(&a, &net, 0)); /* families never mix */
}

static void expect_allow(const char *text, enum allow_kind kind, const char *name, int prefix,
			 int port)
{
	struct allow_entry e;
	const char *why = NULL;

	assert_int_equal(allow_parse(text, &e, &why), 0);
	assert_int_equal(e.kind, kind);
	if (name)
		assert_string_equal(e.name, name);
	if (prefix >= 0)
		assert_int_equal(e.prefix, prefix);
	assert_int_equal(e.port, port);
	assert_string_equal(e.text, text);
	allow_free(&e);
}

static void expect_refused(const char *text, const char *why_part)
{
	struct allow_entry e;
	const char *why = NULL;

	assert_int_equal(allow_parse(text, &e, &why), -EINVAL);
	assert_non_null(why);
	assert_non_null(strstr(why, why_part));
}

static void test_allow_parse(void **state)
{
	(void)state;
	expect_allow("Registry.NPMjs.org.", ALLOW_NAME, "registry.npmjs.org", -1, 0);
	expect_allow("*.crates.io", ALLOW_SUFFIX, "crates.io", -1, 0);
	expect_allow("nexus.corp.example:8081", ALLOW_NAME, "nexus.corp.example", -1, 8081);
	expect_allow("*.corp.example:443", ALLOW_SUFFIX, "corp.example", -1, 443);
	expect_allow("10.1.2.3", ALLOW_CIDR, NULL, 32, 0);
	expect_allow("10.1.2.3:4873", ALLOW_CIDR, NULL, 32, 4873);
	expect_allow("10.0.0.0/8", ALLOW_CIDR, NULL, 8, 0);
	expect_allow("2001:db8::/32", ALLOW_CIDR, NULL, 32, 0);
	expect_allow("2001:db8::1", ALLOW_CIDR, NULL, 128, 0);
	expect_allow("[2001:db8::/32]:443", ALLOW_CIDR, NULL, 32, 443);
	expect_allow("[::1]:4873", ALLOW_CIDR, NULL, 128, 4873);
	expect_refused("", "expected a host name");
	expect_refused("bad host", "expected a host name");
	expect_refused("a..b", "expected a host name");
	expect_refused("*.", "expected a host name");
	expect_refused("x.example:", "the port must be");
	expect_refused("x.example:65536", "the port must be");
	expect_refused("x.example:-1", "the port must be");
	expect_refused("x.example:80x", "the port must be");
	expect_refused("10.0.0.0/33", "prefix length");
	expect_refused("10.0.0.0/", "prefix length");
	expect_refused("[::1", "bracketed");
	expect_refused("[::1]x", "bracketed");
	expect_refused("registry/x", "expected a host name");
}

/* Host bits of a CIDR are cleared, so 10.1.2.3/8 is 10.0.0.0/8. */
static void test_allow_cidr_normalised(void **state)
{
	struct allow_entry e;
	const char *why;
	struct ipaddr a = ip("10.9.9.9");

	(void)state;
	assert_int_equal(allow_parse("10.1.2.3/8", &e, &why), 0);
	assert_int_equal(e.net.bytes[1], 0);
	assert_non_null(allow_match(&e, 1, NULL, &a, 1));
	allow_free(&e);
}

static void test_allow_match(void **state)
{
	static const char *const texts[] = { "registry.npmjs.org", "*.crates.io",
					     "nexus.corp.example:8081", "192.0.2.0/24",
					     "[2001:db8::/32]:443" };
	struct allow_entry v[ARRAY_SIZE(texts)];
	struct ipaddr a = ip("198.51.100.1"), in = ip("192.0.2.99"), v6 = ip("2001:db8::5");
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(texts); i++)
		assert_int_equal(allow_parse(texts[i], &v[i], &why), 0);
	assert_ptr_equal(allow_match(v, 5, "registry.npmjs.org", &a, 443), &v[0]);
	assert_null(allow_match(v, 5, "registry.npmjs.org.evil.example", &a, 443));
	assert_null(allow_match(v, 5, "evilregistry.npmjs.org", &a, 443));
	assert_null(allow_match(v, 5, "crates.io", &a, 443)); /* *.x is below x only */
	assert_ptr_equal(allow_match(v, 5, "static.crates.io", &a, 443), &v[1]);
	assert_ptr_equal(allow_match(v, 5, "a.b.crates.io", &a, 443), &v[1]);
	assert_null(allow_match(v, 5, "xcrates.io", &a, 443));
	assert_ptr_equal(allow_match(v, 5, "nexus.corp.example", &a, 8081), &v[2]);
	assert_null(allow_match(v, 5, "nexus.corp.example", &a, 22));
	assert_ptr_equal(allow_match(v, 5, NULL, &in, 80), &v[3]);
	assert_null(allow_match(v, 5, NULL, &a, 80)); /* no name, no matching CIDR */
	assert_ptr_equal(allow_match(v, 5, NULL, &v6, 443), &v[4]);
	assert_null(allow_match(v, 5, NULL, &v6, 80));
	assert_null(allow_match(v, 5, NULL, NULL, 443));
	for (i = 0; i < ARRAY_SIZE(texts); i++)
		allow_free(&v[i]);
}

static void test_dns_site(void **state)
{
	(void)state;
	assert_string_equal(dns_site("a1b2c3.beacon.attacker.example"), "attacker.example");
	assert_string_equal(dns_site("attacker.example"), "attacker.example");
	assert_string_equal(dns_site("localhost"), "localhost");
	assert_string_equal(dns_site("x.y.evil.co.uk"), "evil.co.uk");
	assert_string_equal(dns_site("evil.co.uk"), "evil.co.uk");
	assert_string_equal(dns_site("data.evil.com.au"), "evil.com.au");
	assert_string_equal(dns_site("deep.sub.example.org"), "example.org");
}

static void test_name_normalize(void **state)
{
	char a[] = "Registry.NPMJS.org.", b[] = "bad name", c[] = ".", d[] = "a..b";

	(void)state;
	assert_true(dns_name_normalize(a));
	assert_string_equal(a, "registry.npmjs.org");
	assert_false(dns_name_normalize(b));
	assert_false(dns_name_normalize(c));
	assert_false(dns_name_normalize(d));
}

/* ---------------------------------------------------------- the rule */

struct fixture {
	struct config *cfg;
	struct egress *g;
	struct gate *gate;
	struct session sess;
	struct proc *npm, *hook;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_int_equal(config_load(NULL, &f->cfg, stderr), 0);
	f->g = egress_new(f->cfg);
	assert_non_null(f->g);
	f->gate = gate_new(f->cfg);
	assert_non_null(f->gate);
	f->sess.id = 0x42;
	f->npm = unit_proc(NULL, &f->sess, 100, "/usr/bin/node", "node /usr/bin/npm install");
	f->hook = unit_proc(f->npm, &f->sess, 101, "/usr/bin/node", "node -e x");
	f->sess.root = f->npm;
	*state = f;
	return 0;
}

static void proc_free(struct proc *p)
{
	image_put(p->img);
	free(p);
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	proc_free(f->hook);
	proc_free(f->npm);
	egress_free(f->g);
	gate_free(f->gate);
	config_free(f->cfg);
	free(f);
	return 0;
}

static struct net_event connect_to(const char *dst, uint16_t port)
{
	struct net_event ev = {
		.kind = NET_CONNECT, .transport = IPPROTO_TCP, .session = 0x42, .netns = HOSTNS
	};

	ev.dst = ip(dst);
	ev.src = ip(strchr(dst, ':') ? "::1" : "127.0.0.1");
	ev.sport = 40000;
	ev.dport = port;
	return ev;
}

/* The host's first nameserver (glibc's default when none): a resolver of
 * every process that sees the host's /etc/resolv.conf, pid 0 included. */
static struct ipaddr host_resolver(void)
{
	FILE *rc = fopen("/etc/resolv.conf", "re");
	char line[256], word[64], addr[64];
	struct ipaddr a = ip("127.0.0.1");

	while (rc && fgets(line, sizeof(line), rc)) {
		if (sscanf(line, "%63s %63s", word, addr) == 2 && strcmp(word, "nameserver") == 0 &&
		    ipaddr_parse(addr, &a) == 0)
			break;
	}
	if (rc)
		fclose(rc);
	return a;
}

static void put16(uint8_t *p, size_t *n, uint16_t v)
{
	p[(*n)++] = (uint8_t)(v >> 8);
	p[(*n)++] = (uint8_t)v;
}

/* A dns record from the kernel: a UDP datagram (IPv4 or IPv6, as src and
 * dst are) from src:sport to dst:dport carrying a question for name (a
 * response when reply), sent in session (0: none) from namespace netns. */
static void dns_record(struct ds_dns *e, const struct ipaddr *src, uint16_t sport,
		       const struct ipaddr *dst, uint16_t dport, uint16_t id, bool reply,
		       const char *name, uint32_t netns, uint64_t session, uint64_t ts)
{
	size_t ipl = src->family == AF_INET ? 20 : 40, n = ipl + 8, dot;
	uint8_t *p = e->data, *udp = p + ipl;
	const char *label = name;

	memset(e, 0, sizeof(*e));
	e->hdr.type = DS_EV_DNS;
	e->hdr.size = sizeof(*e);
	e->hdr.ts = ts;
	e->hdr.flags = session ? DS_F_TRACKED : 0;
	e->session = session;
	e->netns = netns;
	put16(p, &n, id);
	put16(p, &n, reply ? 0x8180 : 0x0100);
	put16(p, &n, 1);
	put16(p, &n, 0);
	put16(p, &n, 0);
	put16(p, &n, 0);
	while (*label) {
		dot = strcspn(label, ".");
		p[n++] = (uint8_t)dot;
		memcpy(p + n, label, dot);
		n += dot;
		label += dot + (label[dot] == '.');
	}
	p[n++] = 0;
	put16(p, &n, 1); /* A */
	put16(p, &n, 1); /* IN */
	if (src->family == AF_INET) {
		p[0] = 0x45;
		p[2] = (uint8_t)(n >> 8);
		p[3] = (uint8_t)n;
		p[8] = 64;
		p[9] = IPPROTO_UDP;
		memcpy(p + 12, src->bytes, 4);
		memcpy(p + 16, dst->bytes, 4);
	} else {
		p[0] = 0x60;
		p[4] = (uint8_t)((n - 40) >> 8);
		p[5] = (uint8_t)(n - 40);
		p[6] = IPPROTO_UDP;
		p[7] = 64;
		memcpy(p + 8, src->bytes, 16);
		memcpy(p + 24, dst->bytes, 16);
	}
	udp[0] = (uint8_t)(sport >> 8);
	udp[1] = (uint8_t)sport;
	udp[2] = (uint8_t)(dport >> 8);
	udp[3] = (uint8_t)dport;
	udp[4] = (uint8_t)((n - ipl) >> 8);
	udp[5] = (uint8_t)(n - ipl);
	e->len = (uint16_t)n;
}

/* The loopback address of the resolver's family: where questions leave. */
static struct ipaddr client_addr(void)
{
	return ip(host_resolver().family == AF_INET ? "127.0.0.1" : "::1");
}

/* A dns record as the daemon handles it: decoded, then judged. */
static int dns_sent(struct egress *g, const struct ds_dns *e, const struct proc *p,
		    struct net_event *ev, struct verdict *v)
{
	struct ds_dns c = *e;
	struct event d;

	c.hdr.type = DS_EV_DNS;
	c.hdr.size = sizeof(c);
	assert_int_equal(event_decode(&c, sizeof(c), NULL, &d), 0);
	return egress_dns_sent(g, &d, p, ev, v);
}

/* The verdicts as the daemon gets them: judged, then through the gate. */
static void connect_gated(struct fixture *f, const struct proc *p, struct net_event *ev,
			  uint64_t now, struct verdict *v)
{
	egress_connect(f->g, p, ev, now, v);
	gate_pass(f->gate, p, v, now);
}

static void query_gated(struct fixture *f, const struct proc *p, struct net_event *ev, uint64_t now,
			struct verdict *v)
{
	egress_dns_query(f->g, p, ev, now, v);
	gate_pass(f->gate, p, v, now);
}

static int sent_gated(struct fixture *f, const struct ds_dns *e, const struct proc *p,
		      struct net_event *ev, struct verdict *v)
{
	int n = dns_sent(f->g, e, p, ev, v);

	gate_pass(f->gate, p, v, e->hdr.ts);
	return n;
}

/* A question for name from 127.0.0.1:port to the host's resolver, by a
 * process outside any session, in namespace netns. */
static void ask(struct egress *g, const char *name, uint16_t port, uint16_t id, uint32_t netns,
		uint64_t now)
{
	struct ipaddr client = client_addr(), server = host_resolver();
	struct net_event ev;
	struct verdict v;
	struct ds_dns e;

	dns_record(&e, &client, port, &server, 53, id, false, name, netns, 0, now);
	assert_int_equal(dns_sent(g, &e, NULL, &ev, &v), 0);
	assert_int_equal(v.rule, RULE_NONE);
}

/* Its answer, naming addr, from server (NULL: the host's resolver). */
static void answer_from(struct egress *g, const char *server, const char *name, uint16_t port,
			uint16_t id, const char *addr, uint64_t now)
{
	struct dns_packet pk = { .sport = 53, .dport = port };
	struct dns_msg m = { .response = true, .naddrs = 1, .id = id, .qtype = 1, .qclass = 1 };

	pk.src = server ? ip(server) : host_resolver();
	pk.dst = client_addr();
	snprintf(m.qname, sizeof(m.qname), "%s", name);
	m.addrs[0].addr = ip(addr);
	m.addrs[0].ttl = 300;
	egress_dns_answer(g, &pk, &m, now);
}

/* A lookup of name (asked, then answered) in the host's namespace. */
static void add_answer(struct egress *g, const char *name, const char *addr, uint64_t now)
{
	static uint16_t id = 1000;

	id++;
	ask(g, name, 33000, id, HOSTNS, now);
	answer_from(g, NULL, name, 33000, id, addr, now);
}

static void test_raw_ip_alerts_once(void **state)
{
	struct fixture *f = *state;
	struct net_event ev = connect_to("127.0.0.1", 4873);
	struct verdict v;

	connect_gated(f, f->npm, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	assert_int_equal(v.severity, f->cfg->egress_raw_severity);
	assert_ptr_equal(v.net, &ev);
	assert_null(ev.domain);
	/* the same destination again, from another process of the session */
	ev = connect_to("127.0.0.1", 4873);
	connect_gated(f, f->hook, &ev, 2 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	ev = connect_to("127.0.0.1", 4873);
	connect_gated(f, f->hook, &ev, 3 * NS, &v);
	/* another port is another destination */
	ev = connect_to("127.0.0.1", 22);
	connect_gated(f, f->hook, &ev, 3 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	/* another session too */
	ev = connect_to("127.0.0.1", 4873);
	ev.session = 0x43;
	connect_gated(f, f->hook, &ev, 3 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
}

static void count_repeat(const struct verdict *v, uint32_t pid, uint64_t start, const char *comm,
			 uint64_t ts, void *arg)
{
	const struct net_event *ev = v->net;
	uint64_t *seen = arg;

	assert_int_equal(v->rule, RULE_EGRESS);
	assert_string_equal(v->reason, "repeated");
	assert_int_equal(ts, 3 * NS);

	assert_int_equal(ev->repeats, 3);
	assert_int_equal(pid, 100);
	assert_int_equal(start, 100 * NS);
	assert_string_equal(comm, "node");
	assert_int_equal(ev->first_ns, 1 * NS);
	assert_int_equal(ev->last_ns, 3 * NS);
	(*seen)++;
}

static void test_repeats_reported_when_quiet(void **state)
{
	struct fixture *f = *state;
	struct net_event ev;
	struct verdict v;
	uint64_t seen = 0;
	int i;

	for (i = 1; i <= 3; i++) {
		ev = connect_to("203.0.113.9", 443);
		connect_gated(f, f->npm, &ev, (uint64_t)i * NS, &v);
	}
	gate_repeats(f->gate, 4 * NS, false, count_repeat, &seen);
	assert_int_equal(seen, 0); /* still busy */
	gate_repeats(f->gate, 9 * NS, false, count_repeat, &seen);
	assert_int_equal(seen, 1);
	gate_repeats(f->gate, 20 * NS, true, count_repeat, &seen);
	assert_int_equal(seen, 1); /* reported once */
}

static void test_names_from_answers(void **state)
{
	struct fixture *f = *state;
	struct net_event ev;
	struct verdict v;

	add_answer(f->g, "registry.npmjs.org", "127.0.0.1", 1 * NS);
	add_answer(f->g, "exfil.attacker.test", "127.0.0.9", 1 * NS);
	ev = connect_to("127.0.0.1", 4873);
	connect_gated(f, f->npm, &ev, 2 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	assert_non_null(v.allowed_by);
	assert_string_equal(ev.domain, "registry.npmjs.org");
	ev = connect_to("::ffff:127.0.0.9", 8080); /* mapped: the IPv4 entry */
	connect_gated(f, f->hook, &ev, 2 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	assert_int_equal(v.severity, f->cfg->egress_severity);
	assert_int_equal(ev.dst.family, AF_INET);
	assert_string_equal(ev.domain, "exfil.attacker.test");
	/* the answer's TTL (300 s) runs out: the name is forgotten */
	ev = connect_to("127.0.0.1", 4873);
	connect_gated(f, f->npm, &ev, 400 * NS, &v);
	assert_null(ev.domain);
	assert_int_equal(v.rule, RULE_EGRESS);
}

/* A name applies only from an answer to a question this host sent to the
 * asker's resolver: no question, a wrong source, or a server of the
 * process's own choosing name nothing. */
static void test_names_only_believed(void **state)
{
	struct fixture *f = *state;
	struct egress_stats st;
	struct net_event ev;
	struct verdict v;

	/* the finding: datagrams from port 53 to a port that asked nothing */
	answer_from(f->g, "127.0.0.1", "crates.io", 40000, 1, "127.0.0.77", 1 * NS);
	answer_from(f->g, NULL, "crates.io", 40000, 1, "127.0.0.77", 1 * NS);
	/* a real question, answered from elsewhere */
	ask(f->g, "crates.io", 40001, 2, HOSTNS, 1 * NS);
	answer_from(f->g, "127.0.0.78", "crates.io", 40001, 2, "127.0.0.77", 1 * NS);
	ev = connect_to("127.0.0.77", 9);
	connect_gated(f, f->hook, &ev, 2 * NS, &v);
	assert_null(ev.domain);
	assert_int_equal(v.rule, RULE_EGRESS);
	assert_int_equal(v.severity, f->cfg->egress_raw_severity);
	assert_null(v.allowed_by);
	egress_expire(f->g, 10 * NS);
	egress_stats(f->g, &st);
	assert_int_equal(st.dnsq.unsolicited, 3);
	assert_int_equal(st.dns_answers, 0);
	/* the real answer still counts */
	answer_from(f->g, NULL, "crates.io", 40001, 2, "192.0.2.10", 10 * NS);
	ev = connect_to("192.0.2.10", 443);
	connect_gated(f, f->hook, &ev, 10 * NS, &v);
	assert_string_equal(ev.domain, "crates.io");
	assert_non_null(v.allowed_by);
}

/* "crates.io is 127.0.0.77" from a DNS server the process picked itself is
 * an answer to its question, but not a name anyone else would give. */
static void test_names_not_from_other_servers(void **state)
{
	struct fixture *f = *state;
	struct ipaddr client = client_addr(), server = ip("192.0.2.53");
	struct egress_stats st;
	struct net_event ev;
	struct verdict v;
	struct ds_dns e;

	if (client.family != AF_INET)
		server = ip("2001:db8::53");
	dns_record(&e, &client, 40002, &server, 53, 3, false, "crates.io", HOSTNS, 0, 1 * NS);
	assert_int_equal(sent_gated(f, &e, NULL, &ev, &v), 0);
	answer_from(f->g, server.family == AF_INET ? "192.0.2.53" : "2001:db8::53", "crates.io",
		    40002, 3, "127.0.0.77", 1 * NS);
	egress_stats(f->g, &st);
	assert_int_equal(st.dnsq.believed, 1);
	assert_int_equal(st.dns_other_server, 1);
	assert_int_equal(st.dns_answers, 0);
	ev = connect_to("127.0.0.77", 9);
	connect_gated(f, f->hook, &ev, 2 * NS, &v);
	assert_null(ev.domain);
	assert_int_equal(v.rule, RULE_EGRESS);
}

/* A container's lookups do not name the host's connections, nor the
 * host's a container's. */
static void test_names_per_namespace(void **state)
{
	struct fixture *f = *state;
	struct net_event ev;
	struct verdict v;

	ask(f->g, "exfil.attacker.test", 40003, 4, BOXNS, 1 * NS);
	answer_from(f->g, NULL, "exfil.attacker.test", 40003, 4, "127.0.0.9", 1 * NS);
	ev = connect_to("127.0.0.9", 80);
	connect_gated(f, f->hook, &ev, 2 * NS, &v);
	assert_null(ev.domain);
	assert_int_equal(v.severity, f->cfg->egress_raw_severity);
	ev = connect_to("127.0.0.9", 80);
	ev.netns = BOXNS;
	ev.session = 0x43;
	connect_gated(f, f->hook, &ev, 2 * NS, &v);
	assert_string_equal(ev.domain, "exfil.attacker.test");
	assert_int_equal(v.severity, f->cfg->egress_severity);
	/* the host's own answer for the same address stays the host's */
	add_answer(f->g, "registry.npmjs.org", "127.0.0.9", 3 * NS);
	ev = connect_to("127.0.0.9", 80);
	connect_gated(f, f->hook, &ev, 4 * NS, &v);
	assert_string_equal(ev.domain, "registry.npmjs.org");
	ev = connect_to("127.0.0.9", 81);
	ev.netns = BOXNS;
	connect_gated(f, f->hook, &ev, 4 * NS, &v);
	assert_string_equal(ev.domain, "exfil.attacker.test");
}

/* A session's question is judged from the kernel's record of it, with the
 * process that sent it; a question from outside sessions is only recorded;
 * a response a session sent itself voids the question it answers. */
static void test_questions_from_records(void **state)
{
	struct fixture *f = *state;
	struct ipaddr client = client_addr(), server = host_resolver();
	struct egress_stats st;
	struct net_event ev;
	struct verdict v;
	struct ds_dns e;

	dns_record(&e, &client, 40004, &server, 53, 5, false, "6e6f.beacon.attacker.test", HOSTNS,
		   0x42, 1 * NS);
	assert_int_equal(sent_gated(f, &e, f->hook, &ev, &v), 1);
	assert_int_equal(v.rule, RULE_EGRESS);
	assert_int_equal(v.severity, f->cfg->egress_dns_severity);
	assert_int_equal(ev.kind, NET_DNS_QUERY);
	assert_string_equal(ev.qname, "6e6f.beacon.attacker.test");
	assert_int_equal(ev.sport, 40004);
	assert_int_equal(ev.dport, 53);
	assert_int_equal(ev.dns_id, 5);
	assert_int_equal(ev.session, 0x42);
	/* the same from outside any session: recorded, not judged */
	dns_record(&e, &client, 40005, &server, 53, 6, false, "other.attacker.test", HOSTNS, 0,
		   1 * NS);
	assert_int_equal(sent_gated(f, &e, NULL, &ev, &v), 0);
	assert_int_equal(v.rule, RULE_NONE);
	egress_stats(f->g, &st);
	assert_int_equal(st.dnsq.questions, 2);
	/* a session process answers a question itself, from the resolver's
	 * address: believed on arrival, taken back once the kernel says who */
	ask(f->g, "crates.io", 40006, 7, HOSTNS, 2 * NS);
	answer_from(f->g, NULL, "crates.io", 40006, 7, "127.0.0.88", 2 * NS);
	dns_record(&e, &server, 53, &client, 40006, 7, true, "crates.io", HOSTNS, 0x42, 2 * NS);
	assert_int_equal(sent_gated(f, &e, f->hook, &ev, &v), 0);
	ev = connect_to("127.0.0.88", 9);
	connect_gated(f, f->hook, &ev, 3 * NS, &v);
	assert_null(ev.domain);
	assert_int_equal(v.rule, RULE_EGRESS);
	egress_stats(f->g, &st);
	assert_int_equal(st.dns_forged, 1);
	assert_int_equal(st.dnsq.revoked, 1);
	/* the same response from outside sessions is not the kernel's word */
	ask(f->g, "crates.io", 40007, 8, HOSTNS, 4 * NS);
	dns_record(&e, &server, 53, &client, 40007, 8, true, "crates.io", HOSTNS, 0, 4 * NS);
	assert_int_equal(sent_gated(f, &e, NULL, &ev, &v), 0);
	answer_from(f->g, NULL, "crates.io", 40007, 8, "192.0.2.11", 4 * NS);
	ev = connect_to("192.0.2.11", 443);
	connect_gated(f, f->hook, &ev, 5 * NS, &v);
	assert_string_equal(ev.domain, "crates.io");
	/* over IPv6 alike */
	client = ip("fd00::2");
	server = ip("fd00::53");
	dns_record(&e, &client, 40008, &server, 53, 9, false, "v6.beacon.attacker.test", HOSTNS,
		   0x42, 6 * NS);
	assert_int_equal(sent_gated(f, &e, f->hook, &ev, &v), 1);
	assert_string_equal(ev.qname, "v6.beacon.attacker.test");
	assert_int_equal(ev.dst.family, AF_INET6);
	assert_int_equal(ev.sport, 40008);
	egress_stats(f->g, &st);
	assert_int_equal(st.dnsq.questions, 5);
	/* bytes the kernel could not have sent */
	e.len = sizeof(e.data) + 1;
	assert_int_equal(sent_gated(f, &e, NULL, &ev, &v), -EINVAL);
	e.len = 20;
	assert_int_equal(sent_gated(f, &e, NULL, &ev, &v), -EINVAL);
}

static void test_resolver_not_alerted(void **state)
{
	struct fixture *f = *state;
	struct ipaddr ns = host_resolver();
	struct net_event ev;
	struct verdict v;
	char buf[IPADDR_STRLEN];

	/* the host's first nameserver, as the process (pid 0: none) sees it */
	ipaddr_format(&ns, buf, sizeof(buf));
	f->npm->pid = 0; /* no /proc/<pid>/root: the host's resolv.conf */
	ev = connect_to(buf, 53);
	ev.transport = IPPROTO_UDP;
	ev.sport = 5353;
	connect_gated(f, f->npm, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	assert_true(ev.resolver);
	/* port 53 on anything else is a DNS server of the process's choosing */
	ev = connect_to("192.0.2.53", 53);
	ev.transport = IPPROTO_UDP;
	connect_gated(f, f->npm, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	f->npm->pid = 100;
}

/* The response's verdicts: what the kernel refused is judged like any
 * connect, and one it refused though user space allows it is an alert of
 * its own (the response's false positive), where otherwise there would be
 * none. */
static void test_response_verdicts(void **state)
{
	struct fixture *f = *state;
	struct net_event ev;
	struct verdict v;
	char buf[IPADDR_STRLEN];
	struct ipaddr ns = host_resolver();

	/* refused, not allowed: the usual alert, the verdict carried */
	ev = connect_to("192.0.2.7", 443);
	ev.egress = DS_EGRESS_DENIED | DS_EGRESS_BLOCKED;
	connect_gated(f, f->hook, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	assert_int_equal(v.severity, f->cfg->egress_raw_severity);
	assert_string_equal(v.reason, "connection to an address with no known name");
	assert_true(v.net->egress & DS_EGRESS_BLOCKED);
	/* refused, yet the allowlist allows it: medium, saying so */
	f->npm->pid = 0;
	ipaddr_format(&ns, buf, sizeof(buf));
	ev = connect_to(buf, 53);
	ev.transport = IPPROTO_UDP;
	ev.egress = DS_EGRESS_DENIED | DS_EGRESS_BLOCKED;
	connect_gated(f, f->npm, &ev, 2 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	assert_int_equal(v.severity, SEV_MEDIUM);
	assert_non_null(strstr(v.reason, "allowed destination refused"));
	assert_null(v.allowed_by);
	/* the same in detect mode: "would refuse" */
	ev = connect_to(buf, 53);
	ev.transport = IPPROTO_UDP;
	ev.session = 0x43;
	ev.egress = DS_EGRESS_DENIED;
	connect_gated(f, f->npm, &ev, 3 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	assert_non_null(strstr(v.reason, "the response would refuse"));
	/* allowed and not denied: nothing, as before */
	ev = connect_to(buf, 53);
	ev.transport = IPPROTO_UDP;
	ev.session = 0x44;
	connect_gated(f, f->npm, &ev, 4 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	f->npm->pid = 100;
}

static struct net_event question(const char *name)
{
	struct net_event ev = { .kind = NET_DNS_QUERY, .transport = IPPROTO_UDP, .session = 0x42 };

	ev.src = ip("127.0.0.1");
	ev.dst = ip("127.0.0.53");
	ev.sport = 5353;
	ev.dport = 53;
	ev.qname = name;
	ev.qtype = 1;
	return ev;
}

static void test_dns_questions(void **state)
{
	struct fixture *f = *state;
	struct net_event ev;
	struct verdict v;

	ev = question("registry.npmjs.org");
	query_gated(f, f->hook, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	ev = question("9.2.0.192.in-addr.arpa");
	query_gated(f, f->hook, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	ev = question("6e6f7468696e67.beacon.attacker.test");
	query_gated(f, f->hook, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	assert_int_equal(v.severity, f->cfg->egress_dns_severity);
	/* more data under the same site: counted, not alerted */
	ev = question("736f6d657468696e67.beacon.attacker.test");
	query_gated(f, f->hook, &ev, 2 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	ev = question("other.example");
	query_gated(f, f->hook, &ev, 2 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
}

static void test_disabled_and_min_severity(void **state)
{
	struct fixture *f = *state;
	struct net_event ev = connect_to("198.51.100.7", 443);
	struct verdict v;

	f->cfg->egress_enabled = false;
	connect_gated(f, f->npm, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	f->cfg->egress_enabled = true;
	f->cfg->min_severity = SEV_CRITICAL;
	ev = connect_to("198.51.100.7", 443);
	connect_gated(f, f->npm, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	f->cfg->min_severity = SEV_MEDIUM;
	/* nothing was remembered while it was off: the first real sighting alerts */
	ev = connect_to("198.51.100.7", 443);
	connect_gated(f, f->npm, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
}

/* An exclusion limited to the process rules does not hide connections:
 * pip's setuptools shim runs setup.py, whose connections are the point. */
static void test_exclusions_by_rule(void **state)
{
	struct fixture *f = *state;
	struct exclusion *e;
	struct net_event ev = connect_to("198.51.100.8", 443);
	struct verdict v;
	char *rules[] = { "pm-suspicious-child", NULL }, *exes[] = { "node", NULL };
	struct exclusion *saved = f->cfg->excl;
	size_t nsaved = f->cfg->nexcl;

	e = calloc(1, sizeof(*e));
	e->comment = "node, for process rules";
	e->executables.v = exes;
	e->executables.n = 1;
	e->rules.v = rules;
	e->rules.n = 1;
	f->cfg->excl = e;
	f->cfg->nexcl = 1;
	connect_gated(f, f->hook, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	e->rules.n = 0; /* every rule */
	ev = connect_to("198.51.100.9", 443);
	connect_gated(f, f->hook, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	assert_string_equal(v.excluded_by, "node, for process rules");
	f->cfg->nexcl = nsaved;
	f->cfg->excl = saved;
	free(e);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipaddr),
		cmocka_unit_test(test_allow_parse),
		cmocka_unit_test(test_allow_cidr_normalised),
		cmocka_unit_test(test_allow_match),
		cmocka_unit_test(test_dns_site),
		cmocka_unit_test(test_name_normalize),
		cmocka_unit_test_setup_teardown(test_raw_ip_alerts_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_repeats_reported_when_quiet, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_from_answers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_only_believed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_not_from_other_servers, setup, teardown),
		cmocka_unit_test_setup_teardown(test_names_per_namespace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_questions_from_records, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolver_not_alerted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_response_verdicts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dns_questions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_disabled_and_min_severity, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exclusions_by_rule, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
