#!/bin/bash
# A postinstall that leaves `setsid nohup sh -c '...; wget ...' &` behind and
# returns at once. npm exits; only then does the detached shell run wget.
# The wget alert still names the npm session and the package: the session
# follows the process tree in the kernel and survives reparenting.
. "$(dirname "$0")/lib.sh"

need_cmd wget wget
tgz=$(npm_pack detached)
DS_E2E_PORT=$(closed_port)
export DS_E2E_PORT
export DS_E2E_FLAG=$T/go
ds_start

npm_install "$T/proj" "$tgz"
require_file "$(installed "$T/proj" ds-e2e-detached postinstall.ran)" "the postinstall did not run"
if pid_alive "$NPM_PID"; then
	fail "npm (pid $NPM_PID) is still running after its exit"
fi

step "npm has exited: let the detached shell run wget"
touch "$DS_E2E_FLAG"
a=$(wait_alert process.name=wget)
check_alert "$a" "the wget alert lost the npm session" \
	depsentry.session.package_manager=npm \
	"depsentry.session.pid=$NPM_PID" \
	package.name=ds-e2e-detached package.version=0.3.0 \
	depsentry.lifecycle_event=postinstall \
	"process.command_line=wget -q -O- http://127.0.0.1:$DS_E2E_PORT/" \
	rule.id~'^(pm-suspicious-child|lifecycle-hook-suspicious-child)$'
step "the ancestry still starts at npm, though the shell was reparented"
check_alert "$a" "the wget alert's ancestry lost npm" \
	process.parent.name~'^(sh|dash)$' "depsentry.ancestry.0.pid=$NPM_PID" \
	depsentry.ancestry.-1.name=wget

ds_finish
