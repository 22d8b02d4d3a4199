#!/bin/bash
# ci/gitlab/after.sh: the after_script of the .depsentry template. It runs
# after the script whether it succeeded or failed, in a shell of its own:
# stop the sensor if check.sh has not, write the reports and a readable copy
# of the alert log into the project directory (the job's artifacts), print
# the text report unless check.sh did, and remove the agent's directory.
# GitLab ignores this script's status: failing the job is check.sh's work.
set -uo pipefail

AGENT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/agent.sh
dir=${CI_PROJECT_DIR:-$PWD}
rc=0

if ! "$AGENT" started; then
	echo "depsentry: the sensor was not started in this job (see before_script): no report"
	"$AGENT" clean
	exit 0
fi
checked=0
"$AGENT" is-stopped && checked=1
"$AGENT" stop || rc=1
"$AGENT" report markdown >"$dir/depsentry-report.md" || rc=1
"$AGENT" report text >"$dir/depsentry-report.txt" || rc=1
"$AGENT" log >"$dir/depsentry-alerts.json" || rc=1
if [ "$checked" = 0 ]; then
	cat "$dir/depsentry-report.txt"
fi
echo "depsentry: reports in depsentry-report.md and depsentry-report.txt, the alerts in depsentry-alerts.json"
"$AGENT" clean || rc=1
exit "$rc"
