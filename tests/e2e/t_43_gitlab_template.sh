#!/bin/bash
# The GitLab CI template (ci/gitlab/depsentry.gitlab-ci.yml) under a
# simulated shell-executor runner. A job that extends .depsentry is merged
# with it as GitLab merges extends (the job's variables win, its lists
# replace), its variables are expanded with the predefined CI_* variables
# (tests/e2e/cisim.py), then run as the runner runs it: before_script and
# script in one bash that stops at the first failing command, in
# CI_PROJECT_DIR; after_script in a bash of its own, whatever the script's
# status. The job's depsentry is the one built (DEPSENTRY_BINARY), the
# source checkout the tree under test (DEPSENTRY_SRC: no clone); the
# agent's directory is the template's default, /tmp/depsentry-job-$CI_JOB_ID.
#  - the script installs, with npm, a package whose postinstall runs whoami
#    and id (high, by the job's configuration) and a clean one, and ends with
#    check.sh: at DEPSENTRY_FAIL_ON high the script fails with status 3 and
#    says why, and the daemon is stopped already; after_script writes
#    depsentry-report.md (the rows of whoami and id, the GitLab job),
#    depsentry-report.txt and a readable depsentry-alerts.json, and removes
#    the agent's directory;
#  - the same at critical: the script succeeds;
#  - a script that fails before check.sh: the job fails with the script's
#    status, after_script still stops the daemon and writes the reports.
# After every job, no process runs the daemon.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cisim.sh"

TEMPLATE=$SRC_ROOT/ci/gitlab/depsentry.gitlab-ci.yml
recon_tgz=$(npm_pack recon)
clean_tgz=$(npm_pack quiet-node)
recon_high_config "$T/recon-high.json"
unset GITHUB_ACTIONS
export RECON_TGZ=$recon_tgz CLEAN_TGZ=$clean_tgz NPM_STRICT_OPT=${NPM_STRICT[*]:-}

export CI=true GITLAB_CI=true CI_SERVER_URL=https://gitlab.example
export CI_PROJECT_PATH=acme/webapp CI_PROJECT_ID=77 CI_JOB_NAME=deps
export CI_RUNNER_DESCRIPTION=shell-runner-1 CI_PIPELINE_SOURCE=push
export CI_COMMIT_SHA=fedcba9876543210fedcba9876543210fedcba98 CI_COMMIT_REF_NAME=main

JOB_N=0
# gl_job NAME: run job NAME of $T/jobs.yml on a fresh runner: MAIN_RC and
# AFTER_RC are the statuses of the script and of after_script, their
# output in $JOB/main.log and $JOB/after.log.
gl_job()
{
	local -a vars

	JOB_N=$((JOB_N + 1))
	JOB=$T/job-$JOB_N
	step "job $JOB_N: $1"
	export CI_JOB_ID=$((900000000 + $$ * 10 + JOB_N)) CI_PIPELINE_ID=$((5000 + JOB_N))
	export CI_BUILDS_DIR=$JOB/builds CI_PROJECT_DIR=$JOB/builds/acme/webapp
	export CI_JOB_URL=https://gitlab.example/acme/webapp/-/jobs/$CI_JOB_ID
	mkdir -p "$CI_PROJECT_DIR"
	cp "$T/recon-high.json" "$CI_PROJECT_DIR/depsentry.json"
	npm_project "$CI_PROJECT_DIR/evil" "$recon_tgz"
	npm_project "$CI_PROJECT_DIR/clean" "$clean_tgz"
	"$PY" "$CISIM" gitlab-job "$TEMPLATE" "$T/jobs.yml" "$1" "$JOB" ||
		fail "cannot make job $1 of the template"
	mapfile -d '' vars <"$JOB/env"
	STATE_DIR=$(sed -n 's/^DEPSENTRY_STATE=//p' <(tr '\0' '\n' <"$JOB/env"))
	[ "$STATE_DIR" = "/tmp/depsentry-job-$CI_JOB_ID" ] ||
		fail "the template's DEPSENTRY_STATE expanded to '$STATE_DIR'"
	agent_watch "$STATE_DIR"
	# shellcheck disable=SC2034 # lib.sh shows the daemon log of a failure
	DS_LOG=$STATE_DIR/daemon.log
	ALERTS=$STATE_DIR/alerts.json
	MAIN_RC=0
	(cd "$CI_PROJECT_DIR" && exec env "${vars[@]}" bash "$JOB/main.sh") >"$JOB/main.log" 2>&1 ||
		MAIN_RC=$?
	sed 's/^/    script| /' "$JOB/main.log"
	PID=$(sed -n 's/^DS_PID=//p' "$STATE_DIR/agent.env" 2>/dev/null) ||
		fail "before_script started no daemon"
	[ -n "$PID" ] || fail "before_script started no daemon"
	AFTER_RC=0
	(cd "$CI_PROJECT_DIR" && exec env "${vars[@]}" bash "$JOB/after.sh") >"$JOB/after.log" 2>&1 ||
		AFTER_RC=$?
	sed 's/^/    after| /' "$JOB/after.log"
}

expect_rc()
{
	[ "$1" -eq "$2" ] || fail "$3: status $1, expected $2"
}

# artifacts: after_script's files, the job's alerts in them; the daemon
# and the agent's directory gone.
artifacts()
{
	local n copy=$CI_PROJECT_DIR/depsentry-alerts.json

	expect_rc "$AFTER_RC" 0 "after_script"
	for f in depsentry-report.md depsentry-report.txt depsentry-alerts.json; do
		"$PY" - "$JOB/job.json" "$f" <<'EOF' || fail "$f is not among the template's artifacts"
import json, sys
a = json.load(open(sys.argv[1]))["artifacts"]
sys.exit(0 if sys.argv[2] in a.get("paths", []) and a.get("when") == "always" else 1)
EOF
		[ -s "$CI_PROJECT_DIR/$f" ] || fail "after_script wrote no $f"
	done
	! is_depsentry "$PID" || fail "the daemon (pid $PID) still runs after after_script"
	no_daemon_in "$STATE_DIR" "after the job"
	[ ! -e "$STATE_DIR" ] || fail "after_script left $STATE_DIR"
	for cmd in whoami id; do
		summary_row "$CI_PROJECT_DIR/depsentry-report.md" 'r["package"] == "ds-e2e-recon@1.2.3"' \
			'r["rule"] == "pm-suspicious-child"' 'r["severity"] == "high"' \
			"r['what happened'].endswith(' > $cmd ran $cmd')"
		expect_in "$CI_PROJECT_DIR/depsentry-report.txt" \
			" high +pm-suspicious-child ds-e2e-recon@1\\.2\\.3: npm > .* > $cmd ran $cmd\$" \
			"the text report has no $cmd"
	done
	no_summary_row "$CI_PROJECT_DIR/depsentry-report.md" '"quiet" in r["package"]'
	sed 's/\\\(.\)/\1/g' "$CI_PROJECT_DIR/depsentry-report.md" >"$JOB/report.md.txt"
	expect_in "$JOB/report.md.txt" "gitlab, repository acme/webapp, .*job_id $CI_JOB_ID" \
		"the report does not name the GitLab job"
	if [ ! -f "$copy" ] || [ ! -O "$copy" ]; then
		fail "$copy is not a file of the job's user"
	fi
	ALERTS=$copy
	validate_alerts "$copy"
	n=$(alert_count)
	expect_in "$CI_PROJECT_DIR/depsentry-report.md" "^### depsentry report: $n alerts" \
		"the report does not count the log's $n alerts"
	a=$(wait_alert --timeout 0 package.name=ds-e2e-recon process.name=whoami)
	check_alert "$a" "the install's alert does not carry the job's CI context" \
		depsentry.ci.provider=gitlab depsentry.ci.repository=acme/webapp \
		"depsentry.ci.job_id=$CI_JOB_ID" event.severity=73
}

cat >"$T/jobs.yml" <<EOF
.job:
  extends: .depsentry
  variables:
    DEPSENTRY_SRC: $SRC_ROOT
    DEPSENTRY_BINARY: $DEPSENTRY
    DEPSENTRY_CONFIG: \$CI_PROJECT_DIR/depsentry.json

deps-high:
  extends: .job
  script:
    - cd evil && "$NPM" install --offline --no-audit --no-fund \$NPM_STRICT_OPT "\$RECON_TGZ"
    - test -f node_modules/ds-e2e-recon/postinstall.ran
    - cd ../clean && "$NPM" install --offline --no-audit --no-fund \$NPM_STRICT_OPT "\$CLEAN_TGZ"
    - test "\$(cat node_modules/ds-e2e-quiet-node/marker)" = x
    - \$DEPSENTRY_SRC/ci/gitlab/check.sh

deps-critical:
  extends: deps-high
  variables:
    DEPSENTRY_FAIL_ON: critical

deps-broken:
  extends: .job
  script:
    - cd evil && "$NPM" install --offline --no-audit --no-fund \$NPM_STRICT_OPT "\$RECON_TGZ"
    - sh -c 'exit 7'
    - \$DEPSENTRY_SRC/ci/gitlab/check.sh
EOF

step "the template: a hidden job with before_script, after_script and artifacts"
"$PY" - "$TEMPLATE" <<'EOF' || fail "the template has no usable .depsentry"
import sys, yaml
t = yaml.safe_load(open(sys.argv[1]))
j = t[".depsentry"]
assert set(j) >= {"variables", "before_script", "after_script", "artifacts"}, sorted(j)
assert "script" not in j, "a hidden job to extend has no script of its own"
assert j["variables"]["DEPSENTRY_FAIL_ON"] == "high"
EOF

step "fail-on high: check.sh fails the script"
gl_job deps-high
expect_rc "$MAIN_RC" 3 "the script of a job with high alerts at fail-on high"
expect_in "$JOB/main.log" "^depsentry agent: [0-9]+ of this job's [0-9]+ alerts are at or above high: failing the job \\(the report is above; the alert log is ${ALERTS//./\\.}\\)$" \
	"check.sh does not say why the job fails"
expect_in "$JOB/main.log" '^  [0-9]+ alerts at or above high: threshold crossed$' "check.sh printed no report"
expect_in "$JOB/after.log" '^depsentry agent: already stopped ' "after_script did not find the daemon stopped by check.sh"
expect_not_in "$JOB/after.log" '^depsentry report: ' "after_script printed the report check.sh had printed"
artifacts

step "fail-on critical: the script succeeds"
gl_job deps-critical
expect_rc "$MAIN_RC" 0 "the script of a job with high alerts at fail-on critical"
expect_in "$JOB/main.log" '^depsentry agent: [0-9]+ alerts, none at or above critical$' \
	"check.sh does not say the threshold held"
artifacts

step "a script that fails before check.sh: after_script stops the daemon and reports"
gl_job deps-broken
expect_rc "$MAIN_RC" 7 "the job's status is its script's"
expect_not_in "$JOB/main.log" 'at or above' "check.sh ran after a failed command"
expect_in "$JOB/after.log" '^depsentry agent: stopping pid ' "after_script did not stop the daemon"
expect_in "$JOB/after.log" '^depsentry report: [0-9]+ alerts' "after_script did not print the report"
artifacts

echo "PASS $SCENARIO"
