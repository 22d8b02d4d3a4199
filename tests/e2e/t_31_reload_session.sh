#!/bin/bash
# A reload keeps the process table and its install sessions. npm runs a
# postinstall that waits for a flag file; while it waits, SIGHUP loads a
# configuration that renames the npm package-manager definition and makes
# reconnaissance high. Released, the postinstall's whoami is alerted in
# the session started before the reload (the session keeps its package
# manager's name, which the old configuration gave it and the new one no
# longer has), with the new severity.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/siem.sh"

tgz=$(npm_pack preexisting)
export DS_E2E_FLAG=$T/go
export DS_E2E_WAITING=$T/waiting
cfg=$T/depsentry.json
config_edit "$cfg" 'pass'
ds_start -c "$cfg"

step "npm install: the postinstall waits for $DS_E2E_FLAG"
npm_install_start "$T/proj" "$tgz"
postinstall_waiting()
{
	[ -e "$DS_E2E_WAITING" ] && return 0
	pid_alive "$NPM_PID" || fail "npm exited before its postinstall started: $(cat "$T/proj.npm.log")"
	return 1
}
wait_until 60 "the postinstall to start" postinstall_waiting ||
	fail "the postinstall did not start within 60s"

step "reload: npm's definition renamed, reconnaissance high"
config_edit "$cfg" '
for pm in c["package_managers"]:
    if pm["name"] == "npm":
        pm["name"] = "npm-renamed"
for g in c["suspicious_processes"]:
    if g["reason"] == "system reconnaissance":
        g["severity"] = "high"'
ds_hup
grep -q "configuration reloaded from $cfg\$" "$DS_LOG" || fail "the reload was not logged"
pid_alive "$NPM_PID" || fail "npm exited before the release"

step "release the postinstall: it runs whoami"
touch "$DS_E2E_FLAG"
rc=0
wait "$NPM_PID" || rc=$?
[ "$rc" -eq 0 ] || fail "npm install exited with status $rc: $(cat "$T/proj.npm.log")"
a=$(wait_alert process.name=whoami package.name=ds-e2e-preexisting)
check_alert "$a" "the session from before the reload was lost or changed" \
	depsentry.session.package_manager=npm \
	"depsentry.session.pid=$NPM_PID" \
	"depsentry.ancestry.0.pid=$NPM_PID" \
	package.version=0.9.0 package.type=npm \
	depsentry.lifecycle_event=postinstall
check_alert "$a" "the reloaded severity was not applied to the session's next exec" \
	event.severity=73

ds_finish
