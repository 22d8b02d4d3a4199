#!/bin/bash
# The GitHub Action (action.yml) under a simulated runner. The action is a
# copy of the source tree without build/, as the runner checks it out;
# each job gets fresh runner directories and variables (RUNNER_TEMP,
# GITHUB_WORKSPACE, GITHUB_ACTION_PATH, ...), each step fresh file-command
# files ($GITHUB_OUTPUT, $GITHUB_STATE, $GITHUB_STEP_SUMMARY), the inputs as
# INPUT_* variables named as the runner names them (INPUT_FAIL-ON) with
# action.yml's defaults, and runs as the runner runs it: `node <main>` in
# the workspace, then, with $GITHUB_STATE's pairs as STATE_* variables,
# `node <post>` (tests/e2e/cisim.py).
#  - a fail-on that is not a severity fails the main step at once; a
#    configuration the daemon refuses fails it with the daemon's log, a
#    daemon that never says ready fails it at the timeout and is ended;
#    then the post step has nothing to stop and succeeds;
#  - built from the action's source (make, make install into a DESTDIR;
#    make deps is not run: build-deps false), with a configuration that
#    makes reconnaissance high: the main step returns with the daemon
#    running; a real npm install of a package whose postinstall runs
#    whoami and id, and a clean one; the post step stops the daemon, has
#    the rows of whoami and id (package, rule, severity) in the step
#    summary and not the clean package, sets alert-count and alerts-file,
#    and at fail-on high fails with an ::error:: annotation naming the
#    count and where the report is;
#  - the same at fail-on critical and none (with the binary input): the
#    post step succeeds;
#  - the daemon killed during the job, or its log removed: the post step
#    fails and says so, even at fail-on none.
# After every job, no process runs the daemon.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/cisim.sh"

need_cmd make make
unset MAKEFLAGS MAKELEVEL MFLAGS
recon_tgz=$(npm_pack recon)
clean_tgz=$(npm_pack quiet-node)

step "the action: the source tree as the runner checks it out (no build/)"
ACTION=$T/action
mkdir -p "$ACTION"
tar -C "$SRC_ROOT" --exclude=./build --exclude=./.git -cf - . | tar -C "$ACTION" -xf -
mapfile -t scripts < <("$PY" "$CISIM" action "$ACTION/action.yml") ||
	fail "action.yml is not a node action with main, post and post-if: always()"
MAIN_JS=${scripts[0]}
POST_JS=${scripts[1]}
INSTALLED=$T/root/usr/local/sbin/depsentry

export GITHUB_ACTIONS=true CI=true RUNNER_OS=Linux RUNNER_NAME="GitHub Actions 3"
export GITHUB_SERVER_URL=https://github.example GITHUB_REPOSITORY=acme/webapp
export GITHUB_WORKFLOW=build GITHUB_JOB=deps GITHUB_EVENT_NAME=push GITHUB_ACTION=depsentry
export GITHUB_ACTION_PATH=$ACTION

JOB_N=0
# gh_job INPUT=VALUE...: a new job on a fresh runner, the action's step
# given these inputs (with:).
gh_job()
{
	JOB_N=$((JOB_N + 1))
	JOB=$T/job-$JOB_N
	step "job $JOB_N: with $*"
	export GITHUB_RUN_ID=$((424200 + JOB_N))
	export RUNNER_TEMP=$JOB/_temp
	export GITHUB_WORKSPACE=$JOB/work/webapp/webapp
	mkdir -p "$RUNNER_TEMP" "$GITHUB_WORKSPACE"
	WITH=("$@")
	STATE_VARS=()
	agent_watch "$RUNNER_TEMP/depsentry"
}

# gh_step main|post: run the step as the runner would; STEP_RC is its
# status, $JOB/STEP.log its output, $JOB/STEP.{output,state,summary} the
# files of its file commands. After main, the saved state becomes the
# post step's STATE_* variables.
gh_step()
{
	local kind=$1 script
	local -a inputs

	script=$MAIN_JS
	[ "$kind" = main ] || script=$POST_JS
	: >"$JOB/$kind.output"
	: >"$JOB/$kind.state"
	: >"$JOB/$kind.summary"
	mapfile -d '' inputs < <("$PY" "$CISIM" inputs "$ACTION/action.yml" "${WITH[@]}")
	[ "${#inputs[@]}" -gt 0 ] || fail "no inputs from action.yml"
	STEP_RC=0
	(cd "$GITHUB_WORKSPACE" && exec env "${inputs[@]}" "${STATE_VARS[@]}" \
		GITHUB_OUTPUT="$JOB/$kind.output" GITHUB_STATE="$JOB/$kind.state" \
		GITHUB_STEP_SUMMARY="$JOB/$kind.summary" node "$ACTION/$script") \
		>"$JOB/$kind.log" 2>&1 || STEP_RC=$?
	sed "s/^/    $kind| /" "$JOB/$kind.log"
	if [ "$kind" = main ]; then
		mapfile -d '' STATE_VARS < <("$PY" "$CISIM" file-command "$JOB/main.state" STATE_)
	fi
}

# expect_step RC WHAT: the last step exited with RC.
expect_step()
{
	[ "$STEP_RC" -eq "$1" ] || fail "$2: the step exited with status $STEP_RC, expected $1"
}

# output FILE NAME: the value of NAME in a file command's file.
output()
{
	local kv

	while IFS= read -r -d '' kv; do
		if [ "${kv%%=*}" = "$2" ]; then
			printf '%s\n' "${kv#*=}"
			return 0
		fi
	done < <("$PY" "$CISIM" file-command "$1")
	return 1
}

# main_running: the main step succeeded and left the daemon running;
# sets PID, ALERTS and DS_LOG (shown if the scenario fails).
main_running()
{
	local exe

	expect_step 0 "the main step failed"
	[ "$(output "$JOB/main.state" dir)" = "$RUNNER_TEMP/depsentry" ] ||
		fail "the main step saved no dir state for the post step"
	ALERTS=$(output "$JOB/main.output" alerts-file) || fail "the main step set no alerts-file output"
	DS_LOG=$RUNNER_TEMP/depsentry/daemon.log
	PID=$(agent_pid "$RUNNER_TEMP/depsentry")
	[ -n "$PID" ] || fail "no daemon runs after the main step"
	exe=$(readlink "/proc/$PID/exe")
	[ "$exe" = "$1" ] || fail "the daemon runs $exe, expected $1"
	[ -f "$ALERTS" ] || fail "the daemon has not opened $ALERTS"
}

# post_stopped: the post step left no daemon, and the daemon's exit was a
# clean one (drained, counters logged).
post_stopped()
{
	! is_depsentry "$PID" || fail "the daemon (pid $PID) still runs after the post step"
	no_daemon_in "$RUNNER_TEMP/depsentry" "after the post step"
	[ ! -e "$RUNNER_TEMP/depsentry/run/daemon.pid" ] || fail "the daemon's pid file was left"
}

# installs: the malicious package and a clean one, with npm, in the job.
installs()
{
	npm_install "$GITHUB_WORKSPACE/evil" "$recon_tgz"
	require_file "$(installed "$GITHUB_WORKSPACE/evil" ds-e2e-recon postinstall.ran)" \
		"the recon postinstall did not run"
	npm_install "$GITHUB_WORKSPACE/clean" "$clean_tgz"
	[ "$(cat "$(installed "$GITHUB_WORKSPACE/clean" ds-e2e-quiet-node marker)" 2>/dev/null)" = x ] ||
		fail "the clean package's postinstall did not run"
}

# post_report: the summary has whoami's and id's rows, not the clean
# package's; the outputs count the alert log's alerts.
post_report()
{
	local n

	for cmd in whoami id; do
		summary_row "$JOB/post.summary" 'r["package"] == "ds-e2e-recon@1.2.3"' \
			'r["rule"] == "pm-suspicious-child"' 'r["severity"] == "high"' \
			"r['what happened'].endswith(' > $cmd ran $cmd')"
	done
	no_summary_row "$JOB/post.summary" '"quiet" in r["package"]'
	expect_in "$JOB/post.summary" '^### depsentry report: [0-9]+ alerts?, highest ' \
		"the step summary has no report"
	n=$(alert_count)
	[ "$n" -ge 2 ] || fail "$ALERTS has $n alerts, expected whoami's and id's"
	[ "$(output "$JOB/post.output" alert-count)" = "$n" ] ||
		fail "the alert-count output is not the $n alerts of $ALERTS"
	[ "$(output "$JOB/post.output" alerts-file)" = "$ALERTS" ] ||
		fail "the post step's alerts-file output is not $ALERTS"
	validate_alerts "$ALERTS"
}

step "fail-on that is not a severity: the main step fails before installing"
gh_job fail-on=severe binary="$DEPSENTRY"
gh_step main
expect_step 1 "an unknown fail-on"
expect_in "$JOB/main.log" "^::error title=depsentry::fail-on 'severe' is not one of: none low medium high critical$" \
	"the main step does not say why"
expect_not_in "$JOB/main.log" 'starting ' "the main step started the daemon anyway"
gh_step post
expect_step 0 "the post step after a failed main step"
expect_in "$JOB/post.log" 'did not start the sensor: nothing to stop' "the post step does not say why it does nothing"

step "a configuration the daemon refuses: the main step fails with the daemon's log"
gh_job binary="$DEPSENTRY" config=bad.json
printf '{\n  "min_severity": "medium",\n  "ring_buffer_size": "big"\n}\n' >"$GITHUB_WORKSPACE/bad.json"
gh_step main
expect_step 1 "a configuration the daemon refuses"
expect_in "$JOB/main.log" "^    \\| $GITHUB_WORKSPACE/bad.json: " "the daemon's error is not shown"
expect_in "$JOB/main.log" '^::error title=depsentry::the daemon exited with status 1 before it was ready \(its log is above\)$' \
	"the main step does not say the daemon exited before it was ready"
[ -z "$(agent_pid "$RUNNER_TEMP/depsentry")" ] || fail "a daemon runs after the failed main step"
no_daemon_in "$RUNNER_TEMP/depsentry" "after the failed main step"
gh_step post
expect_step 0 "the post step after a failed main step"

step "a daemon that never says ready: the main step fails at the timeout and ends it"
mkdir -p "$T/fake"
nap=86400.$$
printf '#!/bin/sh\n[ "$1" = version ] && { echo "depsentry 0 (fake)"; exit 0; }\necho "depsentry: loading" >&2\nexec sleep %s\n' \
	"$nap" >"$T/fake/depsentry"
chmod +x "$T/fake/depsentry"
gh_job binary="$T/fake/depsentry"
DEPSENTRY_READY_TIMEOUT=2 gh_step main
expect_step 1 "a daemon that never gets ready"
expect_in "$JOB/main.log" "^::error title=depsentry::the daemon did not say 'depsentry: ready' within 2s \\(its log is above\\)$" \
	"the main step does not say the daemon was not ready in time"
expect_in "$JOB/main.log" '^    \| depsentry: loading$' "the daemon's log is not shown"
mapfile -t left < <(pgrep -fx "sleep $nap")
if [ "${#left[@]}" -gt 0 ]; then
	BG_PIDS+=("${left[@]}")
	fail "the daemon that never got ready still runs: ${left[*]}"
fi
gh_step post
expect_step 0 "the post step after a failed main step"

recon_high_config "$T/recon-high.json"

step "fail-on high, built from the action's source: the post step fails"
gh_job fail-on=high config=depsentry.json build-deps=false
cp "$T/recon-high.json" "$GITHUB_WORKSPACE/depsentry.json"
DEPSENTRY_DESTDIR=$T/root gh_step main
main_running "$INSTALLED"
[ "$ALERTS" = "$RUNNER_TEMP/depsentry/alerts.json" ] || fail "the alerts default is not under RUNNER_TEMP"
cmp -s "$INSTALLED" "$ACTION/build/depsentry" || fail "make install did not install the action's build"
expect_in "$JOB/main.log" 'make install DESTDIR=' "the main step did not make install"
expect_not_in "$JOB/main.log" 'make deps' "the main step ran make deps with build-deps false"
installs
gh_step post
expect_step 1 "fail-on high with high alerts"
post_stopped
post_report
n=$(alert_count)
expect_in "$JOB/post.log" "^::error title=depsentry::depsentry: [0-9]+ of this job's $n alerts are at or above high \\(fail-on\\): the report is in the job summary, the alert log is ${ALERTS//./\\.}$" \
	"the post step's ::error:: annotation"
expect_in "$JOB/post.summary" '^- [0-9]+ alerts? at or above high: threshold crossed$' \
	"the summary does not say the threshold was crossed"
expect_in "$DS_LOG" '^depsentry: exit: ' "the daemon did not exit through its drain"
a=$(wait_alert --timeout 0 package.name=ds-e2e-recon process.name=whoami)
check_alert "$a" "the install's alert does not carry the job's CI context" \
	depsentry.ci.provider=github-actions depsentry.ci.repository=acme/webapp \
	"depsentry.ci.run_id=$GITHUB_RUN_ID" event.severity=73

for fail_on in critical none; do
	step "fail-on $fail_on, the binary input: the post step succeeds"
	gh_job fail-on="$fail_on" config=depsentry.json binary="$INSTALLED"
	cp "$T/recon-high.json" "$GITHUB_WORKSPACE/depsentry.json"
	gh_step main
	main_running "$INSTALLED"
	expect_not_in "$JOB/main.log" 'make ' "the binary input still built"
	installs
	gh_step post
	expect_step 0 "fail-on $fail_on with high alerts"
	post_stopped
	post_report
	expect_not_in "$JOB/post.log" '^::error' "an error annotation at fail-on $fail_on"
	expect_in "$JOB/post.log" "^depsentry: [0-9]+ alerts(, none at or above critical| \\(fail-on none: alerts do not fail the job\\))\$" \
		"the post step does not say the threshold held"
done

step "the daemon killed during the job: the post step fails, even at fail-on none"
gh_job fail-on=none binary="$INSTALLED"
gh_step main
main_running "$INSTALLED"
kill -KILL "$PID"
gh_step post
expect_step 1 "a daemon gone before the post step"
expect_in "$JOB/post.log" "^::error title=depsentry::the sensor \\(pid $PID\\) stopped before the end of the job: it died or was killed, and what ran after that was not watched$" \
	"the post step does not say the sensor was gone"
expect_in "$JOB/post.summary" '^\*\*The sensor did not watch the whole job' "the summary does not say so"

step "the alert log removed during the job: the post step fails"
gh_job fail-on=none binary="$INSTALLED"
gh_step main
main_running "$INSTALLED"
rm "$ALERTS"
: >"$ALERTS"
gh_step post
expect_step 1 "an alert log replaced during the job"
post_stopped
expect_in "$JOB/post.log" "^::error title=depsentry::the alert log ${ALERTS//./\\.} was removed or replaced during the job " \
	"the post step does not say the log was replaced"

echo "PASS $SCENARIO"
