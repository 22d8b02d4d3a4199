#!/bin/bash
# Health: the status line, the status file and `depsentry status`, with a
# configuration whose status_file is in the scratch directory.
# (a) status_interval 0: no status line is logged until SIGUSR1, which logs
#     one; the status file is one line, mode 0644, naming the daemon's pid;
#     `depsentry status -c CFG` prints it and exits 0.
# (b) After two canary installs (a whoami alert each), the counts that
#     `depsentry status` prints are those of the alert file, in all and by
#     rule; records of every process type were counted.
# (c) status_interval 1: lines are logged with no signal.
# (d) A status file that stopped changing (the daemon stopped with SIGSTOP,
#     the file's time set back a minute): exit 1, "stopped or stuck".
# (e) After SIGTERM the file is gone: exit 1, "not running: no status file";
#     a file left by a process that has exited: exit 1, "has exited".
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"

canary_prepare
STATUS=$T/run/status
# cfg NAME INTERVAL: a configuration with status_file $STATUS; prints its path.
cfg()
{
	"$PY" - "$SRC_ROOT/config/depsentry.json" "$T/$1.json" "$STATUS" "$2" <<'EOF'
import json, sys
cfg = json.load(open(sys.argv[1]))
cfg["status_file"] = sys.argv[3]
cfg["status_interval"] = int(sys.argv[4])
json.dump(cfg, open(sys.argv[2], "w"), indent="\t")
EOF
	printf '%s\n' "$T/$1.json"
}

# status [ARG...]: depsentry status -c $CFG ARG...; output in OUT, status in RC.
status()
{
	RC=0
	OUT=$("$DEPSENTRY" status -c "$CFG" "$@" 2>&1) || RC=$?
}

lines_logged()
{
	grep -c '^depsentry: status: pid=' "$DS_LOG" || true
}

CFG=$(cfg quiet 0)
ds_start -c "$CFG"

step "(a) status_interval 0: a line on SIGUSR1 only"
wait_for "no status file $STATUS" 10 test -s "$STATUS"
[ "$(lines_logged)" -eq 0 ] || fail "a status line was logged with status_interval 0"
kill -USR1 "$DS_PID"
logged_one()
{
	[ "$(lines_logged)" -eq 1 ]
}
wait_for "no status line logged after SIGUSR1" 10 logged_one
[ "$(stat -c %a "$STATUS")" = 644 ] || fail "the status file has mode $(stat -c %a "$STATUS")"
[ "$(wc -l <"$STATUS")" -eq 1 ] || fail "the status file is not one line: $(cat "$STATUS")"
grep -q "^pid=$DS_PID " "$STATUS" || fail "the status file does not name pid $DS_PID: $(cat "$STATUS")"
status
[ "$RC" -eq 0 ] || fail "depsentry status exited with $RC: $OUT"
for word in "^pid=$DS_PID uptime=[0-9]+ exec=[0-9]+ fork=[0-9]+ exit=[0-9]+ " " alerts=[0-9]+ " \
	" lost=[0-9]+ " " processes=[1-9][0-9]* " " sessions=[0-9]+ " " dns_cache=[0-9]+ " \
	" held_writes=[0-9]+ " " network_hooks=(on|off)$"; do
	grep -Eq "$word" <<<"$OUT" || fail "depsentry status printed no '$word': $OUT"
done

step "(b) two canaries: the status counts are the alert file's"
canary
canary
[ "$(alert_count package.name=ds-e2e-canary)" -eq 2 ] || fail "expected one alert per canary"
# counts_match: depsentry status and the alert file agree, in all and by rule
counts_match()
{
	status
	[ "$RC" -eq 0 ] || fail "depsentry status exited with $RC: $OUT"
	printf '%s\n' "$OUT" | "$PY" -c '
import json, sys
words = dict(w.split("=", 1) for w in sys.stdin.read().split() if "=" in w)
by_rule = {}
total = 0
for line in open(sys.argv[1], encoding="utf-8"):
    rule = json.loads(line)["rule"]["id"]
    by_rule[rule] = by_rule.get(rule, 0) + 1
    total += 1
ok = int(words["alerts"]) == total
for key, value in words.items():
    if key.startswith("alerts."):
        ok = ok and int(value) == by_rule.pop(key[len("alerts."):], 0)
sys.exit(0 if ok and not by_rule else 1)' "$ALERTS"
}
wait_for "depsentry status does not count the alerts of $ALERTS" 10 counts_match
step "status: $OUT"
grep -Eq ' alerts=[2-9][0-9]* alerts.pm-suspicious-child=[2-9]' <<<"$OUT" ||
	fail "the canaries' alerts are not counted: $OUT"
grep -Eq ' exec=[1-9][0-9]* fork=[1-9][0-9]* exit=[1-9][0-9]* ' <<<"$OUT" ||
	fail "process records not counted: $OUT"

step "(d) a daemon that stopped updating its file (SIGSTOP)"
kill -STOP "$DS_PID"
touch -d '-1 minute' "$STATUS"
status
kill -CONT "$DS_PID"
[ "$RC" -eq 1 ] || fail "depsentry status on a stale file exited with $RC: $OUT"
grep -q 'stopped or stuck' <<<"$OUT" || fail "depsentry status on a stale file said: $OUT"
ds_finish

step "(e) no daemon"
[ ! -e "$STATUS" ] || fail "the status file is still there after the daemon exited"
status
[ "$RC" -eq 1 ] || fail "depsentry status with no daemon exited with $RC: $OUT"
grep -q "not running: no status file $STATUS" <<<"$OUT" ||
	fail "depsentry status with no daemon said: $OUT"
sh -c 'echo "pid=$$ uptime=1 exec=0" >"$1"' sh "$STATUS"
status
[ "$RC" -eq 1 ] || fail "depsentry status on a file left by an exited process exited with $RC: $OUT"
grep -q 'which has exited' <<<"$OUT" || fail "depsentry status on a dead writer's file said: $OUT"
rm -f "$STATUS"

step "(c) status_interval 1: lines with no signal"
CFG=$(cfg periodic 1)
ds_start -c "$CFG"
logged_two()
{
	[ "$(lines_logged)" -ge 2 ]
}
wait_for "no periodic status line with status_interval 1" 10 logged_two
ds_finish
