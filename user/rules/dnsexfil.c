// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Rule install-dns-exfiltration: the DNS questions of install sessions,
 * as the kernel saw them leave (connected or not: sendto() and sendmsg()
 * on an unconnected UDP socket included), judged on two things.
 *
 * Where they go. A package's code has no business with a nameserver of
 * its own choosing: torchtriton (PyPI, December 2022) sent its stolen data
 * straight to the attacker's nameserver. A question to an address that is
 * not one of the sender's resolvers is an alert.
 *
 * What they carry. Through the resolver, data travels in the name itself,
 * to whoever serves the zone: long runs of hex, base32 or base64, more
 * labels or more characters than host names have. Only the part of the
 * name below its registered domain is read (dns_site), so neither the
 * zone's own name nor a short CDN label can trip it; reverse lookups and
 * allowlisted or ignored names are never judged on their content.
 *
 * One alert per (session, server) for the first, per (session, registered
 * domain) for the second: the gate folds the repeats (rules/table.c).
 */
#include <math.h>
#include <string.h>

#include "rules.h"

#define DIGIT_RUNS_MIN	2      /* an encoded run has digits in two places at least */
#define BASE64_EXTRA	"_+/=" /* base64url's '_', base64's '+' '/' '=' padding */
#define LABEL_SEPARATOR '.'

/* clang-format off */
static const struct {
	const char *name;   /* the test's */
	const char *reason; /* what the name carries, for event.reason */
} data_tests[] = {
	[DNS_DATA_NONE] = { "none", "" },
	[DNS_DATA_BINARY] = { "binary", "bytes that no host name has" },
	[DNS_DATA_HEX] = { "hex", "a long run of hex digits" },
	[DNS_DATA_ENCODED] = { "encoded", "a long run of base32 or base64 with high entropy" },
	[DNS_DATA_LABELS] = { "labels", "more labels than host names have" },
	[DNS_DATA_LENGTH] = { "length", "more characters than host names have" },
};
/* clang-format on */

const char *dns_data_test_name(enum dns_data_test t)
{
	return (size_t)t < ARRAY_SIZE(data_tests) ? data_tests[t].name : "none";
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_hex(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'f');
}

/* The alphabets of base32 and base64, as decoded (lower case); '-', the
 * one of base64url that host names also use, ends a run, so that words
 * joined by hyphens are never one. */
static bool is_encoded(char c)
{
	return is_digit(c) || (c >= 'a' && c <= 'z') || (c && strchr(BASE64_EXTRA, c));
}

/* Shannon entropy of s[0..n), in bits per character. */
static double entropy(const char *s, size_t n)
{
	unsigned int count[256] = { 0 };
	double h = 0;
	size_t i;

	for (i = 0; i < n; i++)
		count[(unsigned char)s[i]]++;
	for (i = 0; i < 256; i++) {
		double p = (double)count[i] / (double)n;

		if (count[i])
			h -= p * log2(p);
	}
	return h;
}

static size_t digit_runs(const char *s, size_t n)
{
	size_t i, runs = 0;

	for (i = 0; i < n; i++)
		if (is_digit(s[i]) && (i == 0 || !is_digit(s[i - 1])))
			runs++;
	return runs;
}

static bool hex_data(const char *s, size_t n, const struct dns_data_limits *lim)
{
	size_t i;

	if (n < lim->hex_run)
		return false;
	for (i = 0; i < n; i++)
		if (is_digit(s[i]))
			return true; /* not a word spelt with a to f */
	return false;
}

static bool encoded_data(const char *s, size_t n, const struct dns_data_limits *lim)
{
	return n >= lim->encoded_run && digit_runs(s, n) >= DIGIT_RUNS_MIN &&
	       entropy(s, n) >= lim->entropy;
}

static void found(struct dns_data *out, enum dns_data_test t, const char *s, size_t n)
{
	out->test = t;
	if (n >= sizeof(out->what))
		n = sizeof(out->what) - 1;
	memcpy(out->what, s, n);
	out->what[n] = '\0';
}

/* The first run of chars accepted by in, in label[0..n), that test holds
 * data by; false if none. */
static bool runs_data(const char *label, size_t n, bool (*in)(char),
		      bool (*test)(const char *, size_t, const struct dns_data_limits *),
		      const struct dns_data_limits *lim, const char **run, size_t *len)
{
	size_t i = 0, start;

	while (i < n) {
		while (i < n && !in(label[i]))
			i++;
		start = i;
		while (i < n && in(label[i]))
			i++;
		if (i > start && test(label + start, i - start, lim)) {
			*run = label + start;
			*len = i - start;
			return true;
		}
	}
	return false;
}

/* The content tests on one label: binary, hex, encoded. */
static bool label_data(const char *label, size_t n, const struct dns_data_limits *lim,
		       struct dns_data *out)
{
	const char *run;
	size_t len;

	if (memchr(label, '\\', n)) {
		found(out, DNS_DATA_BINARY, label, n);
		return true;
	}
	if (runs_data(label, n, is_hex, hex_data, lim, &run, &len)) {
		found(out, DNS_DATA_HEX, run, len);
		return true;
	}
	if (runs_data(label, n, is_encoded, encoded_data, lim, &run, &len)) {
		found(out, DNS_DATA_ENCODED, run, len);
		return true;
	}
	return false;
}

bool dns_name_data(const char *name, const struct dns_data_limits *lim, struct dns_data *out)
{
	const char *site = dns_site(name), *label, *dot;
	size_t sub, labels = 0;

	memset(out, 0, sizeof(*out));
	if (dns_is_reverse(name) || site == name)
		return false;
	sub = (size_t)(site - name) - 1; /* what is below the registered domain */
	for (label = name; label < name + sub; label = dot + 1) {
		dot = memchr(label, LABEL_SEPARATOR, (size_t)(name + sub - label));
		if (!dot)
			dot = name + sub;
		labels++;
		if (label_data(label, (size_t)(dot - label), lim, out))
			return true;
	}
	if (labels > lim->labels)
		found(out, DNS_DATA_LABELS, name, sub);
	else if (sub > lim->length)
		found(out, DNS_DATA_LENGTH, name, sub);
	return out->test != DNS_DATA_NONE;
}

/* Is the server one the sender may ask: one of its resolvers, or one the
 * configuration names? */
static bool server_expected(const struct config *c, const struct proc *p, uint32_t pid,
			    uint32_t net_ns, const struct ipaddr *server)
{
	if (allow_match(c->exfil_resolvers, c->nexfil_resolvers, NULL, server, 0))
		return true;
	return egress_is_resolver(p, pid, net_ns, server);
}

/* Is the name one whose content is not judged? */
static bool name_trusted(const struct config *c, const char *name)
{
	return allow_match(c->allow, c->nallow, name, NULL, 0) ||
	       match_any(&c->exfil_ignored, name);
}

static enum severity max_severity(enum severity a, enum severity b)
{
	return a > b ? a : b;
}

/* The verdict: the server's if it is not expected (one alert per session
 * and server), else the data's (one per session and registered domain). */
static void decide(const struct config *c, struct dns_exfil_scratch *x, bool other_server,
		   const struct dns_data *data, struct verdict *v)
{
	const struct net_event *q = &x->q;
	char addr[IPADDR_STRLEN];

	ipaddr_format(&q->dst, addr, sizeof(addr));
	v->rule = RULE_DNS_EXFIL;
	v->rules_matched = 1U << RULE_DNS_EXFIL;
	v->net = q;
	v->reason = x->reason;
	v->matched = x->matched;
	if (data->test != DNS_DATA_NONE) {
		v->matched_field = "dns.question.name";
		snprintf(x->matched, sizeof(x->matched), "%s", data->what);
	} else {
		v->matched_field = "destination.ip";
		snprintf(x->matched, sizeof(x->matched), "%s", addr);
	}
	if (other_server) {
		v->severity = c->exfil_server_severity;
		if (data->test != DNS_DATA_NONE)
			v->severity = max_severity(v->severity, c->exfil_data_severity);
		snprintf(x->reason, sizeof(x->reason),
			 "DNS question sent straight to a nameserver that is not a resolver%s%s",
			 data->test != DNS_DATA_NONE ? ", its name carrying data: " : "",
			 data_tests[data->test].reason);
		snprintf(v->fold_key, sizeof(v->fold_key), "%016llx xs %s %u",
			 (unsigned long long)q->session, addr, q->dport);
		return;
	}
	v->severity = c->exfil_data_severity;
	snprintf(x->reason, sizeof(x->reason), "DNS name carries data: %s",
		 data_tests[data->test].reason);
	snprintf(v->fold_key, sizeof(v->fold_key), "%016llx xd %s", (unsigned long long)q->session,
		 dns_site(q->qname));
}

void judge_dns_exfil(struct judges *j, struct event *e, const struct proc *p, struct verdict *v)
{
	const struct config *c = j->cfg;
	const struct dns_sent *d = &e->dns;
	struct dns_data data = { .test = DNS_DATA_NONE };
	bool other_server;

	memset(v, 0, sizeof(*v));
	/* the questions of install sessions only, by the kernel's word */
	if (!c->exfil_enabled || !p || !e->session || !(e->flags & DS_F_TRACKED) ||
	    d->kind != DNS_SENT_QUESTION)
		return;
	memcpy(j->exfil.qname, d->m.qname, sizeof(j->exfil.qname));
	egress_question_event(e, j->exfil.qname, &j->exfil.q);
	other_server = !server_expected(c, p, e->pid, d->netns, &j->exfil.q.dst);
	if (!name_trusted(c, d->m.qname))
		dns_name_data(d->m.qname, &c->exfil_limits, &data);
	if (!other_server && data.test == DNS_DATA_NONE)
		return;
	decide(c, &j->exfil, other_server, &data, v);
}
