// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* Rule install-dns-exfiltration: the data test on names, and the judge of
 * the questions install sessions send. */
#include <arpa/inet.h>
#include <netinet/in.h>

#include "unit.h"

#define NS	1000000000ULL
#define HOSTNS	4026531840U
#define SESSION 0x42
#define ROGUE	"127.0.0.2" /* a nameserver of the package's own */

static struct config *cfg;

static int group_setup(void **state)
{
	(void)state;
	return config_load(NULL, &cfg, stderr);
}

static int group_teardown(void **state)
{
	(void)state;
	config_free(cfg);
	return 0;
}

/* name carries data by test t, found in what (NULL: not checked). */
static void expect_data(const char *name, enum dns_data_test t, const char *what)
{
	struct dns_data d;

	if (!dns_name_data(name, &cfg->exfil_limits, &d))
		fail_msg("\"%s\": no data found, expected %s", name, dns_data_test_name(t));
	if (d.test != t)
		fail_msg("\"%s\": %s found, expected %s", name, dns_data_test_name(d.test),
			 dns_data_test_name(t));
	if (what)
		assert_string_equal(d.what, what);
}

static void expect_quiet(const char *name)
{
	struct dns_data d;

	if (dns_name_data(name, &cfg->exfil_limits, &d))
		fail_msg("\"%s\": %s found in \"%s\"", name, dns_data_test_name(d.test), d.what);
	assert_int_equal(d.test, DNS_DATA_NONE);
}

/* torchtriton's names: hex-encoded data in labels below its own domain */
static void test_data_hex(void **state)
{
	(void)state;
	expect_data("757365723d726f6f743b686f73743d63692d72756e6e65722d3037.0.h4ck.cfd",
		    DNS_DATA_HEX, "757365723d726f6f743b686f73743d63692d72756e6e65722d3037");
	expect_data("2f686f6d652f6465762f2e7373682f69645f7273610a.1.a1b2c3.h4ck.cfd", DNS_DATA_HEX,
		    NULL);
	/* exactly the threshold, and one under */
	expect_data("x0123456789abcdef.attacker.test", DNS_DATA_HEX, "0123456789abcdef");
	expect_quiet("0123456789abcde.attacker.test");
	/* a prefix does not hide the run */
	expect_data("_0123456789abcdef0123.attacker.test", DNS_DATA_HEX, NULL);
	expect_data("id-0123456789abcdef0123-x.attacker.test", DNS_DATA_HEX, NULL);
}

static void test_data_encoded(void **state)
{
	(void)state;
	/* base32 of "root:x:0:0:root:/root:/bin/bash", lower-cased as decoded */
	expect_data("ojxw65b2pa5daorqhjzg633uhixxe33poq5c6ytjnyxweyltna.c.attacker.test",
		    DNS_DATA_ENCODED, "ojxw65b2pa5daorqhjzg633uhixxe33poq5c6ytjnyxweyltna");
	/* base32 of 20 random bytes */
	expect_data("tbwguebd3tg4uqdh7cbfa3a7lxhgpj4k.attacker.test", DNS_DATA_ENCODED, NULL);
	/* base64url of "hostname=devbox;user=bob;cwd=/src/app" */
	expect_data("ag9zdg5hbwu9zgv2ym94o3vzzxi9ym9io2n3zd0vc3jjl2fwca.attacker.test",
		    DNS_DATA_ENCODED, NULL);
	/* base64url of random bytes; a '-' ends a run, as between words */
	expect_data("km3k1sfa7i-bsg_nrx_ibenmea2o7wbye3k1sfa7iv65qwz.attacker.test",
		    DNS_DATA_ENCODED, "bsg_nrx_ibenmea2o7wbye3k1sfa7iv65qwz");
	expect_quiet("internal-k8s-default-myservic-0123456789.attacker.test");
	/* base64 with its '+', '/' and padding */
	expect_data("y3vybcbodhrwczovl2v2awwuzxhhbxbszs9+ea==.attacker.test", DNS_DATA_ENCODED,
		    NULL);
}

static void test_data_shape(void **state)
{
	(void)state;
	/* bytes no host name has: a NUL, a dot inside a label */
	expect_data("ab\\000cd.attacker.test", DNS_DATA_BINARY, "ab\\000cd");
	expect_data("a\\046b.attacker.test", DNS_DATA_BINARY, NULL);
	/* many short labels: data cut small */
	expect_data("a1.b2.c3.d4.e5.f6.g7.h8.i9.attacker.test", DNS_DATA_LABELS,
		    "a1.b2.c3.d4.e5.f6.g7.h8.i9");
	expect_quiet("a1.b2.c3.d4.e5.f6.g7.h8.attacker.test");
	/* a long part below the registered domain, of words */
	expect_data("thequickbrownfoxjumpsoverthelazydog.thequickbrownfoxjumpsoverthelazydog."
		    "thequickbrownfoxjumpsoverthelazydog.attacker.test",
		    DNS_DATA_LENGTH, NULL);
}

/* What installs really ask for stays quiet. */
static void test_data_negatives(void **state)
{
	static const char *const quiet[] = {
		"registry.npmjs.org",
		"files.pythonhosted.org",
		"pypi.org",
		"static.crates.io",
		"d1x2y3.cloudfront.net",
		"d111111abcdef8.cloudfront.net", /* cloudfront ids: 14 characters */
		"d3vv6lp55qjaqc.cloudfront.net",
		"xyz.s3.amazonaws.com",
		"my-company-build-artifacts-123456789012.s3.us-east-1.amazonaws.com",
		"fsevents-binaries.s3-us-west-2.amazonaws.com",
		"internal-my-lb-1234567890.us-east-1.elb.amazonaws.com",
		"ec2-54-123-45-67.compute-1.amazonaws.com",
		"github.com",
		"codeload.github.com",
		"objects.githubusercontent.com",
		"release-assets.githubusercontent.com",
		"pipelinesghubeus22.pipelines.actions.githubusercontent.com",
		"productionresultssa12.blob.core.windows.net",
		"github-production-release-asset-2e65be.s3.amazonaws.com",
		"r3---sn-4g5e6nez.googlevideo.com",
		"edgedl.me.gvt1.com",
		"dualstack.n.sni.global.fastly.net",
		"f47ac10b-58cc-4372-a567-0e02b2c3d479.example.com", /* a UUID */
		/* a search domain appended by a Kubernetes pod's resolver */
		"files.pythonhosted.org.default.svc.cluster.local",
		/* reverse lookups, IPv6's 32 labels among them */
		"7.2.0.192.in-addr.arpa",
		"1.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.0.8.b.d.0.1.0.0.2.ip6.arpa",
		/* service names, DNSSEC trust anchor signalling */
		"_https._tcp.registry.npmjs.org",
		"_sip._udp.example.com",
		"_ta-4f66-9728",
		"_dmarc.example.org",
		"",
		"localhost",
	};
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(quiet); i++)
		expect_quiet(quiet[i]);
}

/* The thresholds are the configuration's. */
static void test_data_limits(void **state)
{
	struct dns_data_limits saved = cfg->exfil_limits;

	(void)state;
	cfg->exfil_limits.hex_run = 24;
	expect_quiet("0123456789abcdef0123.attacker.test");
	cfg->exfil_limits.labels = 12;
	expect_quiet("a1.b2.c3.d4.e5.f6.g7.h8.i9.attacker.test");
	cfg->exfil_limits.entropy = 5.5;
	expect_quiet("tbwguebd3tg4uqdh7cbfa3a7lxhgpj4k.attacker.test");
	cfg->exfil_limits = saved;
}

/* ---------------------------------------------------------- the judge */

static void put16(uint8_t *p, size_t *n, uint16_t v)
{
	p[(*n)++] = (uint8_t)(v >> 8);
	p[(*n)++] = (uint8_t)v;
}

/*
 * The kernel's record of an IPv4 UDP datagram from 127.0.0.1:40000 to
 * server:53 asking for name, in session (0: none); with an EDNS OPT record
 * with the DNSSEC OK bit when edns.
 */
static void question_record(struct ds_dns *e, const char *server, const char *name,
			    uint64_t session, bool edns)
{
	uint8_t *ip = e->data, *udp = ip + 20;
	size_t n = 28, len;
	const char *l;

	memset(e, 0, sizeof(*e));
	e->hdr.type = DS_EV_DNS;
	e->hdr.size = sizeof(*e);
	e->hdr.ts = 5 * NS;
	e->hdr.flags = session ? DS_F_TRACKED : 0;
	e->session = session;
	e->netns = HOSTNS;
	put16(ip, &n, 0x1234); /* the DNS header: id, RD, one question */
	put16(ip, &n, 0x0100);
	put16(ip, &n, 1);
	put16(ip, &n, 0);
	put16(ip, &n, 0);
	put16(ip, &n, edns);
	for (l = name; *l; l += len + (l[len] == '.')) {
		len = strcspn(l, ".");
		ip[n++] = (uint8_t)len;
		memcpy(ip + n, l, len);
		n += len;
	}
	ip[n++] = 0;
	put16(ip, &n, 1); /* A, IN */
	put16(ip, &n, 1);
	if (edns) {
		ip[n++] = 0; /* the root, OPT, 4096 bytes, DO */
		put16(ip, &n, 41);
		put16(ip, &n, 4096);
		put16(ip, &n, 0);
		put16(ip, &n, 0x8000);
		put16(ip, &n, 0);
	}
	ip[0] = 0x45;
	ip[2] = (uint8_t)(n >> 8);
	ip[3] = (uint8_t)n;
	ip[8] = 64;
	ip[9] = IPPROTO_UDP;
	inet_pton(AF_INET, "127.0.0.1", ip + 12);
	assert_int_equal(inet_pton(AF_INET, server, ip + 16), 1);
	put16(udp, &(size_t){ 0 }, 40000);
	udp[2] = 0;
	udp[3] = 53;
	udp[4] = (uint8_t)((n - 20) >> 8);
	udp[5] = (uint8_t)(n - 20);
	e->len = (uint16_t)n;
}

/* The host's first nameserver, as the judge reads it for pid 0. */
static const char *host_resolver(char *buf, size_t len)
{
	FILE *rc = fopen("/etc/resolv.conf", "re");
	struct ipaddr a;
	size_t n = rc ? resolv_conf_nameservers(rc, &a, 1) : 0;

	if (rc)
		fclose(rc);
	if (!n)
		return "127.0.0.1";
	ipaddr_format(&a, buf, len);
	return buf;
}

struct fixture {
	struct session sess;
	struct proc *npm, *hook;
	struct judges j;
	struct gate *gate;
	char resolver[IPADDR_STRLEN];
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->sess.id = SESSION;
	/* pid 0: no /proc/PID/root to read, the host's resolv.conf */
	f->npm = unit_proc(NULL, &f->sess, 0, "/usr/bin/node", "node /usr/bin/npm install");
	f->hook = unit_proc(f->npm, &f->sess, 0, "/usr/bin/python3", "python3 exfil.py");
	f->sess.root = f->npm;
	f->j.cfg = cfg;
	f->gate = gate_new(cfg);
	host_resolver(f->resolver, sizeof(f->resolver));
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	image_put(f->hook->img);
	free(f->hook);
	image_put(f->npm->img);
	free(f->npm);
	gate_free(f->gate);
	free(f);
	return 0;
}

/* The rule's verdict on name sent to server by p (NULL: outside any
 * session), through the gate: true when it is written. */
static bool judged(struct fixture *f, const struct proc *p, const char *server, const char *name,
		   bool edns, struct verdict *v)
{
	struct ds_dns rec;
	struct event e;
	bool pass;

	question_record(&rec, server, name, p ? SESSION : 0, edns);
	assert_int_equal(event_decode(&rec, sizeof(rec), NULL, &e), 0);
	assert_int_equal(e.dns.kind, DNS_SENT_QUESTION);
	judge_dns_exfil(&f->j, &e, p, v);
	pass = gate_pass(f->gate, p, v, e.ts);
	event_release(&e);
	return pass;
}

static void test_judge_resolver(void **state)
{
	struct fixture *f = *state;
	struct verdict v;

	/* ordinary names to the resolver, with EDNS and DNSSEC OK: nothing */
	assert_false(judged(f, f->hook, f->resolver, "registry.npmjs.org", false, &v));
	assert_int_equal(v.rule, RULE_NONE);
	assert_false(judged(f, f->hook, f->resolver, "files.pythonhosted.org", true, &v));
	assert_false(judged(f, f->hook, f->resolver, "d1x2y3.cloudfront.net", true, &v));
	/* data to the resolver: high, the run that carries it named */
	assert_true(
		judged(f, f->hook, f->resolver, "0123456789abcdef0123.x.attacker.test", false, &v));
	assert_int_equal(v.rule, RULE_DNS_EXFIL);
	assert_int_equal(v.severity, SEV_HIGH);
	assert_string_equal(v.matched_field, "dns.question.name");
	assert_string_equal(v.matched, "0123456789abcdef0123");
	assert_non_null(strstr(v.reason, "hex digits"));
	assert_string_equal(v.net->qname, "0123456789abcdef0123.x.attacker.test");
	assert_int_equal(v.net->dport, 53);
	/* once per session and registered domain */
	assert_false(
		judged(f, f->hook, f->resolver, "fedcba98765432100123.y.attacker.test", false, &v));
	assert_true(
		judged(f, f->hook, f->resolver, "fedcba98765432100123.y.other.test", false, &v));
	/* below an allowlisted name is not the name: still read for data */
	assert_true(judged(f, f->hook, f->resolver, "0123456789abcdef0123.registry.npmjs.org",
			   false, &v));
}

static void test_judge_other_server(void **state)
{
	struct fixture *f = *state;
	struct verdict v;

	/* any question straight to a nameserver of its own: high */
	assert_true(judged(f, f->hook, ROGUE, "registry.npmjs.org", false, &v));
	assert_int_equal(v.rule, RULE_DNS_EXFIL);
	assert_int_equal(v.severity, SEV_HIGH);
	assert_string_equal(v.matched_field, "destination.ip");
	assert_string_equal(v.matched, ROGUE);
	assert_non_null(strstr(v.reason, "not a resolver"));
	/* once per session and server: the data sent there next is folded */
	assert_false(judged(f, f->hook, ROGUE, "0123456789abcdef0123.attacker.test", false, &v));
	assert_int_equal(v.rule, RULE_NONE);
	/* another server, with data in the name: both said */
	assert_true(
		judged(f, f->hook, "127.0.0.3", "0123456789abcdef0123.attacker.test", false, &v));
	assert_string_equal(v.matched_field, "dns.question.name");
	assert_non_null(strstr(v.reason, "not a resolver, its name carrying data"));
}

static void test_judge_outside_sessions(void **state)
{
	struct fixture *f = *state;
	struct verdict v;

	/* the same questions from outside any session: nothing */
	assert_false(judged(f, NULL, ROGUE, "0123456789abcdef0123.attacker.test", false, &v));
	assert_int_equal(v.rule, RULE_NONE);
	assert_false(judged(f, NULL, f->resolver, "0123456789abcdef0123.attacker.test", false, &v));
	assert_int_equal(v.rule, RULE_NONE);
}

static void test_judge_configured(void **state)
{
	struct fixture *f = *state;
	struct allow_entry extra[1], *saved = cfg->exfil_resolvers;
	size_t nsaved = cfg->nexfil_resolvers;
	char *ignored[] = { "*.avqs.example", NULL };
	struct strlist kept;
	const char *why;
	struct verdict v;

	/* a server the configuration names is a resolver */
	assert_int_equal(allow_parse("127.0.0.0/30", &extra[0], &why), 0);
	cfg->exfil_resolvers = extra;
	cfg->nexfil_resolvers = 1;
	assert_false(judged(f, f->hook, ROGUE, "registry.npmjs.org", false, &v));
	assert_int_equal(v.rule, RULE_NONE);
	cfg->exfil_resolvers = saved;
	cfg->nexfil_resolvers = nsaved;
	allow_free(&extra[0]);
	/* names the registry allowlist allows are not read for data */
	saved = cfg->allow;
	nsaved = cfg->nallow;
	assert_int_equal(allow_parse("*.mirror.example", &extra[0], &why), 0);
	cfg->allow = extra;
	cfg->nallow = 1;
	assert_false(
		judged(f, f->hook, f->resolver, "0123456789abcdef0123.mirror.example", false, &v));
	cfg->allow = saved;
	cfg->nallow = nsaved;
	allow_free(&extra[0]);
	/* nor are those ignored_names matches */
	kept = cfg->exfil_ignored;
	cfg->exfil_ignored = (struct strlist){ .v = ignored, .n = 1 };
	assert_false(
		judged(f, f->hook, f->resolver, "0123456789abcdef0123.avqs.example", false, &v));
	cfg->exfil_ignored = kept;
	/* the rule off: nothing */
	cfg->exfil_enabled = false;
	assert_false(judged(f, f->hook, ROGUE, "registry.npmjs.org", false, &v));
	cfg->exfil_enabled = true;
}

static const char *jstr(struct json_object *o, const char *path)
{
	struct json_object *v = json_get(o, path);

	if (!v)
		fail_msg("no %s in the alert", path);
	return json_object_get_string(v);
}

/* The alert names the process, the session, the question, the server and
 * the test, in ECS fields or depsentry's own. */
static void test_alert(void **state)
{
	struct fixture *f = *state;
	struct host_info host = { 0 };
	struct json_object *o;
	struct verdict v;
	size_t len = 0;
	char *line;

	assert_true(judged(f, f->hook, ROGUE, "0123456789abcdef0123.h4ck.test", false, &v));
	line = alert_render(&host, f->hook, &v, 5 * NS, &len);
	assert_non_null(line);
	o = json_tokener_parse(line);
	assert_non_null(o);
	unit_fields_known(o);
	assert_string_equal(jstr(o, "rule.id"), "install-dns-exfiltration");
	assert_string_equal(jstr(o, "event.action"), "dns_query");
	assert_string_equal(jstr(o, "dns.question.name"), "0123456789abcdef0123.h4ck.test");
	assert_string_equal(jstr(o, "dns.question.registered_domain"), "h4ck.test");
	assert_string_equal(jstr(o, "destination.ip"), ROGUE);
	assert_string_equal(jstr(o, "destination.port"), "53");
	assert_string_equal(jstr(o, "depsentry.matched.field"), "dns.question.name");
	assert_string_equal(jstr(o, "depsentry.matched.value"), "0123456789abcdef0123");
	assert_string_equal(jstr(o, "depsentry.session.id"), "0000000000000042");
	assert_string_equal(jstr(o, "process.name"), "python3");
	assert_non_null(strstr(jstr(o, "event.reason"), "not a resolver"));
	json_object_put(o);
	free(line);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data_hex),
		cmocka_unit_test(test_data_encoded),
		cmocka_unit_test(test_data_shape),
		cmocka_unit_test(test_data_negatives),
		cmocka_unit_test(test_data_limits),
		cmocka_unit_test_setup_teardown(test_judge_resolver, setup, teardown),
		cmocka_unit_test_setup_teardown(test_judge_other_server, setup, teardown),
		cmocka_unit_test_setup_teardown(test_judge_outside_sessions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_judge_configured, setup, teardown),
		cmocka_unit_test_setup_teardown(test_alert, setup, teardown),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
