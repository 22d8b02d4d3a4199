// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The configuration: the built-in default, and every way a file can be wrong. */
#include <errno.h>
#include <unistd.h>

#include "unit.h"

#define SENTINEL ((struct config *)0x5e5e)

/* A small valid document, as top-level key and raw JSON value. */
struct kv {
	const char *key;
	const char *value;
};

static const struct kv base[] = {
	{ "environment", "[\"npm_lifecycle_event\", \"CI\"]" },
	{ "package_managers",
	  "[{\"name\": \"npm\", \"package_type\": \"npm\", \"executables\": [\"node\"], "
	  "\"scripts\": [\"npm\"]}]" },
	{ "shells", "[\"sh\", \"bash\"]" },
	{ "suspicious_processes",
	  "[{\"severity\": \"high\", \"reason\": \"network tool\", \"names\": [\"curl\"]}]" },
	{ "suspicious_command_lines",
	  "[{\"severity\": \"critical\", \"reason\": \"reverse shell\", "
	  "\"patterns\": [\"*/dev/tcp/*\"]}]" },
	{ "rules",
	  "{\"pm-suspicious-child\": {\"enabled\": true}, "
	  "\"lifecycle-hook-suspicious-child\": {\"enabled\": false, "
	  "\"parent_command_lines\": [\"*postinstall*\"], \"lifecycle_events\": [\"install\"]}, "
	  "\"pm-unexpected-egress\": {\"enabled\": true}, "
	  "\"cicd-file-modified\": {\"enabled\": true, \"suspicious_writers\": [\"curl\"], "
	  "\"suspicious_writer_command_lines\": [\"*python* -c *\"], "
	  "\"known_writers\": [\"git\"]}}" },
	{ "files",
	  "{\"pipeline_files\": [\"*/.github/workflows/*\"], "
	  "\"build_files\": [\"*/Makefile\"], \"generated_markers\": [\"CMakeCache.txt\"]}" },
	{ "network", "{\"registry_allowlist\": [\"registry.npmjs.org\", \"*.example.org:443\", "
		     "\"10.0.0.0/8\", \"[fd00::/8]:8081\"]}" },
};

/*
 * The base document with key k set to raw JSON v (NULL: removed); a key
 * not in the base is added. Two overrides at most.
 */
static char *doc(const char *k1, const char *v1, const char *k2, const char *v2)
{
	char *out = NULL;
	size_t len = 0, i;
	FILE *f = open_memstream(&out, &len);
	const char *sep = "";
	bool used1 = false, used2 = false;

	fputc('{', f);
	for (i = 0; i < ARRAY_SIZE(base); i++) {
		const char *v = base[i].value;

		if (k1 && strcmp(k1, base[i].key) == 0) {
			v = v1;
			used1 = true;
		} else if (k2 && strcmp(k2, base[i].key) == 0) {
			v = v2;
			used2 = true;
		}
		if (!v)
			continue;
		fprintf(f, "%s\n\"%s\": %s", sep, base[i].key, v);
		sep = ",";
	}
	if (k1 && !used1)
		fprintf(f, "%s\n\"%s\": %s", sep, k1, v1);
	if (k2 && !used2)
		fprintf(f, ",\n\"%s\": %s", k2, v2);
	fputs("\n}\n", f);
	fclose(f);
	return out;
}

/* Parse text as "t.json"; returns the result, errors go to *errs. */
static int parse(const char *text, struct config **c, char **errs)
{
	size_t len = 0;
	FILE *f = open_memstream(errs, &len);
	int err;

	*c = SENTINEL;
	err = config_parse("t.json", text, strlen(text), c, f);
	fclose(f);
	return err;
}

/* Expect failure with *c untouched and msg among the errors. */
static void expect_error(const char *text, const char *msg)
{
	struct config *c;
	char *errs;

	assert_int_equal(parse(text, &c, &errs), -EINVAL);
	assert_ptr_equal(c, SENTINEL);
	if (!strstr(errs, msg))
		fail_msg("expected \"%s\" in:\n%s", msg, errs);
	free(errs);
}

static void expect_doc_error(const char *k, const char *v, const char *msg)
{
	char *text = doc(k, v, NULL, NULL);

	expect_error(text, msg);
	free(text);
}

static size_t count_lines(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\n';
	return n;
}

static void test_builtin(void **state)
{
	struct config *c = NULL;
	size_t i;
	bool npm = false, pip = false;

	(void)state;
	assert_int_equal(config_load(NULL, &c, stderr), 0);
	assert_string_equal(c->source, "(built-in)");
	assert_int_equal(c->ringbuf_bytes, 16 << 20);
	assert_int_equal(c->proctable_max, 65536);
	assert_int_equal(c->min_severity, SEV_MEDIUM);
	assert_true(c->pm_child_enabled);
	assert_true(c->lifecycle_enabled);
	assert_true(match_in(&c->env_vars, "npm_lifecycle_event"));
	assert_true(match_in(&c->env_vars, "npm_package_name"));
	assert_true(match_in(&c->shells, "bash"));
	assert_true(match_in(&c->lifecycle_events, "postinstall"));
	assert_non_null(match_any(&c->lifecycle_parents, "node install.js"));
	for (i = 0; i < c->npms; i++) {
		npm |= strcmp(c->pms[i].name, "npm") == 0;
		pip |= strcmp(c->pms[i].name, "pip") == 0;
	}
	assert_true(npm && pip);
	assert_true(c->nnames > 0 && c->ncmdlines > 0 && c->nexcl > 0);
	for (i = 0; i < c->nexcl; i++)
		assert_non_null(c->excl[i].comment);
	config_free(c);
}

static void test_base_doc(void **state)
{
	struct config *c;
	char *text = doc(NULL, NULL, NULL, NULL), *errs;

	(void)state;
	assert_int_equal(parse(text, &c, &errs), 0);
	assert_string_equal(errs, "");
	assert_string_equal(c->source, "t.json");
	assert_int_equal(c->npms, 1);
	assert_string_equal(c->pms[0].name, "npm");
	assert_int_equal(c->pms[0].scripts.n, 1);
	assert_int_equal(c->pms[0].command_lines.n, 0);
	assert_int_equal(c->names[0].severity, SEV_HIGH);
	assert_int_equal(c->cmdlines[0].severity, SEV_CRITICAL);
	assert_false(c->lifecycle_enabled);
	assert_int_equal(c->nexcl, 0);
	assert_int_equal(c->ringbuf_bytes, 16 << 20);
	config_free(c);
	free(errs);
	free(text);
}

static void test_scalars(void **state)
{
	struct config *c;
	char *text, *errs;

	(void)state;
	text = doc("ring_buffer_size", "262144", "process_table_size", "4194304");
	assert_int_equal(parse(text, &c, &errs), 0);
	assert_int_equal(c->ringbuf_bytes, 262144);
	assert_int_equal(c->proctable_max, 4194304);
	config_free(c);
	free(errs);
	free(text);
	text = doc("ring_buffer_size", "1073741824", "min_severity", "\"critical\"");
	assert_int_equal(parse(text, &c, &errs), 0);
	assert_int_equal(c->ringbuf_bytes, 1U << 30);
	assert_int_equal(c->min_severity, SEV_CRITICAL);
	config_free(c);
	free(errs);
	free(text);
}

static void test_syntax_line(void **state)
{
	(void)state;
	expect_error("{\n\t\"shells\": [\"sh\",\n\t\t\"bash\" \"dash\"]\n}\n", "t.json:3:");
	expect_error("{\n\"a\": 1,\n\n\"b\": tru\n}", "t.json:4:");
	expect_error("{\"shells\": [\"sh\",]}", "t.json:1:");
	expect_error("", "t.json:1:1: unexpected end of input");
	expect_error("{\n\"shells\": [\n", "t.json:3:1: unexpected end of input");
	expect_error("{}\n}\n", "t.json:2:1: unexpected character");
	expect_error("[1, 2]", "t.json: $: expected an object");
}

static void test_syntax_column(void **state)
{
	struct config *c;
	char *errs;
	unsigned int line, col;

	(void)state;
	assert_int_equal(parse("{\n  \"a\": @\n}", &c, &errs), -EINVAL);
	assert_int_equal(sscanf(errs, "t.json:%u:%u:", &line, &col), 2);
	assert_int_equal(line, 2);
	assert_int_equal(col, 8);
	free(errs);
}

static void test_types(void **state)
{
	(void)state;
	expect_doc_error("shells", "\"sh\"", "t.json: $.shells: expected an array of strings");
	expect_doc_error("shells", "[\"sh\", 3]", "t.json: $.shells[1]: expected a string");
	expect_doc_error("package_managers", "{}",
			 "t.json: $.package_managers: expected an array of objects");
	expect_doc_error("package_managers", "[\"npm\"]",
			 "t.json: $.package_managers[0]: expected an object");
	expect_doc_error("ring_buffer_size", "\"16M\"", "$.ring_buffer_size: expected an integer");
	expect_doc_error("ring_buffer_size", "1048576.0",
			 "$.ring_buffer_size: expected an integer");
	expect_doc_error("rules",
			 "{\"pm-suspicious-child\": {\"enabled\": \"yes\"}, "
			 "\"lifecycle-hook-suspicious-child\": {\"parent_command_lines\": [], "
			 "\"lifecycle_events\": []}}",
			 "$.rules.pm-suspicious-child.enabled: expected true or false");
	expect_doc_error("min_severity", "3", "$.min_severity: expected a severity");
}

static void test_unknown_keys(void **state)
{
	(void)state;
	expect_doc_error("rulez", "{}", "t.json: $.rulez: unknown key");
	expect_doc_error("rules",
			 "{\"pm-suspicious-child\": {\"enabeld\": false}, "
			 "\"lifecycle-hook-suspicious-child\": {\"parent_command_lines\": [], "
			 "\"lifecycle_events\": []}}",
			 "t.json: $.rules.pm-suspicious-child.enabeld: unknown key");
	expect_doc_error("suspicious_processes",
			 "[{\"severity\": \"high\", \"reason\": \"r\", \"names\": [\"a\"]}, "
			 "{\"severity\": \"high\", \"reason\": \"r\", \"patterns\": [\"a\"]}]",
			 "$.suspicious_processes[1].patterns: unknown key");
	expect_doc_error("exclusions", "[{\"comment\": \"c\", \"executable\": [\"make\"]}]",
			 "$.exclusions[0].executable: unknown key");
}

static void test_missing_keys(void **state)
{
	(void)state;
	expect_doc_error("shells", NULL, "t.json: $: missing required key \"shells\"");
	expect_doc_error("package_managers", "[{\"name\": \"npm\", \"executables\": [\"node\"]}]",
			 "$.package_managers[0]: missing required key \"package_type\"");
	expect_doc_error("rules", "{\"pm-suspicious-child\": {}}",
			 "$.rules: missing required key \"lifecycle-hook-suspicious-child\"");
	expect_doc_error("exclusions", "[{\"executables\": [\"make\"]}]",
			 "$.exclusions[0]: missing required key \"comment\"");
}

static void test_severity(void **state)
{
	(void)state;
	expect_doc_error("min_severity", "\"severe\"",
			 "$.min_severity: unknown severity \"severe\"");
	expect_doc_error("min_severity", "\"High\"", "$.min_severity: unknown severity \"High\"");
	expect_doc_error("min_severity", "\"none\"", "$.min_severity: unknown severity \"none\"");
	expect_doc_error("suspicious_processes",
			 "[{\"severity\": \"hgh\", \"reason\": \"r\", \"names\": [\"a\"]}]",
			 "$.suspicious_processes[0].severity: unknown severity \"hgh\"");
	assert_string_equal(severity_name(SEV_LOW), "low");
	assert_string_equal(severity_name(SEV_CRITICAL), "critical");
	assert_int_equal(severity_score(SEV_LOW), 21);
	assert_int_equal(severity_score(SEV_MEDIUM), 47);
	assert_int_equal(severity_score(SEV_HIGH), 73);
	assert_int_equal(severity_score(SEV_CRITICAL), 99);
	assert_int_equal(severity_score(SEV_NONE), 0);
}

static void test_sizes(void **state)
{
	(void)state;
	expect_doc_error("ring_buffer_size", "1000000",
			 "$.ring_buffer_size: 1000000 is not a power of two");
	expect_doc_error("ring_buffer_size", "131072",
			 "$.ring_buffer_size: 131072 is out of range");
	expect_doc_error("ring_buffer_size", "2147483648",
			 "$.ring_buffer_size: 2147483648 is out of range");
	expect_doc_error("ring_buffer_size", "-262144", "is out of range");
	expect_doc_error("ring_buffer_size", "99999999999999999999999", "is out of range");
	expect_doc_error("process_table_size", "1023",
			 "$.process_table_size: 1023 is out of range");
	expect_doc_error("process_table_size", "4194305",
			 "$.process_table_size: 4194305 is out of range");
}

static void test_status_keys(void **state)
{
	struct config *c;
	char *text, *errs;

	(void)state;
	assert_int_equal(config_load(NULL, &c, stderr), 0);
	assert_int_equal(c->status_interval, STATUS_INTERVAL_DEFAULT);
	assert_null(c->status_file);
	config_free(c);
	text = doc("status_interval", "0", "status_file", "\"/run/x/status\"");
	assert_int_equal(parse(text, &c, &errs), 0);
	assert_int_equal(c->status_interval, 0);
	assert_string_equal(c->status_file, "/run/x/status");
	config_free(c);
	free(errs);
	free(text);
	expect_doc_error("status_interval", "86401", "$.status_interval: 86401 is out of range");
	expect_doc_error("status_interval", "\"5m\"", "$.status_interval: expected an integer");
	expect_doc_error("status_file", "\"\"", "$.status_file: must not be empty");
	expect_doc_error("status_file", "[\"/run/x\"]", "$.status_file: expected a string");
}

static void test_strings(void **state)
{
	(void)state;
	expect_doc_error("shells", "[\"sh\", \"\"]", "t.json: $.shells[1]: must not be empty");
	expect_doc_error("suspicious_command_lines",
			 "[{\"severity\": \"high\", \"reason\": \"r\", \"patterns\": [\"\"]}]",
			 "$.suspicious_command_lines[0].patterns[0]: must not be empty");
	expect_doc_error("suspicious_command_lines",
			 "[{\"severity\": \"high\", \"reason\": \"\", \"patterns\": [\"x\"]}]",
			 "$.suspicious_command_lines[0].reason: must not be empty");
	expect_doc_error("shells", "[\"s\\u0000h\"]", "$.shells[0]: contains a NUL byte");
	expect_doc_error(
		"environment", "[\"CI\", \"npm-config\"]",
		"$.environment[1]: \"npm-config\" is not a valid environment variable name");
	expect_doc_error("environment", "[\"1CI\"]", "is not a valid environment variable name");
	expect_doc_error("exclusions", "[{\"comment\": \"all\", \"users\": []}]",
			 "$.exclusions[0]: exclusion needs at least one non-empty list");
}

static void test_network(void **state)
{
	struct config *c = NULL;
	char *text = doc(NULL, NULL, NULL, NULL), *errs = NULL;

	(void)state;
	assert_int_equal(parse(text, &c, &errs), 0);
	free(text);
	free(errs);
	assert_int_equal(c->nallow, 4);
	assert_int_equal(c->allow[0].kind, ALLOW_NAME);
	assert_string_equal(c->allow[0].name, "registry.npmjs.org");
	assert_int_equal(c->allow[1].kind, ALLOW_SUFFIX);
	assert_string_equal(c->allow[1].name, "example.org");
	assert_int_equal(c->allow[1].port, 443);
	assert_int_equal(c->allow[2].kind, ALLOW_CIDR);
	assert_int_equal(c->allow[2].prefix, 8);
	assert_int_equal(c->allow[3].prefix, 8);
	assert_int_equal(c->allow[3].port, 8081);
	/* defaults of what the document leaves out */
	assert_true(c->egress_enabled);
	assert_int_equal(c->egress_severity, SEV_MEDIUM);
	assert_int_equal(c->egress_raw_severity, SEV_HIGH);
	assert_true(c->dns_capture);
	assert_int_equal(c->dns_min_ttl, 60);
	assert_int_equal(c->dns_question_timeout, 10);
	config_free(c);

	expect_doc_error(
		"network", "{\"registry_allowlist\": [\"ok.example\", \"bad host\"]}",
		"t.json: $.network.registry_allowlist[1]: \"bad host\": expected a host name");
	expect_doc_error("network", "{\"registry_allowlist\": [\"a.example:0\"]}",
			 "$.network.registry_allowlist[0]: \"a.example:0\": the port must be");
	expect_doc_error("network", "{\"registry_allowlist\": [\"10.0.0.0/33\"]}",
			 "$.network.registry_allowlist[0]: \"10.0.0.0/33\": the prefix length");
	expect_doc_error("network", "{\"registry_allowlist\": [\"[::1\"]}",
			 "a bracketed address must be");
	expect_doc_error("network", "{\"registry_allowlist\": [\"\"]}",
			 "$.network.registry_allowlist[0]");
	expect_doc_error("network",
			 "{\"registry_allowlist\": [], \"dns_min_ttl\": 90, "
			 "\"dns_max_ttl\": 30}",
			 "$.network: dns_min_ttl (90) is above dns_max_ttl (30)");
	expect_doc_error("network", "{\"registry_allowlist\": [], \"dns_cache_size\": 1}",
			 "$.network.dns_cache_size: 1 is out of range");
	expect_doc_error("network", "{\"registry_allowlist\": [], \"dns_question_timeout\": 0}",
			 "$.network.dns_question_timeout: 0 is out of range");
	expect_doc_error("network", "{\"registry_allowlist\": [], \"dns_question_timeout\": 301}",
			 "$.network.dns_question_timeout: 301 is out of range");
	expect_doc_error("network",
			 "{\"registry_allowlist\": [], \"dns_question_timeout\": \"10\"}",
			 "$.network.dns_question_timeout");
	expect_doc_error("network", "{}", "$.network: missing required key \"registry_allowlist\"");
	expect_doc_error(
		"files",
		"{\"pipeline_files\": [\"*/.circleci/*\", \"*/*.y?l\"], "
		"\"build_files\": [], \"generated_markers\": []}",
		"t.json: $.files.pipeline_files[1]: \"*/*.y?l\" has no path component that "
		"starts with a literal name");
	expect_doc_error("files", "{\"pipeline_files\": [], \"generated_markers\": []}",
			 "$.files: missing required key \"build_files\"");
	expect_doc_error("exclusions",
			 "[{\"comment\": \"x\", \"users\": [\"root\"], \"rules\": [\"no-such\"]}]",
			 "$.exclusions[0]: rules[0]: unknown rule \"no-such\"");
}

/* The base document's rules with install-dns-exfiltration set to the raw
 * JSON section. */
static char *rules_with_exfil(const char *section)
{
	const char *rules = NULL;
	char *out;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(base); i++)
		if (strcmp(base[i].key, "rules") == 0)
			rules = base[i].value;
	assert_non_null(rules);
	assert_true(asprintf(&out, "%.*s, \"install-dns-exfiltration\": %s}",
			     (int)strlen(rules) - 1, rules, section) > 0);
	return out;
}

static void expect_exfil_error(const char *section, const char *msg)
{
	char *rules = rules_with_exfil(section);

	expect_doc_error("rules", rules, msg);
	free(rules);
}

static void test_dns_exfil(void **state)
{
	struct config *c = NULL;
	char *rules, *text, *errs = NULL;

	(void)state;
	/* left out: on, high, the documented thresholds */
	text = doc(NULL, NULL, NULL, NULL);
	assert_int_equal(parse(text, &c, &errs), 0);
	free(text);
	free(errs);
	assert_true(c->exfil_enabled);
	assert_int_equal(c->exfil_server_severity, SEV_HIGH);
	assert_int_equal(c->exfil_data_severity, SEV_HIGH);
	assert_int_equal(c->exfil_limits.hex_run, 16);
	assert_int_equal(c->exfil_limits.encoded_run, 24);
	assert_true(c->exfil_limits.entropy > 3.79 && c->exfil_limits.entropy < 3.81);
	assert_int_equal(c->exfil_limits.labels, 8);
	assert_int_equal(c->exfil_limits.length, 100);
	assert_int_equal(c->nexfil_resolvers, 0);
	config_free(c);

	rules = rules_with_exfil(
		"{\"enabled\": true, \"nameserver_severity\": \"critical\", "
		"\"data_severity\": \"medium\", \"resolvers\": [\"10.0.0.53\", \"fd00::/8\"], "
		"\"ignored_names\": [\"*.avqs.example\"], \"hex_length\": 20, "
		"\"encoded_length\": 30, \"encoded_entropy\": 4, \"max_labels\": 10, "
		"\"max_length\": 120}");
	text = doc("rules", rules, NULL, NULL);
	free(rules);
	errs = NULL;
	assert_int_equal(parse(text, &c, &errs), 0);
	free(text);
	free(errs);
	assert_int_equal(c->exfil_server_severity, SEV_CRITICAL);
	assert_int_equal(c->exfil_data_severity, SEV_MEDIUM);
	assert_int_equal(c->nexfil_resolvers, 2);
	assert_int_equal(c->exfil_resolvers[0].prefix, 32);
	assert_int_equal(c->exfil_resolvers[1].prefix, 8);
	assert_string_equal(c->exfil_ignored.v[0], "*.avqs.example");
	assert_int_equal(c->exfil_limits.hex_run, 20);
	assert_int_equal(c->exfil_limits.encoded_run, 30);
	assert_true(c->exfil_limits.entropy == 4.0);
	assert_int_equal(c->exfil_limits.labels, 10);
	assert_int_equal(c->exfil_limits.length, 120);
	config_free(c);

	expect_exfil_error("{\"resolvers\": [\"ns.example\"]}",
			   "t.json: $.rules.install-dns-exfiltration.resolvers[0]: \"ns.example\": "
			   "expected an address or a range");
	expect_exfil_error("{\"resolvers\": [\"10.0.0.53:53\"]}",
			   "$.rules.install-dns-exfiltration.resolvers[0]: \"10.0.0.53:53\"");
	expect_exfil_error("{\"resolvers\": [\"10.0.0.0/40\"]}",
			   "$.rules.install-dns-exfiltration.resolvers[0]: \"10.0.0.0/40\"");
	expect_exfil_error("{\"encoded_entropy\": 7.5}",
			   "$.rules.install-dns-exfiltration.encoded_entropy: 7.5 is out of range: "
			   "expected 1 to 6");
	expect_exfil_error("{\"encoded_entropy\": \"high\"}",
			   "$.rules.install-dns-exfiltration.encoded_entropy: expected a number");
	expect_exfil_error("{\"hex_length\": 4}",
			   "$.rules.install-dns-exfiltration.hex_length: 4 is out of range: "
			   "expected 8 to 63");
	expect_exfil_error("{\"max_labels\": 0}",
			   "$.rules.install-dns-exfiltration.max_labels: 0 is out of range");
	expect_exfil_error("{\"data_severity\": \"severe\"}",
			   "$.rules.install-dns-exfiltration.data_severity: unknown severity");
	expect_exfil_error("{\"max_label\": 9}",
			   "$.rules.install-dns-exfiltration.max_label: unknown key");
}

/* events set to value (NULL: left out) gives output (NULL: none) and scope. */
static void expect_events(const char *value, const char *output, enum events_scope scope)
{
	char *text = doc(value ? "events" : NULL, value, NULL, NULL), *errs;
	struct config *c;
	int err = parse(text, &c, &errs);

	free(text);
	free(errs);
	assert_int_equal(err, 0);
	assert_int_equal(c->events_scope, scope);
	if (output)
		assert_string_equal(c->events_output, output);
	else
		assert_null(c->events_output);
	config_free(c);
}

static void test_events(void **state)
{
	static const char *const bad[][2] = {
		/* events value, an error it gives */
		{ "{\"scope\": \"everything\"}", "t.json: $.events.scope: expected \"sessions\"" },
		{ "{\"scope\": \"ALL\"}", "t.json: $.events.scope: " },
		{ "{\"scope\": 1}", "t.json: $.events.scope: " },
		{ "{\"output\": \"events.json\"}",
		  "t.json: $.events.output: \"events.json\" is neither an absolute path" },
		{ "{\"output\": \"\"}", "t.json: $.events.output: must not be empty" },
		{ "{\"output\": [\"/x\"]}", "t.json: $.events.output: expected a string" },
		{ "{\"outptu\": \"/x\"}", "t.json: $.events.outptu: unknown key" },
		{ "\"/x\"", "t.json: $.events: expected an object" },
	};
	size_t i;

	(void)state;
	expect_events(NULL, NULL, EVENTS_SESSIONS);
	expect_events("{\"output\": \"/var/log/depsentry/events.json\", \"scope\": \"all\"}",
		      "/var/log/depsentry/events.json", EVENTS_ALL);
	expect_events("{\"output\": \"-\", \"scope\": \"sessions\"}", "-", EVENTS_SESSIONS);
	expect_events("{\"scope\": \"all\"}", NULL, EVENTS_ALL);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_doc_error("events", bad[i][0], bad[i][1]);
}

/* The response section: its modes, its defaults, its errors by place. */
static void test_response(void **state)
{
	static const char *const bad[][2] = {
		{ "{\"mode\": \"enforce\"}",
		  "t.json: $.response.mode: expected \"off\", \"detect\"" },
		{ "{\"mode\": true}", "t.json: $.response.mode: expected \"off\"" },
		{ "{\"kill_severity\": \"severe\"}",
		  "t.json: $.response.kill_severity: unknown severity" },
		{ "{\"resolvers\": [\"dns.example\"]}",
		  "t.json: $.response.resolvers[0]: \"dns.example\": expected an address or a range" },
		{ "{\"resolvers\": [\"10.0.0.53:53\"]}",
		  "t.json: $.response.resolvers[0]: \"10.0.0.53:53\": expected an address" },
		{ "{\"egress\": \"yes\"}", "t.json: $.response.egress: " },
		{ "{\"block\": true}", "t.json: $.response.block: unknown key" },
	};
	char *text, *errs;
	struct config *c;
	size_t i;

	(void)state;
	text = doc(NULL, NULL, NULL, NULL);
	assert_int_equal(parse(text, &c, &errs), 0);
	free(text);
	free(errs);
	assert_int_equal(c->response_mode, RESPONSE_OFF);
	assert_true(c->response_egress && c->response_kill);
	assert_int_equal(c->kill_severity, SEV_HIGH);
	config_free(c);
	text = doc("response",
		   "{\"mode\": \"block\", \"kill\": false, \"kill_severity\": \"critical\", "
		   "\"resolvers\": [\"10.0.0.53\", \"fd00::53\"]}",
		   NULL, NULL);
	assert_int_equal(parse(text, &c, &errs), 0);
	free(text);
	free(errs);
	assert_int_equal(c->response_mode, RESPONSE_BLOCK);
	assert_false(c->response_kill);
	assert_int_equal(c->kill_severity, SEV_CRITICAL);
	assert_int_equal(c->nresp_resolvers, 2);
	assert_string_equal(c->resp_resolvers[1].text, "fd00::53");
	assert_string_equal(response_mode_name(c->response_mode), "block");
	config_free(c);
	for (i = 0; i < ARRAY_SIZE(bad); i++)
		expect_doc_error("response", bad[i][0], bad[i][1]);
	/* the daemon's real-time priority: SCHED_FIFO's range, 0 for none */
	expect_doc_error("realtime_priority", "100",
			 "t.json: $.realtime_priority: 100 is out of range: expected 0 to 99");
	expect_doc_error("realtime_priority", "-1",
			 "t.json: $.realtime_priority: -1 is out of range");
	text = doc("realtime_priority", "0", NULL, NULL);
	assert_int_equal(parse(text, &c, &errs), 0);
	free(text);
	free(errs);
	assert_int_equal(c->realtime_priority, 0);
	config_free(c);
}

static void test_several_errors(void **state)
{
	struct config *c;
	char *text, *errs;

	(void)state;
	text = doc("shells", "[\"\", 1]", "min_severity", "\"urgent\"");
	text = realloc(text, strlen(text) + 32);
	strcpy(strrchr(text, '}'), ", \"typo\": 1}");
	assert_int_equal(parse(text, &c, &errs), -EINVAL);
	assert_ptr_equal(c, SENTINEL);
	assert_int_equal(count_lines(errs), 4);
	assert_non_null(strstr(errs, "$.shells[0]: must not be empty"));
	assert_non_null(strstr(errs, "$.shells[1]: expected a string"));
	assert_non_null(strstr(errs, "$.min_severity: unknown severity"));
	assert_non_null(strstr(errs, "$.typo: unknown key"));
	free(errs);
	free(text);
}

static void test_no_errs_stream(void **state)
{
	struct config *c = SENTINEL;

	(void)state;
	assert_int_equal(config_parse("t.json", "{", 1, &c, NULL), -EINVAL);
	assert_ptr_equal(c, SENTINEL);
}

static void test_load_file(void **state)
{
	char path[] = "/tmp/depsentry-test-XXXXXX", *text = doc(NULL, NULL, NULL, NULL);
	struct config *c = SENTINEL;
	char *errs = NULL, expect[128];
	size_t len = 0;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	assert_int_equal(config_load(path, &c, stderr), 0);
	assert_string_equal(c->source, path);
	config_free(c);
	unlink(path);

	c = SENTINEL;
	f = open_memstream(&errs, &len);
	assert_int_equal(config_load(path, &c, f), -EINVAL);
	fclose(f);
	assert_ptr_equal(c, SENTINEL);
	snprintf(expect, sizeof(expect), "%s: cannot open: No such file or directory\n", path);
	assert_string_equal(errs, expect);
	free(errs);
	free(text);
}

static void test_load_fixtures(void **state)
{
	struct config *c = SENTINEL;
	char *errs = NULL;
	size_t len = 0;
	FILE *f;

	(void)state;
	f = open_memstream(&errs, &len);
	assert_int_equal(config_load("tests/unit/data/bad-config.json", &c, f), -EINVAL);
	fclose(f);
	assert_ptr_equal(c, SENTINEL);
	assert_non_null(strstr(errs,
			       "tests/unit/data/bad-config.json: $.rules."
			       "lifecycle-hook-suspicious-child.lifecycle_event: unknown key"));
	assert_non_null(strstr(errs, "$.suspicious_processes[1].severity: unknown severity"));
	assert_non_null(strstr(errs, "$.ring_buffer_size: 3000000 is not a power of two"));
	assert_non_null(strstr(errs, "$.exclusions[0].ancestors[0]: must not be empty"));
	free(errs);

	errs = NULL;
	f = open_memstream(&errs, &len);
	assert_int_equal(config_load("tests/unit/data/syntax-error.json", &c, f), -EINVAL);
	fclose(f);
	assert_non_null(
		strstr(errs, "tests/unit/data/syntax-error.json:8:27: object value separator"));
	free(errs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_builtin),	       cmocka_unit_test(test_base_doc),
		cmocka_unit_test(test_scalars),	       cmocka_unit_test(test_syntax_line),
		cmocka_unit_test(test_syntax_column),  cmocka_unit_test(test_types),
		cmocka_unit_test(test_unknown_keys),   cmocka_unit_test(test_missing_keys),
		cmocka_unit_test(test_severity),       cmocka_unit_test(test_sizes),
		cmocka_unit_test(test_strings),	       cmocka_unit_test(test_network),
		cmocka_unit_test(test_events),	       cmocka_unit_test(test_response),
		cmocka_unit_test(test_several_errors), cmocka_unit_test(test_no_errs_stream),
		cmocka_unit_test(test_load_file),      cmocka_unit_test(test_status_keys),
		cmocka_unit_test(test_load_fixtures),  cmocka_unit_test(test_dns_exfil),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
