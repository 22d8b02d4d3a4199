// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The summary of an alert log: counts per rule and severity, the CI jobs
 * named, and one line per alert saying what happened (package, process
 * chain, destination or file), as text, Markdown (for a CI step summary)
 * or JSON. `depsentry report` feeds it the lines of a log, `depsentry exec`
 * the lines it writes. A line that is not an alert is counted, never fatal.
 *
 * Every string in an alert may come from a process. Text and Markdown show
 * control characters, C1 controls, bidirectional overrides, line
 * separators and invalid UTF-8 as escapes (text.c), so an alert cannot
 * move the cursor, start a line of its own or reorder what a reader sees;
 * Markdown also escapes every ASCII punctuation character, so it cannot
 * open a link, an image, a table cell or an HTML tag. The whole output
 * then goes through text_write_guarded(), so no line of it can start a CI
 * workflow command (`::name::` or `##[...]`), and JSON through json_line().
 */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "output.h"

#define RULES_MAX      32	 /* rule ids counted apart, the rest as others */
#define STORIES_MAX    500	 /* alerts listed: the most severe are kept */
#define JOBS_MAX       8	 /* CI jobs named */
#define BAD_LINES_MAX  10	 /* malformed line numbers remembered */
#define LINE_MAX_BYTES (1 << 20) /* longer lines are malformed */
#define FIELD_MAX      1024	 /* bytes kept of one story field */
#define CHAIN_SHOWN    6	 /* ancestry names shown: first, ..., last 4 */
#define MD_ROWS_MAX    100	 /* a step summary is at most 1 MiB */
#define NSEV	       (SEV_CRITICAL + 1)
#define NS_PER_SEC     1000000000LL

struct rule_count {
	char *id;
	uint64_t n[NSEV];
};

/* One alert, told in one line. */
struct story {
	uint64_t line;
	enum severity sev;
	char *time;
	char *rule;
	char *package; /* name@version, NULL outside a package */
	char *what;    /* "npm > sh > curl ran curl -s http://..." */
	char *event_id;
};

struct ci_job {
	char *v[CI_FIELD_MAX];
};

struct summary {
	int64_t since;	       /* ns since the epoch; 0: every line */
	enum severity fail_on; /* SEV_NONE: no threshold */
	int64_t exec_pid;      /* when set, alerts from elsewhere are set apart */
	uint64_t lines;	       /* lines seen */
	uint64_t alerts;
	uint64_t malformed;
	uint64_t bad_lines[BAD_LINES_MAX];
	uint64_t earlier;	  /* alerts before since */
	uint64_t repeats;	  /* follow-up lines of earlier alerts */
	uint64_t elsewhere[NSEV]; /* alerts not from below exec_pid */
	uint64_t by_sev[NSEV];
	struct rule_count rules[RULES_MAX];
	size_t nrules;
	struct rule_count others; /* rules beyond RULES_MAX */
	struct story stories[STORIES_MAX];
	size_t nstories;
	uint64_t unlisted; /* alerts not in stories */
	struct ci_job jobs[JOBS_MAX];
	size_t njobs;
	uint64_t other_jobs; /* alerts of CI jobs beyond JOBS_MAX */
};

struct summary *summary_new(int64_t since_ns, enum severity fail_on)
{
	struct summary *s = calloc(1, sizeof(*s));

	if (s) {
		s->since = since_ns;
		s->fail_on = fail_on;
	}
	return s;
}

void summary_scope(struct summary *s, int64_t exec_pid)
{
	s->exec_pid = exec_pid;
}

static void story_free(struct story *st)
{
	free(st->time);
	free(st->rule);
	free(st->package);
	free(st->what);
	free(st->event_id);
	memset(st, 0, sizeof(*st));
}

void summary_free(struct summary *s)
{
	size_t i, k;

	if (!s)
		return;
	for (i = 0; i < s->nrules; i++)
		free(s->rules[i].id);
	for (i = 0; i < s->nstories; i++)
		story_free(&s->stories[i]);
	for (i = 0; i < s->njobs; i++)
		for (k = 0; k < CI_FIELD_MAX; k++)
			free(s->jobs[i].v[k]);
	free(s);
}

/* ---------------------------------------------------------------- input */

/* The string at path, or NULL if absent, empty or not a string. */
static const char *jstr_get(struct json_object *o, const char *path)
{
	struct json_object *v = json_get(o, path);
	const char *s;

	if (!v || !json_object_is_type(v, json_type_string))
		return NULL;
	s = json_object_get_string(v);
	return *s ? s : NULL;
}

static bool jint_get(struct json_object *o, const char *path, int64_t *out)
{
	struct json_object *v = json_get(o, path);

	if (!v || !json_object_is_type(v, json_type_int))
		return false;
	*out = json_object_get_int64(v);
	return true;
}

/* Two ASCII digits at s, or -1. */
static int digits2(const char *s)
{
	return isdigit((unsigned char)s[0]) && isdigit((unsigned char)s[1])
		       ? (s[0] - '0') * 10 + (s[1] - '0')
		       : -1;
}

int summary_parse_time(const char *s, int64_t *ns)
{
	struct tm tm = { 0 };
	int64_t frac = 0, scale = NS_PER_SEC, secs;
	const char *p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	int hh, mm;

	if (!p || !isdigit((unsigned char)*s))
		return -EINVAL;
	if (*p == '.') {
		if (!isdigit((unsigned char)*++p))
			return -EINVAL;
		for (; isdigit((unsigned char)*p); p++) {
			scale /= 10;
			frac += (*p - '0') * scale;
		}
	}
	secs = timegm(&tm);
	if (*p == 'Z') {
		p++;
	} else if ((*p == '+' || *p == '-') && (hh = digits2(p + 1)) >= 0 && p[3] == ':' &&
		   (mm = digits2(p + 4)) >= 0) {
		secs -= (*p == '+' ? 1 : -1) * (hh * 3600 + mm * 60);
		p += 6;
	} else {
		return -EINVAL;
	}
	if (*p)
		return -EINVAL;
	/* ns since the epoch fit 64 bits from 1677 to 2262: beyond is no time */
	if (secs < 0 && frac) { /* the last second before the bound fits too */
		secs++;
		frac -= NS_PER_SEC;
	}
	if (__builtin_mul_overflow(secs, NS_PER_SEC, &secs) ||
	    __builtin_add_overflow(secs, frac, ns))
		return -ERANGE;
	return 0;
}

static enum severity severity_of(struct json_object *o)
{
	const char *name = jstr_get(o, "depsentry.severity");
	enum severity sev = SEV_NONE;
	int64_t score;

	if (name && severity_parse(name, &sev) == 0)
		return sev;
	if (!jint_get(o, "event.severity", &score))
		return SEV_NONE;
	for (sev = SEV_CRITICAL; sev > SEV_NONE; sev--)
		if (score >= severity_score(sev))
			return sev;
	return SEV_NONE;
}

/* ---------------------------------------------------------------- stories */

/* s cut to max bytes on a character boundary, with "..." when cut. */
static char *capped(char *s)
{
	size_t n;

	if (!s || strlen(s) <= FIELD_MAX)
		return s;
	n = FIELD_MAX - 3;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	memcpy(s + n, "...", 4);
	return s;
}

static char *dup_capped(const char *s)
{
	return s ? capped(strdup(s)) : NULL;
}

/* The ancestry's names, from the session's package manager down. */
static void tell_chain(FILE *f, struct json_object *o)
{
	struct json_object *a = json_get(o, "depsentry.ancestry"), *e;
	const char *pm = jstr_get(o, "depsentry.session.package_manager"), *name;
	size_t n = a && json_object_is_type(a, json_type_array) ? json_object_array_length(a) : 0;
	int64_t root = -1, pid;
	size_t i;

	if (n == 0) {
		name = jstr_get(o, "process.parent.name");
		if (name)
			fprintf(f, "%s > ", name);
		name = jstr_get(o, "process.name");
		fputs(name ? name : "?", f);
		return;
	}
	jint_get(o, "depsentry.session.pid", &root);
	for (i = 0; i < n; i++) {
		if (n > CHAIN_SHOWN && i > 0 && i < n - (CHAIN_SHOWN - 2)) {
			if (i == 1)
				fputs(" > ...", f);
			continue;
		}
		e = json_object_array_get_idx(a, i);
		name = jstr_get(e, "name");
		if (i == 0 && pm && jint_get(e, "pid", &pid) && pid == root)
			name = pm;
		fprintf(f, "%s%s", i ? " > " : "", name ? name : "?");
	}
}

/* clang-format off */
static const struct {
	const char *action;
	const char *verb;
} file_verbs[] = {
	{ "creation", "created" },
	{ "overwrite", "modified" },
	{ "rename", "renamed a file onto" },
	{ "link", "linked a file onto" },
};
/* clang-format on */

static void tell_file(FILE *f, struct json_object *o, const char *path)
{
	const char *action = jstr_get(o, "event.action"), *verb = "wrote";
	const char *from = jstr_get(o, "depsentry.file.old_path");
	size_t i;

	for (i = 0; action && i < ARRAY_SIZE(file_verbs); i++)
		if (strcmp(action, file_verbs[i].action) == 0)
			verb = file_verbs[i].verb;
	fprintf(f, " %s %s", verb, path);
	if (from)
		fprintf(f, " from %s", from);
}

static void tell_net(FILE *f, struct json_object *o)
{
	const char *domain = jstr_get(o, "destination.domain"), *ip = jstr_get(o, "destination.ip");
	const char *transport = jstr_get(o, "network.transport");
	int64_t port = 0;

	jint_get(o, "destination.port", &port);
	fprintf(f, " connected to %s", domain ? domain : ip ? ip : "?");
	if (domain && ip)
		fprintf(f, " (%s)", ip);
	if (port)
		fprintf(f, " port %" PRId64, port);
	if (transport)
		fprintf(f, "/%s", transport);
}

/* "npm > sh > curl ran curl -s http://..." and the like. */
static char *tell(struct json_object *o)
{
	const char *path = jstr_get(o, "file.path"), *q = jstr_get(o, "dns.question.name");
	const char *cmd = jstr_get(o, "process.command_line");
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	tell_chain(f, o);
	if (path)
		tell_file(f, o, path);
	else if (q)
		fprintf(f, " asked for %s", q);
	else if (json_get(o, "destination"))
		tell_net(f, o);
	else if (cmd)
		fprintf(f, " ran %s", cmd);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return capped(buf);
}

static char *package_of(struct json_object *o)
{
	const char *name = jstr_get(o, "package.name"), *ver = jstr_get(o, "package.version");
	char *s;

	if (!name)
		return NULL;
	if (asprintf(&s, "%s%s%s", name, ver ? "@" : "", ver ? ver : "") < 0)
		return NULL;
	return capped(s);
}

/* Where a new story goes: a free slot, or the least severe (latest among
 * equals) when it is less severe than sev; NULL when none. */
static struct story *story_slot(struct summary *s, enum severity sev)
{
	struct story *victim = NULL;
	size_t i;

	if (s->nstories < STORIES_MAX)
		return &s->stories[s->nstories++];
	for (i = 0; i < s->nstories; i++)
		if (!victim || s->stories[i].sev <= victim->sev)
			victim = &s->stories[i];
	s->unlisted++;
	if (victim->sev >= sev)
		return NULL;
	story_free(victim);
	return victim;
}

static void story_add(struct summary *s, struct json_object *o, enum severity sev, const char *rule)
{
	struct story *st = story_slot(s, sev);

	if (!st)
		return;
	st->line = s->lines;
	st->sev = sev;
	st->time = dup_capped(jstr_get(o, "@timestamp"));
	st->rule = dup_capped(rule);
	st->package = package_of(o);
	st->what = tell(o);
	st->event_id = dup_capped(jstr_get(o, "event.id"));
}

/* ---------------------------------------------------------------- counts */

static void rule_add(struct summary *s, const char *id, enum severity sev)
{
	struct rule_count *r = NULL;
	size_t i;

	for (i = 0; i < s->nrules && !r; i++)
		if (strcmp(s->rules[i].id, id) == 0)
			r = &s->rules[i];
	if (!r && s->nrules < RULES_MAX && (s->rules[s->nrules].id = dup_capped(id)))
		r = &s->rules[s->nrules++];
	(r ? r : &s->others)->n[sev]++;
}

static bool same(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static void job_add(struct summary *s, struct json_object *o)
{
	const char *v[CI_FIELD_MAX];
	char path[64];
	size_t i, k;

	for (k = 0; k < CI_FIELD_MAX; k++) {
		snprintf(path, sizeof(path), "depsentry.ci.%s", ci_field_name(k));
		v[k] = jstr_get(o, path);
	}
	if (!v[CI_PROVIDER])
		return;
	for (i = 0; i < s->njobs; i++) {
		for (k = 0; k < CI_FIELD_MAX && same(v[k], s->jobs[i].v[k]); k++)
			;
		if (k == CI_FIELD_MAX)
			return;
	}
	if (s->njobs == JOBS_MAX) {
		s->other_jobs++;
		return;
	}
	for (k = 0; k < CI_FIELD_MAX; k++)
		s->jobs[s->njobs].v[k] = dup_capped(v[k]);
	s->njobs++;
}

static const char *malformed(struct summary *s, const char *why)
{
	if (s->malformed < BAD_LINES_MAX)
		s->bad_lines[s->malformed] = s->lines;
	s->malformed++;
	return why;
}

/* NULL for a line taken (an alert, one before since, a follow-up), else
 * why it is not an alert. */
static const char *judge(struct summary *s, struct json_object *o)
{
	const char *ts = jstr_get(o, "@timestamp"), *kind = jstr_get(o, "event.kind");
	const char *rule = jstr_get(o, "rule.id");
	enum severity sev = severity_of(o);
	int64_t when, cmd;

	if (!json_object_is_type(o, json_type_object))
		return "not a JSON object";
	if (!ts || summary_parse_time(ts, &when))
		return "no RFC 3339 @timestamp";
	if (!kind || (strcmp(kind, "alert") != 0 && strcmp(kind, "event") != 0))
		return "event.kind is neither alert nor event";
	if (!rule)
		return "no rule.id";
	if (sev == SEV_NONE)
		return "no severity (depsentry.severity or event.severity)";
	if (s->since && when < s->since) {
		s->earlier++;
		return NULL;
	}
	if (s->exec_pid && !(jint_get(o, "depsentry.exec.pid", &cmd) && cmd == s->exec_pid)) {
		if (strcmp(kind, "alert") == 0)
			s->elsewhere[sev]++;
		return NULL;
	}
	if (strcmp(kind, "event") == 0) { /* sightings of an alert already told */
		s->repeats++;
		return NULL;
	}
	s->alerts++;
	s->by_sev[sev]++;
	rule_add(s, rule, sev);
	job_add(s, o);
	story_add(s, o, sev, rule);
	return NULL;
}

int summary_add(struct summary *s, const char *line, size_t len, const char **why)
{
	struct json_tokener *tok;
	struct json_object *o;
	const char *bad = NULL;

	if (why)
		*why = NULL;
	s->lines++; /* line numbers count blank lines too */
	while (len > 0 && isspace((unsigned char)line[len - 1]))
		len--;
	if (len == 0)
		return 0;
	if (len > LINE_MAX_BYTES) {
		bad = "longer than 1 MiB";
		goto out;
	}
	tok = json_tokener_new();
	if (!tok)
		return -ENOMEM;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (!o || json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len)
		bad = "not one JSON value";
	else
		bad = judge(s, o);
	json_object_put(o);
	json_tokener_free(tok);
out:
	if (why)
		*why = bad ? malformed(s, bad) : NULL;
	else if (bad)
		malformed(s, bad);
	return bad ? -EINVAL : 0;
}

enum severity summary_highest(const struct summary *s)
{
	enum severity sev;

	for (sev = SEV_CRITICAL; sev > SEV_NONE; sev--)
		if (s->by_sev[sev])
			return sev;
	return SEV_NONE;
}

uint64_t summary_at_or_above(const struct summary *s, enum severity sev)
{
	uint64_t n = 0;

	if (sev == SEV_NONE)
		return 0;
	for (; sev <= SEV_CRITICAL; sev++)
		n += s->by_sev[sev];
	return n;
}

/* ---------------------------------------------------------------- output */

static void format_wall(int64_t ns, char *buf, size_t len)
{
	time_t secs = (time_t)(ns / NS_PER_SEC);
	struct tm tm;
	char date[32];

	gmtime_r(&secs, &tm);
	strftime(date, sizeof(date), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%03dZ", date, (int)(ns % NS_PER_SEC / 1000000));
}

/* "critical 1, high 2" for the non-zero counts, highest first. */
static void put_counts(FILE *f, const uint64_t *n)
{
	enum severity sev;
	bool first = true;

	for (sev = SEV_CRITICAL; sev > SEV_NONE; sev--) {
		if (!n[sev])
			continue;
		fprintf(f, "%s%s %" PRIu64, first ? "" : ", ", severity_name(sev), n[sev]);
		first = false;
	}
}

static uint64_t total(const uint64_t *n)
{
	uint64_t t = 0;
	int i;

	for (i = SEV_LOW; i < NSEV; i++)
		t += n[i];
	return t;
}

static int by_line(const void *a, const void *b)
{
	const struct story *x = *(const struct story *const *)a;
	const struct story *y = *(const struct story *const *)b;

	return x->line < y->line ? -1 : x->line > y->line;
}

/* The stories in log order. */
static const struct story **ordered(const struct summary *s)
{
	const struct story **v = calloc(s->nstories + 1, sizeof(*v));
	size_t i;

	if (!v)
		return NULL;
	for (i = 0; i < s->nstories; i++)
		v[i] = &s->stories[i];
	qsort(v, s->nstories, sizeof(*v), by_line);
	return v;
}

/* The lines about what was not counted, as one sentence each. */
static void put_notes(FILE *f, const struct summary *s, enum text_mode mode, const char *lead)
{
	char when[40];
	size_t i;

	if (s->malformed) {
		fprintf(f, "%s%" PRIu64 " malformed line%s skipped (line", lead, s->malformed,
			s->malformed == 1 ? "" : "s");
		for (i = 0; i < s->malformed && i < BAD_LINES_MAX; i++)
			fprintf(f, "%s %" PRIu64, i ? "," : (s->malformed > 1 ? "s" : ""),
				s->bad_lines[i]);
		fputs(s->malformed > BAD_LINES_MAX ? ", ...)\n" : ")\n", f);
	}
	if (s->since) {
		format_wall(s->since, when, sizeof(when));
		fprintf(f, "%s%" PRIu64 " alert%s before ", lead, s->earlier,
			s->earlier == 1 ? "" : "s");
		text_put(f, when, mode);
		fputs(" left out\n", f);
	}
	if (s->repeats)
		fprintf(f, "%s%" PRIu64 " follow-up line%s of repeated sightings\n", lead,
			s->repeats, s->repeats == 1 ? "" : "s");
	if (s->fail_on != SEV_NONE)
		fprintf(f, "%s%" PRIu64 " alert%s at or above %s: %s\n", lead,
			summary_at_or_above(s, s->fail_on),
			summary_at_or_above(s, s->fail_on) == 1 ? "" : "s",
			severity_name(s->fail_on),
			summary_at_or_above(s, s->fail_on) ? "threshold crossed"
							   : "under the threshold");
	if (total(s->elsewhere)) {
		fprintf(f, "%s%" PRIu64 " alert%s of processes CMD did not start (", lead,
			total(s->elsewhere), total(s->elsewhere) == 1 ? "" : "s");
		put_counts(f, s->elsewhere);
		fputs("): in the log, not counted here\n", f);
	}
	if (s->unlisted)
		fprintf(f, "%s%" PRIu64 " less severe alert%s not listed (at most %d are)\n", lead,
			s->unlisted, s->unlisted == 1 ? "" : "s", STORIES_MAX);
}

static void put_job(FILE *f, const struct ci_job *j, enum text_mode mode)
{
	size_t k;

	for (k = 0; k < CI_FIELD_MAX; k++) {
		if (!j->v[k] || k == CI_COMMIT || k == CI_REF || k == CI_PROJECT_ID)
			continue;
		if (k != CI_PROVIDER)
			fprintf(f, ", %s ", ci_field_name(k));
		text_put(f, j->v[k], mode);
	}
}

static void put_jobs(FILE *f, const struct summary *s, enum text_mode mode, const char *lead)
{
	size_t i;

	for (i = 0; i < s->njobs; i++) {
		fputs(lead, f);
		fputs("CI: ", f);
		put_job(f, &s->jobs[i], mode);
		fputs("\n", f);
	}
	if (s->other_jobs)
		fprintf(f, "%s%" PRIu64 " alerts of other CI jobs\n", lead, s->other_jobs);
}

static void print_text(FILE *f, const struct summary *s, const char *title)
{
	const struct story **v = ordered(s);
	size_t i;
	int sev;

	text_put(f, title, TEXT_PLAIN);
	fprintf(f, ": %" PRIu64 " alert%s", s->alerts, s->alerts == 1 ? "" : "s");
	if (s->alerts)
		fprintf(f, ", highest %s", severity_name(summary_highest(s)));
	fprintf(f, " (%" PRIu64 " line%s)\n", s->lines, s->lines == 1 ? "" : "s");
	put_notes(f, s, TEXT_PLAIN, "  ");
	put_jobs(f, s, TEXT_PLAIN, "  ");
	if (!s->alerts) {
		free(v);
		return;
	}
	fputs("  by severity:", f);
	for (sev = SEV_CRITICAL; sev > SEV_NONE; sev--)
		fprintf(f, " %s %" PRIu64, severity_name(sev), s->by_sev[sev]);
	fputs("\n  by rule:\n", f);
	for (i = 0; i <= s->nrules; i++) {
		const struct rule_count *r = i < s->nrules ? &s->rules[i] : &s->others;

		if (!total(r->n))
			continue;
		fputs("    ", f);
		text_put(f, r->id ? r->id : "(other rules)", TEXT_PLAIN);
		fprintf(f, ": %" PRIu64 " (", total(r->n));
		put_counts(f, r->n);
		fputs(")\n", f);
	}
	fputs("  alerts:\n", f);
	for (i = 0; v && i < s->nstories; i++) {
		fputs("    ", f);
		text_put(f, v[i]->time, TEXT_PLAIN);
		fprintf(f, " %-8s ", severity_name(v[i]->sev));
		text_put(f, v[i]->rule, TEXT_PLAIN);
		fputs(" ", f);
		if (v[i]->package) {
			text_put(f, v[i]->package, TEXT_PLAIN);
			fputs(": ", f);
		}
		text_put(f, v[i]->what, TEXT_PLAIN);
		fputs("\n", f);
	}
	free(v);
}

static void md_cell(FILE *f, const char *s)
{
	fputs(" ", f);
	text_put(f, s ? s : "-", TEXT_MARKDOWN);
	fputs(" |", f);
}

static void md_rules(FILE *f, const struct summary *s)
{
	size_t i;
	int sev;

	fputs("| rule | critical | high | medium | low | total |\n"
	      "|:--|--:|--:|--:|--:|--:|\n",
	      f);
	for (i = 0; i <= s->nrules; i++) {
		const struct rule_count *r = i < s->nrules ? &s->rules[i] : &s->others;

		if (!total(r->n))
			continue;
		fputs("|", f);
		md_cell(f, r->id ? r->id : "(other rules)");
		for (sev = SEV_CRITICAL; sev > SEV_NONE; sev--)
			fprintf(f, " %" PRIu64 " |", r->n[sev]);
		fprintf(f, " %" PRIu64 " |\n", total(r->n));
	}
	fputs("| **all** |", f);
	for (sev = SEV_CRITICAL; sev > SEV_NONE; sev--)
		fprintf(f, " %" PRIu64 " |", s->by_sev[sev]);
	fprintf(f, " %" PRIu64 " |\n\n", s->alerts);
}

static void print_markdown(FILE *f, const struct summary *s, const char *title)
{
	const struct story **v = ordered(s);
	size_t i;

	fputs("### ", f);
	text_put(f, title, TEXT_MARKDOWN);
	fprintf(f, ": %" PRIu64 " alert%s", s->alerts, s->alerts == 1 ? "" : "s");
	if (s->alerts)
		fprintf(f, ", highest %s", severity_name(summary_highest(s)));
	fputs("\n\n", f);
	put_notes(f, s, TEXT_MARKDOWN, "- ");
	put_jobs(f, s, TEXT_MARKDOWN, "- ");
	fputs("\n", f);
	if (!s->alerts) {
		free(v);
		return;
	}
	md_rules(f, s);
	fputs("| time | severity | rule | package | what happened |\n"
	      "|:--|:--|:--|:--|:--|\n",
	      f);
	for (i = 0; v && i < s->nstories && i < MD_ROWS_MAX; i++) {
		fputs("|", f);
		md_cell(f, v[i]->time);
		md_cell(f, severity_name(v[i]->sev));
		md_cell(f, v[i]->rule);
		md_cell(f, v[i]->package);
		md_cell(f, v[i]->what);
		fputs("\n", f);
	}
	if (s->nstories > MD_ROWS_MAX)
		fprintf(f, "\n%zu more alerts in the log (the table stops at %d rows).\n",
			s->nstories - MD_ROWS_MAX, MD_ROWS_MAX);
	free(v);
}

/* A JSON string of s, or NULL (json_line makes the output valid UTF-8). */
static struct json_object *jclean(const char *s)
{
	return s ? json_object_new_string(s) : NULL;
}

static void jadd(struct json_object *o, const char *key, struct json_object *v)
{
	if (v)
		json_object_object_add(o, key, v);
}

static struct json_object *json_counts(struct json_object *o, const uint64_t *n)
{
	int sev;

	for (sev = SEV_CRITICAL; sev > SEV_NONE; sev--)
		jadd(o, severity_name(sev), json_object_new_int64((int64_t)n[sev]));
	return o;
}

static struct json_object *json_rules(const struct summary *s)
{
	struct json_object *a = json_object_new_array(), *r;
	size_t i;

	for (i = 0; i <= s->nrules; i++) {
		const struct rule_count *rc = i < s->nrules ? &s->rules[i] : &s->others;

		if (!total(rc->n))
			continue;
		r = json_object_new_object();
		jadd(r, "id", rc->id ? jclean(rc->id) : NULL);
		jadd(r, "total", json_object_new_int64((int64_t)total(rc->n)));
		json_counts(r, rc->n);
		json_object_array_add(a, r);
	}
	return a;
}

static struct json_object *json_jobs(const struct summary *s)
{
	struct json_object *a = json_object_new_array(), *j;
	size_t i, k;

	for (i = 0; i < s->njobs; i++) {
		j = json_object_new_object();
		for (k = 0; k < CI_FIELD_MAX; k++)
			jadd(j, ci_field_name(k), jclean(s->jobs[i].v[k]));
		json_object_array_add(a, j);
	}
	return a;
}

static struct json_object *json_stories(const struct summary *s)
{
	const struct story **v = ordered(s);
	struct json_object *a = json_object_new_array(), *e;
	size_t i;

	for (i = 0; v && i < s->nstories; i++) {
		e = json_object_new_object();
		jadd(e, "line", json_object_new_int64((int64_t)v[i]->line));
		jadd(e, "@timestamp", jclean(v[i]->time));
		jadd(e, "severity", json_object_new_string(severity_name(v[i]->sev)));
		jadd(e, "rule", jclean(v[i]->rule));
		jadd(e, "package", jclean(v[i]->package));
		jadd(e, "what", jclean(v[i]->what));
		jadd(e, "event_id", jclean(v[i]->event_id));
		json_object_array_add(a, e);
	}
	free(v);
	return a;
}

static int print_json(FILE *f, const struct summary *s)
{
	struct json_object *o = json_object_new_object(), *bad = json_object_new_array();
	char when[40], *out;
	size_t i, len;
	int ret;

	jadd(o, "lines", json_object_new_int64((int64_t)s->lines));
	jadd(o, "alerts", json_object_new_int64((int64_t)s->alerts));
	jadd(o, "highest", json_object_new_string(severity_name(summary_highest(s))));
	jadd(o, "malformed", json_object_new_int64((int64_t)s->malformed));
	for (i = 0; i < s->malformed && i < BAD_LINES_MAX; i++)
		json_object_array_add(bad, json_object_new_int64((int64_t)s->bad_lines[i]));
	jadd(o, "malformed_lines", bad);
	jadd(o, "repeats", json_object_new_int64((int64_t)s->repeats));
	if (s->since) {
		format_wall(s->since, when, sizeof(when));
		jadd(o, "since", json_object_new_string(when));
		jadd(o, "before_since", json_object_new_int64((int64_t)s->earlier));
	}
	if (s->fail_on != SEV_NONE) {
		jadd(o, "fail_on", json_object_new_string(severity_name(s->fail_on)));
		jadd(o, "at_or_above",
		     json_object_new_int64((int64_t)summary_at_or_above(s, s->fail_on)));
		jadd(o, "threshold_crossed",
		     json_object_new_boolean(summary_at_or_above(s, s->fail_on) > 0));
	}
	jadd(o, "severity", json_counts(json_object_new_object(), s->by_sev));
	jadd(o, "rules", json_rules(s));
	jadd(o, "ci", json_jobs(s));
	jadd(o, "other_ci_alerts", json_object_new_int64((int64_t)s->other_jobs));
	jadd(o, "unlisted", json_object_new_int64((int64_t)s->unlisted));
	jadd(o, "alerts_listed", json_stories(s));
	out = json_line(o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
	ret = !out || fwrite(out, 1, len, f) != len;
	free(out);
	json_object_put(o);
	return ret ? -EIO : 0;
}

/* Printed whole into memory first, so that every line of it, whatever
 * wrote it, passes the CI guard on its way out. */
int summary_print(const struct summary *s, enum report_format fmt, const char *title, FILE *f)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	int err = 0;

	if (!m)
		return -ENOMEM;
	switch (fmt) {
	case REPORT_TEXT:
		print_text(m, s, title);
		break;
	case REPORT_MARKDOWN:
		print_markdown(m, s, title);
		break;
	case REPORT_JSON:
		err = print_json(m, s);
		break;
	}
	if (fclose(m)) {
		free(buf);
		return -ENOMEM;
	}
	if (!err)
		err = text_write_guarded(f, buf, len,
					 fmt == REPORT_MARKDOWN ? TEXT_MARKDOWN : TEXT_PLAIN);
	free(buf);
	if (fflush(f) || ferror(f))
		return -EIO;
	return err;
}
