// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The DNS questions that left the host, and which answers they make
 * believable (user/dnsq.c). */
#include <arpa/inet.h>
#include <errno.h>
#include <sys/socket.h>

#include "unit.h"

#define SEC	 1000000000ULL
#define TIMEOUT	 10
#define HOSTNS	 4026531840U
#define BOXNS	 4026532300U
#define TYPE_A	 1
#define TYPE_TXT 16
#define CLASS_IN 1

/* What the callbacks saw. */
struct seen {
	int believed, revoked;
	size_t naddrs;
	uint32_t netns;
	char qname[DNS_NAME_MAX];
	struct ipaddr first;
};

static void on_believed(const struct dnsq_question *q, const struct dns_answer *a, size_t n,
			uint64_t now_ns, void *arg)
{
	struct seen *s = arg;

	(void)now_ns;
	s->believed++;
	s->naddrs = n;
	s->netns = q->netns;
	snprintf(s->qname, sizeof(s->qname), "%s", q->qname);
	if (n)
		s->first = a[0].addr;
}

static void on_revoked(const struct dnsq_question *q, const struct dns_answer *a, size_t n,
		       uint64_t now_ns, void *arg)
{
	struct seen *s = arg;

	(void)q;
	(void)a;
	(void)n;
	(void)now_ns;
	s->revoked++;
}

static struct ipaddr ip(const char *str)
{
	struct ipaddr a;

	assert_int_equal(ipaddr_parse(str, &a), 0);
	return a;
}

/* A question for name from 127.0.0.1:cport to 127.0.0.77:53. */
static struct dnsq_question question(const char *name, uint16_t cport, uint16_t id, uint64_t at)
{
	struct dnsq_question q;

	memset(&q, 0, sizeof(q));
	q.client = ip("127.0.0.1");
	q.server = ip("127.0.0.77");
	q.cport = cport;
	q.id = id;
	q.qtype = TYPE_A;
	q.qclass = CLASS_IN;
	snprintf(q.qname, sizeof(q.qname), "%s", name);
	q.netns = HOSTNS;
	q.pid = 4242;
	q.asked_ns = at;
	return q;
}

/* The answer to that question as it arrives: from the server's port 53 to
 * the client, naming addr. */
struct answer {
	struct dns_packet pk;
	struct dns_msg m;
};

static struct answer answer(const char *name, uint16_t cport, uint16_t id, const char *addr)
{
	struct answer a;

	memset(&a, 0, sizeof(a));
	a.pk.src = ip("127.0.0.77");
	a.pk.dst = ip("127.0.0.1");
	a.pk.sport = 53;
	a.pk.dport = cport;
	a.m.id = id;
	a.m.response = true;
	a.m.qtype = TYPE_A;
	a.m.qclass = CLASS_IN;
	snprintf(a.m.qname, sizeof(a.m.qname), "%s", name);
	if (addr) {
		a.m.addrs[0].addr = ip(addr);
		a.m.addrs[0].ttl = 300;
		a.m.naddrs = 1;
	}
	return a;
}

struct fixture {
	struct dnsq *t;
	struct seen seen;
};

static int setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));

	f->t = dnsq_new(8, TIMEOUT, on_believed, on_revoked, &f->seen);
	assert_non_null(f->t);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fixture *f = *state;

	dnsq_free(f->t);
	free(f);
	return 0;
}

static struct dnsq_stats stats(const struct fixture *f)
{
	struct dnsq_stats st;

	dnsq_stats(f->t, &st);
	return st;
}

static void test_match(void **state)
{
	struct fixture *f = *state;
	struct dnsq_question q = question("crates.io", 40000, 0x1234, 1 * SEC);
	struct answer a = answer("crates.io", 40000, 0x1234, "192.0.2.1");

	dnsq_question(f->t, &q);
	assert_int_equal(stats(f).waiting, 1);
	dnsq_answer(f->t, &a.pk, &a.m, 1 * SEC + 1000);
	assert_int_equal(f->seen.believed, 1);
	assert_int_equal(f->seen.naddrs, 1);
	assert_int_equal(f->seen.netns, HOSTNS);
	assert_string_equal(f->seen.qname, "crates.io");
	assert_memory_equal(f->seen.first.bytes, ip("192.0.2.1").bytes, 4);
	assert_int_equal(stats(f).believed, 1);
	assert_int_equal(stats(f).waiting, 0);
	assert_int_equal(stats(f).unsolicited, 0);
}

/* NXDOMAIN and empty answers are believed too (they use the question up)
 * but name nothing. */
static void test_match_no_address(void **state)
{
	struct fixture *f = *state;
	struct dnsq_question q = question("beacon.attacker.test", 40000, 7, 1 * SEC);
	struct answer a = answer("beacon.attacker.test", 40000, 7, "192.0.2.1");

	a.m.rcode = 3;
	dnsq_question(f->t, &q);
	dnsq_answer(f->t, &a.pk, &a.m, 2 * SEC);
	assert_int_equal(f->seen.believed, 1);
	assert_int_equal(f->seen.naddrs, 0);
	assert_int_equal(stats(f).waiting, 0);
}

/* A forged answer with a guessed id: ignored, and the question still waits
 * for the real one. */
static void test_wrong_id(void **state)
{
	struct fixture *f = *state;
	struct dnsq_question q = question("crates.io", 40000, 0x1234, 1 * SEC);
	struct answer bad = answer("crates.io", 40000, 0x1235, "127.0.0.88");
	struct answer good = answer("crates.io", 40000, 0x1234, "192.0.2.1");

	dnsq_question(f->t, &q);
	dnsq_answer(f->t, &bad.pk, &bad.m, 1 * SEC + 10);
	assert_int_equal(f->seen.believed, 0);
	/* held a while in case its question comes later; then unsolicited */
	dnsq_expire(f->t, 4 * SEC);
	assert_int_equal(stats(f).unsolicited, 1);
	dnsq_answer(f->t, &good.pk, &good.m, 4 * SEC);
	assert_int_equal(f->seen.believed, 1);
	assert_memory_equal(f->seen.first.bytes, ip("192.0.2.1").bytes, 4);
}

/* The answer must repeat the question: name (in any case: 0x20), type and
 * class. A mismatch does not use the question up. */
static void test_wrong_name_or_type(void **state)
{
	struct fixture *f = *state;
	struct dnsq_question q = question("crates.io", 40000, 0x1234, 1 * SEC);
	struct answer name = answer("static.crates.io", 40000, 0x1234, "127.0.0.88");
	struct answer type = answer("crates.io", 40000, 0x1234, "127.0.0.88");
	struct answer class = answer("crates.io", 40000, 0x1234, "127.0.0.88");
	struct answer good = answer("crates.io", 40000, 0x1234, "192.0.2.1");

	type.m.qtype = TYPE_TXT;
	class.m.qclass = 3; /* CH */
	dnsq_question(f->t, &q);
	dnsq_answer(f->t, &name.pk, &name.m, 1 * SEC + 1);
	dnsq_answer(f->t, &type.pk, &type.m, 1 * SEC + 2);
	dnsq_answer(f->t, &class.pk, &class.m, 1 * SEC + 3);
	assert_int_equal(f->seen.believed, 0);
	assert_int_equal(stats(f).unsolicited, 3);
	assert_int_equal(stats(f).waiting, 1);
	dnsq_answer(f->t, &good.pk, &good.m, 1 * SEC + 4);
	assert_int_equal(f->seen.believed, 1);
}

/* 0x20: the resolver echoes the question's own mixed case; dns_parse gives
 * both in lower case, so "CrAtEs.Io" is "crates.io". */
static void test_case_randomised(void **state)
{
	struct fixture *f = *state;
	struct dnsq_question q = question("crates.io", 40000, 9, 1 * SEC);
	struct answer a = answer("crates.io", 40000, 9, "192.0.2.1");
	char name[DNS_NAME_MAX] = "CrAtEs.Io";

	assert_true(dns_name_normalize(name));
	snprintf(q.qname, sizeof(q.qname), "%s", name);
	dnsq_question(f->t, &q);
	dnsq_answer(f->t, &a.pk, &a.m, 2 * SEC);
	assert_int_equal(f->seen.believed, 1);
}

/* The answer comes from the server the question went to, from port 53, to
 * the client's address and port. */
static void test_wrong_source(void **state)
{
	struct fixture *f = *state;
	struct dnsq_question q = question("crates.io", 40000, 0x1234, 1 * SEC);
	struct answer other_server = answer("crates.io", 40000, 0x1234, "127.0.0.88");
	struct answer other_port = answer("crates.io", 40000, 0x1234, "127.0.0.88");
	struct answer other_client = answer("crates.io", 40000, 0x1234, "127.0.0.88");
	struct answer other_cport = answer("crates.io", 40001, 0x1234, "127.0.0.88");
	struct answer v6 = answer("crates.io", 40000, 0x1234, "127.0.0.88");

	other_server.pk.src = ip("127.0.0.78");
	other_port.pk.sport = 5353;
	other_client.pk.dst = ip("127.0.0.2");
	v6.pk.src = ip("::ffff:127.0.0.77");
	dnsq_question(f->t, &q);
	dnsq_answer(f->t, &other_server.pk, &other_server.m, 1 * SEC + 1);
	dnsq_answer(f->t, &other_port.pk, &other_port.m, 1 * SEC + 2);
	dnsq_answer(f->t, &other_client.pk, &other_client.m, 1 * SEC + 3);
	dnsq_answer(f->t, &other_cport.pk, &other_cport.m, 1 * SEC + 4);
	dnsq_answer(f->t, &v6.pk, &v6.m, 1 * SEC + 5);
	dnsq_expire(f->t, 4 * SEC);
	assert_int_equal(f->seen.believed, 0);
	assert_int_equal(stats(f).unsolicited, 5);
	assert_int_equal(stats(f).waiting, 1);
}

/* IPv6 the same way; an IPv4-mapped address is not the IPv4 one. */
static void test_ipv6(void **state)
{
	struct fixture *f = *state;
	struct dnsq_question q = question("crates.io", 40000, 0x77, 1 * SEC);
	struct answer a = answer("crates.io", 40000, 0x77, "192.0.2.1");
	struct answer other = answer("crates.io", 40000, 0x77, "127.0.0.88");

	q.client = ip("fd00::2");
	q.server = ip("fd00::53");
	other.pk.src = ip("fd00::54");
	other.pk.dst = ip("fd00::2");
	dnsq_question(f->t, &q);
	dnsq_answer(f->t, &other.pk, &other.m, 1 * SEC + 1);
	assert_int_equal(f->seen.believed, 0);
	a.pk.src = ip("::ffff:127.0.0.77");
	a.pk.dst = ip("fd00::2");
	dnsq_answer(f->t, &a.pk, &a.m, 1 * SEC + 2);
	assert_int_equal(f->seen.believed, 0);
	a.pk.src = ip("fd00::53");
	dnsq_answer(f->t, &a.pk, &a.m, 1 * SEC + 3);
	assert_int_equal(f->seen.believed, 1);
}

/* No question at all: held for its question a while, then unsolicited. */
static void test_unsolicited(void **state)
{
	struct fixture *f = *state;
	struct answer a = answer("crates.io", 40000, 1, "127.0.0.88");
	struct dnsq_question q;
	int i;

	for (i = 0; i < 3; i++)
		dnsq_answer(f->t, &a.pk, &a.m, 1 * SEC + i);
	dnsq_expire(f->t, 2 * SEC);
	assert_int_equal(stats(f).unsolicited, 0); /* still waiting */
	dnsq_expire(f->t, 4 * SEC);
	assert_int_equal(stats(f).unsolicited, 3);
	assert_int_equal(f->seen.believed, 0);
	/* given up: a question that leaves now is not answered by them */
	q = question("crates.io", 40000, 1, 5 * SEC);
	dnsq_question(f->t, &q);
	assert_int_equal(f->seen.believed, 0);
	assert_int_equal(stats(f).waiting, 1);
}

/* Questions come through the ring buffer and answers through the capture
 * sockets: an answer read first waits for its question. But one read
 * before the question left answers something else. */
static void test_answer_before_record(void **state)
{
	struct fixture *f = *state;
	struct dnsq_question q = question("crates.io", 40000, 3, 5 * SEC);
	struct answer a = answer("crates.io", 40000, 3, "192.0.2.1");
	struct dnsq_question early = question("pypi.org", 40002, 4, 7 * SEC);
	struct answer pre = answer("pypi.org", 40002, 4, "127.0.0.88");

	dnsq_answer(f->t, &a.pk, &a.m, 5 * SEC + 100);
	assert_int_equal(f->seen.believed, 0);
	dnsq_question(f->t, &q);
	assert_int_equal(f->seen.believed, 1);
	assert_int_equal(stats(f).waiting, 0);
	dnsq_answer(f->t, &pre.pk, &pre.m, 6 * SEC);
	dnsq_question(f->t, &early);
	assert_int_equal(f->seen.believed, 1);
	assert_int_equal(stats(f).waiting, 1);
}

/* Two answers read before their question's record: the first one read
 * counts, wherever it sits in the table; the other is unsolicited. */
static void test_first_held_answer_wins(void **state)
{
	struct fixture *f = *state;
	struct dnsq_question q = question("crates.io", 40000, 3, 50 * SEC);
	struct answer first = answer("crates.io", 40000, 3, "192.0.2.1");
	struct answer second = answer("crates.io", 40000, 3, "127.0.0.88");
	struct answer filler = answer("pypi.org", 39999, 1, "192.0.2.9");
	int i;

	/* fill the held table so that the second lands before the first */
	for (i = 0; i < 63; i++)
		dnsq_answer(f->t, &filler.pk, &filler.m, 1 * SEC);
	dnsq_answer(f->t, &first.pk, &first.m, 50 * SEC + 1);
	dnsq_answer(f->t, &second.pk, &second.m, 50 * SEC + 2);
	dnsq_question(f->t, &q);
	assert_int_equal(f->seen.believed, 1);
	assert_memory_equal(f->seen.first.bytes, ip("192.0.2.1").bytes, 4);
	dnsq_expire(f->t, 60 * SEC);
	assert_int_equal(stats(f).unsolicited, 63 + 1);
}

static void test_timeout(void **state)
{
	struct fixture *f = *state;
	struct dnsq_question q = question("crates.io", 40000, 0x1234, 1 * SEC);
	struct answer a = answer("crates.io", 40000, 0x1234, "192.0.2.1");

	dnsq_question(f->t, &q);
	dnsq_answer(f->t, &a.pk, &a.m, (1 + TIMEOUT) * SEC);
	assert_int_equal(f->seen.believed, 0);
	assert_int_equal(stats(f).expired, 1);
	assert_int_equal(stats(f).waiting, 0);
	dnsq_expire(f->t, (4 + TIMEOUT) * SEC);
	assert_int_equal(stats(f).unsolicited, 1);
	/* just inside the timeout is in time */
	q.asked_ns = 100 * SEC;
	dnsq_question(f->t, &q);
	dnsq_answer(f->t, &a.pk, &a.m, (100 + TIMEOUT) * SEC - 1);
	assert_int_equal(f->seen.believed, 1);
	/* a shorter timeout from a reload */
	dnsq_set_timeout(f->t, 1);
	q.asked_ns = 200 * SEC;
	dnsq_question(f->t, &q);
	dnsq_expire(f->t, 201 * SEC);
	assert_int_equal(stats(f).expired, 2);
}

/* Answered once, done: a second answer, true or forged, is unsolicited. */
static void test_consumed(void **state)
{
	struct fixture *f = *state;
	struct dnsq_question q = question("crates.io", 40000, 0x1234, 1 * SEC);
	struct answer a = answer("crates.io", 40000, 0x1234, "192.0.2.1");
	struct answer again = answer("crates.io", 40000, 0x1234, "127.0.0.88");

	dnsq_question(f->t, &q);
	dnsq_answer(f->t, &a.pk, &a.m, 2 * SEC);
	dnsq_answer(f->t, &again.pk, &again.m, 2 * SEC + 1);
	dnsq_expire(f->t, 5 * SEC);
	assert_int_equal(f->seen.believed, 1);
	assert_memory_equal(f->seen.first.bytes, ip("192.0.2.1").bytes, 4);
	assert_int_equal(stats(f).unsolicited, 1);
	/* a resend of the question waits again, once */
	q.asked_ns = 6 * SEC;
	dnsq_question(f->t, &q);
	dnsq_question(f->t, &q);
	assert_int_equal(stats(f).waiting, 1);
	dnsq_answer(f->t, &again.pk, &again.m, 6 * SEC + 1);
	dnsq_answer(f->t, &again.pk, &again.m, 6 * SEC + 2);
	dnsq_expire(f->t, 9 * SEC);
	assert_int_equal(f->seen.believed, 2);
	assert_int_equal(stats(f).unsolicited, 2);
}

/* At the cap the oldest question goes (counted) and its answer is
 * unsolicited; the others keep waiting. */
static void test_cap_eviction(void **state)
{
	struct fixture *f = *state;
	struct dnsq_question q;
	struct answer a;
	uint16_t i;

	for (i = 0; i < 9; i++) {
		q = question("crates.io", (uint16_t)(40000 + i), i, 1 * SEC + i);
		dnsq_question(f->t, &q);
	}
	assert_int_equal(stats(f).waiting, 8);
	assert_int_equal(stats(f).evicted, 1);
	a = answer("crates.io", 40000, 0, "192.0.2.1");
	dnsq_answer(f->t, &a.pk, &a.m, 2 * SEC);
	assert_int_equal(f->seen.believed, 0);
	for (i = 1; i < 9; i++) {
		a = answer("crates.io", (uint16_t)(40000 + i), i, "192.0.2.1");
		dnsq_answer(f->t, &a.pk, &a.m, 2 * SEC);
	}
	assert_int_equal(f->seen.believed, 8);
	assert_int_equal(stats(f).waiting, 0);
	dnsq_expire(f->t, 5 * SEC);
	assert_int_equal(stats(f).unsolicited, 1);
}

/* The namespace whose socket asked owns the names. */
static void test_namespaces(void **state)
{
	struct fixture *f = *state;
	struct dnsq_question q = question("exfil.attacker.test", 40000, 5, 1 * SEC);
	struct answer a = answer("exfil.attacker.test", 40000, 5, "127.0.0.9");

	q.netns = BOXNS;
	dnsq_question(f->t, &q);
	dnsq_answer(f->t, &a.pk, &a.m, 2 * SEC);
	assert_int_equal(f->seen.believed, 1);
	assert_int_equal(f->seen.netns, BOXNS);
}

/* A response an install session sent itself: whether it comes before or
 * after the question, before or after the real answer, nothing it says is
 * believed; one believed already is taken back. */
static void test_forged_by_session(void **state)
{
	struct fixture *f = *state;
	struct dnsq_question q = question("crates.io", 40000, 0x1234, 1 * SEC);
	struct answer forged = answer("crates.io", 40000, 0x1234, "127.0.0.88");
	struct answer real = answer("crates.io", 40000, 0x1234, "192.0.2.1");

	/* read and believed before the kernel's word on who sent it */
	dnsq_question(f->t, &q);
	dnsq_answer(f->t, &forged.pk, &forged.m, 1 * SEC + 10);
	assert_int_equal(f->seen.believed, 1);
	dnsq_forged(f->t, &forged.pk, 0x1234, 1 * SEC + 5);
	assert_int_equal(f->seen.revoked, 1);
	assert_int_equal(stats(f).revoked, 1);
	/* the real answer after it: the question is gone */
	dnsq_answer(f->t, &real.pk, &real.m, 1 * SEC + 20);
	assert_int_equal(f->seen.believed, 1);

	/* read before its question's record, believed when the record came,
	 * then the kernel's word: taken back all the same */
	q = question("crates.io", 40003, 0x6666, 1 * SEC + 30);
	forged = answer("crates.io", 40003, 0x6666, "127.0.0.88");
	dnsq_answer(f->t, &forged.pk, &forged.m, 1 * SEC + 40);
	dnsq_question(f->t, &q);
	assert_int_equal(f->seen.believed, 2);
	dnsq_forged(f->t, &forged.pk, 0x6666, 1 * SEC + 35);
	assert_int_equal(f->seen.revoked, 2);
	assert_int_equal(stats(f).revoked, 2);

	/* the kernel's word first: the question is void, both answers too */
	q = question("crates.io", 40001, 0x4321, 2 * SEC);
	forged = answer("crates.io", 40001, 0x4321, "127.0.0.88");
	real = answer("crates.io", 40001, 0x4321, "192.0.2.1");
	dnsq_question(f->t, &q);
	dnsq_forged(f->t, &forged.pk, 0x4321, 2 * SEC + 5);
	assert_int_equal(stats(f).voided, 1);
	dnsq_answer(f->t, &forged.pk, &forged.m, 2 * SEC + 10);
	dnsq_answer(f->t, &real.pk, &real.m, 2 * SEC + 20);
	assert_int_equal(f->seen.believed, 2);

	/* sent ahead of a question: the question that follows is void */
	q = question("crates.io", 40002, 0x5555, 3 * SEC + 10);
	forged = answer("crates.io", 40002, 0x5555, "127.0.0.88");
	dnsq_forged(f->t, &forged.pk, 0x5555, 3 * SEC);
	dnsq_answer(f->t, &forged.pk, &forged.m, 3 * SEC + 20);
	dnsq_question(f->t, &q);
	assert_int_equal(f->seen.believed, 2);
	assert_int_equal(stats(f).voided, 2);
	dnsq_expire(f->t, 10 * SEC);
	assert_int_equal(stats(f).waiting, 0);
	assert_int_equal(stats(f).unsolicited, 6);
}

/* Answers that wait for their question are capped too. */
static void test_held_cap(void **state)
{
	struct fixture *f = *state;
	struct answer a;
	uint16_t i;

	for (i = 0; i < 200; i++) {
		a = answer("crates.io", (uint16_t)(30000 + i), i, "127.0.0.88");
		dnsq_answer(f->t, &a.pk, &a.m, 1 * SEC);
	}
	assert_true(stats(f).unsolicited >= 100);
	dnsq_expire(f->t, 10 * SEC);
	assert_int_equal(stats(f).unsolicited, 200);
}

int main(void)
{
	/* clang-format off */
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_match, setup, teardown),
		cmocka_unit_test_setup_teardown(test_match_no_address, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_id, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_name_or_type, setup, teardown),
		cmocka_unit_test_setup_teardown(test_case_randomised, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wrong_source, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ipv6, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unsolicited, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answer_before_record, setup, teardown),
		cmocka_unit_test_setup_teardown(test_first_held_answer_wins, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_consumed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cap_eviction, setup, teardown),
		cmocka_unit_test_setup_teardown(test_namespaces, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_by_session, setup, teardown),
		cmocka_unit_test_setup_teardown(test_held_cap, setup, teardown),
	};
	/* clang-format on */

	return cmocka_run_group_tests(tests, NULL, NULL);
}
