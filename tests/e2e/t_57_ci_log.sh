#!/bin/bash
# The CI log stays ours. `depsentry exec -v` (alerts to a file and to
# stdout, events to a file) runs an npm install whose postinstall turns all
# it controls into CI workflow commands (tests/fixtures/npm/ci-log-hostile:
# a binary called `::error::x`, its own name and version and the CI
# variables set to `::set-output ...`, `##[error]...` and `##vso[...]`,
# newlines in argv). The alerts carry those values, exactly; yet no line of
# what exec printed (its summary and log on stderr, the alert lines on
# stdout, npm's own output), of the events file, or of `depsentry report`
# in any format over that log starts a workflow command after white space
# or holds a raw control character (tests/e2e/cilog_check.py). Then the
# same for a log forged by hand, whose rule ids and CI fields (never written
# by depsentry) would begin lines of the report.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent.sh"

need_cmd curl curl
CILOG=$E2E_DIR/cilog_check.py
tgz=$(npm_pack ci-log-hostile)
DS_E2E_PORT=$(closed_port)
export DS_E2E_PORT
EVENTS=$T/events.json
mkdir -p "$T/proj/.github/workflows"

EXEC_OPTS=(-v -o - -e "$EVENTS")
exec_npm "$T/proj" "$tgz"
expect_rc 0 "the install failed"
require_file "$(installed "$T/proj" ds-e2e-ci-log-hostile postinstall.ran)" \
	"the postinstall did not run"

step "the alerts carry what the package set, exactly"
nl=$'\n'
export WF="$T/proj/.github/workflows/::warning::wf.yml"
export VER="1.0.0${nl}::error::version${nl}  ##[error]v"
a=$(exec_alert rule.id=cicd-file-modified 'process.name=::error::x')
check_alert "$a" "the workflow written by '::error::x' lost its names" \
	--expr 'f("file.path") == env["WF"]' \
	'package.name=::set-output name=pkg::evil' \
	--expr 'f("package.version") == env["VER"]' \
	'!depsentry.ci.repository?'
a=$(exec_alert process.name=curl)
check_alert "$a" "curl's argv lost its newlines" \
	--expr '"ds-ci-log\n::error::ua" in f("process.args")' \
	--expr 'f("process.args.-1").endswith("/\n::error file=a::nl\n ##[error]nl")' \
	'process.env_vars*=GITHUB_REPOSITORY=::set-output name=repo::evil'
exec_alert process.name=whoami 'process.parent.name=::error::x' >/dev/null

step "exec's output: its summary and log (stderr), the alert lines (stdout), the events"
grep -q 'ds-e2e-ci-log-hostile\|set-output name=pkg' "$EXEC_LOG" ||
	fail "the summary does not name the package"
grep -q '^{.*"process":{' "$EXEC_LOG.out" || fail "no alert line on exec's stdout"
grep -q 'session rooted at pid' "$EXEC_LOG" || fail "exec -v logged no debug line"
"$PY" "$CILOG" "depsentry exec" "$EXEC_LOG" "$EXEC_LOG.out" "$EVENTS" ||
	fail "exec's output can start a workflow command"

step "depsentry report, every format"
for fmt in text markdown json; do
	"$DEPSENTRY" report -i "$ALERTS" --format "$fmt" >"$T/report.$fmt" 2>"$T/report.$fmt.err" ||
		fail "report --format $fmt failed: $(cat "$T/report.$fmt.err")"
	grep -q 'name.*pkg.*evil' "$T/report.$fmt" ||
		fail "the $fmt report does not name the package"
	"$PY" "$CILOG" "report --format $fmt" "$T/report.$fmt" "$T/report.$fmt.err" ||
		fail "the $fmt report can start a workflow command"
done

step "depsentry report over a forged log: rule ids and CI fields that begin lines"
forged=$T/forged.json
"$PY" - "$ALERTS" "$forged" <<'PYEOF'
import json, sys
src = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
a = next(o for o in src if o.get("rule", {}).get("id") == "cicd-file-modified")
out = open(sys.argv[2], "w", encoding="utf-8")
for i, rule in enumerate(["::error::forged", " \u00a0##[error]forged", "\u2003::add-mask::x",
                          "##vso[task.complete result=Failed]x", "ok\r::error::cr"]):
    o = json.loads(json.dumps(a))
    o["rule"]["id"] = rule
    o["event"]["id"] = "%032x" % i
    o["depsentry"]["ci"] = {"provider": "::error::provider", "repository": "\n::error::repo",
                            "job": "\u2028::error::job"}
    out.write(json.dumps(o, ensure_ascii=False, separators=(",", ":")) + "\n")
# a raw invalid byte and a raw line separator, as no JSON encoder would write them
raw = json.dumps(a, ensure_ascii=False, separators=(",", ":")).replace(
    '"cicd-file-modified"', '"\u2028::error::sep"').encode()
out.close()
open(sys.argv[2], "ab").write(raw.replace(b"::error::sep", b"\xff::error::sep") + b"\n")
PYEOF
for fmt in text markdown json; do
	"$DEPSENTRY" report -i "$forged" --format "$fmt" >"$T/forged-report.$fmt" 2>"$T/forged-report.$fmt.err" ||
		fail "report --format $fmt of the forged log failed: $(cat "$T/forged-report.$fmt.err")"
	grep -q 'forged' "$T/forged-report.$fmt" || fail "the $fmt report left out the forged alerts"
	"$PY" "$CILOG" "report --format $fmt (forged log)" "$T/forged-report.$fmt" "$T/forged-report.$fmt.err" ||
		fail "a forged log makes the $fmt report start a workflow command"
done
"$PY" -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$T/forged-report.json" ||
	fail "the JSON report of the forged log is not JSON"

exec_finish
