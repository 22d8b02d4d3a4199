#!/bin/bash
# The CI context of alerts (depsentry.ci). The fixture's postinstall runs
# whoami with GITHUB_REPOSITORY, RUNNER_NAME, CI_PROJECT_PATH and CI_JOB_ID
# rewritten: package code controls its own processes' environment, so
# those values must not be believed.
#  - exec with a GitHub Actions-like environment: every field from the
#    environment exec gave npm (source exec), none of the forged values;
#  - exec with a GitLab CI-like environment: the same for GitLab's fields;
#  - exec with no CI in its environment: no CI context at all, although
#    the whoami claims GitHub variables;
#  - the daemon (run) and npm started with GitHub variables: the session
#    root's environment, read when the session starts (source session).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent.sh"

tgz=$(npm_pack ci-spoof)
unset CI GITHUB_ACTIONS GITLAB_CI

GITHUB_ENV=(GITHUB_ACTIONS=true CI=true GITHUB_SERVER_URL=https://github.example
	GITHUB_REPOSITORY=acme/webapp GITHUB_REPOSITORY_ID=424242 GITHUB_WORKFLOW="Build and test"
	GITHUB_RUN_ID=9876543210 GITHUB_JOB=build GITHUB_SHA=0123456789abcdef0123456789abcdef01234567
	GITHUB_REF=refs/heads/main GITHUB_EVENT_NAME=pull_request "RUNNER_NAME=GitHub Actions 7")
GITLAB_ENV=(GITLAB_CI=true CI=true CI_PROJECT_PATH=group/sub/webapp CI_PROJECT_ID=77
	CI_PIPELINE_ID=1001 CI_JOB_ID=5005 CI_JOB_NAME=test CI_RUNNER_DESCRIPTION=shared-runner-3
	CI_COMMIT_SHA=fedcba9876543210fedcba9876543210fedcba98 CI_COMMIT_REF_NAME=main
	CI_PIPELINE_SOURCE=merge_request_event
	CI_JOB_URL=https://gitlab.example/group/sub/webapp/-/jobs/5005)

# with_env VAR=VALUE... -- FUNCTION ARG...: FUNCTION with those exported.
with_env()
{
	local kv
	local -a names=()

	while [ "$1" != -- ]; do
		kv=$1
		names+=("${kv%%=*}")
		export "${kv?}"
		shift
	done
	shift
	"$@"
	unset "${names[@]}"
}

whoami_alert()
{
	exec_alert package.name=ds-e2e-ci-spoof process.name=whoami
}

step "GitHub Actions"
with_env "${GITHUB_ENV[@]}" -- exec_npm "$T/gh" "$tgz"
expect_rc 0 "the install under exec failed"
a=$(whoami_alert)
check_alert "$a" "the GitHub context is not the one exec gave npm" \
	depsentry.ci.source=exec depsentry.ci.provider=github-actions \
	depsentry.ci.repository=acme/webapp depsentry.ci.project_id=424242 \
	"depsentry.ci.workflow=Build and test" depsentry.ci.run_id=9876543210 \
	depsentry.ci.job=build "depsentry.ci.runner=GitHub Actions 7" \
	depsentry.ci.commit=0123456789abcdef0123456789abcdef01234567 \
	depsentry.ci.ref=refs/heads/main depsentry.ci.event=pull_request \
	depsentry.ci.url=https://github.example/acme/webapp/actions/runs/9876543210 \
	'!depsentry.ci.job_id?'
check_alert "$a" "the whoami did not run with the forged variables" \
	--expr '"GITHUB_REPOSITORY=forged/repo" in f("process.env_vars")' \
	--expr '"RUNNER_NAME=forged" in f("process.env_vars")'
expect_log '^  CI: github-actions, repository acme/webapp, workflow Build and test, run_id 9876543210, job build, runner GitHub Actions 7, event pull_request, url https://github\.example/acme/webapp/actions/runs/9876543210$' \
	"the summary does not name the GitHub job"

step "GitLab CI"
with_env "${GITLAB_ENV[@]}" -- exec_npm "$T/gl" "$tgz"
expect_rc 0 "the install under exec failed"
a=$(whoami_alert)
check_alert "$a" "the GitLab context is not the one exec gave npm" \
	depsentry.ci.source=exec depsentry.ci.provider=gitlab \
	depsentry.ci.repository=group/sub/webapp depsentry.ci.project_id=77 \
	depsentry.ci.run_id=1001 depsentry.ci.job_id=5005 depsentry.ci.job=test \
	depsentry.ci.runner=shared-runner-3 depsentry.ci.ref=main \
	depsentry.ci.commit=fedcba9876543210fedcba9876543210fedcba98 \
	depsentry.ci.event=merge_request_event \
	depsentry.ci.url=https://gitlab.example/group/sub/webapp/-/jobs/5005 \
	'!depsentry.ci.workflow?'
check_alert "$a" "the whoami did not run with the forged variables" \
	--expr '"CI_JOB_ID=0" in f("process.env_vars")'

step "no CI around exec: no context, whatever the hook claims"
exec_npm "$T/none" "$tgz"
expect_rc 0 "the install under exec failed"
a=$(whoami_alert)
check_alert "$a" "an alert has a CI context exec did not give" depsentry.exec.pid? '!depsentry.ci?'

step "the daemon: the session root's environment"
ds_start
with_env "${GITHUB_ENV[@]}" GITHUB_REPOSITORY=acme/daemon-mode -- npm_install "$T/daemon" "$tgz"
a=$(wait_alert package.name=ds-e2e-ci-spoof process.name=whoami "depsentry.session.pid=$NPM_PID")
check_alert "$a" "the context is not the session root's" \
	depsentry.ci.source=session depsentry.ci.provider=github-actions \
	depsentry.ci.repository=acme/daemon-mode "depsentry.ci.runner=GitHub Actions 7" \
	depsentry.ci.run_id=9876543210 '!depsentry.exec?'
ds_finish
