/* SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause */
/*
 * Shared helpers of the libFuzzer harnesses. A harness calls the daemon's
 * own parser on the fuzzer's bytes; the sanitizers catch memory and
 * undefined-behaviour errors, and fuzz_fail() turns a broken promise of
 * the output (one strict JSON object per line, no null field) into a
 * crash with its reason.
 */
#ifndef DEPSENTRY_FUZZ_H
#define DEPSENTRY_FUZZ_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <json-c/json.h>

#include "daemon/daemon.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static inline void __attribute__((noreturn)) fuzz_fail(const char *why, const char *s, size_t n)
{
	dprintf(STDERR_FILENO, "fuzz: %s: %.*s\n", why, (int)(n > 4096 ? 4096 : n), s ? s : "");
	abort();
}

/* A NUL-terminated copy of the input, in a buffer of its exact size. */
static inline char *fuzz_str(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/* The same, with its NUL the last readable byte before an unreadable page:
 * the C library's parsers (sscanf, strtoul) are not instrumented, so a
 * read past the end is caught by the fault instead. Valid until the next
 * call; inputs too long for the region get fuzz_str's copy (freed by
 * fuzz_str_free). */
#define FUZZ_GUARDED_MAX (64 * 1024)

static inline char *fuzz_str_guarded(const uint8_t *data, size_t size)
{
	static char *region;
	static size_t page;

	if (!region) {
		page = (size_t)sysconf(_SC_PAGESIZE);
		region = mmap(NULL, FUZZ_GUARDED_MAX + page, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (region == MAP_FAILED || mprotect(region + FUZZ_GUARDED_MAX, page, PROT_NONE))
			abort();
	}
	if (size + 1 > FUZZ_GUARDED_MAX)
		return fuzz_str(data, size);
	memcpy(region + FUZZ_GUARDED_MAX - size - 1, data, size);
	region[FUZZ_GUARDED_MAX - 1] = '\0';
	return region + FUZZ_GUARDED_MAX - size - 1;
}

static inline void fuzz_str_free(char *s, size_t size)
{
	if (size + 1 > FUZZ_GUARDED_MAX)
		free(s);
}

/* A write-only sink for what a parser prints. */
static inline FILE *fuzz_devnull(void)
{
	static FILE *f;

	if (!f)
		f = fopen("/dev/null", "we");
	if (!f)
		abort();
	return f;
}

/* The daemon's log lines go nowhere (glibc's stderr is a variable); the
 * sanitizers and fuzz_fail write to file descriptor 2 itself. */
static inline void fuzz_quiet(void)
{
	log_init(0);
	stderr = fuzz_devnull();
}

/* No JSON null anywhere below o: an absent value is left out, never null. */
static inline void fuzz_no_null(struct json_object *o, const char *line, size_t len)
{
	size_t i;

	if (!o)
		fuzz_fail("null value in a rendered line", line, len);
	if (json_object_is_type(o, json_type_object)) {
		json_object_object_foreach (o, key, v) {
			(void)key;
			fuzz_no_null(v, line, len);
		}
	} else if (json_object_is_type(o, json_type_array)) {
		for (i = 0; i < json_object_array_length(o); i++)
			fuzz_no_null(json_object_array_get_idx(o, i), line, len);
	}
}

/* One alert or event line: a strict JSON object in valid UTF-8, no null,
 * one '\n' at its end and none inside. */
static inline void fuzz_check_line(const char *line, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;

	if (!len || line[len - 1] != '\n' || memchr(line, '\n', len - 1))
		fuzz_fail("not one line", line, len);
	tok = json_tokener_new();
	if (!tok)
		abort();
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, line, (int)len - 1);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len - 1)
		fuzz_fail("not one strict JSON value in UTF-8", line, len);
	if (!json_object_is_type(o, json_type_object))
		fuzz_fail("not a JSON object", line, len);
	fuzz_no_null(o, line, len);
	json_object_put(o);
	json_tokener_free(tok);
}

/* The machine an alert names: fixed, so that a run depends on its input. */
static inline const struct host_info *fuzz_host(void)
{
	static struct host_info h = {
		.hostname = "fuzz",
		.id = "0123456789abcdef0123456789abcdef",
		.os_name = "Debian GNU/Linux",
		.os_version = "12",
		.os_kernel = "6.1.0",
		.os_family = "debian",
		.agent_id = "00000000-0000-0000-0000-000000000000",
		.architecture = "x86_64",
	};

	return &h;
}

/* The built-in configuration, parsed once. */
static inline const struct config *fuzz_config(void)
{
	static struct config *c;

	if (!c && config_load(NULL, &c, stderr))
		abort();
	return c;
}
#endif
