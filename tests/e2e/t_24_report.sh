#!/bin/bash
# depsentry report on a log with known alerts: written by exec around a
# malicious install (curl | sh: critical and high), then, after a noted
# time, around a recon install (whoami, id: medium); to which are added a
# line that is not JSON, an object with no rule.id, a line cut in half, a
# blank line, and a copy of a real alert whose command line carries a
# newline, a CI workflow command, an escape sequence, a right-to-left
# override and Markdown and HTML. tests/e2e/report_check.py computes what
# each report must say from the log, on its own, and checks the text,
# Markdown and JSON reports against it: counts per rule and severity, one
# line per alert with its package, the malformed lines named and counted,
# --since (a time, a duration, a date) and --fail-on (exit 3 when crossed,
# else 0). The report is the same from stdin; an unreadable log is exit 1,
# a bad option exit 2.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent.sh"

need_cmd curl curl
CHECK=$E2E_DIR/report_check.py
dl_tgz=$(npm_pack download-exec)
recon_tgz=$(npm_pack recon)
DS_E2E_PORT=$(closed_port)
export DS_E2E_PORT
export GITHUB_ACTIONS=true GITHUB_REPOSITORY=acme/webapp GITHUB_RUN_ID=31337 GITHUB_JOB=deps

exec_npm "$T/dl" "$dl_tgz"
expect_rc 0 "the first install failed"
sleep 0.01	# the boundary must fall strictly between the two runs' alerts
boundary=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
exec_npm "$T/recon" "$recon_tgz"
expect_rc 0 "the second install failed"
[ "$(exec_count package.name=ds-e2e-recon)" -eq 2 ] || fail "the recon install did not give 2 alerts"

step "the log: real alerts, malformed lines and a hostile alert"
# only the two commands' alerts: the sensor sees the whole machine
log=$T/log.json
"$PY" - "$ALERTS" >"$log" <<'PY'
import json, sys
for line in open(sys.argv[1], encoding="utf-8"):
    if json.loads(line).get("depsentry", {}).get("exec"):
        sys.stdout.write(line)
PY
all=$(grep -c . "$log")
"$PY" - "$log" >>"$log.extra" <<'PY'
import json, sys
lines = open(sys.argv[1]).read().splitlines()
curl = next(json.loads(l) for l in lines if '"name":"curl"' in l and '"pm-suspicious-child"' in l)
curl["process"]["command_line"] = ("curl x | sh\n::error::pwned \x1b[31m\u202e"
                                   "<img src=x> `code` [a](http://evil.example) *b* #1 @you")
curl["depsentry"]["ancestry"][-1]["name"] = "cu|rl\n::warning::x"
curl["event"]["id"] = "0" * 32
print("this is not JSON")
print(json.dumps({"@timestamp": "2026-01-01T00:00:00Z", "event": {"kind": "alert"}}))
print(lines[0][:len(lines[0]) // 2])
print("")
print(json.dumps(curl, ensure_ascii=False, separators=(",", ":")))
PY
cat "$log.extra" >>"$log"

# report_ok FORMAT RC [OPTION...]: run report with OPTIONs and FORMAT,
# expect RC, check the output with report_check.py.
report_ok()
{
	local fmt=$1 rc=$2 got=0

	shift 2
	step "report --format $fmt $*"
	"$DEPSENTRY" report -i "$log" --format "$fmt" "$@" >"$T/report.$fmt" 2>"$T/report.err" ||
		got=$?
	[ "$got" -eq "$rc" ] || { cat "$T/report.err" >&2; fail "report $fmt $* exited $got, expected $rc"; }
	"$PY" "$CHECK" "$fmt" "$T/report.$fmt" "$log" "$@" ||
		{ cat "$T/report.$fmt" >&2; fail "report --format $fmt $* is wrong"; }
}

for fmt in text markdown json; do
	report_ok "$fmt" 0
	report_ok "$fmt" 3 --fail-on critical
	report_ok "$fmt" 0 --since "$boundary" --fail-on high
	report_ok "$fmt" 3 --since "$boundary" --fail-on medium
done
step "the malformed lines are named on stderr, with their line numbers"
n=$all
for i in 1 2 3; do
	grep -q "^depsentry: $log:$((n + i)): not an alert: " "$T/report.err" ||
		fail "report did not name line $((n + i)) of $log"
done
[ "$(grep -c 'not an alert' "$T/report.err")" -eq 3 ] || fail "report named more than the 3 malformed lines"

step "the hostile alert is told, escaped"
"$DEPSENTRY" report -i "$log" >"$T/report.text"
grep -qF 'ran curl x | sh\n::error::pwned \x1b[31m\u202e<img src=x> `code` [a](http://evil.example) *b* #1 @you' \
	"$T/report.text" || fail "the text report does not show the hostile command line escaped"
"$DEPSENTRY" report -i "$log" --format markdown >"$T/report.markdown"
grep -qF 'cu\|rl\\n\:\:warning\:\:x ran curl x \| sh\\n\:\:error\:\:pwned \\x1b\[31m\\u202e\<img src\=x\> \`code\` \[a\]\(http\:\/\/evil\.example\) \*b\* \#1 \@you |' \
	"$T/report.markdown" || fail "the Markdown report does not escape the hostile command line"

step "durations and dates for --since"
"$DEPSENTRY" report -i "$log" --since 1h --format json >"$T/r.json"
"$PY" - "$T/r.json" "$((all + 1))" <<'PY' || fail "--since 1h left alerts out"
import json, sys
o = json.load(open(sys.argv[1]))
sys.exit(0 if o["alerts"] == int(sys.argv[2]) and o["before_since"] == 0 else 1)
PY
"$DEPSENTRY" report -i "$log" --since 2099-01-01 --format json >"$T/r.json"
"$PY" - "$T/r.json" "$((all + 1))" <<'PY' || fail "--since 2099-01-01 kept alerts"
import json, sys
o = json.load(open(sys.argv[1]))
sys.exit(0 if o["alerts"] == 0 and o["before_since"] == int(sys.argv[2]) else 1)
PY

step "stdin, an unreadable log, bad options"
"$DEPSENTRY" report -i - --format json <"$log" >"$T/stdin.json" 2>/dev/null
"$DEPSENTRY" report -i "$log" --format json >"$T/file.json" 2>/dev/null
cmp -s "$T/stdin.json" "$T/file.json" || fail "the report from stdin differs from the file's"
rc=0
"$DEPSENTRY" report -i "$T/no-such-log" 2>/dev/null || rc=$?
[ "$rc" -eq 1 ] || fail "an unreadable log exited $rc, expected 1"
for bad in "--since yesterday" "--format html" "--fail-on severe" "stray"; do
	rc=0
	# shellcheck disable=SC2086
	"$DEPSENTRY" report -i "$log" $bad >/dev/null 2>&1 || rc=$?
	[ "$rc" -eq 2 ] || fail "report $bad exited $rc, expected 2"
done

exec_finish
