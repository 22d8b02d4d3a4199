// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * Detection rules, evaluated once per process just after its exec.
 *
 * A process is suspicious when one of its names is in a suspicious_processes
 * group, its command line matches a suspicious_command_lines pattern, or it
 * is a shell that is interactive or reads its commands from stdin. A
 * suspicious process is an alert when it is below a package manager
 * (pm-suspicious-child) or below an install hook (lifecycle-hook-suspicious-
 * child), unless an exclusion matches it or its severity is below the
 * configured minimum. docs/rules.md explains each choice.
 */
#include <ctype.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>

#include "rules.h"

#define HOOK_GENERATIONS     8	/* ancestors searched for an install hook */
#define ANCESTOR_GENERATIONS 16 /* ancestors searched by an exclusion */
#define NAMES_MAX	     4

static const char *base_name(const char *path)
{
	const char *slash;

	if (!path)
		return NULL;
	slash = strrchr(path, '/');
	return slash ? slash + 1 : path;
}

/*
 * The names a process goes by: the resolved executable, the path it was
 * invoked as and argv[0], each reduced to its basename. A multi-call
 * busybox invoked as "busybox APPLET" adds APPLET; args is the index of the
 * first argument after the program (and applet) name.
 */
struct pnames {
	const char *v[NAMES_MAX];
	int n;
	int args;
};

static void names_add(struct pnames *pn, const char *s)
{
	if (s && *s && pn->n < NAMES_MAX)
		pn->v[pn->n++] = s;
}

static void proc_names(const struct image *img, struct pnames *pn)
{
	const char *argv0 = img->argc > 0 ? base_name(img->argv[0]) : NULL;

	pn->n = 0;
	pn->args = 1;
	names_add(pn, img->name);
	names_add(pn, base_name(img->filename));
	names_add(pn, argv0);
	if (argv0 && strcmp(argv0, "busybox") == 0 && img->argc > 1) {
		names_add(pn, base_name(img->argv[1]));
		pn->args = 2;
	}
}

static const char *names_match(const struct strlist *l, const struct pnames *pn)
{
	const char *m;
	int i;

	for (i = 0; i < pn->n; i++)
		if ((m = match_any(l, pn->v[i])))
			return m;
	return NULL;
}

/* The first pattern of l matching one of the names, else the executable. */
static const char *names_or_exe(const struct strlist *l, const struct pnames *pn,
				const struct image *img)
{
	const char *m = names_match(l, pn);

	return m ? m : match_any(l, img->exe);
}

/* Options of interpreters that take the next argument as their value. */
static const char *const opts_with_value[] = {
	"-r",		"--require", "--import", "--loader", "--experimental-loader",
	"--conditions", "-W",	     "-X",	 "-C",
};

/* Options after which the code is inline: there is no script. */
static const char *const opts_inline[] = {
	"-c", "-e", "-p", "--eval", "--print",
};

static bool in_table(const char *const *t, size_t n, const char *s)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(t[i], s) == 0)
			return true;
	return false;
}

/*
 * The script an interpreter runs, as its argument names it (*module set
 * when it is the module after -m). NULL for inline code or none.
 */
static const char *script_argument(const struct image *img, bool *module)
{
	int i;

	*module = false;
	for (i = 1; i < img->argc; i++) {
		const char *a = img->argv[i];

		if (!*a)
			continue;
		if (strcmp(a, "-m") == 0 || (a[0] == '-' && a[1] == 'm' && a[2])) {
			*module = true;
			return a[2] ? a + 2 : i + 1 < img->argc ? img->argv[i + 1] : NULL;
		}
		if (in_table(opts_inline, ARRAY_SIZE(opts_inline), a))
			return NULL;
		if (in_table(opts_with_value, ARRAY_SIZE(opts_with_value), a))
			i++;
		else if (strcmp(a, "--") == 0)
			return i + 1 < img->argc ? img->argv[i + 1] : NULL;
		else if (a[0] != '-' || a[1] == '\0')
			return a;
	}
	return NULL;
}

/* Its basename, or the module after -m. */
static const char *interp_script(const struct image *img)
{
	bool module;
	const char *s = script_argument(img, &module);

	return module ? s : base_name(s);
}

const char *rules_script_file(const struct config *c, const struct proc *p)
{
	struct pnames pn;
	const char *s;
	bool module;

	if (!c || !p || !p->img || !p->img->argc)
		return NULL;
	proc_names(p->img, &pn);
	if (!names_match(&c->interpreters, &pn) && !names_match(&c->shells, &pn))
		return NULL;
	s = script_argument(p->img, &module);
	return module || !s || strcmp(s, "-") == 0 ? NULL : s;
}

/*
 * A process found in /proc may have rewritten its argv in place to set its
 * title: a running npm reads "npm install" there, not "node /usr/bin/npm
 * install". The exec record always has the real argv; for a scanned
 * process with no script, the first word of such a title stands for it.
 */
static const char *title_script(const struct image *img, char *buf, size_t len)
{
	size_t n;

	if (img->argc < 1 || !strchr(img->argv[0], ' '))
		return NULL;
	n = strcspn(img->argv[0], " ");
	if (n >= len)
		return NULL;
	memcpy(buf, img->argv[0], n);
	buf[n] = '\0';
	return base_name(buf);
}

static bool pm_matches(const struct pm_def *pm, const struct proc *p, const struct pnames *pn)
{
	const struct image *img = p->img;
	const char *script;
	char title[64];

	if (!names_match(&pm->executables, pn))
		return false;
	if (pm->scripts.n) {
		script = interp_script(img);
		if (!script && p->from_proc)
			script = title_script(img, title, sizeof(title));
		if (!script || !match_any(&pm->scripts, script))
			return false;
	}
	return !pm->command_lines.n || match_any(&pm->command_lines, img->cmdline);
}

const struct pm_def *rules_package_manager(const struct config *c, const struct proc *p)
{
	struct pnames pn;
	size_t i;

	if (!c || !p || !p->img)
		return NULL;
	proc_names(p->img, &pn);
	for (i = 0; i < c->npms; i++)
		if (pm_matches(&c->pms[i], p, &pn))
			return &c->pms[i];
	return NULL;
}

bool rules_lifecycle_manager(const struct config *c, const struct proc *p, struct pm_def *pm,
			     char *name, size_t len)
{
	const char *ev, *ua;
	size_t n = 0;

	if (!c || !p || !p->img || p->sess || len < sizeof("unknown"))
		return false;
	ev = proc_env(p, "npm_lifecycle_event");
	if (!ev || !match_in(&c->lifecycle_events, ev))
		return false;
	/* the user agent's first word up to its slash, if it is a plain name */
	ua = proc_env(p, "npm_config_user_agent");
	while (ua && n + 1 < len && n < 32 &&
	       (isalnum((unsigned char)ua[n]) || ua[n] == '-' || ua[n] == '_' || ua[n] == '.'))
		n++;
	if (n && isalnum((unsigned char)ua[0]) && ua[n] == '/')
		snprintf(name, len, "%.*s", (int)n, ua);
	else
		snprintf(name, len, "unknown");
	memset(pm, 0, sizeof(*pm));
	pm->name = name;
	pm->package_type = "npm";
	return true;
}

/* What a shell's arguments say about where its commands come from. */
enum shell_mode {
	SHELL_SCRIPT,	   /* -c STRING or a script file: context only */
	SHELL_STDIN,	   /* no -c and no file, or -s */
	SHELL_INTERACTIVE, /* -i in any option cluster, -ci included */
};

struct shell_args {
	bool c, s, i, file;
};

/* One option cluster such as "-ec" or "+o"; returns how many arguments it took. */
static int shell_cluster(const char *a, struct shell_args *sa)
{
	int take = 0;

	for (a++; *a; a++) {
		if (*a == 'c')
			sa->c = true;
		else if (*a == 'i')
			sa->i = true;
		else if (*a == 's')
			sa->s = true;
		else if (*a == 'o' || *a == 'O')
			take++;
	}
	return take;
}

static enum shell_mode shell_mode(const struct image *img, int first)
{
	struct shell_args sa = { 0 };
	int i;

	for (i = first; i < img->argc; i++) {
		const char *a = img->argv[i];

		if (strcmp(a, "-") == 0) {
			sa.s = true;
			break;
		}
		if (strcmp(a, "--") == 0) {
			sa.file = i + 1 < img->argc;
			break;
		}
		if (strcmp(a, "--rcfile") == 0 || strcmp(a, "--init-file") == 0)
			i++;
		else if (a[0] == '-' && a[1] == '-')
			continue;
		else if (a[0] == '-' || a[0] == '+')
			i += shell_cluster(a, &sa);
		else {
			sa.file = true;
			break;
		}
	}
	if (sa.i)
		return SHELL_INTERACTIVE;
	if (sa.c)
		return SHELL_SCRIPT;
	if (sa.s || !sa.file)
		return SHELL_STDIN;
	return SHELL_SCRIPT;
}

/* The strongest reason found so far to call a process suspicious. */
struct hit {
	enum severity severity;
	const char *reason;
	const char *matched;
	const char *field;
};

/* The verdict of rule for the strongest hit h. */
static void verdict_from(struct verdict *v, enum rule_id rule, unsigned int bits,
			 const struct proc *hook, const struct hit *h)
{
	v->rule = rule;
	v->rules_matched = bits;
	v->hook = hook;
	v->severity = h->severity;
	v->reason = h->reason;
	v->matched = h->matched;
	v->matched_field = h->field;
}

static void hit_raise(struct hit *h, enum severity sev, const char *reason, const char *matched,
		      const char *field)
{
	if (sev <= h->severity)
		return;
	h->severity = sev;
	h->reason = reason;
	h->matched = matched;
	h->field = field;
}

static void shell_check(const struct config *c, const struct image *img, const struct pnames *pn,
			struct hit *h)
{
	const char *shell = NULL;
	int i;

	/* busybox itself is no shell; its applet name may be */
	for (i = 0; i < pn->n && !shell; i++)
		if (strcmp(pn->v[i], "busybox") != 0)
			shell = match_any(&c->shells, pn->v[i]);
	if (!shell)
		return;
	switch (shell_mode(img, pn->args)) {
	case SHELL_INTERACTIVE:
		hit_raise(h, SEV_CRITICAL, "interactive shell", shell, "process.args");
		break;
	case SHELL_STDIN:
		hit_raise(h, SEV_HIGH, "shell reading commands from stdin", shell, "process.args");
		break;
	case SHELL_SCRIPT:
		break;
	}
}

static void suspicion(const struct config *c, const struct proc *p, const struct pnames *pn,
		      struct hit *h)
{
	const char *m;
	size_t i;

	for (i = 0; i < c->nnames; i++)
		if ((m = names_match(&c->names[i].patterns, pn)))
			hit_raise(h, c->names[i].severity, c->names[i].reason, m, "process.name");
	for (i = 0; i < c->ncmdlines; i++)
		if ((m = match_any(&c->cmdlines[i].patterns, p->img->cmdline)))
			hit_raise(h, c->cmdlines[i].severity, c->cmdlines[i].reason, m,
				  "process.command_line");
	shell_check(c, p->img, pn, h);
}

/* The nearest ancestor within HOOK_GENERATIONS whose command line is a hook. */
static const struct proc *hook_ancestor(const struct config *c, const struct proc *p)
{
	const struct proc *a;
	int gen;

	for (a = p->parent, gen = 0; a && gen < HOOK_GENERATIONS; a = a->parent, gen++)
		if (a->img && match_any(&c->lifecycle_parents, a->img->cmdline))
			return a;
	return NULL;
}

const char *rules_proc_named(const struct strlist *l, const struct proc *p)
{
	struct pnames pn;

	if (!l || !p || !p->img)
		return NULL;
	proc_names(p->img, &pn);
	return names_or_exe(l, &pn, p->img);
}

static bool excl_executable(const struct exclusion *e, const struct proc *p,
			    const struct pnames *pn)
{
	return names_match(&e->executables, pn) || match_any(&e->executables, p->img->exe);
}

static bool excl_user(const struct exclusion *e, const struct proc *p)
{
	struct passwd pw, *res = NULL;
	char uid[16], buf[1024];

	snprintf(uid, sizeof(uid), "%u", p->uid);
	if (match_in(&e->users, uid))
		return true;
	if (getpwuid_r(p->uid, &pw, buf, sizeof(buf), &res) || !res)
		return false;
	return match_in(&e->users, res->pw_name);
}

static bool excl_ancestor(const struct exclusion *e, const struct proc *p)
{
	const struct proc *a;
	struct pnames pn;
	int gen;

	for (a = p->parent, gen = 0; a && gen < ANCESTOR_GENERATIONS; a = a->parent, gen++) {
		if (!a->img)
			continue;
		proc_names(a->img, &pn);
		if (names_match(&e->ancestors, &pn) || match_any(&e->ancestors, a->img->cmdline))
			return true;
		if (p->sess && a == p->sess->root)
			break;
	}
	return false;
}

static bool excl_matches(const struct exclusion *e, const struct proc *p, const struct pnames *pn,
			 enum rule_id rule)
{
	if (e->rules.n && !match_in(&e->rules, rule_id_name(rule)))
		return false;
	if (e->executables.n && !excl_executable(e, p, pn))
		return false;
	if (e->command_lines.n && !match_any(&e->command_lines, p->img->cmdline))
		return false;
	if (e->packages.n) {
		struct package_ref pk;

		if (!proc_package(p, &pk) || !match_any(&e->packages, pk.name))
			return false;
	}
	if (e->users.n && !excl_user(e, p))
		return false;
	return !e->ancestors.n || excl_ancestor(e, p);
}

/* The rules whose context p is in, before asking whether p is suspicious. */
static unsigned int rules_applicable(const struct config *c, const struct proc *p,
				     const struct proc **hook)
{
	unsigned int bits = 0;

	if (c->pm_child_enabled && p->sess && p->depth > 0)
		bits |= 1U << RULE_PM_CHILD;
	if (c->lifecycle_enabled) {
		*hook = hook_ancestor(c, p);
		if (*hook || match_in(&c->lifecycle_events, proc_lifecycle_event(p)))
			bits |= 1U << RULE_LIFECYCLE;
	}
	return bits;
}

/* The comment of the first exclusion for rule matching p, or NULL. */
static const char *rules_excluded(const struct config *c, const struct proc *p,
				  const struct pnames *pn, enum rule_id rule)
{
	size_t i;

	for (i = 0; i < c->nexcl; i++)
		if (excl_matches(&c->excl[i], p, pn, rule))
			return c->excl[i].comment;
	return NULL;
}

const char *rules_excluded_for(const struct config *c, const struct proc *p, enum rule_id rule)
{
	struct pnames pn;

	if (!c || !p || !p->img)
		return NULL;
	proc_names(p->img, &pn);
	return rules_excluded(c, p, &pn, rule);
}

void rules_eval(const struct config *c, const struct proc *p, struct verdict *v)
{
	const struct proc *hook = NULL;
	struct hit h = { 0 };
	struct pnames pn;
	unsigned int bits;

	memset(v, 0, sizeof(*v));
	if (!c || !p || !p->img)
		return;
	/* most execs on a host are outside any install: skip the patterns */
	bits = rules_applicable(c, p, &hook);
	if (!bits)
		return;
	proc_names(p->img, &pn);
	suspicion(c, p, &pn, &h);
	if (h.severity == SEV_NONE)
		return;
	verdict_from(v, bits & (1U << RULE_PM_CHILD) ? RULE_PM_CHILD : RULE_LIFECYCLE, bits, hook,
		     &h);
}

void judge_exec(struct judges *j, struct event *e, const struct proc *p, struct verdict *v)
{
	(void)e;
	rules_eval(j->cfg, p, v);
}

/*
 * install-payload-tool: what a compromised package's payload runs once it
 * is in, whatever spawned it: a secret scanner, a token read, a CI runner
 * registered, an AI coding agent with its permission checks off, or a
 * publication (the worm's own spread). Judged in an install hook's context
 * only (a hook ancestor, or an install lifecycle event in the environment),
 * so a developer's own `npm publish` or `gh auth token` stays quiet.
 */
static void payload_eval(const struct config *c, const struct proc *p, struct verdict *v)
{
	const struct proc *hook;
	struct hit h = { 0 };
	struct pnames pn;
	const char *m;
	size_t i;

	if (!c->payload_enabled || !p || !p->img)
		return;
	hook = hook_ancestor(c, p);
	if (!hook && !match_in(&c->lifecycle_events, proc_lifecycle_event(p)))
		return;
	proc_names(p->img, &pn);
	for (i = 0; i < c->npayload; i++) {
		const struct payload_group *g = &c->payload[i];

		if ((m = names_or_exe(&g->names, &pn, p->img)))
			hit_raise(&h, g->severity, g->reason, m, "process.name");
		if ((m = match_any(&g->command_lines, p->img->cmdline)))
			hit_raise(&h, g->severity, g->reason, m, "process.command_line");
	}
	if (h.severity == SEV_NONE)
		return;
	verdict_from(v, RULE_PAYLOAD, 1U << RULE_PAYLOAD, hook, &h);
}

void judge_payload(struct judges *j, struct event *e, const struct proc *p, struct verdict *v)
{
	(void)e;
	payload_eval(j->cfg, p, v);
}
