// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/*
 * The CI context of an alert: providers recognised by their marker (and
 * only by a true one), GitHub's run URL built from three variables, and
 * which environment is believed: exec's command's, then the session
 * root's, then the process's own; CMD known by its pid and its parent.
 */
#include "unit.h"

static struct ci_exec x; /* depsentry exec's CMD, when set */

static struct pm_def npm_pm = { .name = "npm", .package_type = "npm" };

static const char *env_array(const void *src, const char *name)
{
	const char *const *kv;

	for (kv = src; kv[0]; kv += 2)
		if (strcmp(kv[0], name) == 0)
			return kv[1];
	return NULL;
}

static bool read_ctx(struct ci_context *c, const char *const *kv)
{
	return ci_context_read(c, env_array, kv);
}

/* Each case: an environment, and every field it must give (NULL: none). */
static const struct {
	const char *env[20];
	const char *want[CI_FIELD_MAX];
} provider_cases[] = {
	{ { "GITHUB_ACTIONS", "true", "GITHUB_SERVER_URL", "https://github.com",
	    "GITHUB_REPOSITORY", "acme/app", "GITHUB_RUN_ID", "42", "GITHUB_JOB", "build",
	    "RUNNER_NAME", "GitHub Actions 3", "GITHUB_WORKFLOW", "", "CI_JOB_ID", "9" },
	  /* an empty workflow is unknown; GitLab's CI_JOB_ID means nothing here */
	  { [CI_PROVIDER] = "github-actions",
	    [CI_REPOSITORY] = "acme/app",
	    [CI_RUN_ID] = "42",
	    [CI_JOB] = "build",
	    [CI_RUNNER] = "GitHub Actions 3",
	    [CI_URL] = "https://github.com/acme/app/actions/runs/42" } },
	{ { "GITLAB_CI", "true", "CI_PROJECT_PATH", "g/p", "CI_PROJECT_ID", "7", "CI_PIPELINE_ID",
	    "100", "CI_JOB_ID", "200", "CI_JOB_URL", "https://gl/j/200", "GITHUB_REPOSITORY",
	    "not/this" },
	  { [CI_PROVIDER] = "gitlab",
	    [CI_REPOSITORY] = "g/p",
	    [CI_PROJECT_ID] = "7",
	    [CI_RUN_ID] = "100",
	    [CI_JOB_ID] = "200",
	    [CI_URL] = "https://gl/j/200" } },
	/* no server url: no run url */
	{ { "GITHUB_ACTIONS", "true", "GITHUB_REPOSITORY", "acme/app", "GITHUB_RUN_ID", "42" },
	  { [CI_PROVIDER] = "github-actions", [CI_REPOSITORY] = "acme/app", [CI_RUN_ID] = "42" } },
	{ { "CI", "1", "GITHUB_REPOSITORY", "a/b" }, { [CI_PROVIDER] = "unknown" } },
	{ { "GITHUB_ACTIONS", "false", "GITLAB_CI", "0" }, { NULL } },
	{ { "CI", "false", "HOME", "/root" }, { NULL } },
};

static void test_providers(void **state)
{
	struct ci_context c;
	size_t i, k;

	(void)state;
	for (i = 0; i < ARRAY_SIZE(provider_cases); i++) {
		const char *const *want = provider_cases[i].want;

		assert_int_equal(read_ctx(&c, provider_cases[i].env), want[CI_PROVIDER] != NULL);
		for (k = 0; want[CI_PROVIDER] && k < CI_FIELD_MAX; k++) {
			if (want[k])
				assert_string_equal(c.v[k], want[k]);
			else
				assert_null(c.v[k]);
		}
	}
	assert_string_equal(ci_field_name(CI_RUN_ID), "run_id");
	assert_null(ci_field_name(CI_FIELD_MAX));
}

static void set_github(struct proc *p, const char *repo)
{
	unit_image_setenv(p->img, "GITHUB_ACTIONS", "true");
	unit_image_setenv(p->img, "GITHUB_REPOSITORY", repo);
}

/* agent (pid 50) -> sh (CMD, 60) -> npm (70, session root) -> sh (71) -> curl (72) */
static void test_trust(void **state)
{
	struct session s = { .pm = &npm_pm };
	struct proc *agent, *cmd, *npm, *sh, *curl, *other;
	char *envp[] = { "GITLAB_CI=true", "CI_PROJECT_PATH=from/exec", "CI_JOB_ID=1", NULL };
	char *plain[] = { "HOME=/root", NULL };
	struct ci_context c;

	(void)state;
	agent = unit_proc(NULL, NULL, 50, "/usr/sbin/depsentry", "depsentry exec -- sh");
	cmd = unit_proc(agent, NULL, 60, "/bin/sh", "sh -c npm ci");
	npm = unit_proc(cmd, &s, 70, "/usr/bin/node", "node /usr/bin/npm ci");
	s.root = npm;
	sh = unit_proc(npm, &s, 71, "/bin/sh", "sh -c curl x");
	curl = unit_proc(sh, &s, 72, "/usr/bin/curl", "curl x");
	other = unit_proc(NULL, NULL, 90, "/usr/bin/curl", "curl y");
	set_github(npm, "from/root");
	set_github(curl, "forged/by-hook");
	set_github(other, "other/own");

	/* no exec: the session root's, not the hook's */
	assert_true(ci_context_for(&x, curl, &c));
	assert_string_equal(c.source, "session");
	assert_string_equal(c.v[CI_REPOSITORY], "from/root");
	/* the root itself, and a process outside any session: their own */
	assert_true(ci_context_for(&x, npm, &c));
	assert_string_equal(c.source, "process");
	assert_string_equal(c.v[CI_REPOSITORY], "from/root");
	assert_true(ci_context_for(&x, other, &c));
	assert_string_equal(c.v[CI_REPOSITORY], "other/own");
	assert_int_equal(ci_exec_pid(&x, curl), 0);

	/* exec: CMD's environment below CMD, and only there */
	assert_int_equal(ci_exec_set(&x, 60, 50, envp), 0);
	assert_int_equal(ci_exec_pid(&x, curl), 60);
	assert_int_equal(ci_exec_pid(&x, cmd), 60);
	assert_int_equal(ci_exec_pid(&x, agent), 0);
	assert_int_equal(ci_exec_pid(&x, other), 0);
	assert_true(ci_context_for(&x, curl, &c));
	assert_string_equal(c.source, "exec");
	assert_string_equal(c.v[CI_PROVIDER], "gitlab");
	assert_string_equal(c.v[CI_REPOSITORY], "from/exec");
	assert_string_equal(c.v[CI_JOB_ID], "1");
	assert_true(ci_context_for(&x, other, &c));
	assert_string_equal(c.source, "process");

	/* a later process with CMD's pid but another parent is not CMD */
	cmd->ppid = 1;
	assert_int_equal(ci_exec_pid(&x, curl), 0);
	cmd->ppid = 50;

	/* CMD without CI: nothing below it has any, whatever it claims */
	assert_int_equal(ci_exec_set(&x, 60, 50, plain), 0);
	assert_false(ci_context_for(&x, curl, &c));
	assert_int_equal(ci_exec_pid(&x, curl), 60);
	ci_exec_clear(&x);
	assert_int_equal(ci_exec_pid(&x, curl), 0);
	assert_true(ci_context_for(&x, curl, &c));
	assert_string_equal(c.source, "session");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_providers),
		cmocka_unit_test(test_trust),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
