// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Which DNS answers are believed. Any process that can send a datagram
 * from port 53 can make one look like an answer, and a name applies to
 * every connection to the address it names: believed blindly, one forged
 * datagram turns "127.0.0.77" into "crates.io", allowlisted. So an answer
 * counts only as the answer to a question that left this host (the kernel
 * records each one as it is sent: bpf/dns.bpf.c): the same transaction
 * id, question name, type and class (names compared lower-case, as
 * resolvers do: 0x20 randomisation keeps the letters, not their case),
 * sent to the address and port the question left from, by the server and
 * port 53 it was sent to, within the question's timeout. A question
 * answered once is done with: a second answer is unsolicited.
 *
 * Three small tables besides the questions, each a ring with a cap:
 * answers read before their question (questions come through the ring
 * buffer, answers through the capture sockets, so an answer may be read
 * first) wait DNSQ_HOLD_NS for it; answers believed lately are kept so
 * that they can be taken back; and (client, port, server, id) keys an
 * install session sent a response to itself are void for the timeout,
 * whichever came first.
 */
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define DNS_PORT      53
#define DNSQ_HOLD_NS  (2ULL * 1000000000ULL) /* an answer waits this long for its question */
#define DNSQ_HELD_MAX 64
#define DNSQ_KEPT_MAX 256 /* believed answers that can still be taken back */
#define DNSQ_VOID_MAX 256
#define NSEC_PER_SEC  1000000000ULL

/* What ties an answer to its question, besides the question itself. */
struct dnsq_key {
	struct ipaddr client, server;
	uint16_t cport;
	uint16_t id;
};

/* A question waiting for its answer. */
/* A question waiting, in the bounded table (lib/lru.c) by its key, the
 * oldest first. */
struct dnsq_entry {
	struct dnsq_question q;
};

/* What an answer says, kept while it waits or may be taken back. */
struct dnsq_reply {
	struct dnsq_key key;
	uint64_t ns; /* held: when it was read; kept: until when */
	uint16_t qtype, qclass;
	uint8_t rcode;
	bool used;
	char qname[DNS_NAME_MAX];
	struct dns_answer addrs[DNS_ADDRS_MAX];
	size_t naddrs;
	struct dnsq_question q; /* kept: the question it answered */
};

struct dnsq_void {
	struct dnsq_key key;
	uint64_t until;
	bool used;
};

struct dnsq {
	struct lru *waiting; /* the questions, by dnsq_key */
	uint64_t timeout_ns;
	dnsq_names_fn believed, revoked;
	void *arg;
	struct dnsq_reply held[DNSQ_HELD_MAX]; /* a ring: the newest overwrites the oldest */
	size_t next_held;
	struct dnsq_reply kept[DNSQ_KEPT_MAX];
	size_t next_kept;
	struct dnsq_void voids[DNSQ_VOID_MAX];
	size_t next_void;
	struct dnsq_stats st;
};

static bool key_equal(const struct dnsq_key *a, const struct dnsq_key *b)
{
	return a->cport == b->cport && a->id == b->id && ipaddr_equal(&a->client, &b->client) &&
	       ipaddr_equal(&a->server, &b->server);
}

static void question_key(const struct dnsq_question *q, struct dnsq_key *k)
{
	memset(k, 0, sizeof(*k));
	k->client = q->client;
	k->server = q->server;
	k->cport = q->cport;
	k->id = q->id;
}

/* An answer in pk goes from the server to the client: the other way round. */
static void answer_key(const struct dns_packet *pk, uint16_t id, struct dnsq_key *k)
{
	memset(k, 0, sizeof(*k));
	k->client = pk->dst;
	k->server = pk->src;
	k->cport = pk->dport;
	k->id = id;
}

struct dnsq *dnsq_new(uint32_t max, uint32_t timeout_secs, dnsq_names_fn believed,
		      dnsq_names_fn revoked, void *arg)
{
	struct dnsq *t;

	if (max == 0 || max > (1U << 24))
		return NULL;
	t = calloc(1, sizeof(*t));
	if (!t)
		return NULL;
	t->waiting = lru_new(max, sizeof(struct dnsq_entry));
	if (!t->waiting) {
		free(t);
		return NULL;
	}
	t->believed = believed;
	t->revoked = revoked;
	t->arg = arg;
	dnsq_set_timeout(t, timeout_secs);
	return t;
}

void dnsq_set_timeout(struct dnsq *t, uint32_t timeout_secs)
{
	t->timeout_ns = (uint64_t)(timeout_secs ? timeout_secs : 1) * NSEC_PER_SEC;
}

void dnsq_free(struct dnsq *t)
{
	if (!t)
		return;
	lru_free(t->waiting);
	free(t);
}

/* The question waiting under k (the key's padding is zero: question_key,
 * answer_key), or NULL. */
static struct dnsq_entry *entry_find(struct dnsq *t, const struct dnsq_key *k)
{
	return lru_find(t->waiting, k, sizeof(*k));
}

static bool void_has(const struct dnsq *t, const struct dnsq_key *k, uint64_t now_ns)
{
	size_t i;

	for (i = 0; i < DNSQ_VOID_MAX; i++)
		if (t->voids[i].used && now_ns < t->voids[i].until &&
		    key_equal(&t->voids[i].key, k))
			return true;
	return false;
}

static void void_add(struct dnsq *t, const struct dnsq_key *k, uint64_t now_ns)
{
	struct dnsq_void *v = &t->voids[t->next_void];

	v->key = *k;
	v->until = now_ns + t->timeout_ns;
	v->used = true;
	t->next_void = (t->next_void + 1) % DNSQ_VOID_MAX;
}

static void reply_fill(struct dnsq_reply *r, const struct dnsq_key *k, const struct dns_msg *m,
		       uint64_t ns)
{
	r->key = *k;
	r->ns = ns;
	r->qtype = m->qtype;
	r->qclass = m->qclass;
	r->rcode = m->rcode;
	memcpy(r->qname, m->qname, sizeof(r->qname));
	r->naddrs = m->naddrs < DNS_ADDRS_MAX ? m->naddrs : DNS_ADDRS_MAX;
	memcpy(r->addrs, m->addrs, r->naddrs * sizeof(r->addrs[0]));
	r->used = true;
}

/* Does the answer say the question it answers is q? */
static bool reply_matches(const struct dnsq_reply *r, const struct dnsq_question *q)
{
	return r->qtype == q->qtype && r->qclass == q->qclass && strcmp(r->qname, q->qname) == 0;
}

/* r answers q: believed, its names handed on and kept to be taken back. */
static void believe(struct dnsq *t, const struct dnsq_question *q, const struct dnsq_reply *r,
		    uint64_t now_ns)
{
	struct dnsq_reply *k;
	size_t n = r->rcode == 0 ? r->naddrs : 0;

	t->st.believed++;
	if (t->believed)
		t->believed(q, r->addrs, n, now_ns, t->arg);
	if (!n)
		return;
	k = &t->kept[t->next_kept];
	*k = *r;
	k->q = *q;
	k->ns = now_ns + t->timeout_ns;
	k->used = true; /* r may be a held answer, just taken out */
	t->next_kept = (t->next_kept + 1) % DNSQ_KEPT_MAX;
}

/* The held answer to the question with key k, if one waits. */
static struct dnsq_reply *held_find(struct dnsq *t, const struct dnsq_key *k)
{
	size_t i;

	for (i = 0; i < DNSQ_HELD_MAX; i++)
		if (t->held[i].used && key_equal(&t->held[i].key, k))
			return &t->held[i];
	return NULL;
}

/* The first answer to q read before its record was: one read before the
 * question even left is not its answer. */
static struct dnsq_reply *held_answer(struct dnsq *t, const struct dnsq_key *k,
				      const struct dnsq_question *q)
{
	struct dnsq_reply *r, *first = NULL;
	size_t i;

	for (i = 0; i < DNSQ_HELD_MAX; i++) {
		r = &t->held[i];
		if (r->used && r->ns >= q->asked_ns && (!first || r->ns < first->ns) &&
		    key_equal(&r->key, k) && reply_matches(r, q))
			first = r;
	}
	return first;
}

void dnsq_question(struct dnsq *t, const struct dnsq_question *q)
{
	struct dnsq_entry *e;
	struct dnsq_reply *r;
	struct dnsq_key k;

	dnsq_expire(t, q->asked_ns);
	question_key(q, &k);
	if (void_has(t, &k, q->asked_ns)) {
		t->st.voided++;
		return;
	}
	t->st.questions++;
	r = held_answer(t, &k, q);
	if (r) {
		r->used = false;
		believe(t, q, r, q->asked_ns);
		return;
	}
	e = entry_find(t, &k);
	if (e) {
		lru_touch(t->waiting, e); /* a resend: the newest copy waits */
	} else {
		if (lru_full(t->waiting)) {
			lru_drop(t->waiting, lru_oldest(t->waiting));
			t->st.evicted++;
		}
		e = lru_insert(t->waiting, &k, sizeof(k));
		if (!e)
			return;
	}
	e->q = *q;
}

/* Hold an answer for its question; the oldest held goes unanswered. */
static void hold(struct dnsq *t, const struct dnsq_key *k, const struct dns_msg *m, uint64_t now_ns)
{
	struct dnsq_reply *r = &t->held[t->next_held];

	if (r->used)
		t->st.unsolicited++;
	reply_fill(r, k, m, now_ns);
	t->next_held = (t->next_held + 1) % DNSQ_HELD_MAX;
}

void dnsq_answer(struct dnsq *t, const struct dns_packet *pk, const struct dns_msg *m,
		 uint64_t now_ns)
{
	struct dnsq_question q;
	struct dnsq_entry *e;
	struct dnsq_reply r;
	struct dnsq_key k;

	dnsq_expire(t, now_ns);
	if (!m->response || pk->sport != DNS_PORT) {
		t->st.unsolicited++;
		return;
	}
	answer_key(pk, m->id, &k);
	if (void_has(t, &k, now_ns)) {
		t->st.unsolicited++;
		return;
	}
	e = entry_find(t, &k);
	if (!e) {
		hold(t, &k, m, now_ns);
		return;
	}
	reply_fill(&r, &k, m, now_ns);
	/* a wrong guess at the question does not use it up */
	if (!reply_matches(&r, &e->q)) {
		t->st.unsolicited++;
		return;
	}
	q = e->q;
	lru_drop(t->waiting, e);
	believe(t, &q, &r, now_ns);
}

void dnsq_forged(struct dnsq *t, const struct dns_packet *pk, uint16_t id, uint64_t now_ns)
{
	struct dnsq_entry *e;
	struct dnsq_reply *r;
	struct dnsq_key k;
	size_t i;

	if (pk->sport != DNS_PORT)
		return;
	answer_key(pk, id, &k);
	e = entry_find(t, &k);
	if (e) {
		lru_drop(t->waiting, e);
		t->st.voided++;
	}
	for (i = 0; i < DNSQ_KEPT_MAX; i++) {
		r = &t->kept[i];
		if (!r->used || now_ns >= r->ns || !key_equal(&r->key, &k))
			continue;
		r->used = false;
		if (t->revoked)
			t->revoked(&r->q, r->addrs, r->naddrs, now_ns, t->arg);
		t->st.revoked++;
		t->st.unsolicited++;
	}
	while ((r = held_find(t, &k))) {
		r->used = false;
		t->st.unsolicited++;
	}
	void_add(t, &k, now_ns);
}

void dnsq_expire(struct dnsq *t, uint64_t now_ns)
{
	struct dnsq_entry *e;
	size_t i;

	while ((e = lru_oldest(t->waiting)) && now_ns >= e->q.asked_ns &&
	       now_ns - e->q.asked_ns >= t->timeout_ns) {
		lru_drop(t->waiting, e);
		t->st.expired++;
	}
	for (i = 0; i < DNSQ_HELD_MAX; i++) {
		if (t->held[i].used && now_ns >= t->held[i].ns &&
		    now_ns - t->held[i].ns >= DNSQ_HOLD_NS) {
			t->held[i].used = false;
			t->st.unsolicited++;
		}
	}
}

void dnsq_stats(const struct dnsq *t, struct dnsq_stats *st)
{
	*st = t->st;
	st->waiting = lru_count(t->waiting);
}
