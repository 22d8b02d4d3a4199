// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* DNS packets, messages and the address -> name cache. */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "unit.h"

#define CLASS_IN    1
#define TYPE_A	    1
#define TYPE_CNAME  5
#define TYPE_TXT    16
#define TYPE_AAAA   28
#define FLAGS_QUERY 0x0100 /* RD */
#define FLAGS_REPLY 0x8180 /* QR, RD, RA */
#define SEC	    1000000000ULL

/* A DNS message (or packet) built by hand. */
struct buf {
	uint8_t b[8192];
	size_t n;
};

static void put8(struct buf *m, uint8_t v)
{
	assert_true(m->n < sizeof(m->b));
	m->b[m->n++] = v;
}

static void put16(struct buf *m, uint16_t v)
{
	put8(m, v >> 8);
	put8(m, v & 0xff);
}

static void put32(struct buf *m, uint32_t v)
{
	put16(m, v >> 16);
	put16(m, v & 0xffff);
}

static void put_bytes(struct buf *m, const void *p, size_t n)
{
	assert_true(m->n + n <= sizeof(m->b));
	memcpy(m->b + m->n, p, n);
	m->n += n;
}

static void put_label(struct buf *m, const void *p, size_t n)
{
	put8(m, (uint8_t)n);
	put_bytes(m, p, n);
}

/* "a.b.c" as labels; without the root label, so a pointer may follow. */
static void put_labels(struct buf *m, const char *name)
{
	const char *dot;

	while (*name) {
		dot = strchr(name, '.');
		if (!dot)
			dot = name + strlen(name);
		put_label(m, name, dot - name);
		name = *dot ? dot + 1 : dot;
	}
}

static void put_name(struct buf *m, const char *name)
{
	put_labels(m, name);
	put8(m, 0);
}

static void put_ptr(struct buf *m, uint16_t off)
{
	put16(m, 0xc000 | off);
}

static void put_header(struct buf *m, uint16_t flags, uint16_t qd, uint16_t an)
{
	m->n = 0;
	put16(m, 0x1234);
	put16(m, flags);
	put16(m, qd);
	put16(m, an);
	put16(m, 0);
	put16(m, 0);
}

static void put_question(struct buf *m, const char *name, uint16_t type)
{
	put_name(m, name);
	put16(m, type);
	put16(m, CLASS_IN);
}

/* A response header and question for name; the answers follow. */
static void reply_start(struct buf *m, const char *name, uint16_t type, uint16_t an)
{
	put_header(m, FLAGS_REPLY, 1, an);
	put_question(m, name, type);
}

static void put_rr_fixed(struct buf *m, uint16_t type, uint16_t class, uint32_t ttl, uint16_t rdlen)
{
	put16(m, type);
	put16(m, class);
	put32(m, ttl);
	put16(m, rdlen);
}

static void put_a(struct buf *m, const char *owner, uint32_t ttl, const char *ip)
{
	uint8_t a[4];

	assert_int_equal(inet_pton(AF_INET, ip, a), 1);
	put_name(m, owner);
	put_rr_fixed(m, TYPE_A, CLASS_IN, ttl, 4);
	put_bytes(m, a, 4);
}

static void put_aaaa(struct buf *m, const char *owner, uint32_t ttl, const char *ip)
{
	uint8_t a[16];

	assert_int_equal(inet_pton(AF_INET6, ip, a), 1);
	put_name(m, owner);
	put_rr_fixed(m, TYPE_AAAA, CLASS_IN, ttl, 16);
	put_bytes(m, a, 16);
}

static void put_cname(struct buf *m, const char *owner, uint32_t ttl, const char *target)
{
	size_t len = strlen(target) + (*target ? 2 : 1);

	put_name(m, owner);
	put_rr_fixed(m, TYPE_CNAME, CLASS_IN, ttl, len);
	put_name(m, target);
}

static struct ipaddr ip(const char *s)
{
	struct ipaddr a = { 0 };

	if (inet_pton(AF_INET, s, a.bytes) == 1)
		a.family = AF_INET;
	else if (inet_pton(AF_INET6, s, a.bytes) == 1)
		a.family = AF_INET6;
	else
		fail_msg("bad address %s", s);
	return a;
}

static void assert_addr(const struct dns_answer *a, const char *s, uint32_t ttl)
{
	struct ipaddr want = ip(s);

	assert_int_equal(a->addr.family, want.family);
	assert_memory_equal(a->addr.bytes, want.bytes, sizeof(want.bytes));
	assert_int_equal(a->ttl, ttl);
}

/* Parse a heap copy of exactly len bytes, so an over-read is caught. */
static int parse(const struct buf *m, size_t len, struct dns_msg *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	int err;

	memcpy(copy, m->b, len);
	err = dns_parse(copy, len, out);
	free(copy);
	return err;
}

static struct dns_msg msg;

static void test_simple_a(void **state)
{
	struct buf m;

	(void)state;
	reply_start(&m, "example.com", TYPE_A, 1);
	put_a(&m, "example.com", 300, "93.184.216.34");
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_int_equal(msg.id, 0x1234);
	assert_true(msg.response);
	assert_int_equal(msg.rcode, 0);
	assert_int_equal(msg.qtype, TYPE_A);
	assert_int_equal(msg.qclass, CLASS_IN);
	assert_string_equal(msg.qname, "example.com");
	assert_int_equal(msg.nchain, 0);
	assert_int_equal(msg.naddrs, 1);
	assert_false(msg.addrs_truncated);
	assert_addr(&msg.addrs[0], "93.184.216.34", 300);
}

static void test_aaaa(void **state)
{
	struct buf m;

	(void)state;
	reply_start(&m, "registry.npmjs.org", TYPE_AAAA, 2);
	put_aaaa(&m, "registry.npmjs.org", 60, "2606:4700::6810:1922");
	put_aaaa(&m, "registry.npmjs.org", 30, "2606:4700::6810:1a22");
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_int_equal(msg.qtype, TYPE_AAAA);
	assert_int_equal(msg.naddrs, 2);
	assert_addr(&msg.addrs[0], "2606:4700::6810:1922", 60);
	assert_addr(&msg.addrs[1], "2606:4700::6810:1a22", 30);
}

static void test_cname_chain(void **state)
{
	struct buf m;

	(void)state;
	reply_start(&m, "www.example.com", TYPE_A, 5);
	put_cname(&m, "www.example.com", 300, "c1.cdn.net");
	put_cname(&m, "c1.cdn.net", 60, "c2.cdn.net");
	put_a(&m, "c2.cdn.net", 600, "10.0.0.1");
	put_a(&m, "c2.cdn.net", 20, "10.0.0.2");
	put_a(&m, "c1.cdn.net", 500, "10.0.0.3");
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_int_equal(msg.nchain, 2);
	assert_string_equal(msg.chain[0], "c1.cdn.net");
	assert_string_equal(msg.chain[1], "c2.cdn.net");
	assert_int_equal(msg.naddrs, 3);
	assert_addr(&msg.addrs[0], "10.0.0.1", 60);
	assert_addr(&msg.addrs[1], "10.0.0.2", 20);
	assert_addr(&msg.addrs[2], "10.0.0.3", 300);
}

static void test_odd_order(void **state)
{
	struct buf m;

	(void)state;
	reply_start(&m, "q.example", TYPE_A, 4);
	put_a(&m, "c3.example", 100, "10.0.0.3");
	put_cname(&m, "c2.example", 100, "c3.example");
	put_cname(&m, "c1.example", 50, "c2.example");
	put_cname(&m, "q.example", 200, "c1.example");
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_int_equal(msg.nchain, 3);
	assert_string_equal(msg.chain[0], "c1.example");
	assert_string_equal(msg.chain[1], "c2.example");
	assert_string_equal(msg.chain[2], "c3.example");
	assert_int_equal(msg.naddrs, 1);
	assert_addr(&msg.addrs[0], "10.0.0.3", 50);
}

static void test_unrelated_ignored(void **state)
{
	struct buf m;

	(void)state;
	reply_start(&m, "pypi.org", TYPE_A, 6);
	put_a(&m, "evil.example", 300, "6.6.6.6");
	put_cname(&m, "other.example", 300, "pypi.org");
	put_cname(&m, "pypi.org.evil", 300, "x.example");
	put_name(&m, "pypi.org");
	put_rr_fixed(&m, TYPE_A, 3, 300, 5); /* class CH: not read */
	put_bytes(&m, "xxxxx", 5);
	put_name(&m, "pypi.org");
	put_rr_fixed(&m, TYPE_TXT, CLASS_IN, 300, 3);
	put_bytes(&m, "\2hi", 3);
	put_a(&m, "pypi.org", 300, "151.101.0.223");
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_int_equal(msg.nchain, 0);
	assert_int_equal(msg.naddrs, 1);
	assert_addr(&msg.addrs[0], "151.101.0.223", 300);
}

static void test_cname_loop(void **state)
{
	struct buf m;

	(void)state;
	reply_start(&m, "a.example", TYPE_A, 3);
	put_cname(&m, "a.example", 10, "b.example");
	put_cname(&m, "b.example", 10, "a.example");
	put_a(&m, "b.example", 30, "10.1.1.1");
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_int_equal(msg.nchain, 1);
	assert_string_equal(msg.chain[0], "b.example");
	assert_int_equal(msg.naddrs, 1);
	assert_addr(&msg.addrs[0], "10.1.1.1", 10);
}

static void test_chain_max(void **state)
{
	char owner[32], target[32];
	struct buf m;
	int i;

	(void)state;
	reply_start(&m, "c0.example", TYPE_A, DNS_CHAIN_MAX + 3);
	for (i = 0; i < DNS_CHAIN_MAX + 1; i++) {
		snprintf(owner, sizeof(owner), "c%d.example", i);
		snprintf(target, sizeof(target), "c%d.example", i + 1);
		put_cname(&m, owner, 100, target);
	}
	snprintf(owner, sizeof(owner), "c%d.example", DNS_CHAIN_MAX);
	put_a(&m, owner, 100, "10.0.0.8");
	snprintf(owner, sizeof(owner), "c%d.example", DNS_CHAIN_MAX + 1);
	put_a(&m, owner, 100, "10.0.0.9");
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_int_equal(msg.nchain, DNS_CHAIN_MAX);
	snprintf(owner, sizeof(owner), "c%d.example", DNS_CHAIN_MAX);
	assert_string_equal(msg.chain[DNS_CHAIN_MAX - 1], owner);
	assert_int_equal(msg.naddrs, 1);
	assert_addr(&msg.addrs[0], "10.0.0.8", 100);
}

/* The question at 12, then answers whose names point back into it. */
static void test_compression(void **state)
{
	struct buf m;
	size_t c1;

	(void)state;
	reply_start(&m, "www.example.com", TYPE_A, 3);
	/* www.example.com CNAME cdn.example.com, both compressed */
	put_ptr(&m, 12);
	put_rr_fixed(&m, TYPE_CNAME, CLASS_IN, 100, 6);
	c1 = m.n;
	put_label(&m, "cdn", 3);
	put_ptr(&m, 16); /* "example.com" inside the question */
	/* cdn.example.com CNAME edge.cdn.example.com */
	put_ptr(&m, c1);
	put_rr_fixed(&m, TYPE_CNAME, CLASS_IN, 100, 7);
	put_label(&m, "edge", 4);
	put_ptr(&m, c1);
	/* edge.cdn.example.com A, through two pointers */
	put_ptr(&m, m.n - 7);
	put_rr_fixed(&m, TYPE_A, CLASS_IN, 100, 4);
	put_bytes(&m, "\x0a\x00\x00\x07", 4);
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_int_equal(msg.nchain, 2);
	assert_string_equal(msg.chain[0], "cdn.example.com");
	assert_string_equal(msg.chain[1], "edge.cdn.example.com");
	assert_int_equal(msg.naddrs, 1);
	assert_addr(&msg.addrs[0], "10.0.0.7", 100);
}

static void test_pointer_self(void **state)
{
	struct buf m;

	(void)state;
	/* the question name is a pointer to itself */
	put_header(&m, FLAGS_QUERY, 1, 0);
	put_ptr(&m, 12);
	put16(&m, TYPE_A);
	put16(&m, CLASS_IN);
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);
	/* a label, then a pointer back to that label: a.a.a.a... */
	put_header(&m, FLAGS_QUERY, 1, 0);
	put_label(&m, "a", 1);
	put_ptr(&m, 12);
	put16(&m, TYPE_A);
	put16(&m, CLASS_IN);
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);
	/* an answer owner pointing at itself */
	reply_start(&m, "x.example", TYPE_A, 1);
	put_ptr(&m, m.n);
	put_rr_fixed(&m, TYPE_A, CLASS_IN, 1, 4);
	put32(&m, 0x0a000001);
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);
}

static void test_pointer_loop(void **state)
{
	struct buf m;

	(void)state;
	/* two pointers at 12 and 14 leading to each other */
	put_header(&m, FLAGS_QUERY, 1, 0);
	put_ptr(&m, 14);
	put_ptr(&m, 12);
	put16(&m, TYPE_A);
	put16(&m, CLASS_IN);
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);
	/* an answer owner pointing forward into a name that points back */
	reply_start(&m, "x.example", TYPE_A, 1);
	put_ptr(&m, m.n + 12);
	put_rr_fixed(&m, TYPE_A, CLASS_IN, 1, 4);
	put_label(&m, "b", 1);
	put_ptr(&m, m.n - 14); /* back to the owner */
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);
}

/* Question i is a pointer to question i - 1: i jumps, each backwards. */
static int parse_pointer_chain(uint16_t questions)
{
	struct buf m;
	size_t prev = 12;
	uint16_t i;

	put_header(&m, FLAGS_QUERY, questions, 0);
	put_question(&m, "q", TYPE_A);
	for (i = 1; i < questions; i++) {
		size_t here = m.n;

		put_ptr(&m, prev);
		put16(&m, TYPE_A);
		put16(&m, CLASS_IN);
		prev = here;
	}
	return parse(&m, m.n, &msg);
}

static void test_pointer_chain(void **state)
{
	(void)state;
	assert_int_equal(parse_pointer_chain(129), 0);
	assert_string_equal(msg.qname, "q");
	assert_int_equal(parse_pointer_chain(130), -EINVAL);
}

static void test_pointer_forward(void **state)
{
	struct buf m;

	(void)state;
	/* a well-formed name, but later in the message than the pointer */
	put_header(&m, FLAGS_QUERY, 1, 0);
	put_ptr(&m, 18);
	put16(&m, TYPE_A);
	put16(&m, CLASS_IN);
	put_name(&m, "later");
	assert_int_equal(m.b[18], 5);
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);
}

static void test_pointer_bad(void **state)
{
	struct buf m;
	size_t len;

	(void)state;
	/* past the end */
	reply_start(&m, "x.example", TYPE_A, 1);
	put_ptr(&m, 0x3fff);
	put_rr_fixed(&m, TYPE_A, CLASS_IN, 1, 4);
	put32(&m, 0x0a000001);
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);
	/* just past the end */
	reply_start(&m, "x.example", TYPE_A, 1);
	len = m.n + 2 + 10 + 4;
	put_ptr(&m, len);
	put_rr_fixed(&m, TYPE_A, CLASS_IN, 1, 4);
	put32(&m, 0x0a000001);
	assert_int_equal(m.n, len);
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);
	/* a pointer cut in half */
	put_header(&m, FLAGS_QUERY, 1, 0);
	put8(&m, 0xc0);
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);
}

/* qname -> CNAME -> A and AAAA, compressed, with nothing after the answers. */
static void full_response(struct buf *m)
{
	size_t target;

	reply_start(m, "files.pythonhosted.org", TYPE_A, 4);
	put_ptr(m, 12);
	put_rr_fixed(m, TYPE_CNAME, CLASS_IN, 120, 12);
	target = m->n;
	put_label(m, "dualstack", 9);
	put_ptr(m, 18); /* "pythonhosted.org" in the question */
	put_ptr(m, target);
	put_rr_fixed(m, TYPE_A, CLASS_IN, 30, 4);
	put32(m, 0x97650001);
	put_ptr(m, target);
	put_rr_fixed(m, TYPE_AAAA, CLASS_IN, 30, 16);
	put_bytes(m, "\x2a\x04\x4e\x42\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
	put_a(m, "other.example", 30, "10.9.9.9");
}

static void test_full_response(void **state)
{
	struct buf m;

	(void)state;
	full_response(&m);
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_string_equal(msg.qname, "files.pythonhosted.org");
	assert_int_equal(msg.nchain, 1);
	assert_string_equal(msg.chain[0], "dualstack.pythonhosted.org");
	assert_int_equal(msg.naddrs, 2);
	assert_addr(&msg.addrs[0], "151.101.0.1", 30);
	assert_addr(&msg.addrs[1], "2a04:4e42::1", 30);
}

static void test_truncated(void **state)
{
	struct buf m;
	size_t len;

	(void)state;
	full_response(&m);
	for (len = 0; len < m.n; len++)
		assert_int_equal(parse(&m, len, &msg), -EINVAL);
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_int_equal(dns_parse(NULL, 0, &msg), -EINVAL);
}

static void test_label_length(void **state)
{
	char label[64];
	struct buf m;

	(void)state;
	memset(label, 'a', sizeof(label));
	put_header(&m, FLAGS_QUERY, 1, 0);
	put_label(&m, label, 63);
	put8(&m, 0);
	put16(&m, TYPE_A);
	put16(&m, CLASS_IN);
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_int_equal(strlen(msg.qname), 63);
	put_header(&m, FLAGS_QUERY, 1, 0);
	put_label(&m, label, 64);
	put8(&m, 0);
	put16(&m, TYPE_A);
	put16(&m, CLASS_IN);
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);
}

static void test_reserved_label(void **state)
{
	static const uint8_t types[] = { 0x40, 0x80, 0x41, 0xbf };
	struct buf m;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(types); i++) {
		put_header(&m, FLAGS_QUERY, 1, 0);
		put8(&m, types[i]);
		put_bytes(&m, "aaaaaaaaaaaaaaaa", 16);
		put8(&m, 0);
		put16(&m, TYPE_A);
		put16(&m, CLASS_IN);
		assert_int_equal(parse(&m, m.n, &msg), -EINVAL);
	}
}

/* A question whose name is the given labels, each n bytes of byte c. */
static int parse_name(const int *sizes, size_t nlabels, uint8_t c)
{
	uint8_t label[63];
	struct buf m;
	size_t i;

	memset(label, c, sizeof(label));
	put_header(&m, FLAGS_QUERY, 1, 0);
	for (i = 0; i < nlabels; i++)
		put_label(&m, label, sizes[i]);
	put8(&m, 0);
	put16(&m, TYPE_A);
	put16(&m, CLASS_IN);
	return parse(&m, m.n, &msg);
}

static void test_name_length(void **state)
{
	/* 253 and 254 long; escaped: 4 * 50 + 1 + 4 * 13 = 253, 257; 4 * 63 = 252 */
	static const int fits[] = { 63, 63, 63, 61 };
	static const int over[] = { 63, 63, 63, 62 };
	static const int esc_fits[] = { 50, 13 };
	static const int esc_over[] = { 50, 14 };
	static const int single[] = { 63 };

	(void)state;
	assert_int_equal(parse_name(fits, 4, 'x'), 0);
	assert_int_equal(strlen(msg.qname), 253);
	assert_int_equal(parse_name(over, 4, 'x'), -EINVAL);
	assert_int_equal(parse_name(esc_fits, 2, 0xff), 0);
	assert_int_equal(strlen(msg.qname), 253);
	assert_int_equal(parse_name(esc_over, 2, 0xff), -EINVAL);
	assert_int_equal(parse_name(single, 1, 0x01), 0);
	assert_int_equal(strlen(msg.qname), 252);
	assert_int_equal(parse_name(esc_fits, 2, '.'), 0);
}

/* 63.63.63 plain bytes, then a label of n plain bytes and one escaped. */
static int parse_name_escaped_last(size_t n)
{
	uint8_t label[63];
	struct buf m;
	int i;

	memset(label, 'x', sizeof(label));
	put_header(&m, FLAGS_QUERY, 1, 0);
	for (i = 0; i < 3; i++)
		put_label(&m, label, 63);
	label[n] = 0xff;
	put_label(&m, label, n + 1);
	put8(&m, 0);
	put16(&m, TYPE_A);
	put16(&m, CLASS_IN);
	return parse(&m, m.n, &msg);
}

static void test_name_length_escaped(void **state)
{
	(void)state;
	/* 192 + 57 + 4 = 253 */
	assert_int_equal(parse_name_escaped_last(57), 0);
	assert_int_equal(strlen(msg.qname), 253);
	assert_string_equal(msg.qname + 249, "\\255");
	assert_int_equal(parse_name_escaped_last(58), -EINVAL);
	assert_int_equal(parse_name_escaped_last(59), -EINVAL);
	assert_int_equal(parse_name_escaped_last(60), -EINVAL);
}

static void test_name_long_through_pointers(void **state)
{
	char label[63];
	struct buf m;
	size_t prev;
	int i;

	(void)state;
	memset(label, 'z', sizeof(label));
	/* each answer owner adds a label before the previous one */
	reply_start(&m, "q", TYPE_A, 4);
	prev = 12;
	for (i = 0; i < 4; i++) {
		size_t here = m.n;

		put_label(&m, label, sizeof(label));
		put_ptr(&m, prev);
		put_rr_fixed(&m, TYPE_TXT, CLASS_IN, 1, 0);
		prev = here;
	}
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);
	m.b[7] = 3; /* three answers: the longest name is 3 * 64 + 1 long */
	assert_int_equal(parse(&m, m.n, &msg), 0);
}

static void test_bad_rdlength(void **state)
{
	struct buf m;

	(void)state;
	reply_start(&m, "x.example", TYPE_A, 1);
	put_name(&m, "unrelated.example");
	put_rr_fixed(&m, TYPE_A, CLASS_IN, 1, 5);
	put_bytes(&m, "\1\2\3\4\5", 5);
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);

	reply_start(&m, "x.example", TYPE_AAAA, 1);
	put_name(&m, "x.example");
	put_rr_fixed(&m, TYPE_AAAA, CLASS_IN, 1, 4);
	put_bytes(&m, "\1\2\3\4", 4);
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);

	/* a CNAME whose name does not fill its rdata */
	reply_start(&m, "x.example", TYPE_A, 1);
	put_name(&m, "x.example");
	put_rr_fixed(&m, TYPE_CNAME, CLASS_IN, 1, 5);
	put_name(&m, "y");
	put16(&m, 0);
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);

	/* rdata past the end */
	reply_start(&m, "x.example", TYPE_A, 1);
	put_name(&m, "x.example");
	put_rr_fixed(&m, TYPE_TXT, CLASS_IN, 1, 100);
	put_bytes(&m, "\3abc", 4);
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);
}

static void test_query(void **state)
{
	struct buf m;

	(void)state;
	put_header(&m, FLAGS_QUERY, 1, 0);
	put_question(&m, "GitHub.COM", TYPE_AAAA);
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_false(msg.response);
	assert_string_equal(msg.qname, "github.com");
	assert_int_equal(msg.qtype, TYPE_AAAA);
	assert_int_equal(msg.naddrs, 0);
	assert_int_equal(msg.nchain, 0);

	put_header(&m, FLAGS_QUERY, 0, 0);
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);

	put_header(&m, FLAGS_QUERY, 1, 0);
	put_question(&m, "", TYPE_A);
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_string_equal(msg.qname, "");
}

static void test_more_questions(void **state)
{
	struct buf m;

	(void)state;
	put_header(&m, FLAGS_REPLY | 3, 3, 1);
	put_question(&m, "first.example", TYPE_A);
	put_question(&m, "second.example", TYPE_A);
	put_ptr(&m, 12);
	put16(&m, TYPE_AAAA);
	put16(&m, CLASS_IN);
	put_a(&m, "first.example", 5, "10.2.2.2");
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_int_equal(msg.rcode, 3);
	assert_string_equal(msg.qname, "first.example");
	assert_int_equal(msg.naddrs, 1);
	m.b[5] = 4; /* a fourth question runs into the answer and off the end */
	assert_int_equal(parse(&m, m.n, &msg), -EINVAL);
}

static void test_case(void **state)
{
	struct buf m;

	(void)state;
	reply_start(&m, "WWW.Example.COM", TYPE_A, 2);
	put_cname(&m, "www.EXAMPLE.com", 50, "CDN.Example.NET");
	put_a(&m, "cdn.example.net", 80, "10.3.3.3");
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_string_equal(msg.qname, "www.example.com");
	assert_string_equal(msg.chain[0], "cdn.example.net");
	assert_int_equal(msg.naddrs, 1);
	assert_addr(&msg.addrs[0], "10.3.3.3", 50);
}

static void test_escape(void **state)
{
	struct buf m;

	(void)state;
	put_header(&m, FLAGS_QUERY, 1, 0);
	put_label(&m, "a.b", 3);
	put_label(&m, "sp ce\\\"", 7);
	put_label(&m, "\xff\x00\x7f\x1b", 4);
	put_label(&m, "Z~!", 3);
	put8(&m, 0);
	put16(&m, TYPE_A);
	put16(&m, CLASS_IN);
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_string_equal(msg.qname, "a\\046b.sp\\032ce\\092\".\\255\\000\\127\\027.z~!");
}

static void test_addrs_truncated(void **state)
{
	char addr[32];
	struct buf m;
	int i;

	(void)state;
	reply_start(&m, "many.example", TYPE_A, DNS_ADDRS_MAX + 8);
	for (i = 0; i < DNS_ADDRS_MAX + 8; i++) {
		snprintf(addr, sizeof(addr), "10.0.%d.%d", i / 256, i % 256);
		put_a(&m, "many.example", 10, addr);
	}
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_int_equal(msg.naddrs, DNS_ADDRS_MAX);
	assert_true(msg.addrs_truncated);
	assert_addr(&msg.addrs[DNS_ADDRS_MAX - 1], "10.0.0.31", 10);
}

static void test_ttl_high_bit(void **state)
{
	struct buf m;

	(void)state;
	reply_start(&m, "t.example", TYPE_A, 1);
	put_a(&m, "t.example", 0x80000000U, "10.4.4.4");
	assert_int_equal(parse(&m, m.n, &msg), 0);
	assert_addr(&msg.addrs[0], "10.4.4.4", 0);
}

static void test_qtype_name(void **state)
{
	(void)state;
	assert_string_equal(dns_qtype_name(1), "A");
	assert_string_equal(dns_qtype_name(28), "AAAA");
	assert_string_equal(dns_qtype_name(5), "CNAME");
	assert_string_equal(dns_qtype_name(65), "HTTPS");
	assert_string_equal(dns_qtype_name(255), "ANY");
	assert_null(dns_qtype_name(0));
	assert_null(dns_qtype_name(4242));
}

static uint32_t rnd_state = 20000;

static uint32_t rnd(void)
{
	rnd_state ^= rnd_state << 13;
	rnd_state ^= rnd_state >> 17;
	rnd_state ^= rnd_state << 5;
	return rnd_state;
}

static void check_sane(const struct dns_msg *d)
{
	size_t i;

	assert_true(d->nchain <= DNS_CHAIN_MAX);
	assert_true(d->naddrs <= DNS_ADDRS_MAX);
	assert_true(strlen(d->qname) < DNS_NAME_MAX);
	for (i = 0; d->qname[i]; i++)
		assert_true(d->qname[i] > ' ' && d->qname[i] < 0x7f);
}

/* Random bytes in a valid response, and random lengths: never a crash. */
static void test_mutations(void **state)
{
	struct buf good, m;
	int i, j, flips, ok = 0;

	(void)state;
	full_response(&good);
	for (i = 0; i < 20000; i++) {
		m = good;
		flips = 1 + rnd() % 4;
		for (j = 0; j < flips; j++)
			m.b[rnd() % m.n] = rnd() & 0xff;
		if (rnd() % 4 == 0)
			m.n = rnd() % (m.n + 1);
		if (parse(&m, m.n, &msg) == 0) {
			check_sane(&msg);
			ok++;
		}
	}
	assert_true(ok > 0);
}

/* IPv4 + UDP headers in front of a payload. */
static void put_ip4(struct buf *p, uint16_t sport, uint16_t dport, size_t payload)
{
	p->n = 0;
	put8(p, 0x45);
	put8(p, 0);
	put16(p, 20 + 8 + payload);
	put16(p, 0xbeef);
	put16(p, 0x4000); /* DF */
	put8(p, 64);
	put8(p, IPPROTO_UDP);
	put16(p, 0);
	put_bytes(p, "\x0a\x00\x00\x02", 4);
	put_bytes(p, "\x08\x08\x08\x08", 4);
	put16(p, sport);
	put16(p, dport);
	put16(p, 8 + payload);
	put16(p, 0);
}

static void put_ip6(struct buf *p, uint8_t next, uint16_t sport, uint16_t dport, size_t payload)
{
	static const uint8_t src[16] = { 0xfd, [15] = 2 }, dst[16] = { 0x20, 0x01, [15] = 0x53 };

	p->n = 0;
	put32(p, 0x60000000);
	put16(p, 8 + payload);
	put8(p, next);
	put8(p, 64);
	put_bytes(p, src, 16);
	put_bytes(p, dst, 16);
	put16(p, sport);
	put16(p, dport);
	put16(p, 8 + payload);
	put16(p, 0);
}

static int parse_pkt(const struct buf *p, size_t len, struct dns_packet *out)
{
	uint8_t *copy = malloc(len ? len : 1);
	int err;

	memcpy(copy, p->b, len);
	err = dns_packet_parse(copy, len, out);
	/* the payload points into the packet: check it stays inside */
	if (!err)
		assert_true(out->payload >= copy && out->payload + out->payload_len <= copy + len);
	if (!err)
		out->payload = p->b + (out->payload - copy);
	free(copy);
	return err;
}

static void test_packet_ipv4(void **state)
{
	struct dns_packet pkt;
	struct buf p;

	(void)state;
	put_ip4(&p, 40000, 53, 5);
	put_bytes(&p, "hello", 5);
	assert_int_equal(parse_pkt(&p, p.n, &pkt), 0);
	assert_int_equal(pkt.src.family, AF_INET);
	assert_int_equal(pkt.dst.family, AF_INET);
	assert_memory_equal(pkt.src.bytes, "\x0a\x00\x00\x02\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_memory_equal(pkt.dst.bytes, "\x08\x08\x08\x08\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(pkt.sport, 40000);
	assert_int_equal(pkt.dport, 53);
	assert_int_equal(pkt.payload_len, 5);
	assert_memory_equal(pkt.payload, "hello", 5);
	/* a reply: source port 53 */
	put_ip4(&p, 53, 40000, 0);
	assert_int_equal(parse_pkt(&p, p.n, &pkt), 0);
	assert_int_equal(pkt.payload_len, 0);
	/* link-layer padding after the datagram is not payload */
	put_ip4(&p, 40000, 53, 5);
	put_bytes(&p, "hello\0\0\0", 8);
	assert_int_equal(parse_pkt(&p, p.n, &pkt), 0);
	assert_int_equal(pkt.payload_len, 5);
	/* a capture cut short keeps what it has */
	assert_int_equal(parse_pkt(&p, 20 + 8 + 3, &pkt), 0);
	assert_int_equal(pkt.payload_len, 3);
	/* options in the IP header */
	put_ip4(&p, 40000, 53, 5);
	p.b[0] = 0x46;
	p.b[3] += 4;
	memmove(p.b + 24, p.b + 20, 8);
	memset(p.b + 20, 1, 4);
	p.n = 32;
	put_bytes(&p, "hello", 5);
	assert_int_equal(parse_pkt(&p, p.n, &pkt), 0);
	assert_int_equal(pkt.payload_len, 5);
	assert_memory_equal(pkt.payload, "hello", 5);
}

static void test_packet_ipv6(void **state)
{
	struct dns_packet pkt;
	struct buf p;

	(void)state;
	put_ip6(&p, IPPROTO_UDP, 53, 5353, 4);
	put_bytes(&p, "abcd", 4);
	assert_int_equal(parse_pkt(&p, p.n, &pkt), 0);
	assert_int_equal(pkt.src.family, AF_INET6);
	assert_int_equal(pkt.src.bytes[0], 0xfd);
	assert_int_equal(pkt.src.bytes[15], 2);
	assert_int_equal(pkt.dst.bytes[1], 0x01);
	assert_int_equal(pkt.dst.bytes[15], 0x53);
	assert_int_equal(pkt.sport, 53);
	assert_int_equal(pkt.dport, 5353);
	assert_int_equal(pkt.payload_len, 4);
	assert_memory_equal(pkt.payload, "abcd", 4);
	/* hop-by-hop, routing and fragment headers are not walked */
	put_ip6(&p, 0, 53, 5353, 4);
	assert_int_equal(parse_pkt(&p, p.n, &pkt), -EINVAL);
	put_ip6(&p, 44, 53, 5353, 4);
	assert_int_equal(parse_pkt(&p, p.n, &pkt), -EINVAL);
	put_ip6(&p, IPPROTO_TCP, 53, 5353, 4);
	assert_int_equal(parse_pkt(&p, p.n, &pkt), -EINVAL);
	/* short */
	put_ip6(&p, IPPROTO_UDP, 53, 5353, 0);
	assert_int_equal(parse_pkt(&p, 39, &pkt), -EINVAL);
	assert_int_equal(parse_pkt(&p, 47, &pkt), -EINVAL);
	assert_int_equal(parse_pkt(&p, 48, &pkt), 0);
	/* the payload length leaves no room for UDP */
	p.b[5] = 4;
	assert_int_equal(parse_pkt(&p, p.n, &pkt), -EINVAL);
}

static void test_packet_rejects(void **state)
{
	struct dns_packet pkt;
	struct buf p;
	size_t len;

	(void)state;
	put_ip4(&p, 40000, 443, 5);
	put_bytes(&p, "hello", 5);
	assert_int_equal(parse_pkt(&p, p.n, &pkt), -EINVAL);
	assert_int_equal(pkt.payload_len, 0);
	assert_null(pkt.payload);

	put_ip4(&p, 40000, 53, 5);
	put_bytes(&p, "hello", 5);
	for (len = 0; len < 28; len++)
		assert_int_equal(parse_pkt(&p, len, &pkt), -EINVAL);
	p.b[6] = 0x20; /* MF: the first fragment */
	assert_int_equal(parse_pkt(&p, p.n, &pkt), -EINVAL);
	p.b[6] = 0x00;
	p.b[7] = 0x10; /* a later fragment */
	assert_int_equal(parse_pkt(&p, p.n, &pkt), -EINVAL);
	p.b[7] = 0x00;
	assert_int_equal(parse_pkt(&p, p.n, &pkt), 0);

	p.b[0] = 0x44; /* IHL under 5 */
	assert_int_equal(parse_pkt(&p, p.n, &pkt), -EINVAL);
	p.b[0] = 0x4f; /* IHL past the packet */
	assert_int_equal(parse_pkt(&p, 40, &pkt), -EINVAL);
	p.b[0] = 0x55; /* not IPv4 */
	assert_int_equal(parse_pkt(&p, p.n, &pkt), -EINVAL);
	p.b[0] = 0x45;
	p.b[9] = IPPROTO_TCP;
	assert_int_equal(parse_pkt(&p, p.n, &pkt), -EINVAL);
	p.b[9] = IPPROTO_UDP;
	p.b[3] = 19; /* total length under the header */
	assert_int_equal(parse_pkt(&p, p.n, &pkt), -EINVAL);
	p.b[3] = 27; /* no room for UDP */
	assert_int_equal(parse_pkt(&p, p.n, &pkt), -EINVAL);
	p.b[3] = 33;
	p.b[25] = 7; /* UDP length under its header */
	assert_int_equal(parse_pkt(&p, p.n, &pkt), -EINVAL);
	p.b[25] = 14; /* UDP length past the IP datagram */
	assert_int_equal(parse_pkt(&p, p.n, &pkt), -EINVAL);
	p.b[25] = 10; /* shorter is fine: the rest is not payload */
	assert_int_equal(parse_pkt(&p, p.n, &pkt), 0);
	assert_int_equal(pkt.payload_len, 2);
	assert_int_equal(dns_packet_parse(NULL, 0, &pkt), -EINVAL);
}

static struct ipaddr v4(uint8_t last)
{
	struct ipaddr a = { .family = AF_INET, .bytes = { 10, 0, 0, last } };

	return a;
}

static void assert_stats(struct dns_cache *c, uint64_t entries, uint64_t inserted, uint64_t evicted,
			 uint64_t expired)
{
	struct dns_cache_stats st;

	dns_cache_stats(c, &st);
	assert_int_equal(st.entries, entries);
	assert_int_equal(st.inserted, inserted);
	assert_int_equal(st.evicted, evicted);
	assert_int_equal(st.expired, expired);
}

static void test_cache_basic(void **state)
{
	struct dns_cache *c = dns_cache_new(16, 0, 3600);
	struct ipaddr a = v4(1), b = v4(2), bad = { 0 };
	char name[] = "pypi.org";

	(void)state;
	assert_non_null(c);
	assert_null(dns_cache_lookup(c, 0, &a, 0));
	assert_int_equal(dns_cache_add(c, 0, &a, "registry.npmjs.org", 60, 0), 0);
	assert_string_equal(dns_cache_lookup(c, 0, &a, SEC), "registry.npmjs.org");
	assert_null(dns_cache_lookup(c, 0, &b, SEC));
	/* the name is a copy */
	assert_int_equal(dns_cache_add(c, 0, &b, name, 60, 0), 0);
	name[0] = 'X';
	assert_string_equal(dns_cache_lookup(c, 0, &b, 0), "pypi.org");
	assert_int_equal(dns_cache_add(c, 0, &bad, "x", 60, 0), -EINVAL);
	assert_int_equal(dns_cache_add(c, 0, &a, NULL, 60, 0), -EINVAL);
	assert_null(dns_cache_lookup(c, 0, &bad, 0));
	assert_stats(c, 2, 2, 0, 0);
	dns_cache_free(c);
	dns_cache_free(NULL);
	assert_null(dns_cache_new(0, 0, 10));
	assert_null(dns_cache_new(10, 20, 10));
}

static void test_cache_replace(void **state)
{
	struct dns_cache *c = dns_cache_new(2, 0, 3600);
	struct ipaddr a = v4(1), b = v4(2), d = v4(3);

	(void)state;
	assert_int_equal(dns_cache_add(c, 0, &a, "old.example", 10, 0), 0);
	assert_int_equal(dns_cache_add(c, 0, &b, "b.example", 100, 0), 0);
	/* a newer answer: new name, new TTL, now the newest entry */
	assert_int_equal(dns_cache_add(c, 0, &a, "new.example", 100, 5 * SEC), 0);
	assert_string_equal(dns_cache_lookup(c, 0, &a, 50 * SEC), "new.example");
	assert_stats(c, 2, 2, 0, 0);
	/* full: b is now the oldest and goes */
	assert_int_equal(dns_cache_add(c, 0, &d, "d.example", 100, 6 * SEC), 0);
	assert_null(dns_cache_lookup(c, 0, &b, 7 * SEC));
	assert_string_equal(dns_cache_lookup(c, 0, &a, 7 * SEC), "new.example");
	assert_string_equal(dns_cache_lookup(c, 0, &d, 7 * SEC), "d.example");
	assert_stats(c, 2, 3, 1, 0);
	dns_cache_free(c);
}

static void test_cache_ttl(void **state)
{
	struct dns_cache *c = dns_cache_new(16, 5, 60);
	struct ipaddr a = v4(1), b = v4(2), d = v4(3);
	uint64_t t0 = 1000 * SEC;

	(void)state;
	assert_int_equal(dns_cache_add(c, 0, &a, "a", 30, t0), 0);
	assert_non_null(dns_cache_lookup(c, 0, &a, t0 + 30 * SEC - 1));
	assert_null(dns_cache_lookup(c, 0, &a, t0 + 30 * SEC));
	assert_stats(c, 0, 1, 0, 1);
	assert_null(dns_cache_lookup(c, 0, &a, t0 + 30 * SEC - 1)); /* gone for good */
	/* clamped up to min_ttl */
	assert_int_equal(dns_cache_add(c, 0, &b, "b", 0, t0), 0);
	assert_non_null(dns_cache_lookup(c, 0, &b, t0 + 5 * SEC - 1));
	assert_null(dns_cache_lookup(c, 0, &b, t0 + 5 * SEC));
	/* clamped down to max_ttl */
	assert_int_equal(dns_cache_add(c, 0, &d, "d", 86400, t0), 0);
	assert_non_null(dns_cache_lookup(c, 0, &d, t0 + 60 * SEC - 1));
	assert_null(dns_cache_lookup(c, 0, &d, t0 + 60 * SEC));
	assert_stats(c, 0, 3, 0, 3);
	/* no overflow near the end of the clock */
	assert_int_equal(dns_cache_add(c, 0, &a, "a", 60, UINT64_MAX - SEC), 0);
	assert_non_null(dns_cache_lookup(c, 0, &a, UINT64_MAX - 1));
	dns_cache_free(c);
}

static void test_cache_evict(void **state)
{
	struct dns_cache *c = dns_cache_new(4, 0, 3600);
	struct ipaddr a;
	char name[16];
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		a = v4(i);
		snprintf(name, sizeof(name), "h%d", i);
		assert_int_equal(dns_cache_add(c, 0, &a, name, 100, i * SEC), 0);
	}
	assert_stats(c, 4, 10, 6, 0);
	for (i = 0; i < 6; i++) {
		a = v4(i);
		assert_null(dns_cache_lookup(c, 0, &a, 10 * SEC));
	}
	for (i = 6; i < 10; i++) {
		a = v4(i);
		snprintf(name, sizeof(name), "h%d", i);
		assert_string_equal(dns_cache_lookup(c, 0, &a, 10 * SEC), name);
	}
	/* adding an address already there makes no room */
	a = v4(7);
	assert_int_equal(dns_cache_add(c, 0, &a, "h7", 100, 10 * SEC), 0);
	assert_stats(c, 4, 10, 6, 0);
	/* and it is now the newest: h6 goes first, then h8 */
	a = v4(20);
	assert_int_equal(dns_cache_add(c, 0, &a, "h20", 100, 11 * SEC), 0);
	a = v4(21);
	assert_int_equal(dns_cache_add(c, 0, &a, "h21", 100, 11 * SEC), 0);
	a = v4(7);
	assert_string_equal(dns_cache_lookup(c, 0, &a, 11 * SEC), "h7");
	a = v4(8);
	assert_null(dns_cache_lookup(c, 0, &a, 11 * SEC));
	assert_stats(c, 4, 12, 8, 0);
	dns_cache_free(c);
}

/* A reload's new limits: what the cache holds stays findable (its buckets
 * rebuilt), the oldest go when it shrinks, bad limits change nothing. */
static void test_cache_resize(void **state)
{
	struct dns_cache *c = dns_cache_new(16, 0, 3600);
	struct ipaddr a;
	char name[16];
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		a = v4(i);
		snprintf(name, sizeof(name), "h%d", i);
		assert_int_equal(dns_cache_add(c, 0, &a, name, 100, 0), 0);
	}
	assert_int_equal(dns_cache_resize(c, 4096, 0, 3600), 0);
	for (i = 0; i < 10; i++) {
		a = v4(i);
		snprintf(name, sizeof(name), "h%d", i);
		assert_string_equal(dns_cache_lookup(c, 0, &a, SEC), name);
	}
	assert_int_equal(dns_cache_resize(c, 4, 0, 3600), 0);
	assert_stats(c, 4, 10, 6, 0);
	a = v4(5);
	assert_null(dns_cache_lookup(c, 0, &a, SEC));
	a = v4(6);
	assert_string_equal(dns_cache_lookup(c, 0, &a, SEC), "h6");
	assert_int_equal(dns_cache_resize(c, 0, 0, 3600), -EINVAL);
	assert_int_equal(dns_cache_resize(c, 8, 60, 30), -EINVAL);
	/* new TTL bounds apply to new answers */
	assert_int_equal(dns_cache_resize(c, 4, 0, 10), 0);
	a = v4(30);
	assert_int_equal(dns_cache_add(c, 0, &a, "short", 100, 0), 0);
	assert_null(dns_cache_lookup(c, 0, &a, 10 * SEC));
	dns_cache_free(c);
}

static void test_cache_evict_expired(void **state)
{
	struct dns_cache *c = dns_cache_new(2, 0, 3600);
	struct ipaddr a = v4(1), b = v4(2), d = v4(3);

	(void)state;
	assert_int_equal(dns_cache_add(c, 0, &a, "a", 1, 0), 0);
	assert_int_equal(dns_cache_add(c, 0, &b, "b", 100, 0), 0);
	assert_int_equal(dns_cache_add(c, 0, &d, "d", 100, 2 * SEC), 0);
	assert_stats(c, 2, 3, 0, 1);
	dns_cache_free(c);
}

static void test_cache_expire(void **state)
{
	struct dns_cache *c = dns_cache_new(64, 0, 3600);
	struct ipaddr a;
	int i;

	(void)state;
	/* alternate short and long TTLs, so the dead are spread out */
	for (i = 0; i < 40; i++) {
		a = v4(i);
		assert_int_equal(dns_cache_add(c, 0, &a, "x", i % 2 ? 100 : 10, 0), 0);
	}
	dns_cache_expire(c, 9 * SEC);
	assert_stats(c, 40, 40, 0, 0);
	dns_cache_expire(c, 10 * SEC);
	assert_stats(c, 20, 40, 0, 20);
	for (i = 0; i < 40; i++) {
		a = v4(i);
		if (i % 2)
			assert_non_null(dns_cache_lookup(c, 0, &a, 10 * SEC));
		else
			assert_null(dns_cache_lookup(c, 0, &a, 10 * SEC));
	}
	dns_cache_expire(c, 100 * SEC);
	assert_stats(c, 0, 40, 0, 40);
	/* the cache still works once empty */
	a = v4(1);
	assert_int_equal(dns_cache_add(c, 0, &a, "again", 10, 100 * SEC), 0);
	assert_string_equal(dns_cache_lookup(c, 0, &a, 100 * SEC), "again");
	dns_cache_free(c);
}

static void test_cache_families(void **state)
{
	struct dns_cache *c = dns_cache_new(16, 0, 3600);
	struct ipaddr a4 = ip("10.0.0.1"), a6 = { .family = AF_INET6 }, junk;

	(void)state;
	/* same leading bytes, different families */
	memcpy(a6.bytes, a4.bytes, 4);
	assert_int_equal(dns_cache_add(c, 0, &a4, "four", 60, 0), 0);
	assert_null(dns_cache_lookup(c, 0, &a6, 0));
	assert_int_equal(dns_cache_add(c, 0, &a6, "six", 60, 0), 0);
	assert_string_equal(dns_cache_lookup(c, 0, &a4, 0), "four");
	assert_string_equal(dns_cache_lookup(c, 0, &a6, 0), "six");
	/* bytes past an IPv4 address are not part of the key */
	junk = a4;
	memset(junk.bytes + 4, 0xee, 12);
	assert_string_equal(dns_cache_lookup(c, 0, &junk, 0), "four");
	assert_stats(c, 2, 2, 0, 0);
	dns_cache_free(c);
}

static void test_cache_long_name(void **state)
{
	struct dns_cache *c = dns_cache_new(16, 0, 3600);
	struct ipaddr a = v4(1);
	char name[400];

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	assert_int_equal(dns_cache_add(c, 0, &a, name, 60, 0), 0);
	assert_int_equal(strlen(dns_cache_lookup(c, 0, &a, 0)), DNS_NAME_MAX - 1);
	dns_cache_free(c);
}

/* A name is the namespace's that asked: the same address elsewhere is
 * another entry, and one namespace's answer never names another's. */
static void test_cache_namespaces(void **state)
{
	struct dns_cache *c = dns_cache_new(16, 0, 3600);
	struct ipaddr a = ip("127.0.0.1");
	const uint32_t host = 4026531840U, box = 4026532300U;

	(void)state;
	assert_int_equal(dns_cache_add(c, box, &a, "exfil.attacker.test", 60, 0), 0);
	assert_null(dns_cache_lookup(c, host, &a, 0));
	assert_string_equal(dns_cache_lookup(c, box, &a, 0), "exfil.attacker.test");
	assert_int_equal(dns_cache_add(c, host, &a, "registry.npmjs.org", 60, 0), 0);
	assert_string_equal(dns_cache_lookup(c, host, &a, 0), "registry.npmjs.org");
	assert_string_equal(dns_cache_lookup(c, box, &a, 0), "exfil.attacker.test");
	assert_stats(c, 2, 2, 0, 0);
	/* a resize rehashes both */
	assert_int_equal(dns_cache_resize(c, 4096, 0, 3600), 0);
	assert_string_equal(dns_cache_lookup(c, host, &a, 0), "registry.npmjs.org");
	assert_string_equal(dns_cache_lookup(c, box, &a, 0), "exfil.attacker.test");
	dns_cache_free(c);
}

/* Taking a name back drops it only while it is still the one given. */
static void test_cache_forget(void **state)
{
	struct dns_cache *c = dns_cache_new(16, 0, 3600);
	struct ipaddr a = ip("127.0.0.88"), b = ip("127.0.0.89");
	struct dns_cache_stats st;

	(void)state;
	assert_int_equal(dns_cache_add(c, 7, &a, "crates.io", 60, 0), 0);
	assert_int_equal(dns_cache_forget(c, 8, &a, "crates.io"), -ENOENT);
	assert_int_equal(dns_cache_forget(c, 7, &a, "pypi.org"), -ENOENT);
	assert_int_equal(dns_cache_forget(c, 7, &b, "crates.io"), -ENOENT);
	assert_string_equal(dns_cache_lookup(c, 7, &a, 0), "crates.io");
	assert_int_equal(dns_cache_forget(c, 7, &a, "crates.io"), 0);
	assert_null(dns_cache_lookup(c, 7, &a, 0));
	dns_cache_stats(c, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.forgotten, 1);
	assert_int_equal(dns_cache_forget(c, 7, &a, NULL), -EINVAL);
	dns_cache_free(c);
}

/* Many entries through a small cache: the count never passes the cap. */
static void test_cache_churn(void **state)
{
	struct dns_cache *c = dns_cache_new(100, 1, 30);
	struct dns_cache_stats st;
	struct ipaddr a = { .family = AF_INET6 };
	uint32_t i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		memcpy(a.bytes + 12, &i, 4);
		assert_int_equal(dns_cache_add(c, 0, &a, "churn", i % 40, i * (SEC / 10)), 0);
		dns_cache_stats(c, &st);
		assert_true(st.entries <= 100);
		if (i % 97 == 0)
			dns_cache_expire(c, i * (SEC / 10));
	}
	dns_cache_stats(c, &st);
	assert_int_equal(st.inserted, 10000);
	assert_int_equal(st.entries + st.evicted + st.expired, 10000);
	dns_cache_free(c);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_simple_a),
		cmocka_unit_test(test_aaaa),
		cmocka_unit_test(test_cname_chain),
		cmocka_unit_test(test_odd_order),
		cmocka_unit_test(test_unrelated_ignored),
		cmocka_unit_test(test_cname_loop),
		cmocka_unit_test(test_chain_max),
		cmocka_unit_test(test_compression),
		cmocka_unit_test(test_pointer_self),
		cmocka_unit_test(test_pointer_loop),
		cmocka_unit_test(test_pointer_chain),
		cmocka_unit_test(test_pointer_forward),
		cmocka_unit_test(test_pointer_bad),
		cmocka_unit_test(test_full_response),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_label_length),
		cmocka_unit_test(test_reserved_label),
		cmocka_unit_test(test_name_length),
		cmocka_unit_test(test_name_length_escaped),
		cmocka_unit_test(test_name_long_through_pointers),
		cmocka_unit_test(test_bad_rdlength),
		cmocka_unit_test(test_query),
		cmocka_unit_test(test_more_questions),
		cmocka_unit_test(test_case),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_addrs_truncated),
		cmocka_unit_test(test_ttl_high_bit),
		cmocka_unit_test(test_qtype_name),
		cmocka_unit_test(test_mutations),
		cmocka_unit_test(test_packet_ipv4),
		cmocka_unit_test(test_packet_ipv6),
		cmocka_unit_test(test_packet_rejects),
		cmocka_unit_test(test_cache_basic),
		cmocka_unit_test(test_cache_replace),
		cmocka_unit_test(test_cache_ttl),
		cmocka_unit_test(test_cache_evict),
		cmocka_unit_test(test_cache_resize),
		cmocka_unit_test(test_cache_evict_expired),
		cmocka_unit_test(test_cache_expire),
		cmocka_unit_test(test_cache_families),
		cmocka_unit_test(test_cache_long_name),
		cmocka_unit_test(test_cache_churn),
		cmocka_unit_test(test_cache_namespaces),
		cmocka_unit_test(test_cache_forget),
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
