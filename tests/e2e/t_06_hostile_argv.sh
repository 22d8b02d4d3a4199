#!/bin/bash
# Hostile argv in suspicious commands under an install session: curl (at a
# closed port) with quotes, backslashes, an empty argument, newlines, control
# bytes, invalid UTF-8 and a 100 KB argument (see the fixture's hostile.sh).
# Every alert arrives, every line of the file is one strict JSON object in
# strict UTF-8, text that is valid is kept exactly, each invalid sequence
# becomes one U+FFFD, and the long argv is named in depsentry.truncated.
. "$(dirname "$0")/lib.sh"

need_cmd curl curl
tgz=$(npm_pack hostile-argv)
DS_E2E_PORT=$(closed_port)
export DS_E2E_PORT
ds_start

npm_install "$T/proj" "$tgz"
require_file "$(installed "$T/proj" ds-e2e-hostile-argv postinstall.ran)" \
	"the postinstall did not run"

# the exact arguments hostile.sh passes (valid UTF-8 ones)
export Q_ARG="X-Q: \"dq\" 'sq' \\back\\\\slash"
export C_ARG=$(printf 'X-C: line1\nline2\ttab\001soh\033[31mesc\177del')
export URL="http://127.0.0.1:$DS_E2E_PORT"

step "1: quotes, backslashes, an empty argument"
a=$(wait_alert process.name=curl 'process.command_line*=ds-hostile-1')
check_alert "$a" "quotes and backslashes were not kept exactly in process.args" \
	package.name=ds-e2e-hostile-argv depsentry.session.package_manager=npm \
	--expr 'f("process.args") == ["curl", "-s", "-m", "2", "-A", "ds-hostile-1",
		"-H", env["Q_ARG"], "", env["URL"] + "/1"]' \
	--expr '"process.args" not in (f("depsentry.truncated") or [])'

step "2: newline, tab, control bytes, an ANSI escape"
a=$(wait_alert process.name=curl 'process.command_line*=ds-hostile-2')
check_alert "$a" "control characters were not kept exactly in process.args" \
	--expr 'f("process.args") == ["curl", "-s", "-m", "2", "-A", "ds-hostile-2",
		"-H", env["C_ARG"], env["URL"] + "/2"]'

step "3: invalid UTF-8"
a=$(wait_alert process.name=curl 'process.command_line*=ds-hostile-3')
check_alert "$a" "the argv holding invalid UTF-8 lost its shape" \
	--expr 'len(f("process.args")) == 10' \
	--expr 'f("process.args.7").startswith("X-B: pre") and "mid" in f("process.args.7")
		and f("process.args.7").endswith("post")' \
	--expr 'f("process.args.7") == "X-B: pre\ufffd\ufffdmid\ufffd\ufffdpost"' \
	--expr 'f("process.args.9") == "cut\ufffd"' \
	--expr 'f("process.args.8") == env["URL"] + "/3"'

step "4: a 100 KB argument is cut and flagged"
a=$(wait_alert process.name=curl 'process.command_line*=ds-hostile-4')
check_alert "$a" "the 100 KB argv is not flagged as truncated" \
	--expr '"process.command_line" in f("depsentry.truncated")' \
	--expr '"process.args" in f("depsentry.truncated")' \
	'process.command_line~^curl -s -m 2 -A ds-hostile-4 http://127\.0\.0\.1:[0-9]+/4/AAAA' \
	--expr 'len(f("process.command_line")) < 102400'
[ "$(printf '%s' "$a" | wc -c)" -lt 102400 ] || fail "the 100 KB argument was not cut"

ds_finish
