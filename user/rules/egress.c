// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The network arm: rule pm-unexpected-egress. The kernel reports connects
 * of tracked processes (package managers and everything inside an install
 * session); DNS answers seen on the wire name the addresses, in the
 * network namespace of the process that asked, and only when they answer
 * a question that left this host for one of that process's resolvers
 * (dnsq.c); the registry allowlist says which destinations a package
 * manager has business with. Everything else is an alert, once per
 * (session, destination): repeats are counted and reported in a follow-up
 * line when they quieten.
 *
 * DNS questions are judged too: a tracked process that asks for a name
 * outside the allowlist has sent data to whoever serves that zone, even if
 * it never connects (DNS-only beacons). The kernel records each question
 * with the process that sent it; the connect itself to the process's own
 * resolver is not an alert. docs/rules.md explains it.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "rules.h"

#define DNS_PORT	53
#define NAMESERVERS_MAX 8

struct egress {
	const struct config *cfg;
	struct dns_cache *cache;
	struct dnsq *dnsq;	  /* the questions that make answers believable */
	char qname[DNS_NAME_MAX]; /* the last question's, for its net_event */
	struct egress_stats st;
};

/* ------------------------------------------------------------ addresses */

/* ----------------------------------------------------------- allowlist */

/* ---------------------------------------------------------- resolvers */

bool egress_is_resolver(const struct proc *p, uint32_t pid, uint32_t net_ns,
			const struct ipaddr *addr)
{
	struct ipaddr ns[NAMESERVERS_MAX];
	size_t n, i;

	n = proc_resolvers(p, pid, net_ns, ns, NAMESERVERS_MAX);
	for (i = 0; i < n; i++)
		if (ipaddr_equal(&ns[i], addr))
			return true;
	return false;
}

/* --------------------------------------------------------------- seen */

/* ---------------------------------------------------------- the rule */

/* A believed answer: its addresses are named in the asker's namespace,
 * provided it came from one of the asker's resolvers. A server of the
 * process's own choosing answers what it likes: "crates.io is 192.0.2.1". */
static void names_believed(const struct dnsq_question *q, const struct dns_answer *a, size_t n,
			   uint64_t now_ns, void *arg)
{
	struct egress *g = arg;
	struct ipaddr addr;
	size_t i;

	if (!n)
		return;
	if (!egress_is_resolver(NULL, q->pid, q->netns, &q->server)) {
		g->st.dns_other_server++;
		return;
	}
	for (i = 0; i < n; i++) {
		addr = a[i].addr;
		ipaddr_unmap(&addr);
		if (dns_cache_add(g->cache, q->netns, &addr, q->qname, a[i].ttl, now_ns) == 0)
			g->st.dns_answers++;
	}
}

/* An answer believed before turned out to be an install session's own. */
static void names_revoked(const struct dnsq_question *q, const struct dns_answer *a, size_t n,
			  uint64_t now_ns, void *arg)
{
	struct egress *g = arg;
	struct ipaddr addr;
	size_t i;

	(void)now_ns;
	for (i = 0; i < n; i++) {
		addr = a[i].addr;
		ipaddr_unmap(&addr);
		dns_cache_forget(g->cache, q->netns, &addr, q->qname);
	}
}

struct egress *egress_new(const struct config *c)
{
	struct egress *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->cfg = c;
	g->cache = dns_cache_new(c->dns_cache_max, c->dns_min_ttl, c->dns_max_ttl);
	g->dnsq = dnsq_new(DNSQ_MAX, c->dns_question_timeout, names_believed, names_revoked, g);
	if (!g->cache || !g->dnsq) {
		egress_free(g);
		return NULL;
	}
	return g;
}

int egress_set_config(struct egress *g, const struct config *c)
{
	int err = dns_cache_resize(g->cache, c->dns_cache_max, c->dns_min_ttl, c->dns_max_ttl);

	if (err)
		return err;
	dnsq_set_timeout(g->dnsq, c->dns_question_timeout);
	g->cfg = c;
	return 0;
}

void egress_free(struct egress *g)
{
	if (!g)
		return;
	dns_cache_free(g->cache);
	dnsq_free(g->dnsq);
	free(g);
}

struct dns_cache *egress_cache(struct egress *g)
{
	return g->cache;
}

void egress_stats(const struct egress *g, struct egress_stats *st)
{
	*st = g->st;
	dnsq_stats(g->dnsq, &st->dnsq);
}

void egress_expire(struct egress *g, uint64_t now_ns)
{
	dns_cache_expire(g->cache, now_ns);
	dnsq_expire(g->dnsq, now_ns);
}

/* Exclusions, the minimum severity and the (session, destination) dedup,
 * in that order: an excluded or too-low sighting leaves no trace. */
/* The verdict, folded by the gate once per (session, destination). */
static void decide(struct net_event *ev, enum severity sev, const char *reason, struct verdict *v)
{
	v->rule = RULE_EGRESS;
	v->rules_matched = 1U << RULE_EGRESS;
	v->severity = sev;
	v->reason = reason;
	v->net = ev;
}

void egress_connect(struct egress *g, const struct proc *p, struct net_event *ev, uint64_t now_ns,
		    struct verdict *v)
{
	char addr[IPADDR_STRLEN];

	memset(v, 0, sizeof(*v));
	ipaddr_unmap(&ev->dst);
	ipaddr_unmap(&ev->src);
	/* a name only from an answer its own namespace asked for */
	ev->domain = dns_cache_lookup(g->cache, ev->netns, &ev->dst, now_ns);
	if (ev->dport == DNS_PORT && egress_is_resolver(p, p ? p->pid : 0, ev->netns, &ev->dst)) {
		/* its questions are judged as they leave */
		ev->resolver = true;
		g->st.resolver++;
	} else if (g->cfg->egress_enabled || (ev->egress & DS_EGRESS_DENIED)) {
		v->allowed_by = allow_match(g->cfg->allow, g->cfg->nallow, ev->domain, &ev->dst,
					    ev->dport);
	}
	if (ev->resolver || v->allowed_by) {
		if (v->allowed_by)
			g->st.allowed++;
		/* the kernel knew no believed answer for it: a false positive of
		 * the response, which rolling it out must see */
		if (!(ev->egress & DS_EGRESS_DENIED))
			return;
		v->allowed_by = NULL;
		g->st.denied_allowed++;
		decide(ev, SEV_MEDIUM,
		       ev->egress & DS_EGRESS_BLOCKED
			       ? "connection to an allowed destination refused (no believed answer "
				 "named it in the kernel)"
			       : "connection to an allowed destination the response would refuse (no "
				 "believed answer named it in the kernel)",
		       v);
	} else if (!g->cfg->egress_enabled && !(ev->egress & DS_EGRESS_DENIED)) {
		return;
	} else {
		decide(ev, ev->domain ? g->cfg->egress_severity : g->cfg->egress_raw_severity,
		       ev->domain ? "connection to a host outside the registry allowlist"
				  : "connection to an address with no known name",
		       v);
	}
	ipaddr_format(&ev->dst, addr, sizeof(addr));
	snprintf(v->fold_key, sizeof(v->fold_key), "%016llx c %s %u %u",
		 (unsigned long long)ev->session, ev->domain ? ev->domain : addr, ev->dport,
		 ev->transport);
}

void egress_dns_answer(struct egress *g, const struct dns_packet *pk, const struct dns_msg *m,
		       uint64_t now_ns)
{
	dnsq_answer(g->dnsq, pk, m, now_ns);
}

/* The question in d, as it left the socket of the record e. */
static void question_from(const struct event *e, const struct dns_sent *d, struct dnsq_question *q)
{
	memset(q, 0, sizeof(*q));
	q->client = d->pk.src;
	q->server = d->pk.dst;
	q->cport = d->pk.sport;
	q->id = d->m.id;
	q->qtype = d->m.qtype;
	q->qclass = d->m.qclass;
	memcpy(q->qname, d->m.qname, sizeof(q->qname));
	q->netns = d->netns;
	q->pid = e->pid;
	q->asked_ns = e->ts;
}

int egress_dns_sent(struct egress *g, const struct event *e, const struct proc *p,
		    struct net_event *ev, struct verdict *v)
{
	const struct dns_sent *d = &e->dns;
	struct dnsq_question q;

	memset(v, 0, sizeof(*v));
	switch (d->kind) {
	case DNS_SENT_MALFORMED:
		return -EINVAL;
	case DNS_SENT_OTHER:
		return 0;
	case DNS_SENT_RESPONSE:
		/* a response a session made: only the kernel's word for it counts */
		if (d->pk.sport == DNS_PORT && e->session && (e->flags & DS_F_TRACKED)) {
			dnsq_forged(g->dnsq, &d->pk, d->id, e->ts);
			g->st.dns_forged++;
		}
		return 0;
	case DNS_SENT_QUESTION:
		break;
	}
	question_from(e, d, &q);
	dnsq_question(g->dnsq, &q);
	if (!p)
		return 0; /* recorded, not judged: outside install sessions */
	memcpy(g->qname, d->m.qname, sizeof(g->qname));
	egress_question_event(e, g->qname, ev);
	egress_dns_query(g, p, ev, e->ts, v);
	return 1;
}

void egress_question_event(const struct event *e, const char *qname, struct net_event *ev)
{
	const struct dns_sent *d = &e->dns;

	memset(ev, 0, sizeof(*ev));
	ev->kind = NET_DNS_QUERY;
	ev->src = d->pk.src;
	ev->dst = d->pk.dst;
	ipaddr_unmap(&ev->src);
	ipaddr_unmap(&ev->dst);
	ev->sport = d->pk.sport;
	ev->dport = d->pk.dport;
	ev->transport = IPPROTO_UDP;
	ev->session = e->session;
	ev->netns = d->netns;
	ev->qname = qname;
	ev->qtype = d->m.qtype;
	ev->dns_id = d->m.id;
}

void egress_dns_query(struct egress *g, const struct proc *p, struct net_event *ev, uint64_t now_ns,
		      struct verdict *v)
{
	(void)p; /* judged by the question alone */
	(void)now_ns;
	memset(v, 0, sizeof(*v));
	if (!g->cfg->egress_enabled || !ev->qname || !*ev->qname || dns_is_reverse(ev->qname))
		return;
	ipaddr_unmap(&ev->dst);
	ipaddr_unmap(&ev->src);
	/* a name allowed on any port may be asked for */
	v->allowed_by = allow_match(g->cfg->allow, g->cfg->nallow, ev->qname, NULL, 0);
	if (v->allowed_by) {
		g->st.allowed++;
		return;
	}
	/* data hides in the labels: one alert per site, not per question */
	decide(ev, g->cfg->egress_dns_severity,
	       "DNS question for a name outside the registry allowlist", v);
	snprintf(v->fold_key, sizeof(v->fold_key), "%016llx q %s", (unsigned long long)ev->session,
		 dns_site(ev->qname));
}

void judge_net(struct judges *j, struct event *e, const struct proc *p, struct verdict *v)
{
	int n;

	if (e->type == DS_EV_CONNECT) {
		egress_connect(j->egress, p, &e->connect, e->ts, v);
		j->net = &e->connect;
		return;
	}
	n = egress_dns_sent(j->egress, e, p, &j->question, v);
	if (n < 0)
		j->dns_malformed++;
	j->net = n > 0 ? &j->question : NULL;
}
