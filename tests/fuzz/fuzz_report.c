// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * An alert log as depsentry report and depsentry exec read it
 * (user/summary.c): every line of the input goes to summary_add as
 * report.c's reader gives it (newline and any NUL included), into two
 * summaries (the whole log; and since a time, with a threshold, scoped to
 * one exec), each printed in the three formats. Each line is also read
 * as a --since time (summary_parse_time). The JSON report must be one
 * strict JSON object; the text and Markdown reports valid UTF-8 without
 * control characters other than newlines, C1 controls or bidirectional
 * overrides, whatever the log held.
 */
#include "fuzz.h"

/* U+0080..U+009F, U+202A..U+202E, U+2066..U+2069 */
static bool c1_or_bidi(const unsigned char *p, size_t left)
{
	if (left >= 2 && p[0] == 0xc2 && p[1] >= 0x80 && p[1] < 0xa0)
		return true;
	if (left >= 3 && p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae)
		return true;
	return left >= 3 && p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9;
}

static void check_text(const char *buf, size_t len)
{
	const unsigned char *p = (const unsigned char *)buf;
	struct json_object *o;
	char *copy;
	size_t i;

	for (i = 0; i < len; i++)
		if ((p[i] < 0x20 && p[i] != '\n') || p[i] == 0x7f || c1_or_bidi(p + i, len - i))
			fuzz_fail("a control character in a report", buf, len);
	/* json-c validates UTF-8 when asked: a JSON string of the report */
	copy = malloc(len + 3);
	if (!copy)
		abort();
	for (i = 0; i < len; i++)
		copy[i + 1] = p[i] == '"' || p[i] == '\\' || p[i] == '\n' ? 'x' : (char)p[i];
	copy[0] = copy[len + 1] = '"';
	copy[len + 2] = '\0';
	{
		struct json_tokener *tok = json_tokener_new();

		json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
		o = json_tokener_parse_ex(tok, copy, (int)len + 2);
		if (!o || json_tokener_get_error(tok) != json_tokener_success)
			fuzz_fail("a report in invalid UTF-8", buf, len);
		json_object_put(o);
		json_tokener_free(tok);
	}
	free(copy);
}

/* The JSON report: one strict JSON object in valid UTF-8. */
static void check_json(const char *buf, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	if (!tok)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object))
		fuzz_fail("the JSON report is not one strict JSON object", buf, len);
	json_object_put(o);
	json_tokener_free(tok);
}

static void print(const struct summary *s)
{
	static const enum report_format fmts[] = { REPORT_TEXT, REPORT_MARKDOWN, REPORT_JSON };
	size_t i, len;
	char *buf;
	FILE *f;

	for (i = 0; i < ARRAY_SIZE(fmts); i++) {
		buf = NULL;
		len = 0;
		f = open_memstream(&buf, &len);
		if (!f)
			abort();
		summary_print(s, fmts[i], "depsentry report", f);
		if (fclose(f))
			abort();
		if (fmts[i] == REPORT_JSON)
			check_json(buf, len);
		else
			check_text(buf, len);
		free(buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool quiet;
	struct summary *all, *scoped;
	const char *line = (const char *)data, *end = line + size, *nl;
	int64_t ns;

	if (!quiet) {
		fuzz_quiet();
		quiet = true;
	}
	all = summary_new(0, SEV_NONE);
	scoped = summary_new(1790000000LL * 1000000000LL, SEV_HIGH);
	if (!all || !scoped)
		abort();
	summary_scope(scoped, 4242);
	for (; line < end; line = nl + 1) {
		char *copy;

		nl = memchr(line, '\n', (size_t)(end - line));
		if (!nl)
			nl = end;
		/* with its newline, as getline gives report.c's reader a line */
		summary_add(all, line, (size_t)(nl - line) + (nl < end), NULL);
		summary_add(scoped, line, (size_t)(nl - line) + (nl < end), NULL);
		copy = fuzz_str_guarded((const uint8_t *)line, (size_t)(nl - line));
		summary_parse_time(copy, &ns);
		fuzz_str_free(copy, (size_t)(nl - line));
	}
	print(all);
	print(scoped);
	summary_free(all);
	summary_free(scoped);
	return 0;
}
