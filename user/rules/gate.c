// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The gate every verdict passes, once, before it is written: the
 * configured exclusions (docs/configuration.md), min_severity, and the
 * folding of repeats by the rule's fold key (rules/table.c says which rules
 * fold, and how). A folded rule writes its first sighting; the repeats are
 * counted and, for FOLD_FOLLOWUP, reported in one follow-up line once they
 * quieten. The table of sightings is bounded; the oldest goes first.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define FOLD_MAX	8192		       /* sightings remembered */
#define REPEAT_QUIET_NS (5ULL * 1000000000ULL) /* report repeats after this calm */

/* One first sighting, with the repeats since. */
struct sighting {
	enum rule_id rule;
	enum severity severity;
	struct net_event net; /* the first sighting's, strings owned below */
	bool have_net;
	char domain[DNS_NAME_MAX];
	char qname[DNS_NAME_MAX];
	uint32_t pid;
	uint64_t start;
	char comm[DS_COMM_LEN]; /* the process may be gone at the follow-up */
	uint64_t count;		/* sightings in all */
	uint64_t reported;	/* count at the last line written */
};

struct gate {
	const struct config *cfg;
	struct lru *seen;
	struct gate_stats st[RULE_MAX];
};

struct gate *gate_new(const struct config *c)
{
	struct gate *g = calloc(1, sizeof(*g));

	if (!g)
		return NULL;
	g->cfg = c;
	g->seen = lru_new(FOLD_MAX, sizeof(struct sighting));
	if (!g->seen) {
		free(g);
		return NULL;
	}
	return g;
}

void gate_free(struct gate *g)
{
	if (!g)
		return;
	lru_free(g->seen);
	free(g);
}

void gate_set_config(struct gate *g, const struct config *c)
{
	g->cfg = c;
}

bool gate_screen(const struct config *c, const struct proc *p, struct verdict *v)
{
	if (v->rule == RULE_NONE)
		return false;
	if (rule_id_excludable(v->rule)) {
		v->excluded_by = p ? rules_excluded_for(c, p, v->rule) : NULL;
		if (v->excluded_by || v->severity < c->min_severity || v->severity == SEV_NONE) {
			v->rule = RULE_NONE;
			return false;
		}
	}
	return true;
}

static void copy_name(char *dst, const char *src)
{
	snprintf(dst, DNS_NAME_MAX, "%s", src ? src : "");
}

static void remember(struct gate *g, const struct proc *p, const struct verdict *v, size_t klen,
		     uint64_t now_ns)
{
	struct sighting *s;

	if (lru_full(g->seen))
		lru_drop(g->seen, lru_oldest(g->seen));
	s = lru_insert(g->seen, v->fold_key, klen);
	if (!s)
		return;
	s->rule = v->rule;
	s->severity = v->severity;
	if (v->net) {
		s->have_net = true;
		s->net = *v->net;
		copy_name(s->domain, v->net->domain);
		copy_name(s->qname, v->net->qname);
		s->net.domain = v->net->domain ? s->domain : NULL;
		s->net.qname = v->net->qname ? s->qname : NULL;
	}
	s->net.first_ns = s->net.last_ns = now_ns;
	s->pid = p ? p->pid : 0;
	s->start = p ? p->start : 0;
	if (p && p->img)
		snprintf(s->comm, sizeof(s->comm), "%s",
			 p->img->name ? p->img->name : p->img->comm);
	s->count = s->reported = 1;
}

bool gate_pass(struct gate *g, const struct proc *p, struct verdict *v, uint64_t now_ns)
{
	enum rule_id rule = v->rule;
	const struct rule_info *ri;
	struct sighting *s;

	if (rule == RULE_NONE)
		return false;
	if (!gate_screen(g->cfg, p, v)) {
		if (v->excluded_by)
			g->st[rule].excluded++;
		return false;
	}
	ri = rule_info(v->rule);
	if (ri->fold != FOLD_NONE && v->fold_key[0]) {
		size_t klen = strlen(v->fold_key);

		s = lru_find(g->seen, v->fold_key, klen);
		if (s) {
			s->count++;
			s->net.last_ns = now_ns;
			g->st[v->rule].repeats++;
			v->rule = RULE_NONE;
			return false;
		}
		remember(g, p, v, klen, now_ns);
	}
	g->st[v->rule].passed++;
	return true;
}

void gate_repeats(struct gate *g, uint64_t now_ns, bool flush, gate_repeat_fn fn, void *arg)
{
	struct sighting *s;

	for (s = lru_oldest(g->seen); s; s = lru_newer(s)) {
		struct verdict v = { .rule = s->rule };

		if (s->count == s->reported || rule_info(s->rule)->fold != FOLD_FOLLOWUP)
			continue;
		if (!flush && now_ns - s->net.last_ns < REPEAT_QUIET_NS)
			continue;
		s->reported = s->count;
		s->net.repeats = s->count;
		v.severity = s->severity;
		v.reason = "repeated";
		v.rules_matched = 1U << s->rule;
		v.net = s->have_net ? &s->net : NULL;
		fn(&v, s->pid, s->start, s->comm, s->net.last_ns, arg);
	}
}

void gate_stats(const struct gate *g, enum rule_id r, struct gate_stats *st)
{
	*st = g->st[r];
}
