#!/bin/bash
# A postinstall whose node reads ~/.npmrc (twice), ~/.aws/credentials,
# ~/.config/gh/hosts.yml and the project's .env, whose shell's cat reads
# an SSH key, and which then POSTs what it read (to a closed port): one
# install-credential-read alert per file, high, with the package and the
# npm session, the reader and the path. HOME is a fake one in the scratch
# directory, npm's user configuration is its .npmrc. Quiet: npm reading
# that .npmrc (the session's root, and a nested `npm config get` run by
# the hook), the hook reading a file that is no credential, and the test
# itself reading every one of those files outside any install.
. "$(dirname "$0")/lib.sh"

RULE=install-credential-read
tgz=$(npm_pack cred-read)
home=$T/home
proj=$T/proj
mkdir -p "$home/.aws" "$home/.config/gh" "$home/.ssh" "$proj"
echo '//registry.invalid/:_authToken=npm_FAKE0000' >"$home/.npmrc"
printf '[default]\naws_access_key_id = AKIAFAKE\n' >"$home/.aws/credentials"
printf 'github.com:\n    oauth_token: gho_FAKE\n' >"$home/.config/gh/hosts.yml"
echo 'fake key' >"$home/.ssh/id_ed25519"
echo 'not a secret' >"$home/notes.txt"
echo 'DB_PASSWORD=fake' >"$proj/.env"
DS_E2E_PORT=$(closed_port)
export DS_E2E_PORT
canary_prepare
ds_start

step "the test itself reads every one of those files, outside any install"
cat "$home/.npmrc" "$home/.aws/credentials" "$home/.config/gh/hosts.yml" \
	"$home/.ssh/id_ed25519" "$proj/.env" >/dev/null

saved_home=$HOME saved_userconfig=$npm_config_userconfig
export HOME=$home npm_config_userconfig=$home/.npmrc
npm_install "$proj" "$tgz"
export HOME=$saved_home npm_config_userconfig=$saved_userconfig
npm_pid=$NPM_PID
require_file "$(installed "$proj" ds-e2e-cred-read postinstall.ran)" "the postinstall did not run"

cred_alert() # PATH NAME: the alert for PATH read by a process named NAME, checked
{
	local path=$1 name=$2 a

	step "the alert for $path (read by $name)"
	a=$(wait_alert rule.id=$RULE "file.path=$path")
	check_alert "$a" "the alert for $path is incomplete" \
		event.kind=alert event.action=open \
		--expr 'f("event.category") == ["file", "intrusion_detection"]' \
		--expr 'f("event.type") == ["access", "info"]' \
		depsentry.severity=high event.severity=73 \
		"file.name=${path##*/}" "file.directory=${path%/*}" file.type=file \
		package.name=ds-e2e-cred-read package.version=2.0.1 package.type=npm \
		depsentry.lifecycle_event=postinstall depsentry.session.package_manager=npm \
		"depsentry.session.pid=$npm_pid" "process.pid!=$npm_pid" \
		"process.name=$name" depsentry.file.writer=install-session \
		depsentry.file.pattern? rule.ruleset=T1552.001 threat.tactic.id.0=TA0006 \
		'message~ read /'
}

cred_alert "$home/.npmrc" node
cred_alert "$home/.aws/credentials" node
cred_alert "$home/.config/gh/hosts.yml" node
cred_alert "$proj/.env" node
cred_alert "$home/.ssh/id_ed25519" "$(basename "$(realpath "$(command -v cat)")")"

canary
step "one alert per session and file, none for npm, the other file or the test"
n=$(alert_count rule.id=$RULE "file.path=$home/.npmrc")
[ "$n" -eq 1 ] || fail "the .npmrc read twice by the hook and by npm: $n alerts, expected 1"
assert_none "npm reading its own configuration was alerted" \
	rule.id=$RULE --expr "f('process.pid') == $npm_pid or f('process.command_line') and 'config get' in f('process.command_line')"
assert_none "a file that is no credential was alerted" rule.id=$RULE "file.path=$home/notes.txt"
assert_none "a read outside any install was alerted" rule.id=$RULE '!package.name?'
n=$(alert_count rule.id=$RULE "depsentry.session.pid=$npm_pid")
[ "$n" -eq 5 ] || fail "the session has $n install-credential-read alerts, expected 5"
ds_finish
