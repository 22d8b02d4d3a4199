#!/bin/bash
# An install session that began before the daemon: npm is already running a
# postinstall (waiting for a flag file) when depsentry starts. The daemon
# finds the session in /proc at start-up, so the whoami the postinstall runs
# once the flag appears is alerted and names the npm session.
. "$(dirname "$0")/lib.sh"

tgz=$(npm_pack preexisting)
export DS_E2E_FLAG=$T/go
export DS_E2E_WAITING=$T/waiting

step "start npm install before the daemon"
npm_install_start "$T/proj" "$tgz"
postinstall_waiting()
{
	[ -e "$DS_E2E_WAITING" ] && return 0
	pid_alive "$NPM_PID" || fail "npm exited before its postinstall started: $(cat "$T/proj.npm.log")"
	return 1
}
wait_until 60 "the postinstall to start" postinstall_waiting ||
	fail "the postinstall did not start within 60s"
[ "$(readlink "/proc/$NPM_PID/exe")" = "$(readlink -f "$NODE")" ] || fail "pid $NPM_PID is not npm (node)"

ds_start
pid_alive "$NPM_PID" || fail "npm exited before the daemon was ready"

step "release the postinstall: it runs whoami"
touch "$DS_E2E_FLAG"
rc=0
wait "$NPM_PID" || rc=$?
[ "$rc" -eq 0 ] || fail "npm install exited with status $rc: $(cat "$T/proj.npm.log")"
require_file "$(installed "$T/proj" ds-e2e-preexisting postinstall.ran)" "the postinstall did not finish"

a=$(wait_alert process.name=whoami)
check_alert "$a" "the whoami alert does not name the npm session found at start-up" \
	rule.id~'^(pm-suspicious-child|lifecycle-hook-suspicious-child)$' \
	depsentry.session.package_manager=npm \
	"depsentry.session.pid=$NPM_PID" \
	package.name=ds-e2e-preexisting package.version=0.9.0 \
	depsentry.lifecycle_event=postinstall \
	"depsentry.ancestry.0.pid=$NPM_PID" \
	depsentry.ancestry.-1.name=whoami

ds_finish
