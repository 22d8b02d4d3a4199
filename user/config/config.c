// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The configuration: one JSON document, parsed into a fresh struct config.
 *
 * Parsing is a transaction. Every error is reported, with the file and the
 * line (syntax) or the JSON path (meaning) it is about, and only a config
 * without any error is handed back: never a partially applied one. Unknown
 * keys are errors, so a typo cannot silently disable a rule.
 *
 * The shape of the document is described by const field tables below; one
 * generic walker applies them, so adding a key is adding a table row.
 */
#include <errno.h>
#include <json-c/json.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"

#define CONFIG_MAX_BYTES	     (1 << 20) /* larger files are refused */
#define CONFIG_PATH_LEN		     256       /* longest JSON path reported */
#define RINGBUF_MIN		     (256LL << 10)
#define RINGBUF_MAX		     (1LL << 30)
#define PROCTABLE_MIN		     1024LL
#define PROCTABLE_MAX		     4194304LL
#define DEFAULT_RINGBUF		     (16U << 20)
#define DEFAULT_PROCTABLE	     65536U
#define DNS_CACHE_MIN		     256LL
#define DNS_CACHE_MAX		     (1LL << 22)
#define DEFAULT_DNS_CACHE	     16384U
#define DEFAULT_DNS_MIN_TTL	     60U /* clients cache longer than short TTLs say */
#define DEFAULT_DNS_MAX_TTL	     86400U
#define DEFAULT_DNS_QUESTION_TIMEOUT 10U /* glibc gives up after 5 s, resends once */
#define STATUS_INTERVAL_MAX	     86400LL
#define DEFAULT_REALTIME_PRIORITY    1 /* the lowest: above every normal task, below the kernel's */
#define DEFAULT_DNS_HEX_RUN	     16U /* a 64-bit value in hex; cloudfront ids have 14 */
#define DEFAULT_DNS_ENCODED_RUN	     24U /* 15 bytes in base32, 18 in base64 */
#define DEFAULT_DNS_ENTROPY	     3.8 /* random base32 of 24 characters: about 4.1 */
#define DEFAULT_DNS_LABELS	     8U	 /* cluster.local search names have 5 */
#define DEFAULT_DNS_LENGTH	     100U
#define DNS_RUN_MIN		     8LL   /* hex or encoded characters in a row */
#define DNS_LABEL_LEN		     63LL  /* the longest label */
#define DNS_LABELS_MAX		     127LL /* the most labels a name has */
#define DNS_NAME_TEXT_MAX	     253LL /* the longest name */
#define ENTROPY_MIN		     1LL   /* bits per character */
#define ENTROPY_MAX		     6LL   /* log2(64): base64's alphabet */

/* clang-format off */
static const char *const severity_names[] = {
	[SEV_NONE] = "none",
	[SEV_LOW] = "low",
	[SEV_MEDIUM] = "medium",
	[SEV_HIGH] = "high",
	[SEV_CRITICAL] = "critical",
};
/* clang-format on */

/* clang-format off */
static const int severity_scores[] = {
	[SEV_NONE] = 0,
	[SEV_LOW] = 21,
	[SEV_MEDIUM] = 47,
	[SEV_HIGH] = 73,
	[SEV_CRITICAL] = 99,
};
/* clang-format on */

const char *severity_name(enum severity s)
{
	if ((unsigned int)s >= ARRAY_SIZE(severity_names))
		return "none";
	return severity_names[s];
}

int severity_parse(const char *s, enum severity *out)
{
	size_t i;

	for (i = SEV_LOW; i < ARRAY_SIZE(severity_names); i++) {
		if (strcmp(s, severity_names[i]) == 0) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

int severity_score(enum severity s)
{
	if ((unsigned int)s >= ARRAY_SIZE(severity_scores))
		return 0;
	return severity_scores[s];
}

/* Parse state: where we are in the document, and how many errors so far. */
struct pctx {
	const char *name; /* file name in messages */
	FILE *errs;
	int nerr;
	size_t len; /* of path */
	char path[CONFIG_PATH_LEN];
};

static void __attribute__((format(printf, 2, 3))) cfg_error(struct pctx *x, const char *fmt, ...)
{
	va_list ap;

	x->nerr++;
	if (!x->errs)
		return;
	fprintf(x->errs, "%s: %s: ", x->name, x->path);
	va_start(ap, fmt);
	vfprintf(x->errs, fmt, ap);
	va_end(ap);
	fputc('\n', x->errs);
}

/* Append a path component; returns the length to restore with path_pop. */
static size_t path_push(struct pctx *x, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static size_t path_push(struct pctx *x, const char *fmt, ...)
{
	size_t old = x->len;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(x->path + old, sizeof(x->path) - old, fmt, ap);
	va_end(ap);
	if (n > 0)
		x->len = old + (size_t)n < sizeof(x->path) ? old + n : sizeof(x->path) - 1;
	return old;
}

static void path_pop(struct pctx *x, size_t old)
{
	x->len = old;
	x->path[old] = '\0';
}

/*
 * One key of a JSON object. parse() gets the value and the address of the
 * destination, base + off. Arrays of objects use size (element size),
 * off_n (where the element count goes), sub (the element's fields) and
 * check (a whole-element validator). Integers use min and max.
 */
struct field {
	const char *key;
	void (*parse)(struct pctx *x, struct json_object *v, void *dst, const struct field *f);
	size_t off;
	bool required;
	size_t off_n;
	size_t size;
	const struct field *sub;
	void (*check)(struct pctx *x, const void *elem);
	long long min, max;
};

static void parse_object(struct pctx *x, struct json_object *o, void *base,
			 const struct field *fields);

static bool parse_is_string(struct pctx *x, struct json_object *v)
{
	if (!json_object_is_type(v, json_type_string)) {
		cfg_error(x, "expected a string");
		return false;
	}
	if (json_object_get_string_len(v) == 0) {
		cfg_error(x, "must not be empty");
		return false;
	}
	if (strlen(json_object_get_string(v)) != (size_t)json_object_get_string_len(v)) {
		cfg_error(x, "contains a NUL byte");
		return false;
	}
	return true;
}

static void parse_string(struct pctx *x, struct json_object *v, void *dst, const struct field *f)
{
	char **s = dst;

	(void)f;
	if (!parse_is_string(x, v))
		return;
	*s = strdup(json_object_get_string(v));
	if (!*s)
		cfg_error(x, "out of memory");
}

/* NULL when s is a valid environment variable name, else what is wrong. */
static const char *env_name_check(const char *s)
{
	static const char first[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_";
	static const char why[] = "is not a valid environment variable name";

	if (!strchr(first, *s))
		return why;
	return s[strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_0123456789")] ==
			       '\0'
		       ? NULL
		       : why;
}

/* NULL when the kernel's file filter can key on the pattern. */
static const char *watch_check(const char *s)
{
	char anchor[DS_ANCHOR_LEN];

	if (file_suffix(s, anchor, sizeof(anchor)) < 0 &&
	    file_anchor(s, anchor, sizeof(anchor)) < 0)
		return "has no path component that starts with a literal name, nor a last "
		       "component '*' then a literal (the kernel filters on one, e.g. "
		       "\"*/.github/workflows/*\" or \"*/site-packages/*.pth\")";
	return NULL;
}

/* The length of v if it is an array (of strings, as the message says). */
static bool strings_array(struct pctx *x, struct json_object *v, size_t *n)
{
	if (!json_object_is_type(v, json_type_array)) {
		cfg_error(x, "expected an array of strings");
		return false;
	}
	*n = json_object_array_length(v);
	return true;
}

/* each(x, s, arg) for every element of the array v that is a non-empty
 * string, with the element's index on the path for its messages. */
static void strings_walk(struct pctx *x, struct json_object *v,
			 void (*each)(struct pctx *x, const char *s, void *arg), void *arg)
{
	size_t i, old, n = json_object_array_length(v);

	for (i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(v, i);

		old = path_push(x, "[%zu]", i);
		if (parse_is_string(x, e))
			each(x, json_object_get_string(e), arg);
		path_pop(x, old);
	}
}

struct strlist_fill {
	struct strlist *l;
	const char *(*check)(const char *s);
};

static void strlist_fill(struct pctx *x, const char *s, void *arg)
{
	struct strlist_fill *f = arg;
	const char *why = f->check ? f->check(s) : NULL;

	if (why)
		cfg_error(x, "\"%s\" %s", s, why);
	else if (!(f->l->v[f->l->n++] = strdup(s)))
		cfg_error(x, "out of memory");
}

/* An array of non-empty strings, each accepted by check() when given. */
static void strings_parse(struct pctx *x, struct json_object *v, struct strlist *l,
			  const char *(*check)(const char *s))
{
	struct strlist_fill f = { l, check };
	size_t n;

	if (!strings_array(x, v, &n))
		return;
	l->v = calloc(n + 1, sizeof(*l->v));
	if (!l->v) {
		cfg_error(x, "out of memory");
		return;
	}
	strings_walk(x, v, strlist_fill, &f);
}

static void parse_strings(struct pctx *x, struct json_object *v, void *dst, const struct field *f)
{
	(void)f;
	strings_parse(x, v, dst, NULL);
}

static void parse_env_names(struct pctx *x, struct json_object *v, void *dst, const struct field *f)
{
	(void)f;
	strings_parse(x, v, dst, env_name_check);
}

static void parse_watch(struct pctx *x, struct json_object *v, void *dst, const struct field *f)
{
	(void)f;
	strings_parse(x, v, dst, watch_check);
}

static void parse_bool(struct pctx *x, struct json_object *v, void *dst, const struct field *f)
{
	(void)f;
	if (!json_object_is_type(v, json_type_boolean)) {
		cfg_error(x, "expected true or false");
		return;
	}
	*(bool *)dst = json_object_get_boolean(v);
}

static void parse_severity(struct pctx *x, struct json_object *v, void *dst, const struct field *f)
{
	const char *s;

	(void)f;
	if (!json_object_is_type(v, json_type_string)) {
		cfg_error(x, "expected a severity: low, medium, high or critical");
		return;
	}
	s = json_object_get_string(v);
	if (severity_parse(s, dst))
		cfg_error(x, "unknown severity \"%s\": expected low, medium, high or critical", s);
}

static const char *const events_scopes[] = {
	[EVENTS_SESSIONS] = "sessions",
	[EVENTS_ALL] = "all",
};

/* A string that is one of names: its index, or -1. */
static int name_index(struct json_object *v, const char *const *names, size_t n)
{
	const char *s = json_object_is_type(v, json_type_string) ? json_object_get_string(v) : "";
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(s, names[i]) == 0)
			return (int)i;
	return -1;
}

static void parse_events_scope(struct pctx *x, struct json_object *v, void *dst,
			       const struct field *f)
{
	int i = name_index(v, events_scopes, ARRAY_SIZE(events_scopes));

	(void)f;
	if (i < 0)
		cfg_error(x, "expected \"sessions\" (install sessions) or \"all\" (every process)");
	else
		*(enum events_scope *)dst = i;
}

/* The daemon runs from /: a relative name would land there. */
static void parse_events_output(struct pctx *x, struct json_object *v, void *dst,
				const struct field *f)
{
	const char *s;

	parse_string(x, v, dst, f);
	s = *(char **)dst;
	if (s && strcmp(s, "-") && s[0] != '/')
		cfg_error(x, "\"%s\" is neither an absolute path nor \"-\" (standard output)", s);
}

static bool is_pow2(long long n)
{
	return n > 0 && (n & (n - 1)) == 0;
}

/* An integer in [f->min, f->max]; a power of two too when f->size is set. */
static void parse_u32(struct pctx *x, struct json_object *v, void *dst, const struct field *f)
{
	long long n;

	if (!json_object_is_type(v, json_type_int)) {
		cfg_error(x, "expected an integer");
		return;
	}
	errno = 0;
	n = json_object_get_int64(v);
	if (errno || n < f->min || n > f->max) {
		cfg_error(x, "%s is out of range: expected %lld to %lld", json_object_get_string(v),
			  f->min, f->max);
		return;
	}
	if (f->size && !is_pow2(n)) {
		cfg_error(x, "%lld is not a power of two", n);
		return;
	}
	*(uint32_t *)dst = (uint32_t)n;
}

/* A number (whole or not) in [f->min, f->max]. */
static void parse_number(struct pctx *x, struct json_object *v, void *dst, const struct field *f)
{
	double d;

	if (!json_object_is_type(v, json_type_int) && !json_object_is_type(v, json_type_double)) {
		cfg_error(x, "expected a number");
		return;
	}
	d = json_object_get_double(v);
	if (!(d >= f->min && d <= f->max)) {
		cfg_error(x, "%s is out of range: expected %lld to %lld", json_object_get_string(v),
			  f->min, f->max);
		return;
	}
	*(double *)dst = d;
}

static void parse_sub(struct pctx *x, struct json_object *v, void *dst, const struct field *f)
{
	parse_object(x, v, dst, f->sub);
}

/*
 * An array of objects, each parsed with f->sub into a calloc'd array whose
 * count goes to the sibling member at f->off_n. An element is checked as a
 * whole only when its own fields were all valid.
 */
static void parse_objects(struct pctx *x, struct json_object *v, void *dst, const struct field *f)
{
	size_t i, n, old, *count = (size_t *)((char *)dst - f->off + f->off_n);
	char *elems;
	int nerr;

	if (!json_object_is_type(v, json_type_array)) {
		cfg_error(x, "expected an array of objects");
		return;
	}
	n = json_object_array_length(v);
	elems = calloc(n ? n : 1, f->size);
	if (!elems) {
		cfg_error(x, "out of memory");
		return;
	}
	*(void **)dst = elems;
	*count = n;
	for (i = 0; i < n; i++) {
		old = path_push(x, "[%zu]", i);
		nerr = x->nerr;
		parse_object(x, json_object_array_get_idx(v, i), elems + i * f->size, f->sub);
		if (f->check && x->nerr == nerr)
			f->check(x, elems + i * f->size);
		path_pop(x, old);
	}
}

static const struct field *field_find(const struct field *fields, const char *key)
{
	for (; fields->key; fields++)
		if (strcmp(fields->key, key) == 0)
			return fields;
	return NULL;
}

static void parse_object(struct pctx *x, struct json_object *o, void *base,
			 const struct field *fields)
{
	const struct field *f;
	uint64_t seen = 0;
	size_t old;

	if (!json_object_is_type(o, json_type_object)) {
		cfg_error(x, "expected an object");
		return;
	}
	json_object_object_foreach (o, key, v) {
		old = path_push(x, ".%s", key);
		f = field_find(fields, key);
		if (!f) {
			cfg_error(x, "unknown key");
		} else {
			seen |= 1ULL << (f - fields);
			f->parse(x, v, (char *)base + f->off, f);
		}
		path_pop(x, old);
	}
	for (f = fields; f->key; f++)
		if (f->required && !(seen & (1ULL << (f - fields))))
			cfg_error(x, "missing required key \"%s\"", f->key);
}

static void allow_fill(struct pctx *x, const char *s, void *arg)
{
	struct config *c = arg;
	const char *why;

	if (allow_parse(s, &c->allow[c->nallow], &why))
		cfg_error(x, "\"%s\": %s", s, why);
	else
		c->nallow++;
}

/* The registry allowlist: each string an allow_entry, errors by index. */
static void parse_allowlist(struct pctx *x, struct json_object *v, void *dst, const struct field *f)
{
	struct config *c = (struct config *)((char *)dst - f->off);
	size_t n;

	if (!strings_array(x, v, &n))
		return;
	c->allow = calloc(n ? n : 1, sizeof(*c->allow));
	if (!c->allow) {
		cfg_error(x, "out of memory");
		return;
	}
	strings_walk(x, v, allow_fill, c);
}

/* An array of addresses and ranges, and its count, in the configuration. */
struct resolver_list {
	struct allow_entry **v;
	size_t *n;
};

static void resolver_fill(struct pctx *x, const char *s, void *arg)
{
	struct resolver_list *l = arg;
	struct allow_entry *e = &(*l->v)[*l->n];
	const char *why;

	if (allow_parse(s, e, &why)) {
		cfg_error(x, "\"%s\": %s", s, why);
		return;
	}
	(*l->n)++;
	if (e->kind != ALLOW_CIDR || e->port)
		cfg_error(
			x,
			"\"%s\": expected an address or a range (10.0.0.53, fd00::/8), no name or port",
			s);
}

/* Resolvers: addresses and ranges, no names; the count at off_n. */
static void parse_resolvers(struct pctx *x, struct json_object *v, void *dst, const struct field *f)
{
	struct resolver_list l = { dst, (size_t *)((char *)dst - f->off + f->off_n) };
	size_t n;

	if (!strings_array(x, v, &n))
		return;
	*l.v = calloc(n ? n : 1, sizeof(**l.v));
	if (!*l.v) {
		cfg_error(x, "out of memory");
		return;
	}
	strings_walk(x, v, resolver_fill, &l);
}

static const char *const response_modes[] = {
	[RESPONSE_OFF] = "off",
	[RESPONSE_DETECT] = "detect",
	[RESPONSE_BLOCK] = "block",
};

static void parse_response_mode(struct pctx *x, struct json_object *v, void *dst,
				const struct field *f)
{
	int i = name_index(v, response_modes, ARRAY_SIZE(response_modes));

	(void)f;
	if (i < 0)
		cfg_error(x,
			  "expected \"off\", \"detect\" (mark what would be blocked) or \"block\"");
	else
		*(enum response_mode *)dst = i;
}

const char *response_mode_name(enum response_mode m)
{
	return m < ARRAY_SIZE(response_modes) ? response_modes[m] : "?";
}

static void check_dns_ttl(struct pctx *x, const void *elem)
{
	const struct config *c = elem;

	if (c->dns_min_ttl > c->dns_max_ttl)
		cfg_error(x, "dns_min_ttl (%u) is above dns_max_ttl (%u)", c->dns_min_ttl,
			  c->dns_max_ttl);
}

static void check_exclusion(struct pctx *x, const void *elem)
{
	const struct exclusion *e = elem;

	size_t i;

	if (!e->executables.n && !e->command_lines.n && !e->packages.n && !e->users.n &&
	    !e->ancestors.n)
		cfg_error(x,
			  "exclusion needs at least one non-empty list: it would match everything");
	for (i = 0; i < e->rules.n; i++) {
		enum rule_id r = rule_id_find(e->rules.v[i]);

		if (r == RULE_NONE)
			cfg_error(x, "rules[%zu]: unknown rule \"%s\"", i, e->rules.v[i]);
		else if (!rule_id_excludable(r))
			cfg_error(
				x,
				"rules[%zu]: \"%s\" guards the sensor itself: it cannot be excluded",
				i, e->rules.v[i]);
	}
}

#define STRINGS(k, type, member, req)                                              \
	{                                                                          \
		.key = (k), .parse = parse_strings, .off = offsetof(type, member), \
		.required = (req)                                                  \
	}
#define STRING(k, type, member, req)                                              \
	{                                                                         \
		.key = (k), .parse = parse_string, .off = offsetof(type, member), \
		.required = (req)                                                 \
	}
#define OBJECTS(k, member, count, type, fields, chk, req)                                       \
	{                                                                                       \
		.key = (k), .parse = parse_objects, .off = offsetof(struct config, member),     \
		.off_n = offsetof(struct config, count), .size = sizeof(type), .sub = (fields), \
		.check = (chk), .required = (req)                                               \
	}

/* clang-format off */
static const struct field pm_fields[] = {
	STRING("name", struct pm_def, name, true),
	STRING("package_type", struct pm_def, package_type, true),
	STRINGS("executables", struct pm_def, executables, true),
	STRINGS("scripts", struct pm_def, scripts, false),
	STRINGS("command_lines", struct pm_def, command_lines, false),
	{ 0 }
};
/* clang-format on */

/* clang-format off */
static const struct field name_group_fields[] = {
	{ .key = "severity", .parse = parse_severity, .required = true,
	  .off = offsetof(struct sus_group, severity) },
	STRING("reason", struct sus_group, reason, true),
	STRINGS("names", struct sus_group, patterns, true),
	{ 0 }
};
/* clang-format on */

/* clang-format off */
static const struct field cmdline_group_fields[] = {
	{ .key = "severity", .parse = parse_severity, .required = true,
	  .off = offsetof(struct sus_group, severity) },
	STRING("reason", struct sus_group, reason, true),
	STRINGS("patterns", struct sus_group, patterns, true),
	{ 0 }
};
/* clang-format on */

/* clang-format off */
static const struct field exclusion_fields[] = {
	STRING("comment", struct exclusion, comment, true),
	STRINGS("executables", struct exclusion, executables, false),
	STRINGS("command_lines", struct exclusion, command_lines, false),
	STRINGS("packages", struct exclusion, packages, false),
	STRINGS("users", struct exclusion, users, false),
	STRINGS("ancestors", struct exclusion, ancestors, false),
	STRINGS("rules", struct exclusion, rules, false),
	{ 0 }
};
/* clang-format on */

/* The rules object's members write straight into struct config. */
static const struct field rule_pm_fields[] = {
	{ .key = "enabled", .parse = parse_bool, .off = offsetof(struct config, pm_child_enabled) },
	{ 0 }
};

/* clang-format off */
static const struct field rule_lifecycle_fields[] = {
	{ .key = "enabled", .parse = parse_bool,
	  .off = offsetof(struct config, lifecycle_enabled) },
	STRINGS("parent_command_lines", struct config, lifecycle_parents, true),
	STRINGS("lifecycle_events", struct config, lifecycle_events, true),
	{ 0 }
};
/* clang-format on */

/* clang-format off */
static const struct field payload_group_fields[] = {
	{ .key = "severity", .parse = parse_severity, .required = true,
	  .off = offsetof(struct payload_group, severity) },
	STRING("reason", struct payload_group, reason, true),
	STRINGS("names", struct payload_group, names, false),
	STRINGS("command_lines", struct payload_group, command_lines, false),
	{ 0 }
};
/* clang-format on */

static void check_payload_group(struct pctx *x, const void *elem)
{
	const struct payload_group *g = elem;

	if (!g->names.n && !g->command_lines.n)
		cfg_error(x, "a group needs names or command_lines: it would match nothing");
}

/* clang-format off */
static const struct field rule_payload_fields[] = {
	{ .key = "enabled", .parse = parse_bool, .off = offsetof(struct config, payload_enabled) },
	OBJECTS("groups", payload, npayload, struct payload_group, payload_group_fields,
		check_payload_group, true),
	{ 0 }
};
/* clang-format on */

/* clang-format off */
static const struct field rule_dropped_fields[] = {
	{ .key = "enabled", .parse = parse_bool, .off = offsetof(struct config, dropped_enabled) },
	{ .key = "severity", .parse = parse_severity,
	  .off = offsetof(struct config, dropped_severity) },
	STRINGS("package_trees", struct config, dropped_trees, false),
	STRINGS("interpreters", struct config, interpreters, false),
	{ 0 }
};
/* clang-format on */

/* clang-format off */
static const struct field rule_cred_fields[] = {
	{ .key = "enabled", .parse = parse_bool, .off = offsetof(struct config, cred_enabled) },
	{ .key = "severity", .parse = parse_severity,
	  .off = offsetof(struct config, cred_severity) },
	{ .key = "paths", .parse = parse_watch, .required = true,
	  .off = offsetof(struct config, cred_paths) },
	STRINGS("trusted_readers", struct config, cred_readers, false),
	{ 0 }
};
/* clang-format on */

#define LIMIT(k, member, lo, hi)                                 \
	{                                                        \
		.key = (k), .parse = parse_u32,                  \
		.off = offsetof(struct config, exfil_limits) +   \
		       offsetof(struct dns_data_limits, member), \
		.min = (lo), .max = (hi)                         \
	}

/* clang-format off */
static const struct field rule_exfil_fields[] = {
	{ .key = "enabled", .parse = parse_bool, .off = offsetof(struct config, exfil_enabled) },
	{ .key = "nameserver_severity", .parse = parse_severity,
	  .off = offsetof(struct config, exfil_server_severity) },
	{ .key = "data_severity", .parse = parse_severity,
	  .off = offsetof(struct config, exfil_data_severity) },
	{ .key = "resolvers", .parse = parse_resolvers,
	  .off = offsetof(struct config, exfil_resolvers),
	  .off_n = offsetof(struct config, nexfil_resolvers) },
	STRINGS("ignored_names", struct config, exfil_ignored, false),
	LIMIT("hex_length", hex_run, DNS_RUN_MIN, DNS_LABEL_LEN),
	LIMIT("encoded_length", encoded_run, DNS_RUN_MIN, DNS_LABEL_LEN),
	{ .key = "encoded_entropy", .parse = parse_number,
	  .off = offsetof(struct config, exfil_limits) + offsetof(struct dns_data_limits, entropy),
	  .min = ENTROPY_MIN, .max = ENTROPY_MAX },
	LIMIT("max_labels", labels, 1, DNS_LABELS_MAX),
	LIMIT("max_length", length, DNS_LABEL_LEN, DNS_NAME_TEXT_MAX),
	{ 0 }
};
/* clang-format on */

/* clang-format off */
static const struct field persist_group_fields[] = {
	{ .key = "severity", .parse = parse_severity, .required = true,
	  .off = offsetof(struct persist_group, severity) },
	STRING("reason", struct persist_group, reason, true),
	{ .key = "paths", .parse = parse_watch, .required = true,
	  .off = offsetof(struct persist_group, paths) },
	STRINGS("lines", struct persist_group, lines, false),
	{ .key = "outside_sessions", .parse = parse_bool,
	  .off = offsetof(struct persist_group, outside_sessions) },
	{ .key = "package_manager_writes", .parse = parse_bool,
	  .off = offsetof(struct persist_group, package_manager_writes) },
	{ 0 }
};
/* clang-format on */

static void check_persist_group(struct pctx *x, const void *elem)
{
	const struct persist_group *g = elem;

	if (!g->paths.n)
		cfg_error(x, "a group needs paths: it would match nothing");
}

/* The groups, at most PERSIST_GROUPS_MAX: each is a list of the kernel's
 * filter. */
static void parse_persist(struct pctx *x, struct json_object *v, void *dst, const struct field *f)
{
	if (json_object_is_type(v, json_type_array) &&
	    json_object_array_length(v) > PERSIST_GROUPS_MAX) {
		cfg_error(x, "at most %d groups", PERSIST_GROUPS_MAX);
		return;
	}
	parse_objects(x, v, dst, f);
}

/* clang-format off */
static const struct field rule_persist_fields[] = {
	{ .key = "enabled", .parse = parse_bool, .off = offsetof(struct config, persist_enabled) },
	STRINGS("trusted_writers", struct config, persist_trusted, false),
	{ .key = "groups", .parse = parse_persist, .required = true,
	  .off = offsetof(struct config, persist), .off_n = offsetof(struct config, npersist),
	  .size = sizeof(struct persist_group), .sub = persist_group_fields,
	  .check = check_persist_group },
	{ 0 }
};
/* clang-format on */

static const struct field rule_egress_fields[] = {
	{ .key = "enabled", .parse = parse_bool, .off = offsetof(struct config, egress_enabled) },
	{ .key = "severity",
	  .parse = parse_severity,
	  .off = offsetof(struct config, egress_severity) },
	{ .key = "no_domain_severity",
	  .parse = parse_severity,
	  .off = offsetof(struct config, egress_raw_severity) },
	{ .key = "dns_severity",
	  .parse = parse_severity,
	  .off = offsetof(struct config, egress_dns_severity) },
	{ 0 }
};

/* clang-format off */
static const struct field rule_cicd_fields[] = {
	{ .key = "enabled", .parse = parse_bool, .off = offsetof(struct config, cicd_enabled) },
	{ .key = "install_session_severity", .parse = parse_severity,
	  .off = offsetof(struct config, cicd_sev[WRITER_SESSION]) },
	{ .key = "suspicious_writer_severity", .parse = parse_severity,
	  .off = offsetof(struct config, cicd_sev[WRITER_SUSPICIOUS]) },
	{ .key = "severity", .parse = parse_severity,
	  .off = offsetof(struct config, cicd_sev[WRITER_OTHER]) },
	{ .key = "known_writer_severity", .parse = parse_severity,
	  .off = offsetof(struct config, cicd_sev[WRITER_KNOWN]) },
	STRINGS("suspicious_writers", struct config, writers_suspicious, true),
	STRINGS("suspicious_writer_command_lines", struct config, writers_suspicious_cmd, true),
	STRINGS("known_writers", struct config, writers_known, true),
	{ 0 }
};
/* clang-format on */

/* clang-format off */
static const struct field files_fields[] = {
	{ .key = "pipeline_files", .parse = parse_watch, .required = true,
	  .off = offsetof(struct config, watch_pipeline) },
	{ .key = "build_files", .parse = parse_watch, .required = true,
	  .off = offsetof(struct config, watch_build) },
	STRINGS("generated_markers", struct config, generated_markers, true),
	STRINGS("ignored_paths", struct config, ignored_paths, false),
	{ .key = "rename_tracepoints_always", .parse = parse_bool,
	  .off = offsetof(struct config, rename_tracepoints_always) },
	{ 0 }
};
/* clang-format on */

static const struct field network_fields[] = {
	{ .key = "registry_allowlist",
	  .parse = parse_allowlist,
	  .required = true,
	  .off = offsetof(struct config, allow) },
	{ .key = "dns_capture", .parse = parse_bool, .off = offsetof(struct config, dns_capture) },
	{ .key = "dns_cache_size",
	  .parse = parse_u32,
	  .off = offsetof(struct config, dns_cache_max),
	  .min = DNS_CACHE_MIN,
	  .max = DNS_CACHE_MAX },
	{ .key = "dns_min_ttl",
	  .parse = parse_u32,
	  .off = offsetof(struct config, dns_min_ttl),
	  .min = 0,
	  .max = 604800 },
	{ .key = "dns_max_ttl",
	  .parse = parse_u32,
	  .off = offsetof(struct config, dns_max_ttl),
	  .min = 1,
	  .max = 604800 },
	{ .key = "dns_question_timeout",
	  .parse = parse_u32,
	  .off = offsetof(struct config, dns_question_timeout),
	  .min = 1,
	  .max = 300 },
	{ 0 }
};

/* The network object's members write into struct config too; the TTL
 * bounds are checked together once both are known. */
static void parse_network(struct pctx *x, struct json_object *v, void *dst, const struct field *f)
{
	int nerr = x->nerr;

	parse_object(x, v, dst, f->sub);
	if (x->nerr == nerr)
		check_dns_ttl(x, dst);
}

/* clang-format off */
static const struct field response_fields[] = {
	{ .key = "mode", .parse = parse_response_mode,
	  .off = offsetof(struct config, response_mode) },
	{ .key = "egress", .parse = parse_bool, .off = offsetof(struct config, response_egress) },
	{ .key = "kill", .parse = parse_bool, .off = offsetof(struct config, response_kill) },
	{ .key = "kill_severity", .parse = parse_severity,
	  .off = offsetof(struct config, kill_severity) },
	{ .key = "resolvers", .parse = parse_resolvers,
	  .off = offsetof(struct config, resp_resolvers),
	  .off_n = offsetof(struct config, nresp_resolvers) },
	{ 0 }
};

static const struct field events_fields[] = {
	{ .key = "output", .parse = parse_events_output,
	  .off = offsetof(struct config, events_output) },
	{ .key = "scope", .parse = parse_events_scope, .off = offsetof(struct config, events_scope) },
	{ 0 }
};
/* clang-format on */

static const struct field rules_fields[] = {
	{ .key = "pm-suspicious-child",
	  .parse = parse_sub,
	  .required = true,
	  .sub = rule_pm_fields },
	{ .key = "lifecycle-hook-suspicious-child",
	  .parse = parse_sub,
	  .required = true,
	  .sub = rule_lifecycle_fields },
	{ .key = "pm-unexpected-egress",
	  .parse = parse_sub,
	  .required = true,
	  .sub = rule_egress_fields },
	{ .key = "cicd-file-modified",
	  .parse = parse_sub,
	  .required = true,
	  .sub = rule_cicd_fields },
	/* newer than the others: a configuration written before them has
	 * no section for them, and gets their defaults */
	{ .key = "install-payload-tool", .parse = parse_sub, .sub = rule_payload_fields },
	{ .key = "install-dropped-exec", .parse = parse_sub, .sub = rule_dropped_fields },
	{ .key = "install-dns-exfiltration", .parse = parse_sub, .sub = rule_exfil_fields },
	{ .key = "install-credential-read", .parse = parse_sub, .sub = rule_cred_fields },
	{ .key = "install-persistence", .parse = parse_sub, .sub = rule_persist_fields },
	{ 0 }
};

/* clang-format off */
static const struct field config_fields[] = {
	{ .key = "ring_buffer_size", .parse = parse_u32,
	  .off = offsetof(struct config, ringbuf_bytes), .min = RINGBUF_MIN, .max = RINGBUF_MAX,
	  .size = 1 },
	{ .key = "process_table_size", .parse = parse_u32,
	  .off = offsetof(struct config, proctable_max), .min = PROCTABLE_MIN,
	  .max = PROCTABLE_MAX },
	{ .key = "min_severity", .parse = parse_severity,
	  .off = offsetof(struct config, min_severity) },
	{ .key = "status_interval", .parse = parse_u32,
	  .off = offsetof(struct config, status_interval), .max = STATUS_INTERVAL_MAX },
	{ .key = "realtime_priority", .parse = parse_u32,
	  .off = offsetof(struct config, realtime_priority), .max = 99 },
	STRING("status_file", struct config, status_file, false),
	STRING("state_file", struct config, state_file, false),
	{ .key = "environment", .parse = parse_env_names,
	  .off = offsetof(struct config, env_vars), .required = true },
	OBJECTS("package_managers", pms, npms, struct pm_def, pm_fields, NULL, true),
	STRINGS("shells", struct config, shells, true),
	OBJECTS("suspicious_processes", names, nnames, struct sus_group, name_group_fields,
		NULL, true),
	OBJECTS("suspicious_command_lines", cmdlines, ncmdlines, struct sus_group,
		cmdline_group_fields, NULL, true),
	{ .key = "network", .parse = parse_network, .required = true, .sub = network_fields },
	{ .key = "files", .parse = parse_sub, .required = true, .sub = files_fields },
	{ .key = "rules", .parse = parse_sub, .required = true, .sub = rules_fields },
	{ .key = "events", .parse = parse_sub, .sub = events_fields },
	{ .key = "response", .parse = parse_sub, .sub = response_fields },
	OBJECTS("exclusions", excl, nexcl, struct exclusion, exclusion_fields, check_exclusion,
		false),
	{ 0 }
};
/* clang-format on */

static void pm_free(struct pm_def *pm)
{
	free(pm->name);
	free(pm->package_type);
	strlist_free(&pm->executables);
	strlist_free(&pm->scripts);
	strlist_free(&pm->command_lines);
}

static void groups_free(struct sus_group *g, size_t n)
{
	size_t i;

	for (i = 0; g && i < n; i++) {
		free(g[i].reason);
		strlist_free(&g[i].patterns);
	}
	free(g);
}

static void payload_free(struct payload_group *g, size_t n)
{
	size_t i;

	for (i = 0; g && i < n; i++) {
		free(g[i].reason);
		strlist_free(&g[i].names);
		strlist_free(&g[i].command_lines);
	}
	free(g);
}

static void persist_free(struct persist_group *g, size_t n)
{
	size_t i;

	for (i = 0; g && i < n; i++) {
		free(g[i].reason);
		strlist_free(&g[i].paths);
		strlist_free(&g[i].lines);
	}
	free(g);
}

static void exclusion_free(struct exclusion *e)
{
	free(e->comment);
	strlist_free(&e->executables);
	strlist_free(&e->command_lines);
	strlist_free(&e->packages);
	strlist_free(&e->users);
	strlist_free(&e->ancestors);
	strlist_free(&e->rules);
}

void config_free(struct config *c)
{
	size_t i;

	if (!c)
		return;
	free(c->source);
	strlist_free(&c->env_vars);
	for (i = 0; c->pms && i < c->npms; i++)
		pm_free(&c->pms[i]);
	free(c->pms);
	strlist_free(&c->shells);
	groups_free(c->names, c->nnames);
	payload_free(c->payload, c->npayload);
	groups_free(c->cmdlines, c->ncmdlines);
	strlist_free(&c->lifecycle_parents);
	strlist_free(&c->lifecycle_events);
	strlist_free(&c->dropped_trees);
	strlist_free(&c->interpreters);
	strlist_free(&c->cred_paths);
	strlist_free(&c->cred_readers);
	persist_free(c->persist, c->npersist);
	strlist_free(&c->persist_trusted);
	strlist_free(&c->watch_pipeline);
	strlist_free(&c->watch_build);
	strlist_free(&c->generated_markers);
	strlist_free(&c->ignored_paths);
	strlist_free(&c->writers_suspicious);
	strlist_free(&c->writers_suspicious_cmd);
	strlist_free(&c->writers_known);
	for (i = 0; c->excl && i < c->nexcl; i++)
		exclusion_free(&c->excl[i]);
	free(c->excl);
	for (i = 0; c->allow && i < c->nallow; i++)
		allow_free(&c->allow[i]);
	free(c->allow);
	for (i = 0; c->exfil_resolvers && i < c->nexfil_resolvers; i++)
		allow_free(&c->exfil_resolvers[i]);
	free(c->exfil_resolvers);
	for (i = 0; c->resp_resolvers && i < c->nresp_resolvers; i++)
		allow_free(&c->resp_resolvers[i]);
	free(c->resp_resolvers);
	strlist_free(&c->exfil_ignored);
	free(c->events_output);
	free(c->status_file);
	free(c->state_file);
	free(c);
}

/* Report a syntax error at a byte offset as NAME:LINE:COL, both from 1. */
static void syntax_error(struct pctx *x, const char *text, size_t off, const char *msg)
{
	unsigned int line = 1, col = 1;
	size_t i;

	for (i = 0; i < off; i++) {
		if (text[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	x->nerr++;
	if (x->errs)
		fprintf(x->errs, "%s:%u:%u: %s\n", x->name, line, col, msg);
}

static struct json_object *config_tokenize(struct pctx *x, const char *text, size_t len)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *root;
	enum json_tokener_error err;
	size_t end;

	if (!tok) {
		cfg_error(x, "out of memory");
		return NULL;
	}
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	root = json_tokener_parse_ex(tok, text, (int)len);
	err = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (err == json_tokener_continue) {
		syntax_error(x, text, len, "unexpected end of input");
	} else if (err != json_tokener_success) {
		syntax_error(x, text, end, json_tokener_error_desc(err));
	} else {
		while (end < len && strchr(" \t\r\n", text[end]))
			end++;
		if (end < len) {
			syntax_error(x, text, end, "unexpected text after the JSON document");
			json_object_put(root);
			root = NULL;
		}
	}
	return root;
}

static struct config *config_new(const char *name)
{
	struct config *c = calloc(1, sizeof(*c));

	if (!c)
		return NULL;
	c->source = strdup(name);
	c->ringbuf_bytes = DEFAULT_RINGBUF;
	c->proctable_max = DEFAULT_PROCTABLE;
	c->min_severity = SEV_MEDIUM;
	c->status_interval = STATUS_INTERVAL_DEFAULT;
	c->realtime_priority = DEFAULT_REALTIME_PRIORITY;
	c->pm_child_enabled = true;
	c->lifecycle_enabled = true;
	c->payload_enabled = true;
	c->dropped_enabled = true;
	c->dropped_severity = SEV_HIGH;
	c->exfil_enabled = true;
	c->response_egress = true;
	c->response_kill = true;
	c->kill_severity = SEV_HIGH;
	c->exfil_server_severity = SEV_HIGH;
	c->exfil_data_severity = SEV_HIGH;
	c->exfil_limits = (struct dns_data_limits){ .hex_run = DEFAULT_DNS_HEX_RUN,
						    .encoded_run = DEFAULT_DNS_ENCODED_RUN,
						    .entropy = DEFAULT_DNS_ENTROPY,
						    .labels = DEFAULT_DNS_LABELS,
						    .length = DEFAULT_DNS_LENGTH };
	c->cred_enabled = true;
	c->cred_severity = SEV_HIGH;
	c->persist_enabled = true;
	c->egress_enabled = true;
	c->egress_severity = SEV_MEDIUM;
	c->egress_raw_severity = SEV_HIGH;
	c->egress_dns_severity = SEV_MEDIUM;
	c->dns_capture = true;
	c->cicd_enabled = true;
	c->cicd_sev[WRITER_SESSION] = SEV_CRITICAL;
	c->cicd_sev[WRITER_SUSPICIOUS] = SEV_HIGH;
	c->cicd_sev[WRITER_OTHER] = SEV_MEDIUM;
	c->cicd_sev[WRITER_KNOWN] = SEV_LOW;
	c->dns_cache_max = DEFAULT_DNS_CACHE;
	c->dns_min_ttl = DEFAULT_DNS_MIN_TTL;
	c->dns_max_ttl = DEFAULT_DNS_MAX_TTL;
	c->dns_question_timeout = DEFAULT_DNS_QUESTION_TIMEOUT;
	if (!c->source) {
		free(c);
		return NULL;
	}
	return c;
}

int config_parse(const char *name, const char *text, size_t len, struct config **out, FILE *errs)
{
	struct pctx x = { .name = name, .errs = errs, .len = 1, .path = "$" };
	struct json_object *root;
	struct config *c;

	if (len > CONFIG_MAX_BYTES) {
		if (errs)
			fprintf(errs, "%s: larger than %d bytes\n", name, CONFIG_MAX_BYTES);
		return -EINVAL;
	}
	if (memchr(text, '\0', len)) {
		if (errs)
			fprintf(errs, "%s: contains a NUL byte: not a JSON text\n", name);
		return -EINVAL;
	}
	root = config_tokenize(&x, text, len);
	if (!root)
		return -EINVAL;
	c = config_new(name);
	if (!c) {
		json_object_put(root);
		return -ENOMEM;
	}
	parse_object(&x, root, c, config_fields);
	json_object_put(root);
	if (x.nerr) {
		config_free(c);
		return -EINVAL;
	}
	*out = c;
	return 0;
}

/* The whole file, NUL-terminated; NULL after reporting why not. */
static char *config_read(const char *path, size_t *len, FILE *errs)
{
	FILE *f = fopen(path, "re");
	char *buf;

	if (!f) {
		if (errs)
			fprintf(errs, "%s: cannot open: %s\n", path, strerror(errno));
		return NULL;
	}
	buf = malloc(CONFIG_MAX_BYTES + 1);
	*len = buf ? fread(buf, 1, CONFIG_MAX_BYTES + 1, f) : 0;
	if (!buf || ferror(f)) {
		if (errs)
			fprintf(errs, "%s: cannot read: %s\n", path,
				strerror(buf ? errno : ENOMEM));
		free(buf);
		buf = NULL;
	}
	fclose(f);
	return buf;
}

const char *config_path(const char *opt)
{
	if (!opt && access(DEFAULT_CONFIG_PATH, F_OK) == 0)
		return DEFAULT_CONFIG_PATH;
	return opt;
}

int config_load(const char *path, struct config **out, FILE *errs)
{
	size_t len;
	char *text;
	int err;

	if (!path)
		return config_parse("(built-in)", config_builtin, strlen(config_builtin), out,
				    errs);
	text = config_read(path, &len, errs);
	if (!text)
		return -EINVAL;
	err = config_parse(path, text, len, out, errs);
	free(text);
	return err;
}
