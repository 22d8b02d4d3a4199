#!/bin/bash
# Event lines that cannot be written are counted, never lost silently: the
# events file is /dev/full (every write fails with ENOSPC). The canary
# install's alert still arrives; the daemon reports the failed event lines
# while it runs ("events lost or damaged: ... events_failed=N") and at exit
# ("events: 0 lines written, ... N failed to write"), N covering at least
# the canary session's process starts, and exits 0.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/events.sh"

canary_prepare
ds_start -e /dev/full
canary

step "the failed event lines are reported while the daemon runs"
failures_reported()
{
	grep -Eq 'events lost or damaged: .*events_failed=[1-9]' "$DS_LOG" && return 0
	pid_alive "$DS_PID" || fail "the daemon died"
	return 1
}
wait_until 10 "the failed event lines to be reported" failures_reported ||
	fail "no 'events lost or damaged' line within 10s: $(tail -n 5 "$DS_LOG")"
grep -E 'events lost or damaged: ' "$DS_LOG" | tail -n 1
ds_stop

step "and counted at exit"
line=$(grep -E '^depsentry: events: ' "$DS_LOG") || fail "no events line at exit: $(tail -n 5 "$DS_LOG")"
echo "   $line"
[[ $line =~ ^depsentry:\ events:\ 0\ lines\ written,\ 0\ not\ rendered,\ ([0-9]+)\ failed\ to\ write,\ 0\ written\ in\ pieces$ ]] ||
	fail "unexpected events line at exit: $line"
# npm's own start, its sh -c and whoami, at least
[ "${BASH_REMATCH[1]}" -ge 3 ] || fail "only ${BASH_REMATCH[1]} failed event lines counted, expected 3 or more"
validate_alerts "$ALERTS"
echo "PASS $SCENARIO"
