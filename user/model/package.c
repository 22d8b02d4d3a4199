// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The package a process acts for. A package manager tells its lifecycle
 * scripts which package they belong to through the environment; a payload
 * that wants to go unnamed clears its environment (env -i) or detaches
 * (setsid, a double fork). Neither changes its fork-time ancestry, which
 * the process table keeps after the ancestors exit, nor the directory the
 * hook ran in: so the name is looked for in the process's environment,
 * then up its ancestry inside its install session, then in the directories
 * they ran in.
 */
#include <string.h>

#include "model.h"

#define PACKAGE_GENERATIONS 16 /* ancestors searched outside a session */

/* The next ancestor of p to look at, or NULL: inside a session, up to and
 * including its root; outside one, a few generations. */
static const struct proc *up(const struct proc *start, const struct proc *a, int *gen)
{
	if (start->sess && (a == start->sess->root || a->sess != start->sess))
		return NULL;
	if (!start->sess && ++*gen >= PACKAGE_GENERATIONS)
		return NULL;
	return a->parent;
}

static const struct proc *env_holder(const struct proc *p, const char *var)
{
	const struct proc *a = p;
	int gen = 0;

	for (; a; a = up(p, a, &gen)) {
		const char *v = proc_env(a, var);

		if (v && *v)
			return a;
	}
	return NULL;
}

const char *proc_lifecycle_event(const struct proc *p)
{
	const struct proc *a = p ? env_holder(p, "npm_lifecycle_event") : NULL;

	return a ? proc_env(a, "npm_lifecycle_event") : NULL;
}

/* A component of a package name as npm allows it: no slash, not . or .. */
static bool name_part(const char *s, size_t n)
{
	return n && n < PACKAGE_NAME_MAX / 2 && !(n == 1 && s[0] == '.') &&
	       !(n == 2 && s[0] == '.' && s[1] == '.');
}

/* node_modules/<name> or node_modules/@scope/<name>, the last one: the
 * package whose directory it is (a hook runs in its package's root). */
static bool from_node_modules(const char *cwd, char *buf, size_t len)
{
	const char *m = NULL, *s, *name, *end;
	size_t n;

	for (s = cwd; (s = strstr(s, "/node_modules/")); s++)
		m = s;
	if (!m)
		return false;
	name = m + strlen("/node_modules/");
	end = strchrnul(name, '/');
	if (!name_part(name, end - name) || name[0] == '.')
		return false; /* .bin, .pnpm, .cache: npm's and pnpm's own */
	if (name[0] == '@') {
		if (!*end || !name_part(end + 1, strchrnul(end + 1, '/') - (end + 1)))
			return false;
		end = strchrnul(end + 1, '/');
	}
	n = end - name;
	if (n >= len)
		return false;
	memcpy(buf, name, n);
	buf[n] = '\0';
	return true;
}

/* pip unpacks and builds a requirement in pip-install-<random>/<name>_<32
 * hex digits> (pip 20.3 on). */
static bool from_pip_build(const char *cwd, char *buf, size_t len)
{
	const char *s = strstr(cwd, "/pip-install-"), *name, *end, *us;
	size_t n, i;

	if (!s || !(name = strchr(s + 1, '/')))
		return false;
	name++;
	end = strchrnul(name, '/');
	us = end - 33;
	if (us <= name || *us != '_')
		return false;
	for (i = 1; i <= 32; i++)
		if (!us[i] || !strchr("0123456789abcdef", us[i]))
			return false;
	n = us - name;
	if (!name_part(name, n) || n >= len)
		return false;
	memcpy(buf, name, n);
	buf[n] = '\0';
	return true;
}

bool package_from_directory(const char *cwd, char *buf, size_t len)
{
	if (!cwd || !*cwd || !len)
		return false;
	return from_node_modules(cwd, buf, len) || from_pip_build(cwd, buf, len);
}

bool proc_package(const struct proc *p, struct package_ref *r)
{
	const struct proc *a;
	int gen = 0;

	memset(r, 0, sizeof(*r));
	if (!p)
		return false;
	if ((a = env_holder(p, "npm_package_name"))) {
		r->name = proc_env(a, "npm_package_name");
		r->version = proc_env(a, "npm_package_version");
		r->source = a == p ? PKG_ENVIRONMENT : PKG_ANCESTOR;
		r->from = a;
		return true;
	}
	/* a directory names a package only inside an install session */
	if (!p->sess)
		return false;
	for (a = p; a; a = up(p, a, &gen)) {
		if (a->img && package_from_directory(a->img->cwd, r->buf, sizeof(r->buf))) {
			r->name = r->buf;
			r->source = PKG_DIRECTORY;
			r->from = a;
			return true;
		}
	}
	return false;
}

const char *package_source_name(enum package_source s)
{
	switch (s) {
	case PKG_ENVIRONMENT:
		return "environment";
	case PKG_ANCESTOR:
		return "ancestor";
	case PKG_DIRECTORY:
		return "directory";
	case PKG_NONE:
		break;
	}
	return NULL;
}
