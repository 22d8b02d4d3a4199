#!/bin/bash
# The command line: version, check-config (built-in, shipped, syntax error,
# unknown key), run with a bad config, sd_notify READY=1, SIGINT, and the
# modes of an alert file and directory the daemon creates.
. "$(dirname "$0")/lib.sh"

canary_prepare

# run_cli NAME ARG...: run depsentry ARG..., output to $T/NAME.out, status to RC.
run_cli()
{
	local name=$1

	shift
	RC=0
	timeout 30 "$DEPSENTRY" "$@" >"$T/$name.out" 2>&1 || RC=$?
	OUT=$(cat "$T/$name.out")
}

step "depsentry version"
run_cli version version
[ "$RC" -eq 0 ] || fail "version exited with status $RC: $OUT"
grep -Eq '[0-9]+\.[0-9]+' <<<"$OUT" || fail "version printed no version: '$OUT'"

step "check-config on the built-in configuration"
run_cli builtin check-config
[ "$RC" -eq 0 ] || fail "check-config (built-in) exited with status $RC: $OUT"
grep -q 'configuration OK' <<<"$OUT" || fail "check-config (built-in) did not say 'configuration OK': $OUT"

step "check-config on the shipped config/depsentry.json"
run_cli shipped check-config -c "$SRC_ROOT/config/depsentry.json"
[ "$RC" -eq 0 ] || fail "check-config config/depsentry.json exited with status $RC: $OUT"
grep -q 'configuration OK' <<<"$OUT" || fail "check-config config/depsentry.json: $OUT"

step "check-config on a syntax error at line 3"
bad=$T/syntax.json
{ sed -n 1,2p "$SRC_ROOT/config/depsentry.json"; echo '	this is not JSON,'; \
	sed -n '3,$p' "$SRC_ROOT/config/depsentry.json"; } >"$bad"
run_cli syntax check-config -c "$bad"
[ "$RC" -eq 1 ] || fail "check-config on a syntax error exited with status $RC (expected 1): $OUT"
grep -q "^$bad:3:" <<<"$OUT" || fail "check-config on a syntax error did not say '$bad:3:': $OUT"
grep -q 'configuration OK' <<<"$OUT" && fail "check-config said OK on a syntax error"

step "check-config on an unknown key"
unknown=$T/unknown.json
"$PY" - "$SRC_ROOT/config/depsentry.json" "$unknown" <<'PYEOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg["rules"]["pm-suspicious-child"]["bogus_knob"] = 1
json.dump(cfg, open(sys.argv[2], "w"), indent="\t")
PYEOF
run_cli unknown check-config -c "$unknown"
[ "$RC" -eq 1 ] || fail "check-config on an unknown key exited with status $RC (expected 1): $OUT"
grep -Eq "rules[^A-Za-z0-9_]+pm-suspicious-child[^A-Za-z0-9_]+bogus_knob" <<<"$OUT" ||
	fail "check-config on an unknown key did not print its JSON path (rules.pm-suspicious-child.bogus_knob): $OUT"

step "run -c with a bad configuration fails without getting ready"
ds_launch "$T/never.json" -c "$bad"
wait_until "$READY_TIMEOUT" "run -c $bad to exit" not pid_alive "$DS_PID" ||
	fail "run -c $bad still running after ${READY_TIMEOUT}s"
RC=0
wait "$DS_PID" || RC=$?
DS_PID=
[ "$RC" -ne 0 ] || fail "run -c $bad exited with status 0"
grep -q 'depsentry: ready' "$DS_LOG" && fail "run -c $bad printed ready"
grep -q "$bad:3:" "$DS_LOG" || fail "run -c $bad did not report '$bad:3:': $(cat "$DS_LOG")"

step "run with NOTIFY_SOCKET sends READY=1; a new alert directory is 0750, the file 0640"
"$PY" - "$T/notify.sock" "$T/notify.txt" <<'PYEOF' &
import socket, sys, time
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(1)
end = time.monotonic() + 60
with open(sys.argv[2], "ab", buffering=0) as out:
    while time.monotonic() < end:
        try:
            msg = s.recv(4096)
        except socket.timeout:
            continue
        out.write(msg + b"\n--\n")
        if b"READY=1" in msg.split(b"\n"):
            break
PYEOF
NOTIFY_PID=$!
BG_PIDS+=("$NOTIFY_PID")
wait_until 5 "the notify listener" test -S "$T/notify.sock" ||
	fail "the notify listener did not start"
umask 022
ALERTS=$T/newdir/alerts.json
NOTIFY_SOCKET=$T/notify.sock ds_launch "$ALERTS"
ds_wait_ready
wait_until 10 "READY=1 on NOTIFY_SOCKET" grep -sqx 'READY=1' "$T/notify.txt" ||
	fail "no READY=1 on NOTIFY_SOCKET within 10s of 'depsentry: ready' (got: $(cat "$T/notify.txt" 2>/dev/null))"
wait "$NOTIFY_PID" || true
canary
mode=$(stat -c %a "$T/newdir")
[ "$mode" = 750 ] || fail "the alert directory the daemon created has mode $mode (expected 750)"
mode=$(stat -c %a "$ALERTS")
[ "$mode" = 640 ] || fail "the alert file the daemon created has mode $mode (expected 640)"

step "SIGINT: exit 0"
ds_signal_stop INT
validate_alerts "$ALERTS"
echo "PASS $SCENARIO"
