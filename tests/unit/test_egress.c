// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The network arm: addresses, the allowlist, and the rule's decisions. */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>

#include "unit.h"

#define NS 1000000000ULL

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
	static const char *const texts[] = {"registry.npmjs.org", "*.crates.io",
					    "nexus.corp.example:8081", "192.0.2.0/24",
					    "[2001:db8::/32]:443"};
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
	struct session sess;
	struct proc *npm, *hook;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	assert_int_equal(config_load(NULL, &f->cfg, stderr), 0);
	f->g = egress_new(f->cfg);
	assert_non_null(f->g);
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
	config_free(f->cfg);
	free(f);
	return 0;
}

static struct net_event connect_to(const char *dst, uint16_t port)
{
	struct net_event ev = {.kind = NET_CONNECT, .transport = IPPROTO_TCP, .session = 0x42};

	ev.dst = ip(dst);
	ev.src = ip(strchr(dst, ':') ? "::1" : "127.0.0.1");
	ev.sport = 40000;
	ev.dport = port;
	return ev;
}

static void add_answer(struct egress *g, const char *name, const char *addr, uint64_t now)
{
	struct dns_msg m = {.response = true, .naddrs = 1};

	snprintf(m.qname, sizeof(m.qname), "%s", name);
	m.addrs[0].addr = ip(addr);
	m.addrs[0].ttl = 300;
	egress_dns_answer(g, &m, now);
}

static void test_raw_ip_alerts_once(void **state)
{
	struct fixture *f = *state;
	struct net_event ev = connect_to("127.0.0.1", 4873);
	struct verdict v;

	egress_connect(f->g, f->npm, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	assert_int_equal(v.severity, f->cfg->egress_raw_severity);
	assert_ptr_equal(v.net, &ev);
	assert_null(ev.domain);
	/* the same destination again, from another process of the session */
	ev = connect_to("127.0.0.1", 4873);
	egress_connect(f->g, f->hook, &ev, 2 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	ev = connect_to("127.0.0.1", 4873);
	egress_connect(f->g, f->hook, &ev, 3 * NS, &v);
	/* another port is another destination */
	ev = connect_to("127.0.0.1", 22);
	egress_connect(f->g, f->hook, &ev, 3 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	/* another session too */
	ev = connect_to("127.0.0.1", 4873);
	ev.session = 0x43;
	egress_connect(f->g, f->hook, &ev, 3 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
}

static void count_repeat(const struct net_event *ev, uint32_t pid, uint64_t start, const char *comm,
			 void *arg)
{
	uint64_t *seen = arg;

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
		egress_connect(f->g, f->npm, &ev, (uint64_t)i * NS, &v);
	}
	egress_repeats(f->g, 4 * NS, false, count_repeat, &seen);
	assert_int_equal(seen, 0); /* still busy */
	egress_repeats(f->g, 9 * NS, false, count_repeat, &seen);
	assert_int_equal(seen, 1);
	egress_repeats(f->g, 20 * NS, true, count_repeat, &seen);
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
	egress_connect(f->g, f->npm, &ev, 2 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	assert_non_null(v.allowed_by);
	assert_string_equal(ev.domain, "registry.npmjs.org");
	ev = connect_to("::ffff:127.0.0.9", 8080); /* mapped: the IPv4 entry */
	egress_connect(f->g, f->hook, &ev, 2 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	assert_int_equal(v.severity, f->cfg->egress_severity);
	assert_int_equal(ev.dst.family, AF_INET);
	assert_string_equal(ev.domain, "exfil.attacker.test");
	/* the answer's TTL (300 s) runs out: the name is forgotten */
	ev = connect_to("127.0.0.1", 4873);
	egress_connect(f->g, f->npm, &ev, 400 * NS, &v);
	assert_null(ev.domain);
	assert_int_equal(v.rule, RULE_EGRESS);
}

static void test_resolver_not_alerted(void **state)
{
	struct fixture *f = *state;
	struct ipaddr ns[1];
	struct net_event ev;
	struct verdict v;
	char buf[IPADDR_STRLEN];
	FILE *rc = fopen("/etc/resolv.conf", "re");
	char line[256], word[64], addr[64];
	uint32_t pid;
	uint64_t start, session;
	bool found = false;

	/* the host's first nameserver, as the process (pid 0: none) sees it */
	while (rc && !found && fgets(line, sizeof(line), rc))
		found = sscanf(line, "%63s %63s", word, addr) == 2 &&
			strcmp(word, "nameserver") == 0 && ipaddr_parse(addr, &ns[0]) == 0;
	if (rc)
		fclose(rc);
	if (!found)
		ns[0] = ip("127.0.0.1");
	ipaddr_format(&ns[0], buf, sizeof(buf));
	f->npm->pid = 0; /* no /proc/<pid>/root: the host's resolv.conf */
	ev = connect_to(buf, 53);
	ev.transport = IPPROTO_UDP;
	ev.sport = 5353;
	egress_connect(f->g, f->npm, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	assert_true(egress_dns_owner(f->g, &ev.src, 5353, &pid, &start, &session, true));
	assert_int_equal(session, 0x42);
	assert_false(egress_dns_owner(f->g, &ev.src, 5354, &pid, &start, &session, true));
	/* port 53 on anything else is a DNS server of the process's choosing */
	ev = connect_to("192.0.2.53", 53);
	ev.transport = IPPROTO_UDP;
	egress_connect(f->g, f->npm, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	f->npm->pid = 100;
}

static struct net_event question(const char *name)
{
	struct net_event ev = {.kind = NET_DNS_QUERY, .transport = IPPROTO_UDP, .session = 0x42};

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
	egress_dns_query(f->g, f->hook, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	ev = question("9.2.0.192.in-addr.arpa");
	egress_dns_query(f->g, f->hook, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	ev = question("6e6f7468696e67.beacon.attacker.test");
	egress_dns_query(f->g, f->hook, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	assert_int_equal(v.severity, f->cfg->egress_dns_severity);
	/* more data under the same site: counted, not alerted */
	ev = question("736f6d657468696e67.beacon.attacker.test");
	egress_dns_query(f->g, f->hook, &ev, 2 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	ev = question("other.example");
	egress_dns_query(f->g, f->hook, &ev, 2 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
}

static void test_disabled_and_min_severity(void **state)
{
	struct fixture *f = *state;
	struct net_event ev = connect_to("198.51.100.7", 443);
	struct verdict v;

	f->cfg->egress_enabled = false;
	egress_connect(f->g, f->npm, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	f->cfg->egress_enabled = true;
	f->cfg->min_severity = SEV_CRITICAL;
	ev = connect_to("198.51.100.7", 443);
	egress_connect(f->g, f->npm, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_NONE);
	f->cfg->min_severity = SEV_MEDIUM;
	/* nothing was remembered while it was off: the first real sighting alerts */
	ev = connect_to("198.51.100.7", 443);
	egress_connect(f->g, f->npm, &ev, 1 * NS, &v);
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
	char *rules[] = {"pm-suspicious-child", NULL}, *exes[] = {"node", NULL};
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
	egress_connect(f->g, f->hook, &ev, 1 * NS, &v);
	assert_int_equal(v.rule, RULE_EGRESS);
	e->rules.n = 0; /* every rule */
	ev = connect_to("198.51.100.9", 443);
	egress_connect(f->g, f->hook, &ev, 1 * NS, &v);
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
	    cmocka_unit_test_setup_teardown(test_resolver_not_alerted, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_dns_questions, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_disabled_and_min_severity, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_exclusions_by_rule, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
