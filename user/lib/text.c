// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Every string that leaves depsentry goes through here. A process, a
 * package or the environment controls file names, argv, variables and
 * binary names, so none of them is trusted to be UTF-8, to be free of
 * control characters, or to stay inside the line it was put in.
 *
 * JSON (alerts, events, the JSON report): json_line() serialises and then
 * makes the whole line valid UTF-8, each maximal invalid subsequence
 * replaced by one U+FFFD (Unicode's recommended practice, as the WHATWG
 * decoder does), and writes U+2028 and U+2029 as escapes. Every JSON
 * structure character is ASCII and ASCII is never part of an invalid
 * subsequence, so the pass cannot break a line's structure; json-c
 * escapes quotes, backslashes and control characters.
 *
 * Text (the text and Markdown reports, exec's summary, log lines, the
 * status line): text_put() escapes control characters, C1 controls,
 * bidirectional overrides and line separators, and shows invalid bytes as
 * \xNN, so a value never starts a new line; text_write_guarded() then
 * neutralises any line that would start a CI workflow command.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "lib.h"

static const char utf8_replacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/* Valid UTF-8 lead bytes (RFC 3629), and the range of the byte after each:
 * the narrowed ranges refuse overlong forms, surrogates and > U+10FFFF. */
/* clang-format off */
static const struct {
	unsigned char lo, hi;		/* lead byte range */
	unsigned char len;		/* bytes in the sequence */
	unsigned char next_lo, next_hi;	/* second byte range */
} utf8_leads[] = {
	{ 0xc2, 0xdf, 2, 0x80, 0xbf },
	{ 0xe0, 0xe0, 3, 0xa0, 0xbf },
	{ 0xe1, 0xec, 3, 0x80, 0xbf },
	{ 0xed, 0xed, 3, 0x80, 0x9f },
	{ 0xee, 0xef, 3, 0x80, 0xbf },
	{ 0xf0, 0xf0, 4, 0x90, 0xbf },
	{ 0xf1, 0xf3, 4, 0x80, 0xbf },
	{ 0xf4, 0xf4, 4, 0x80, 0x8f },
};
/* clang-format on */

/* Where s could still be the start of a valid sequence: how many of its
 * bytes fit one (the maximal subpart), and how many the sequence needs. */
static size_t utf8_prefix(const unsigned char *s, size_t *need)
{
	size_t i, j;

	*need = 1;
	if (*s < 0x80)
		return 1;
	for (i = 0; i < ARRAY_SIZE(utf8_leads); i++) {
		if (*s < utf8_leads[i].lo || *s > utf8_leads[i].hi)
			continue;
		*need = utf8_leads[i].len;
		if (s[1] < utf8_leads[i].next_lo || s[1] > utf8_leads[i].next_hi)
			return 1;
		for (j = 2; j < utf8_leads[i].len; j++)
			if ((s[j] & 0xc0) != 0x80)
				return j;
		return j;
	}
	return 0; /* a byte that starts nothing: a subpart of its own */
}

size_t utf8_seq_len(const unsigned char *s)
{
	size_t need, n = utf8_prefix(s, &need);

	return n == need ? n : 0;
}

size_t utf8_bad_len(const unsigned char *s)
{
	size_t need, n = utf8_prefix(s, &need);

	return n ? n : 1;
}

char *utf8_clean(const char *s, size_t cap, bool *cut)
{
	const unsigned char *in = (const unsigned char *)s;
	size_t len = strlen(s), n = 0, step, olen;
	char *out = malloc((3 * len < cap ? 3 * len : cap) + 1);
	const void *src;

	if (!out)
		return NULL;
	while (*in) {
		step = utf8_seq_len(in);
		src = step ? (const void *)in : utf8_replacement;
		olen = step ? step : sizeof(utf8_replacement) - 1;
		if (n + olen > cap) {
			if (cut)
				*cut = true;
			break;
		}
		memcpy(out + n, src, olen);
		n += olen;
		in += step ? step : utf8_bad_len(in);
	}
	out[n] = '\0';
	return out;
}

/* U+2028 LINE SEPARATOR or U+2029 PARAGRAPH SEPARATOR at p (valid, 3 bytes). */
static bool line_separator(const unsigned char *p)
{
	return p[0] == 0xe2 && p[1] == 0x80 && (p[2] == 0xa8 || p[2] == 0xa9);
}

char *json_line(struct json_object *o, int flags, size_t *len)
{
	const unsigned char *s, *p;
	size_t n, step, w = 0;
	char *line;

	s = (const unsigned char *)json_object_to_json_string_length(o, flags, &n);
	if (!s)
		return NULL;
	line = malloc(3 * n + 2); /* a byte grows to 3 at most */
	if (!line)
		return NULL;
	for (p = s; *p;) {
		step = utf8_seq_len(p);
		if (!step) {
			memcpy(line + w, utf8_replacement, 3);
			w += 3;
			p += utf8_bad_len(p);
		} else if (step == 3 && line_separator(p)) {
			w += (size_t)sprintf(line + w, "\\u%04x", p[2] == 0xa8 ? 0x2028 : 0x2029);
			p += 3;
		} else {
			memcpy(line + w, p, step);
			w += step;
			p += step;
		}
	}
	line[w++] = '\n';
	line[w] = '\0';
	*len = w;
	return line;
}

/* C1 controls, the bidirectional embeddings, overrides and isolates, and
 * the line and paragraph separators: shown as \uXXXX in text. */
static bool special(const unsigned char *p, size_t n)
{
	if (n == 2)
		return p[0] == 0xc2 && p[1] < 0xa0; /* U+0080..U+009F */
	if (n == 3 && p[0] == 0xe2 && p[1] == 0x80)
		return p[2] == 0xa8 || p[2] == 0xa9 || /* U+2028, U+2029 */
		       (p[2] >= 0xaa && p[2] <= 0xae); /* U+202A..U+202E */
	if (n == 3 && p[0] == 0xe2 && p[1] == 0x81)
		return p[2] >= 0xa6 && p[2] <= 0xa9; /* U+2066..U+2069 */
	return false;
}

void text_put(FILE *f, const char *s, enum text_mode mode)
{
	const unsigned char *p = (const unsigned char *)(s ? s : "");
	const char *bs = mode == TEXT_MARKDOWN ? "\\\\" : "\\";
	size_t n;

	while (*p) {
		n = utf8_seq_len(p);
		if (n == 0) {
			fprintf(f, "%sx%02x", bs, *p);
			p++;
			continue;
		}
		if (*p < 0x20 || *p == 0x7f || special(p, n)) {
			fputs(bs, f);
			if (*p == '\n' || *p == '\t' || *p == '\r')
				fputc(*p == '\n' ? 'n' : *p == '\t' ? 't' : 'r', f);
			else if (n == 1)
				fprintf(f, "x%02x", *p);
			else
				fprintf(f, "u%04x",
					n == 2 ? p[1]
					       : 0x2000 | ((p[1] & 0x3f) << 6) | (p[2] & 0x3f));
		} else {
			if (mode == TEXT_MARKDOWN && n == 1 && ispunct(*p))
				fputc('\\', f);
			fwrite(p, 1, n, f);
		}
		p += n;
	}
}

char *text_escape(const char *s, enum text_mode mode)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	text_put(f, s, mode);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * The white space a CI runner trims before it looks for a command at the
 * start of a line (.NET's char.IsWhiteSpace: String.TrimStart in the
 * GitHub Actions and Azure Pipelines agents): its length at p, or 0.
 */
static size_t blank_len(const unsigned char *p)
{
	if (*p == ' ' || (*p >= '\t' && *p <= '\r'))
		return 1;
	if (p[0] == 0xc2 && (p[1] == 0x85 || p[1] == 0xa0))
		return 2;
	if (p[0] == 0xe1 && p[1] == 0x9a && p[2] == 0x80) /* U+1680 */
		return 3;
	if (p[0] == 0xe2 && p[1] == 0x80 && /* U+2000..U+200A, U+2028, U+2029, U+202F */
	    ((p[2] >= 0x80 && p[2] <= 0x8a) || p[2] == 0xa8 || p[2] == 0xa9 || p[2] == 0xaf))
		return 3;
	if (p[0] == 0xe2 && p[1] == 0x81 && p[2] == 0x9f) /* U+205F */
		return 3;
	if (p[0] == 0xe3 && p[1] == 0x80 && p[2] == 0x80) /* U+3000 */
		return 3;
	return 0;
}

/* What starts a workflow command: GitHub Actions' "::name::", Azure
 * Pipelines' "##vso[...]" and "##[...]" (GitHub's runner reads the latter
 * too). */
static const char *const ci_commands[] = { "::", "##[", "##vso[" };

/* buf is NUL-terminated, so a sequence cut by the end fails on the NUL. */
size_t text_command_at(const char *line, size_t len)
{
	const unsigned char *p = (const unsigned char *)line, *end = p + len;
	size_t n;

	while (p < end && (n = blank_len(p)) && p + n <= end)
		p += n;
	for (n = 0; n < ARRAY_SIZE(ci_commands); n++)
		if ((size_t)(end - p) >= strlen(ci_commands[n]) &&
		    memcmp(p, ci_commands[n], strlen(ci_commands[n])) == 0)
			return (size_t)(p - (const unsigned char *)line) + 1;
	return 0;
}

int text_write_guarded(FILE *f, const char *buf, size_t len, enum text_mode mode)
{
	const char *line = buf, *end = buf + len, *nl;
	size_t n, at;

	while (line < end) {
		nl = memchr(line, '\n', (size_t)(end - line));
		n = nl ? (size_t)(nl - line) + 1 : (size_t)(end - line);
		at = text_command_at(line, n);
		if (at) { /* its first ':' or '#' as an escape */
			fwrite(line, 1, at - 1, f);
			if (mode == TEXT_MARKDOWN)
				fprintf(f, "\\%c", line[at - 1]);
			else
				fprintf(f, "\\x%02x", (unsigned char)line[at - 1]);
			fwrite(line + at, 1, n - at, f);
		} else {
			fwrite(line, 1, n, f);
		}
		line += n;
	}
	return ferror(f) ? -EIO : 0;
}

int parse_u64(const char *s, size_t len, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;
	size_t i;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return -EINVAL;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' || v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > max)
		return -EINVAL;
	*out = v;
	return 0;
}
