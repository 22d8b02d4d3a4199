#!/bin/bash
# Nothing is lost silently: with the smallest ring buffer and the daemon
# stopped, an exec burst must overflow; every lost record is then counted,
# reported while running and again at exit, and the daemon carries on
# (a later install session still raises its alert).
. "$(dirname "$0")/lib.sh"

BURST=${E2E_DROP_BURST:-3000}

canary_prepare

cfg=$T/small-ring.json
"$PY" - "$SRC_ROOT/config/depsentry.json" "$cfg" <<'PYEOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["ring_buffer_size"] = 262144
json.dump(c, open(sys.argv[2], "w"), indent=1)
PYEOF

ds_start -c "$cfg"

step "stop the daemon (SIGSTOP) and run $BURST execs against a 256 KiB ring buffer"
kill -STOP "$DS_PID"
for ((i = 0; i < BURST; i++)); do
	/bin/true "burst-$i"
done
kill -CONT "$DS_PID"

step "the daemon reports the drops while running"
drops_reported()
{
	grep -Eq 'events lost or damaged:.* exec_dropped=[1-9]' "$DS_LOG" && return 0
	pid_alive "$DS_PID" || fail "the daemon died after the burst"
	return 1
}
wait_until "$ALERT_TIMEOUT" "the drops to be reported" drops_reported ||
	fail "no 'events lost or damaged: ... exec_dropped=N' line within ${ALERT_TIMEOUT}s"

step "and still works: a new install session raises its alert"
canary

ds_stop
line=$(grep '^depsentry: counters at exit:' "$DS_LOG") ||
	fail "no 'counters at exit' line in the daemon log"
dropped=$(sed -E 's/.* exec_dropped=([0-9]+).*/\1/' <<<"$line")
[ "$dropped" -gt 0 ] || fail "exec_dropped is 0 at exit after an overflowing burst: $line"
recorded=$(grep -Eo '[0-9]+ exec,' "$DS_LOG" | tail -1 | cut -d' ' -f1)
# every exec of the burst was either delivered or counted as dropped (other
# processes of the machine may add to both counts, never take from them)
[ $((recorded + dropped)) -ge "$BURST" ] ||
	fail "exec records ($recorded) + dropped ($dropped) < burst ($BURST): a silent gap"
validate_alerts "$ALERTS"
echo "PASS $SCENARIO (exec_dropped=$dropped, delivered=$recorded)"
