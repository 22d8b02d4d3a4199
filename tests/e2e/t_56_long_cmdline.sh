#!/bin/bash
# A command line longer than an alert keeps is cut at the cap, never
# silently: an install hook runs curl with a 100 KB argument (the kernel
# copies the first 32 KiB of argv) and id with 3,000 arguments (more than
# the 1,024 entries process.args holds). process.command_line is cut at
# 32 KiB exactly and depsentry.truncated names process.command_line and
# process.args; for id, whose command line is whole, only process.args.
# process.args_count is the real count either way.
. "$(dirname "$0")/lib.sh"

need_cmd curl curl
tgz=$(npm_pack long-cmdline)
DS_E2E_PORT=$(closed_port)
export DS_E2E_PORT
ds_start

npm_install "$T/proj" "$tgz"
require_file "$(installed "$T/proj" ds-e2e-long-cmdline postinstall.ran)" \
	"the postinstall did not run"

step "1: curl with a 100 KB argument"
a=$(wait_alert process.name=curl 'process.command_line*=ds-long-1')
check_alert "$a" "the 100 KB command line is not cut at 32 KiB and named as cut" \
	package.name=ds-e2e-long-cmdline \
	'process.command_line~^curl -s -m 2 -A ds-long-1 http://127\.0\.0\.1:[0-9]+/1/BBBB' \
	--expr 'len(f("process.command_line").encode()) == 32768' \
	--expr '"process.command_line" in f("depsentry.truncated")' \
	--expr '"process.args" in f("depsentry.truncated")' \
	process.args_count=7 \
	--expr 'f("process.args")[:6] == ["curl", "-s", "-m", "2", "-A", "ds-long-1"]' \
	--expr 'len(f("process.args")) == 7 and f("process.args.6").startswith("http://127.0.0.1:")' \
	--expr 'f("process.command_line") == " ".join(f("process.args"))'

step "2: id with 3,000 arguments"
a=$(wait_alert process.name=id 'process.command_line*=ds-long-2')
check_alert "$a" "3,000 arguments are not counted whole, or not named as cut" \
	package.name=ds-e2e-long-cmdline \
	process.args_count=3002 \
	--expr 'len(f("process.args")) == 1024' \
	--expr 'f("process.command_line") == "id ds-long-2" + " x" * 3000' \
	--expr '"process.args" in f("depsentry.truncated")' \
	--expr '"process.command_line" not in f("depsentry.truncated")'

ds_finish
