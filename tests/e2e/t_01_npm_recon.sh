#!/bin/bash
# npm install of a local package whose postinstall runs `sh -c 'whoami; id'`:
# the whoami alert carries the package, the lifecycle event, the npm session
# and the ancestry from npm down to whoami.
. "$(dirname "$0")/lib.sh"

tgz=$(npm_pack recon)
ver=$(pkg_json_field "$FIXTURES/npm/recon" version)
ds_start

npm_install "$T/proj" "$tgz"
require_file "$(installed "$T/proj" ds-e2e-recon postinstall.ran)" "the postinstall did not run"

step "wait for the whoami alert"
a=$(wait_alert process.name=whoami package.name=ds-e2e-recon)
check_alert "$a" "the whoami alert is incomplete" \
	rule.id=pm-suspicious-child \
	package.name=ds-e2e-recon \
	"package.version=$ver" \
	package.type=npm \
	depsentry.lifecycle_event=postinstall \
	depsentry.session.package_manager=npm \
	"depsentry.session.pid=$NPM_PID" \
	depsentry.session.entity_id? \
	depsentry.session.executable~'/(node|npm)$' \
	'depsentry.session.command_line~\binstall\b' \
	'depsentry.depth>=2' \
	process.pid? process.executable=/usr/bin/whoami process.command_line=whoami \
	process.args.0=whoami \
	process.parent.pid? process.parent.name~'^(sh|dash)$' \
	"process.parent.command_line~^sh -c .?whoami; id" \
	'event.severity>=21'
check_alert "$a" "depsentry.ancestry does not run from npm down to whoami" \
	"depsentry.ancestry.0.pid=$NPM_PID" \
	depsentry.ancestry.-1.name=whoami \
	--expr 'f("depsentry.ancestry.-1.pid") == f("process.pid")' \
	--expr 'f("depsentry.ancestry.-2.pid") == f("process.parent.pid")' \
	--expr 'len(f("depsentry.ancestry")) >= 3' \
	--expr 'all(set(x) >= {"pid", "name", "command_line"} for x in f("depsentry.ancestry"))' \
	--expr 'all(x["name"] in ("sh", "dash") for x in f("depsentry.ancestry")[1:-1])' \
	--expr 'len(f("depsentry.ancestry")) == f("depsentry.depth") + 1'

step "the id alert is in the same session"
a=$(wait_alert process.name=id package.name=ds-e2e-recon)
check_alert "$a" "the id alert is incomplete" \
	depsentry.session.package_manager=npm "depsentry.session.pid=$NPM_PID" \
	depsentry.lifecycle_event=postinstall

ds_finish
