#!/bin/bash
# The events file and the SIEM rule over it. depsentry runs with -e; npm
# installs, from a private verdaccio reached by a bare loopback address
# (127.0.0.1:4873: not a registry), a package whose postinstall runs
# whoami and plants .github/workflows/events.yml in the project; then a
# clean install of a package with no scripts, offline from a tarball.
# The events file gets, while the daemon runs, the process starts of both
# npm sessions, npm's connections and the workflow's creation, each a
# valid ECS event, and nothing outside the sessions but the watched file.
# tests/siem's rule, run by tests/siem/eql.py over it, matches the hook's
# shell under node, npm's connection to 127.0.0.1:4873 and the workflow
# write; it matches nothing of the clean install, which still has events.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"
. "$(dirname "$0")/files.sh"
. "$(dirname "$0")/events.sh"

clean_tgz=$(npm_pack registry-plain)
files_scratch
verdaccio_install
verdaccio_start 127.0.0.1 4873
verdaccio_publish "$FIXTURES/npm/events-hook"
sh_name=$(exe_name sh)
ds_start -e "$EVENTS"

npm_install_registry "$VT/proj" "$VERDACCIO_URL" ds-e2e-events-hook
HOOK_PID=$NPM_PID
require_file "$(installed "$VT/proj" ds-e2e-events-hook postinstall.ran)" "the postinstall did not run"
wf=$VT/proj/.github/workflows/events.yml
require_file "$wf" "the postinstall did not plant its workflow"

step "the events arrive while the daemon runs"
e=$(wait_event "depsentry.session.pid=$HOOK_PID" process.name=whoami)
check_alert "$e" "the whoami process event is incomplete" \
	event.kind=event event.action=exec --expr 'f("event.category") == ["process"]' \
	--expr 'f("event.type") == ["start"]' "process.parent.name=$sh_name" \
	package.name=ds-e2e-events-hook depsentry.lifecycle_event=postinstall '!rule.id?'
e=$(wait_event "process.pid=$HOOK_PID" event.action=connect)
check_alert "$e" "npm's connection event is incomplete" \
	--expr 'f("event.category") == ["network"]' \
	--expr 'f("event.type") == ["connection", "start"]' \
	destination.ip=127.0.0.1 destination.port=4873 '!destination.domain?' \
	network.direction=egress network.transport=tcp process.name=node \
	depsentry.session.package_manager=npm '!event.severity?'

npm_install "$VT/clean" "$clean_tgz"
CLEAN_PID=$NPM_PID
require_file "$(installed "$VT/clean" ds-e2e-registry-plain index.js)" "npm did not install the clean package"
wait_event "process.pid=$CLEAN_PID" event.action=exec >/dev/null
ds_stop
validate_alerts "$ALERTS"
validate_events "$EVENTS"

step "what the events file holds"
expect_events 1 "npm's start in the hooked session" event.action=exec "process.pid=$HOOK_PID" \
	"depsentry.session.pid=$HOOK_PID" process.name=node process.parent.name=bash
expect_events 1 "the hook's shell" event.action=exec "depsentry.session.pid=$HOOK_PID" \
	"process.name=$sh_name" process.parent.name=node "process.parent.pid=$HOOK_PID"
expect_events 1 "the workflow's creation" "file.path=$wf" \
	--expr 'f("event.category") == ["file"] and f("event.type") == ["creation"]' \
	event.action=creation depsentry.file.writer=install-session \
	"depsentry.session.pid=$HOOK_PID" package.name=ds-e2e-events-hook
expect_events 1 "npm's start in the clean session" event.action=exec "process.pid=$CLEAN_PID" \
	"depsentry.session.pid=$CLEAN_PID"
expect_events 0 "process starts outside install sessions (scope sessions)" \
	--expr 'f("event.category") == ["process"]' '!depsentry.session.id?'
expect_events 0 "connections of the offline install" "depsentry.session.pid=$CLEAN_PID" \
	--expr '"network" in f("event.category")'

siem_match
expect_matches + "the hook's shell spawned by npm" --expr 'f("event.category") == ["process"]' \
	"depsentry.session.pid=$HOOK_PID" "process.name=$sh_name" process.parent.name=node
expect_matches + "npm's connection to 127.0.0.1:4873" --expr '"network" in f("event.category")' \
	"process.pid=$HOOK_PID" destination.ip=127.0.0.1 destination.port=4873
expect_matches 1 "the workflow write" "file.path=$wf"
expect_matches 0 "whoami (its parent is the shell, not a package manager)" process.name=whoami
expect_matches 0 "npm's own start (its parent is bash)" event.action=exec "process.pid=$HOOK_PID"
step "quiet: the clean install has events, and neither rule matches nor alerts"
expect_events + "events of the clean session" "depsentry.session.pid=$CLEAN_PID"
expect_matches 0 "the clean install" "depsentry.session.pid=$CLEAN_PID"
assert_none "the clean install was alerted" "depsentry.session.pid=$CLEAN_PID"
echo "PASS $SCENARIO"
