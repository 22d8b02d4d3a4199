// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The gate every verdict passes (rules/gate.c), and the bounded table it
 * keeps its sightings in (lib/lru.c). */
#include "unit.h"

#define NS 1000000000ULL

static struct config *cfg;

static void strlist_one(struct strlist *l, const char *s)
{
	l->v = calloc(2, sizeof(*l->v));
	l->v[0] = strdup(s);
	l->n = 1;
}

/* The built-in configuration, with one exclusion of its own: "gatetool"
 * for pm-suspicious-child only. */
static int setup(void **state)
{
	struct exclusion *e;

	(void)state;
	if (config_load(NULL, &cfg, stderr))
		return -1;
	cfg->excl = realloc(cfg->excl, (cfg->nexcl + 1) * sizeof(*cfg->excl));
	e = &cfg->excl[cfg->nexcl++];
	memset(e, 0, sizeof(*e));
	e->comment = strdup("the gate's test");
	strlist_one(&e->executables, "gatetool");
	strlist_one(&e->rules, "pm-suspicious-child");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	config_free(cfg);
	return 0;
}

static void verdict(struct verdict *v, enum rule_id rule, enum severity sev, const char *key)
{
	memset(v, 0, sizeof(*v));
	v->rule = rule;
	v->severity = sev;
	v->reason = "test";
	v->rules_matched = 1U << rule;
	snprintf(v->fold_key, sizeof(v->fold_key), "%s", key);
}

static void test_min_severity(void **state)
{
	struct verdict v;

	(void)state;
	assert_int_equal(cfg->min_severity, SEV_MEDIUM);
	verdict(&v, RULE_PM_CHILD, SEV_LOW, "");
	assert_false(gate_screen(cfg, NULL, &v));
	assert_int_equal(v.rule, RULE_NONE);
	assert_null(v.excluded_by);
	verdict(&v, RULE_PM_CHILD, SEV_MEDIUM, "");
	assert_true(gate_screen(cfg, NULL, &v));
	assert_int_equal(v.rule, RULE_PM_CHILD);
	verdict(&v, RULE_EGRESS, SEV_NONE, "");
	assert_false(gate_screen(cfg, NULL, &v));
	/* the sensor's own rules are never below it */
	verdict(&v, RULE_SENSOR_SIGNAL, SEV_LOW, "");
	assert_true(gate_screen(cfg, NULL, &v));
}

/* An exclusion of the built-in configuration, for one rule and not another. */
static void test_exclusion(void **state)
{
	struct session sess = { .id = 7 };
	struct proc *npm = unit_proc(NULL, &sess, 100, "/usr/bin/node",
				     "node /usr/bin/npm install");
	struct proc *p = unit_proc(npm, &sess, 101, "/usr/bin/gatetool", "gatetool --x");
	struct gate *g = gate_new(cfg);
	struct verdict v;
	struct gate_stats st;

	(void)state;
	sess.root = npm;
	verdict(&v, RULE_PM_CHILD, SEV_CRITICAL, "");
	assert_false(gate_screen(cfg, p, &v));
	assert_int_equal(v.rule, RULE_NONE);
	assert_string_equal(v.excluded_by, "the gate's test");
	verdict(&v, RULE_PM_CHILD, SEV_HIGH, "");
	assert_false(gate_pass(g, p, &v, 1));
	gate_stats(g, RULE_PM_CHILD, &st);
	assert_int_equal(st.excluded, 1);
	assert_int_equal(st.passed, 0);
	/* the exclusion names one rule: another passes */
	verdict(&v, RULE_EGRESS, SEV_HIGH, "k");
	assert_true(gate_pass(g, p, &v, 1));
	assert_null(v.excluded_by);
	/* no exclusion names the sensor's rules */
	verdict(&v, RULE_SENSOR_SIGNAL, SEV_HIGH, "");
	assert_true(gate_pass(g, p, &v, 1));
	assert_null(v.excluded_by);
	gate_free(g);
	image_put(p->img);
	free(p);
	image_put(npm->img);
	free(npm);
}

struct followups {
	int n;
	uint64_t repeats, ts;
	uint32_t pid;
	char comm[DS_COMM_LEN];
	enum rule_id rule;
};

static void collect(const struct verdict *v, uint32_t pid, uint64_t start, const char *comm,
		    uint64_t ts, void *arg)
{
	struct followups *f = arg;

	(void)start;
	f->n++;
	f->rule = v->rule;
	f->repeats = v->net ? v->net->repeats : 0;
	f->ts = ts;
	f->pid = pid;
	snprintf(f->comm, sizeof(f->comm), "%s", comm);
	assert_string_equal(v->reason, "repeated");
	assert_int_equal(v->severity, SEV_HIGH);
}

static void test_fold_followup(void **state)
{
	struct gate *g = gate_new(cfg);
	struct proc *p = unit_proc(NULL, NULL, 300, "/usr/bin/curl", "curl x");
	struct net_event ev = { .kind = NET_CONNECT, .domain = "evil.example" };
	struct followups got = { 0 };
	struct gate_stats st;
	struct verdict v;
	int i;

	(void)state;
	for (i = 1; i <= 4; i++) {
		verdict(&v, RULE_EGRESS, SEV_HIGH, "s1 evil.example 443");
		v.net = &ev;
		assert_int_equal(gate_pass(g, p, &v, (uint64_t)i * NS), i == 1);
	}
	/* another key is another first sighting */
	verdict(&v, RULE_EGRESS, SEV_HIGH, "s2 evil.example 443");
	v.net = &ev;
	assert_true(gate_pass(g, p, &v, 4 * NS));
	gate_repeats(g, 5 * NS, false, collect, &got);
	assert_int_equal(got.n, 0); /* not quiet yet */
	gate_repeats(g, 10 * NS, false, collect, &got);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.rule, RULE_EGRESS);
	assert_int_equal(got.repeats, 4);
	assert_int_equal(got.ts, 4 * NS);
	assert_int_equal(got.pid, 300);
	assert_string_equal(got.comm, "curl");
	gate_repeats(g, 60 * NS, true, collect, &got);
	assert_int_equal(got.n, 1); /* reported once */
	gate_stats(g, RULE_EGRESS, &st);
	assert_int_equal(st.passed, 2);
	assert_int_equal(st.repeats, 3);
	gate_free(g);
	image_put(p->img);
	free(p);
}

static void test_fold_silent_and_none(void **state)
{
	struct gate *g = gate_new(cfg);
	struct followups got = { 0 };
	struct verdict v;

	(void)state;
	verdict(&v, RULE_SENSOR_SIGNAL, SEV_HIGH, "5/6/19");
	assert_true(gate_pass(g, NULL, &v, 1));
	verdict(&v, RULE_SENSOR_SIGNAL, SEV_HIGH, "5/6/19");
	assert_false(gate_pass(g, NULL, &v, 2));
	assert_int_equal(v.rule, RULE_NONE);
	verdict(&v, RULE_SENSOR_SIGNAL, SEV_HIGH, "5/6/18");
	assert_true(gate_pass(g, NULL, &v, 3));
	gate_repeats(g, 100 * NS, true, collect, &got);
	assert_int_equal(got.n, 0); /* silent: no follow-up */
	/* a rule that does not fold writes every verdict, key or not */
	verdict(&v, RULE_PM_CHILD, SEV_HIGH, "same");
	assert_true(gate_pass(g, NULL, &v, 4));
	verdict(&v, RULE_PM_CHILD, SEV_HIGH, "same");
	assert_true(gate_pass(g, NULL, &v, 5));
	verdict(&v, RULE_NONE, SEV_HIGH, "");
	assert_false(gate_pass(g, NULL, &v, 6));
	gate_free(g);
}

/* The rules as data: a record goes to the judges of the rules that take
 * its kind, each distinct judge once. */
static void test_judge_routing(void **state)
{
	struct session sess = { .id = 9 };
	struct proc *npm = unit_proc(NULL, &sess, 400, "/usr/bin/node",
				     "node /usr/bin/npm install");
	struct proc *p = unit_proc(npm, &sess, 401, "/usr/bin/whoami", "whoami");
	struct tamper_event tev;
	struct judges j = { .cfg = cfg, .tamper = &tev };
	struct verdict v[RULE_MAX];
	struct event e;
	enum rule_id r;
	unsigned int kinds = 0;

	(void)state;
	sess.root = npm;
	/* every kind a record has is taken by some rule, but fork and exit */
	for (r = RULE_NONE + 1; r < RULE_MAX; r++)
		kinds |= rule_info(r)->kinds;
	assert_int_equal(kinds, (1U << DS_EV_EXEC) | (1U << DS_EV_CONNECT) | (1U << DS_EV_DNS) |
					(1U << DS_EV_FILE) | (1U << DS_EV_SIGNAL));
	/* both process rules match whoami under npm: one judge, one verdict */
	memset(&e, 0, sizeof(e));
	e.type = DS_EV_EXEC;
	assert_int_equal(rules_judge(&j, &e, p, v, RULE_MAX), 1);
	assert_int_equal(v[0].rule, RULE_PM_CHILD);
	assert_true(v[0].rules_matched & (1U << RULE_PM_CHILD));
	/* no rule takes a fork */
	e.type = DS_EV_FORK;
	assert_int_equal(rules_judge(&j, &e, p, v, RULE_MAX), 0);
	/* a signal from an install session to the sensor */
	memset(&e, 0, sizeof(e));
	e.type = DS_EV_SIGNAL;
	e.pid = 401;
	e.signal.s.sig = 19;
	e.signal.s.origin = ORIGIN_PROCESS;
	e.signal.s.session = 9;
	snprintf(e.signal.s.name, sizeof(e.signal.s.name), "SIGSTOP");
	assert_int_equal(rules_judge(&j, &e, NULL, v, RULE_MAX), 1);
	assert_int_equal(v[0].rule, RULE_SENSOR_SIGNAL);
	assert_ptr_equal(v[0].tamper, &tev);
	/* room for none: nothing judged into out */
	assert_int_equal(rules_judge(&j, &e, NULL, v, 0), 0);
	image_put(p->img);
	free(p);
	image_put(npm->img);
	free(npm);
}

static void test_lru(void **state)
{
	struct lru *l = lru_new(3, sizeof(int));
	char key[8];
	int i, *v;

	(void)state;
	assert_null(lru_new(0, sizeof(int)));
	assert_non_null(l);
	for (i = 0; i < 3; i++) {
		snprintf(key, sizeof(key), "k%d", i);
		assert_false(lru_full(l));
		v = lru_insert(l, key, strlen(key));
		assert_non_null(v);
		assert_int_equal(*v, 0); /* zeroed */
		*v = i;
	}
	assert_true(lru_full(l));
	assert_int_equal(lru_count(l), 3);
	v = lru_find(l, "k1", 2);
	assert_non_null(v);
	assert_int_equal(*v, 1);
	assert_null(lru_find(l, "k", 1));
	assert_null(lru_find(l, "k10", 3));
	/* insertion order; touched goes newest */
	lru_touch(l, lru_find(l, "k0", 2));
	v = lru_oldest(l);
	assert_int_equal(*v, 1);
	v = lru_newer(v);
	assert_int_equal(*v, 2);
	v = lru_newer(v);
	assert_int_equal(*v, 0);
	assert_null(lru_newer(v));
	lru_drop(l, lru_oldest(l));
	assert_null(lru_find(l, "k1", 2));
	assert_int_equal(lru_count(l), 2);
	/* a resize rehashes: everything is still found */
	assert_int_equal(lru_resize(l, 1000), 0);
	assert_non_null(lru_find(l, "k0", 2));
	assert_non_null(lru_find(l, "k2", 2));
	assert_false(lru_full(l));
	/* binary keys */
	v = lru_insert(l, "a\0b", 3);
	*v = 42;
	assert_null(lru_find(l, "a\0c", 3));
	assert_int_equal(*(int *)lru_find(l, "a\0b", 3), 42);
	lru_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_min_severity),  cmocka_unit_test(test_exclusion),
		cmocka_unit_test(test_fold_followup), cmocka_unit_test(test_fold_silent_and_none),
		cmocka_unit_test(test_judge_routing), cmocka_unit_test(test_lru),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
