#!/bin/bash
# The events settings. check-config refuses an unknown events.scope and a
# relative events.output with their JSON paths, and run refuses to start on
# them. With events {"output": FILE, "scope": "all"} in the configuration,
# a process started outside any install session is an event in FILE (in a
# directory the daemon makes 0750, the file 0640); -e on the command line
# takes the place of the configuration's output. With the default scope
# ("sessions") such a process is not an event, while the canary install's
# are (checked after the canary).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/events.sh"

canary_prepare

# events_config FILE JSON: the shipped configuration with "events": JSON.
events_config()
{
	"$PY" - "$SRC_ROOT/config/depsentry.json" "$1" "$2" <<'PYEOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg["events"] = json.loads(sys.argv[3])
json.dump(cfg, open(sys.argv[2], "w"), indent="\t")
PYEOF
}

# expect_bad_config NAME JSON PATH: check-config and run both refuse it,
# naming the JSON path.
expect_bad_config()
{
	local cfg=$T/$1.json rc=0 out

	step "check-config and run refuse events $2"
	events_config "$cfg" "$2"
	out=$(timeout 30 "$DEPSENTRY" check-config -c "$cfg" 2>&1) || rc=$?
	[ "$rc" -eq 1 ] || fail "check-config on events $2 exited with status $rc (expected 1): $out"
	grep -Fq "$cfg: \$.events.$3: " <<<"$out" || fail "check-config did not name \$.events.$3: $out"
	rc=0
	out=$(timeout 30 "$DEPSENTRY" run -c "$cfg" -o "$T/never.json" 2>&1) || rc=$?
	[ "$rc" -ne 0 ] || fail "run -c with events $2 exited 0"
	grep -q 'depsentry: ready' <<<"$out" && fail "run -c with events $2 got ready"
	grep -Fq "\$.events.$3: " <<<"$out" || fail "run did not name \$.events.$3: $out"
}

expect_bad_config scope '{"scope": "everything"}' scope
expect_bad_config output '{"output": "events.json", "scope": "all"}' output

# start_marked: run /bin/echo with a fresh marker argument, outside any
# install session, as a child of this shell; MARK is the marker.
start_marked()
{
	MARK=ds-e2e-events-mark-$$-$RANDOM
	/bin/echo "$MARK" >/dev/null
}

cfg_events=$T/cfg/sub/events.json
cfg=$T/all.json
events_config "$cfg" "{\"output\": \"$cfg_events\", \"scope\": \"all\"}"
step "check-config accepts events.output and scope \"all\""
out=$("$DEPSENTRY" check-config -c "$cfg" 2>&1) || fail "check-config -c $cfg: $out"
grep -q 'configuration OK' <<<"$out" || fail "check-config -c $cfg: $out"

step "scope all: a process outside any session is an event in the configured file"
umask 022	# the modes asked of the files, whatever the caller's umask
ds_start -c "$cfg"
start_marked
e=$(wait_event --file "$cfg_events" --expr "'$MARK' in (f('process.args') or [])")
check_alert "$e" "the process event outside a session is incomplete" \
	event.kind=event event.action=exec process.name=echo "process.parent.pid=$$" \
	'!depsentry.session.id?' '!package.name?' '!rule.id?'
[ "$(stat -c %a "$T/cfg/sub")" = 750 ] || fail "the events directory is $(stat -c %a "$T/cfg/sub"), not 750"
[ "$(stat -c %a "$cfg_events")" = 640 ] || fail "the events file is $(stat -c %a "$cfg_events"), not 640"
ds_stop
validate_events "$cfg_events"

step "-e takes the place of the configuration's output"
ds_start -c "$cfg" -e "$EVENTS"
start_marked
wait_event --expr "'$MARK' in (f('process.args') or [])" >/dev/null
ds_stop
n=$("$PY" "$ALERTS_PY" count "$cfg_events" --expr "'$MARK' in (f('process.args') or [])")
[ "$n" -eq 0 ] || fail "with -e, the configuration's events file still got $n event(s)"
validate_events "$EVENTS"

step "scope sessions (the default): only the sessions' process starts"
EVENTS=$T/sessions.json
ds_start -e "$EVENTS"
start_marked
canary
expect_events 0 "the process outside any session" \
	--expr "'$MARK' in (f('process.args') or [])"
expect_events 1 "the canary's whoami" package.name=ds-e2e-canary process.name=whoami \
	"depsentry.session.pid=$CANARY_PID"
ds_stop
validate_alerts "$ALERTS"
validate_events "$EVENTS"
echo "PASS $SCENARIO"
