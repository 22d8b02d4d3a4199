// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Hostile strings in every string of every output. A package controls
 * file names, argv, the environment, binary names and its own name: each
 * string field of each alert and event kind is filled with invalid UTF-8
 * (stray bytes, overlong forms, surrogates, code points past U+10FFFF, a
 * sequence cut short), control characters, quotes, backslashes, line
 * separators and CI workflow commands, and every line produced must be
 * strict JSON in valid UTF-8 (json-c's strict tokener, which validates
 * UTF-8, and a decoder of its own here). The reports built from those
 * alerts (text, Markdown, JSON), the status line and the log lines must be
 * valid UTF-8 with no raw control character, and no line of them may start
 * a CI workflow command (`::`, `##[` or `##vso[` after white space).
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <unistd.h>

#include <json-c/json.h>

#include "unit.h"

/* Every kind of hostile byte; the strings it becomes are below. */
#define HOSTILE                                                     \
	"q\"b\\s\x01\x1f\n\r\t\x7f|\xff\xfe|\xc0\xaf|\xed\xa0\x80|" \
	"\xf4\x90\x80\x80|\xe2\x80\xa8|\xe2\x80\xae|::error::x|##[warning]y|\xe2\x82"
/* Each maximal invalid subsequence replaced by one U+FFFD (Unicode's
 * recommended practice): \xff, \xfe, \xc0, \xaf, \xed, \xa0, \x80, \xf4,
 * \x90, \x80, \x80 are one each, the cut \xe2\x82 at the end one in all. */
#define FFFD "\xef\xbf\xbd"
#define HOSTILE_CLEAN                                                           \
	"q\"b\\s\x01\x1f\n\r\t\x7f|" FFFD FFFD "|" FFFD FFFD "|" FFFD FFFD FFFD \
	"|" FFFD FFFD FFFD FFFD "|\xe2\x80\xa8|\xe2\x80\xae|::error::x|##[warning]y|" FFFD
/* A hostile line start: blanks (one of them Unicode's) then a command. */
#define HOSTILE_START "  \xc2\xa0::set-output name=x::y\n##vso[task.setvariable]z"

static struct host_info host;
static struct pm_def hostile_pm = { .name = HOSTILE, .package_type = HOSTILE };

/* Independent of the code under test: decode each code point and check it. */
static bool valid_utf8(const unsigned char *s, size_t len)
{
	size_t i = 0, n, k;
	uint32_t cp, min;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0)
			n = 1, cp = s[i] & 0x1f, min = 0x80;
		else if ((s[i] & 0xf0) == 0xe0)
			n = 2, cp = s[i] & 0x0f, min = 0x800;
		else if ((s[i] & 0xf8) == 0xf0)
			n = 3, cp = s[i] & 0x07, min = 0x10000;
		else
			return false;
		for (k = 1; k <= n; k++) {
			if (i + k >= len || (s[i + k] & 0xc0) != 0x80)
				return false;
			cp = cp << 6 | (s[i + k] & 0x3f);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* Independent of text.c: does the line start (after what .NET's
 * char.IsWhiteSpace calls white space) with "::", "##[" or "##vso["? */
static bool line_starts_command(const char *line, size_t len)
{
	static const char *const blanks[] = {
		" ",
		"\t",
		"\v",
		"\f",
		"\r",
		"\xc2\x85",
		"\xc2\xa0",
		"\xe1\x9a\x80",
		"\xe2\x80\x80",
		"\xe2\x80\x81",
		"\xe2\x80\x82",
		"\xe2\x80\x83",
		"\xe2\x80\x84",
		"\xe2\x80\x85",
		"\xe2\x80\x86",
		"\xe2\x80\x87",
		"\xe2\x80\x88",
		"\xe2\x80\x89",
		"\xe2\x80\x8a",
		"\xe2\x80\xa8",
		"\xe2\x80\xa9",
		"\xe2\x80\xaf",
		"\xe2\x81\x9f",
		"\xe3\x80\x80",
	};
	size_t i, k, bl;

	for (i = 0; i < len;) {
		for (k = 0; k < ARRAY_SIZE(blanks); k++) {
			bl = strlen(blanks[k]);
			if (i + bl <= len && !memcmp(line + i, blanks[k], bl))
				break;
		}
		if (k == ARRAY_SIZE(blanks))
			break;
		i += bl;
	}
	return (len - i >= 2 && !memcmp(line + i, "::", 2)) ||
	       (len - i >= 3 && !memcmp(line + i, "##[", 3)) ||
	       (len - i >= 6 && !memcmp(line + i, "##vso[", 6));
}

/* One line of JSON: valid UTF-8, no raw control byte, strict JSON. */
static struct json_object *strict_parse(const char *line, size_t len, const char *what)
{
	struct json_tokener *tok;
	struct json_object *o;
	size_t i;

	if (!valid_utf8((const unsigned char *)line, len))
		fail_msg("%s: not valid UTF-8: %.300s", what, line);
	for (i = 0; i < len; i++)
		if ((unsigned char)line[i] < 0x20 && line[i] != '\n')
			fail_msg("%s: raw control byte 0x%02x at %zu", what, line[i], i);
	tok = json_tokener_new();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success)
		fail_msg("%s: not strict JSON (%s): %.300s", what,
			 json_tokener_error_desc(json_tokener_get_error(tok)), line);
	if (json_tokener_get_parse_end(tok) != len && line[json_tokener_get_parse_end(tok)] != '\n')
		fail_msg("%s: more than one JSON value", what);
	json_tokener_free(tok);
	return o;
}

static void expect_clean(struct json_object *o, const char *path, const char *want)
{
	struct json_object *v = json_get(o, path);

	if (!v)
		fail_msg("%s is missing", path);
	if (strcmp(json_object_get_string(v), want))
		fail_msg("%s is \"%s\", expected \"%s\"", path, json_object_get_string(v), want);
}

/* The lines produced, kept for the report tests. */
static char *lines[64];
static size_t nlines;

static struct json_object *render_kind(const struct proc *p, const struct verdict *v, bool event,
				       const char *what)
{
	struct json_object *o;
	size_t len = 0;
	char *line;

	line = (event ? event_render : alert_render)(&host, p, v, 5000000000ULL, &len);
	if (!line)
		fail_msg("%s: not rendered", what);
	assert_int_equal(strlen(line), len);
	assert_true(line[len - 1] == '\n');
	assert_ptr_equal(strchr(line, '\n'), line + len - 1);
	o = strict_parse(line, len, what);
	unit_fields_known(o);
	if (nlines < ARRAY_SIZE(lines) && !event)
		lines[nlines++] = line;
	else
		free(line);
	return o;
}

static void hostile_image(struct image *img)
{
	int i;

	free(img->exe);
	free(img->filename);
	free(img->name);
	free(img->cmdline);
	free(img->cwd);
	img->exe = strdup("/tmp/" HOSTILE "/bin");
	img->filename = strdup(HOSTILE);
	img->name = strdup(HOSTILE);
	img->cmdline = strdup(HOSTILE " " HOSTILE_START);
	img->cwd = strdup("/" HOSTILE);
	memcpy(img->comm, "c\xff\n::x", 7);
	for (i = 0; i < img->argc; i++) {
		free(img->argv[i]);
		img->argv[i] = strdup(i ? HOSTILE : HOSTILE_START);
	}
	unit_image_setenv(img, "npm_package_name", HOSTILE);
	unit_image_setenv(img, "npm_package_version", HOSTILE_START);
	unit_image_setenv(img, "npm_lifecycle_event", HOSTILE);
	unit_image_setenv(img, "GITHUB_ACTIONS", "true");
	unit_image_setenv(img, "GITHUB_REPOSITORY", HOSTILE);
	unit_image_setenv(img, "GITHUB_REPOSITORY_ID", HOSTILE);
	unit_image_setenv(img, "GITHUB_WORKFLOW", HOSTILE_START);
	unit_image_setenv(img, "GITHUB_RUN_ID", HOSTILE);
	unit_image_setenv(img, "GITHUB_JOB", HOSTILE);
	unit_image_setenv(img, "RUNNER_NAME", HOSTILE);
	unit_image_setenv(img, "GITHUB_SHA", HOSTILE);
	unit_image_setenv(img, "GITHUB_REF", HOSTILE);
	unit_image_setenv(img, "GITHUB_EVENT_NAME", HOSTILE);
	unit_image_setenv(img, "GITHUB_SERVER_URL", HOSTILE);
}

/* npm (root) -> sh -> leaf, every string of each image hostile. */
static struct proc *hostile_chain(void)
{
	struct session *s = calloc(1, sizeof(*s));
	struct proc *sh, *leaf;

	s->id = 7;
	s->pm = &hostile_pm;
	s->root = unit_proc(NULL, s, 500, "/usr/bin/node", "node npm install x");
	sh = unit_proc(s->root, s, 501, "/bin/sh", "sh -c x");
	leaf = unit_proc(sh, s, 502, "/usr/bin/curl", "curl a b c");
	hostile_image(s->root->img);
	hostile_image(sh->img);
	hostile_image(leaf->img);
	return leaf;
}

static void hostile_verdict(struct verdict *v, const struct proc *hook)
{
	memset(v, 0, sizeof(*v));
	v->rule = RULE_LIFECYCLE;
	v->severity = SEV_HIGH;
	v->reason = HOSTILE;
	v->matched = HOSTILE;
	v->matched_field = HOSTILE;
	v->excluded_by = HOSTILE;
	v->hook = hook;
	v->rules_matched = 1U << RULE_LIFECYCLE | 1U << RULE_PM_CHILD;
}

static void test_every_kind(void **state)
{
	static const struct {
		enum ds_file_op op;
		const char *action;
		bool created;
	} files[] = {
		{ DS_FILE_WRITE, "creation", true },
		{ DS_FILE_WRITE, "overwrite", false },
		{ DS_FILE_RENAME, "rename", false },
		{ DS_FILE_LINK, "link", false },
	};
	struct proc *p = hostile_chain();
	struct net_event ev = { .kind = NET_CONNECT, .transport = IPPROTO_TCP, .session = 7 };
	struct file_event fe = { .pattern = HOSTILE, .writer = WRITER_SESSION, .session = 7 };
	struct json_object *o;
	struct verdict v;
	char what[64];
	size_t i;
	int event;

	(void)state;
	snprintf(host.hostname, sizeof(host.hostname), "%s", HOSTILE);
	snprintf(host.id, sizeof(host.id), "%s", HOSTILE);
	snprintf(host.os_name, sizeof(host.os_name), "%s", HOSTILE);
	snprintf(host.os_version, sizeof(host.os_version), "%s", HOSTILE);
	snprintf(host.os_kernel, sizeof(host.os_kernel), "%s", HOSTILE);
	snprintf(host.os_family, sizeof(host.os_family), "%s", "hostile\xff");
	snprintf(host.agent_id, sizeof(host.agent_id), "%s", HOSTILE);
	snprintf(host.architecture, sizeof(host.architecture), "%s", "x\n\xfe");
	assert_int_equal(ipaddr_parse("127.0.0.9", &ev.dst), 0);
	assert_int_equal(ipaddr_parse("127.0.0.1", &ev.src), 0);
	ev.sport = 40000;
	ev.dport = 53;
	ev.domain = HOSTILE;
	ev.qname = HOSTILE;
	fe.path = "/" HOSTILE "/.github/workflows/" HOSTILE ".y\xffml";
	fe.old_path = "/tmp/" HOSTILE;

	for (event = 0; event <= 1; event++) {
		hostile_verdict(&v, p->parent);
		snprintf(what, sizeof(what), "exec %s", event ? "event" : "alert");
		o = render_kind(p, &v, event, what);
		expect_clean(o, "process.executable", "/tmp/" HOSTILE_CLEAN "/bin");
		expect_clean(o, "process.working_directory", "/" HOSTILE_CLEAN);
		expect_clean(o, "package.name", HOSTILE_CLEAN);
		expect_clean(o, "depsentry.ci.repository", HOSTILE_CLEAN);
		expect_clean(o, "host.hostname", HOSTILE_CLEAN);
		json_object_put(o);

		v.net = &ev;
		v.rule = RULE_EGRESS;
		ev.kind = NET_CONNECT;
		snprintf(what, sizeof(what), "connect %s", event ? "event" : "alert");
		o = render_kind(p, &v, event, what);
		expect_clean(o, "destination.domain", HOSTILE_CLEAN);
		json_object_put(o);
		ev.kind = NET_DNS_QUERY;
		snprintf(what, sizeof(what), "dns %s", event ? "event" : "alert");
		o = render_kind(p, &v, event, what);
		expect_clean(o, "dns.question.name", HOSTILE_CLEAN);
		json_object_put(o);
		ev.repeats = 3;
		snprintf(what, sizeof(what), "repeat %s", event ? "event" : "alert");
		o = render_kind(p, &v, event, what);
		json_object_put(o);
		ev.repeats = 0;

		v.net = NULL;
		v.rule = RULE_CICD;
		v.file = &fe;
		for (i = 0; i < ARRAY_SIZE(files); i++) {
			fe.op = files[i].op;
			fe.action = files[i].action;
			fe.created = files[i].created;
			snprintf(what, sizeof(what), "file %s %s", files[i].action,
				 event ? "event" : "alert");
			o = render_kind(p, &v, event, what);
			expect_clean(o, "file.path",
				     "/" HOSTILE_CLEAN "/.github/workflows/" HOSTILE_CLEAN ".y" FFFD
				     "ml");
			expect_clean(o, "file.directory", "/" HOSTILE_CLEAN "/.github/workflows");
			expect_clean(o, "file.name", HOSTILE_CLEAN ".y" FFFD "ml");
			if (fe.op != DS_FILE_WRITE)
				expect_clean(o, "depsentry.file.old_path", "/tmp/" HOSTILE_CLEAN);
			json_object_put(o);
		}
	}
}

/* Each line of out (len bytes): valid UTF-8, no raw control byte but the
 * newline, and no CI workflow command at its start. */
static void check_text(const char *out, size_t len, const char *what)
{
	const char *line = out, *end = out + len, *nl;
	const unsigned char *p;
	size_t n;

	if (!valid_utf8((const unsigned char *)out, len))
		fail_msg("%s: not valid UTF-8", what);
	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		n = nl ? (size_t)(nl - line) : (size_t)(end - line);
		for (p = (const unsigned char *)line; p < (const unsigned char *)line + n; p++)
			if (*p < 0x20 && *p != '\t')
				fail_msg("%s: raw control byte 0x%02x in: %.*s", what, *p, (int)n,
					 line);
		if (line_starts_command(line, n))
			fail_msg("%s: a line starts a workflow command: %.*s", what, (int)n, line);
		line += n + 1;
	}
}

/* A hand-written log line carrying what alert_render never writes itself
 * (a rule id, a raw invalid byte, U+2028, an unescaped line separator). */
static const char *const forged[] = {
	"{\"@timestamp\":\"2026-11-23T09:41:26.650Z\",\"event\":{\"kind\":\"alert\"},"
	"\"rule\":{\"id\":\"::error::forged\"},\"depsentry\":{\"severity\":\"high\"},"
	"\"package\":{\"name\":\"\\u00a0::set-output name=a::b\\n##[error]c\"},"
	"\"process\":{\"name\":\"\xe2\x80\xa8::warning::d\",\"command_line\":\"x\xff\"}}",
	"{\"@timestamp\":\"2026-11-23T09:41:27.650Z\",\"event\":{\"kind\":\"alert\"},"
	"\"rule\":{\"id\":\"\\u2003##vso[task.setvariable variable=x]y\"},"
	"\"depsentry\":{\"severity\":\"critical\",\"ci\":{\"provider\":\"::add-mask::z\","
	"\"repository\":\"\\r::stop-commands::t\"}}}",
};

static void test_reports(void **state)
{
	static const enum report_format fmts[] = { REPORT_TEXT, REPORT_MARKDOWN, REPORT_JSON };
	struct summary *s = summary_new(0, SEV_MEDIUM);
	struct json_object *o;
	char *out = NULL, what[32];
	size_t len = 0, i;
	FILE *f;

	(void)state;
	assert_int_equal(nlines, 8); /* test_every_kind's alerts and follow-up */
	for (i = 0; i < nlines; i++)
		assert_int_equal(summary_add(s, lines[i], strlen(lines[i]), NULL), 0);
	for (i = 0; i < ARRAY_SIZE(forged); i++)
		assert_int_equal(summary_add(s, forged[i], strlen(forged[i]), NULL), 0);
	for (i = 0; i < ARRAY_SIZE(fmts); i++) {
		f = open_memstream(&out, &len);
		assert_int_equal(summary_print(s, fmts[i], "depsentry report", f), 0);
		fclose(f);
		snprintf(what, sizeof(what), "report format %d", (int)fmts[i]);
		check_text(out, len, what);
		assert_non_null(strstr(out, fmts[i] == REPORT_MARKDOWN ? "error\\:\\:forged"
								       : "error::forged"));
		if (fmts[i] == REPORT_JSON) {
			o = strict_parse(out, len, what);
			json_object_put(o);
		}
		free(out);
	}
	summary_free(s);
}

/* The guard itself: which lines are commands, and what it makes of them. */
static void test_guard(void **state)
{
	static const struct {
		const char *line;
		bool command;
	} cases[] = {
		{ "::error::x", true },
		{ "    ::error::x", true },
		{ "\t::group::x", true },
		{ "\xc2\xa0::error::x", true },			/* NO-BREAK SPACE */
		{ "\xe2\x80\x83\xe3\x80\x80::error::x", true }, /* EM SPACE, IDEOGRAPHIC */
		{ "##[error]x", true },
		{ "##vso[task.complete]x", true },
		{ "  ##[group]x", true },
		{ ":x::", false },
		{ "#[x]", false },
		{ "### a Markdown heading", false },
		{ "##x[", false },
		{ "a ::error::x", false },
		{ "\\x3a:error::x", false },
		{ "\xe2\x80\x8b::error::x", false }, /* ZERO WIDTH SPACE: not white space */
	};
	char *out = NULL;
	size_t len = 0, i;
	FILE *f;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		if (!!text_command_at(cases[i].line, strlen(cases[i].line)) != cases[i].command)
			fail_msg("text_command_at(\"%s\") should be %d", cases[i].line,
				 cases[i].command);
		if (line_starts_command(cases[i].line, strlen(cases[i].line)) != cases[i].command)
			fail_msg("the test's own check disagrees on \"%s\"", cases[i].line);
		f = open_memstream(&out, &len);
		assert_int_equal(text_write_guarded(f, cases[i].line, strlen(cases[i].line),
						    TEXT_PLAIN),
				 0);
		fclose(f);
		assert_false(line_starts_command(out, len));
		if (!cases[i].command)
			assert_string_equal(out, cases[i].line); /* left alone */
		free(out);
	}
	f = open_memstream(&out, &len);
	text_write_guarded(f, "ok\n ::a::\n##[b]\n", 17, TEXT_PLAIN);
	fclose(f);
	assert_string_equal(out, "ok\n \\x3a:a::\n\\x23#[b]\n");
	free(out);
	f = open_memstream(&out, &len);
	text_write_guarded(f, "::a::\n", 6, TEXT_MARKDOWN);
	fclose(f);
	assert_string_equal(out, "\\::a::\n");
	free(out);
}

/* Log lines: one line each, "depsentry: " first, escaped. */
static void test_log_lines(void **state)
{
	char path[] = "/tmp/depsentry-log-XXXXXX", buf[8192];
	int fd = mkstemp(path), saved = dup(2);
	const char *line, *nl;
	ssize_t n;

	(void)state;
	assert_true(fd >= 0 && saved >= 0);
	fflush(stderr);
	dup2(fd, 2);
	log_init(1);
	log_warnx("write of %s by pid %u", HOSTILE "\n" HOSTILE_START, 7U);
	log_info("%s", HOSTILE_START);
	errno = ENOENT;
	log_warn("%s", HOSTILE);
	log_debug("\r::error::debug\xff");
	fflush(stderr);
	dup2(saved, 2);
	close(saved);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	close(fd);
	unlink(path);
	assert_true(n > 0);
	buf[n] = '\0';
	check_text(buf, (size_t)n, "log");
	for (line = buf; *line; line = nl + 1) {
		nl = strchr(line, '\n');
		assert_non_null(nl);
		if (strncmp(line, "depsentry: ", 11))
			fail_msg("a log line without its prefix: %.*s", (int)(nl - line), line);
	}
	assert_non_null(strstr(buf, "No such file or directory\n"));
	assert_int_equal(strstr(buf, "\\n") != NULL, 1); /* the newline, escaped */
}

/* The status line, and what depsentry status prints of a status file. */
static void test_status_line(void **state)
{
	struct status st = { .pid = 1 };
	char line[2048];

	(void)state;
	st.losses[0].name = "lost\n::error::x\xff";
	st.losses[0].value = 3;
	st.nlosses = 1;
	assert_int_equal(status_format(&st, line, sizeof(line)), 0);
	check_text(line, strlen(line), "status line");
	assert_null(strchr(line, '\n'));
}

/* n bytes of c, then NUL. */
static char *filled(size_t n, char c)
{
	char *s = malloc(n + 1);

	memset(s, c, n);
	s[n] = '\0';
	return s;
}

/* A process that puts the most it can into every field, in control
 * characters (six bytes each, escaped): the line still ends at 192 KiB,
 * strict JSON, with what had to be cut named. */
static void test_line_bound(void **state)
{
	static const char *const vars[] = {
		"npm_package_name",    "npm_package_version",
		"npm_lifecycle_event", "GITHUB_REPOSITORY",
		"GITHUB_WORKFLOW",     "GITHUB_JOB",
		"RUNNER_NAME",	       "GITHUB_REF",
		"GITHUB_SHA",	       "CI",
	};
	struct proc *p = hostile_chain(), *q;
	struct file_event fe = {
		.op = DS_FILE_RENAME, .pattern = "*", .action = "rename", .writer = WRITER_SESSION
	};
	char *cmd = filled(32768, '\x01'), *path = filled(4095, '\x02');
	struct json_object *o, *cut;
	struct verdict v;
	size_t len = 0, i;
	char *line;
	int k;

	(void)state;
	path[0] = '/';
	for (q = p; q; q = q->parent) {
		free(q->img->cmdline);
		free(q->img->exe);
		free(q->img->cwd);
		q->img->cmdline = strdup(cmd);
		q->img->exe = strdup(path);
		q->img->cwd = strdup(path);
		for (k = 0; k < q->img->argc; k++) {
			free(q->img->argv[k]);
			q->img->argv[k] = filled(32768 / q->img->argc - 1, '\x03');
		}
		for (i = 0; i < ARRAY_SIZE(vars); i++)
			unit_image_setenv(q->img, vars[i], cmd + 32768 - 4000);
	}
	fe.path = path;
	fe.old_path = path;
	hostile_verdict(&v, p->parent);
	v.rule = RULE_CICD;
	v.file = &fe;
	line = alert_render(&host, p, &v, 5000000000ULL, &len);
	assert_non_null(line);
	if (len > 192 * 1024)
		fail_msg("a line of %zu bytes", len);
	o = strict_parse(line, len, "the longest alert");
	unit_fields_known(o);
	cut = json_get(o, "depsentry.truncated");
	assert_non_null(cut);
	assert_non_null(strstr(json_object_to_json_string(cut), "process.command_line"));
	json_object_put(o);
	free(line);
	free(cmd);
	free(path);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_kind),  cmocka_unit_test(test_reports),
		cmocka_unit_test(test_guard),	    cmocka_unit_test(test_log_lines),
		cmocka_unit_test(test_status_line), cmocka_unit_test(test_line_bound),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
