#!/bin/bash
# ci/github/post.sh: the post step of the depsentry action (action.yml), run
# by post.js once every other step of the job is done, whether they failed
# or not (post-if: always()). It stops the daemon (a drain: every alert
# about the job is written), appends the Markdown report to
# $GITHUB_STEP_SUMMARY, prints the text report, sets the outputs
# alert-count and alerts-file, and fails, with an ::error:: annotation,
# when an alert is at or above fail-on, or when the sensor stopped before
# the end of the job or its log was replaced.
set -euo pipefail

AGENT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/agent.sh
# shellcheck source=ci/lib.sh
. "${AGENT%/agent.sh}/lib.sh"

gh_set()
{
	local delim

	delim=ghadelimiter_$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
	printf '%s<<%s\n%s\n%s\n' "$2" "$delim" "$3" "$delim" >>"$1"
}

: "${GITHUB_STEP_SUMMARY:?is set by the runner}" "${GITHUB_OUTPUT:?is set by the runner}"

if [ -z "${STATE_dir:-}" ]; then
	echo "depsentry: the main step did not run: nothing to stop"
	exit 0
fi
export DEPSENTRY_STATE=$STATE_dir
if ! "$AGENT" started; then
	# the main step failed, and said why: the job has failed already
	echo "depsentry: the main step did not start the sensor: nothing to stop"
	exit 0
fi

stop_rc=0
"$AGENT" stop || stop_rc=$?
"$AGENT" report markdown >"$DEPSENTRY_STATE/report.md"
if [ "$stop_rc" -ne 0 ]; then
	printf '%s\n\n' "**The sensor did not watch the whole job, or its log was replaced: see the log of the post step.**" >>"$GITHUB_STEP_SUMMARY"
fi
cat "$DEPSENTRY_STATE/report.md" >>"$GITHUB_STEP_SUMMARY"
"$AGENT" report text >"$DEPSENTRY_STATE/report.txt"
token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
echo "::stop-commands::$token"
cat "$DEPSENTRY_STATE/report.txt"
echo "::$token::"

verdict=$("$AGENT" verdict)
read -r n above fail_on <<<"$verdict"
alerts=$("$AGENT" log-path)
gh_set "$GITHUB_OUTPUT" alert-count "$n"
gh_set "$GITHUB_OUTPUT" alerts-file "$alerts"
if [ "$above" -gt 0 ]; then
	printf '::error title=depsentry::%s\n' "$(gh_escape "depsentry: $above of this job's $n alerts are at or above $fail_on (fail-on): the report is in the job summary, the alert log is $alerts")"
	exit 1
fi
[ "$stop_rc" -eq 0 ] || exit 1
if [ "$fail_on" = none ]; then
	echo "depsentry: $n alerts (fail-on none: alerts do not fail the job)"
else
	echo "depsentry: $n alerts, none at or above $fail_on"
fi
