#!/bin/bash
# What recent compromises' payloads ran from an install hook (Shai-Hulud:
# trufflehog, `gh auth token`, a self-hosted runner registered with
# config.sh; s1ngularity: claude with its permission checks skipped; the
# npm worms: `npm whoami` on the way to `npm publish`), re-enacted with
# fake tools of the same names and a closed port: each one is an
# install-payload-tool alert with the package and the hook. The same
# tools run by the test itself, outside any install, raise nothing.
. "$(dirname "$0")/lib.sh"

tgz=$(npm_pack payload)
DS_E2E_BIN=$T/bin
DS_E2E_HOME=$T/home
DS_E2E_PORT=$(closed_port)
export DS_E2E_BIN DS_E2E_HOME DS_E2E_PORT
mkdir -p "$DS_E2E_BIN" "$T/home"
for tool in trufflehog gh claude config.sh; do
	printf '#!/bin/sh\nexit 0\n' >"$DS_E2E_BIN/$tool"
	chmod +x "$DS_E2E_BIN/$tool"
done
canary_prepare
ds_start

step "the tools run by the test itself, outside any install"
PATH=$DS_E2E_BIN:$PATH gh auth token
PATH=$DS_E2E_BIN:$PATH claude --dangerously-skip-permissions -p x
PATH=$DS_E2E_BIN:$PATH trufflehog filesystem "$T/home"

saved_path=$PATH
export PATH=$DS_E2E_BIN:$PATH
npm_install "$T/proj" "$tgz"
export PATH=$saved_path

payload_alert()	# WHAT SEVERITY COND...: the alert, checked
{
	local what=$1 sev=$2 a

	shift 2
	a=$(wait_alert rule.id=install-payload-tool package.name=ds-e2e-payload "$@")
	check_alert "$a" "the $what alert is incomplete" \
		"event.severity=$sev" depsentry.lifecycle_event=postinstall \
		package.version=3.1.0 depsentry.session.package_manager=npm \
		"depsentry.session.pid=$NPM_PID" rule.ruleset=T1195.001 \
		'event.category.0=process' depsentry.matched.value?
	echo "$a"
}

step "a secret scanner: high"
payload_alert "secret scanner" 73 'process.command_line*=trufflehog filesystem' \
	'event.reason=secret scanner' >/dev/null
step "a forge token read: high"
payload_alert "token read" 73 'process.command_line*=gh auth token' \
	'event.reason=cloud or forge token read' >/dev/null
step "a runner registered: critical"
payload_alert "runner registration" 99 'process.command_line*=config.sh --url' \
	'event.reason~^CI runner registration' >/dev/null
step "an AI agent with its checks off: critical"
payload_alert "AI agent" 99 'process.command_line*=--dangerously-skip-permissions' \
	'event.reason~^AI coding agent' >/dev/null
step "the worm's identity check, a nested npm: critical, the outer session kept"
payload_alert "npm whoami" 99 'process.command_line~npm(-cli\.js)? whoami' \
	'event.reason~^package publication' >/dev/null

canary
assert_none "a payload tool outside any install was alerted" \
	rule.id=install-payload-tool '!package.name?'
ds_finish
