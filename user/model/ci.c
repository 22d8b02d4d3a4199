// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The CI job an alert belongs to: provider, repository, run, job, runner,
 * read from the variables the CI system puts in a job's environment. Which
 * environment is believed, in order (docs/fields.md, depsentry.ci):
 *
 *  1. under `depsentry exec`, for CMD and everything it started: the
 *     environment the agent gave CMD, which no package code can touch;
 *  2. in an install session: the session root's (the package manager's,
 *     as the CI step started it), not a hook's, which the package's own
 *     code may have rewritten before it ran the alerting process;
 *  3. the alerting process's own captured environment.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "model.h"

#define CI_VARS_MAX	10   /* variables mapped per provider */
#define CI_ANCESTRY_MAX 4096 /* generations walked to find the exec root */

/* clang-format off */
static const char *const ci_field_names[CI_FIELD_MAX] = {
	[CI_PROVIDER] = "provider",
	[CI_REPOSITORY] = "repository",
	[CI_PROJECT_ID] = "project_id",
	[CI_WORKFLOW] = "workflow",
	[CI_RUN_ID] = "run_id",
	[CI_JOB] = "job",
	[CI_JOB_ID] = "job_id",
	[CI_RUNNER] = "runner",
	[CI_COMMIT] = "commit",
	[CI_REF] = "ref",
	[CI_EVENT] = "event",
	[CI_URL] = "url",
};
/* clang-format on */

struct ci_var {
	enum ci_field field;
	const char *name;
};

/* A provider is recognised by its marker variable holding a true value;
 * url_vars, when set, build the url from three variables with url_fmt. */
static const struct ci_provider {
	const char *name;
	const char *marker;
	struct ci_var vars[CI_VARS_MAX];
	const char *url_fmt;
	const char *url_vars[3];
} ci_providers[] = {
	{ .name = "github-actions",
	  .marker = "GITHUB_ACTIONS",
	  .vars = { { CI_REPOSITORY, "GITHUB_REPOSITORY" },
		    { CI_PROJECT_ID, "GITHUB_REPOSITORY_ID" },
		    { CI_WORKFLOW, "GITHUB_WORKFLOW" },
		    { CI_RUN_ID, "GITHUB_RUN_ID" },
		    { CI_JOB, "GITHUB_JOB" },
		    { CI_RUNNER, "RUNNER_NAME" },
		    { CI_COMMIT, "GITHUB_SHA" },
		    { CI_REF, "GITHUB_REF" },
		    { CI_EVENT, "GITHUB_EVENT_NAME" } },
	  .url_fmt = "%s/%s/actions/runs/%s",
	  .url_vars = { "GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID" } },
	{ .name = "gitlab",
	  .marker = "GITLAB_CI",
	  .vars = { { CI_REPOSITORY, "CI_PROJECT_PATH" },
		    { CI_PROJECT_ID, "CI_PROJECT_ID" },
		    { CI_RUN_ID, "CI_PIPELINE_ID" },
		    { CI_JOB, "CI_JOB_NAME" },
		    { CI_JOB_ID, "CI_JOB_ID" },
		    { CI_RUNNER, "CI_RUNNER_DESCRIPTION" },
		    { CI_COMMIT, "CI_COMMIT_SHA" },
		    { CI_REF, "CI_COMMIT_REF_NAME" },
		    { CI_EVENT, "CI_PIPELINE_SOURCE" },
		    { CI_URL, "CI_JOB_URL" } } },
	{ .name = "jenkins",
	  .marker = "JENKINS_URL",
	  .vars = { { CI_JOB, "JOB_NAME" },
		    { CI_RUN_ID, "BUILD_ID" },
		    { CI_RUNNER, "NODE_NAME" },
		    { CI_URL, "BUILD_URL" } } },
	{ .name = "buildkite",
	  .marker = "BUILDKITE",
	  .vars = { { CI_WORKFLOW, "BUILDKITE_PIPELINE_SLUG" },
		    { CI_RUN_ID, "BUILDKITE_BUILD_ID" },
		    { CI_JOB_ID, "BUILDKITE_JOB_ID" },
		    { CI_RUNNER, "BUILDKITE_AGENT_NAME" },
		    { CI_URL, "BUILDKITE_BUILD_URL" } } },
	{ .name = "circleci",
	  .marker = "CIRCLECI",
	  .vars = { { CI_RUN_ID, "CIRCLE_WORKFLOW_ID" },
		    { CI_JOB, "CIRCLE_JOB" },
		    { CI_URL, "CIRCLE_BUILD_URL" } } },
	{ .name = "travis",
	  .marker = "TRAVIS",
	  .vars = { { CI_REPOSITORY, "TRAVIS_REPO_SLUG" },
		    { CI_RUN_ID, "TRAVIS_BUILD_ID" },
		    { CI_JOB_ID, "TRAVIS_JOB_ID" },
		    { CI_URL, "TRAVIS_JOB_WEB_URL" } } },
	{ .name = "azure-pipelines",
	  .marker = "TF_BUILD",
	  .vars = { { CI_REPOSITORY, "BUILD_REPOSITORY_NAME" },
		    { CI_RUN_ID, "BUILD_BUILDID" },
		    { CI_RUNNER, "AGENT_NAME" } } },
	{ .name = "bitbucket",
	  .marker = "BITBUCKET_BUILD_NUMBER",
	  .vars = { { CI_REPOSITORY, "BITBUCKET_REPO_FULL_NAME" },
		    { CI_RUN_ID, "BITBUCKET_BUILD_NUMBER" },
		    { CI_COMMIT, "BITBUCKET_COMMIT" } } },
};

const char *ci_field_name(enum ci_field f)
{
	return (unsigned int)f < CI_FIELD_MAX ? ci_field_names[f] : NULL;
}

/* Set, and not one of the ways of saying no. */
static bool truthy(const char *v)
{
	return v && *v && strcasecmp(v, "false") != 0 && strcmp(v, "0") != 0;
}

static const char *nonempty(const char *v)
{
	return v && *v ? v : NULL;
}

static void ci_url(struct ci_context *c, const struct ci_provider *pv, ci_env_fn get,
		   const void *src)
{
	const char *a = nonempty(get(src, pv->url_vars[0]));
	const char *b = nonempty(get(src, pv->url_vars[1]));
	const char *d = nonempty(get(src, pv->url_vars[2]));
	int n;

	if (!a || !b || !d)
		return;
	n = snprintf(c->url, sizeof(c->url), pv->url_fmt, a, b, d);
	if (n > 0 && (size_t)n < sizeof(c->url))
		c->v[CI_URL] = c->url;
}

bool ci_context_read(struct ci_context *c, ci_env_fn get, const void *src)
{
	const struct ci_provider *pv = NULL;
	size_t i;

	memset(c, 0, sizeof(*c));
	for (i = 0; i < ARRAY_SIZE(ci_providers) && !pv; i++)
		if (truthy(get(src, ci_providers[i].marker)))
			pv = &ci_providers[i];
	if (!pv) {
		/* a CI we do not know still says so */
		if (!truthy(get(src, "CI")))
			return false;
		c->v[CI_PROVIDER] = "unknown";
		return true;
	}
	c->v[CI_PROVIDER] = pv->name;
	for (i = 0; i < CI_VARS_MAX && pv->vars[i].name; i++)
		c->v[pv->vars[i].field] = nonempty(get(src, pv->vars[i].name));
	if (pv->url_fmt)
		ci_url(c, pv, get, src);
	return true;
}

static const char *env_of_proc(const void *src, const char *name)
{
	return proc_env(src, name);
}

uint32_t ci_exec_pid(const struct ci_exec *x, const struct proc *p)
{
	unsigned int n;

	/* fork-time parent links: a detached or reparented process is still
	 * below CMD; CMD itself is known by its parent, the agent, so a
	 * process that reuses its pid later is not */
	for (n = 0; x && x->set && p && n < CI_ANCESTRY_MAX; p = p->parent, n++)
		if (p->pid == x->pid && p->ppid == x->ppid)
			return x->pid;
	return 0;
}

bool ci_context_for(const struct ci_exec *x, const struct proc *p, struct ci_context *c)
{
	const struct proc *root = p->sess ? p->sess->root : NULL;

	/* what the agent gave CMD is the whole truth below it, none included */
	if (ci_exec_pid(x, p)) {
		*c = x->ctx;
		c->source = "exec";
		return c->v[CI_PROVIDER] != NULL;
	}
	if (root && root != p && ci_context_read(c, env_of_proc, root)) {
		c->source = "session";
		return true;
	}
	if (ci_context_read(c, env_of_proc, p)) {
		c->source = "process";
		return true;
	}
	return false;
}

/* NAME=VALUE in a NULL-terminated environment array. */
static const char *env_of_array(const void *src, const char *name)
{
	char *const *e;
	size_t len = strlen(name);

	for (e = src; *e; e++)
		if (strncmp(*e, name, len) == 0 && (*e)[len] == '=')
			return *e + len + 1;
	return NULL;
}

void ci_exec_clear(struct ci_exec *x)
{
	size_t i;

	for (i = 0; i < CI_FIELD_MAX; i++)
		free(x->own[i]);
	memset(x, 0, sizeof(*x));
}

int ci_exec_set(struct ci_exec *x, uint32_t pid, uint32_t ppid, char *const *envp)
{
	struct ci_context c;
	size_t i;

	ci_exec_clear(x);
	x->pid = pid;
	x->ppid = ppid;
	x->set = true;
	if (!ci_context_read(&c, env_of_array, envp))
		return 0;
	/* the values live in the agent's environment copy: keep our own */
	for (i = 0; i < CI_FIELD_MAX; i++) {
		if (!c.v[i])
			continue;
		x->own[i] = strndup(c.v[i], CI_VALUE_MAX);
		if (!x->own[i]) {
			ci_exec_clear(x);
			return -ENOMEM;
		}
		x->ctx.v[i] = x->own[i];
	}
	return 0;
}
