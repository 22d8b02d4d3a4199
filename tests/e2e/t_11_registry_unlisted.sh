#!/bin/bash
# npm install from a registry that is not an expected one, reached by a bare
# IP: a private verdaccio on 127.0.0.1:4873. npm's own connection is alerted
# (pm-unexpected-egress) with destination 127.0.0.1:4873 and no
# destination.domain (no name was looked up), in the npm session. The two
# packages make npm open two connections to the registry (strace, npm 11.19):
# the destination is alerted once for the session; repeats go to
# depsentry.network.repeats, never to a second alert.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"

REG_ADDR=127.0.0.1
REG_PORT=4873

verdaccio_install
verdaccio_start "$REG_ADDR" "$REG_PORT"
verdaccio_publish "$FIXTURES/npm/registry-plain"
verdaccio_publish "$FIXTURES/npm/registry-plain-b"
ds_start

npm_install_registry "$T/proj" "$VERDACCIO_URL" ds-e2e-registry-plain ds-e2e-registry-plain-b
require_file "$(installed "$T/proj" ds-e2e-registry-plain index.js)" "npm did not install the package"
require_file "$(installed "$T/proj" ds-e2e-registry-plain-b index.js)" "npm did not install the package"

dest=(rule.id=pm-unexpected-egress "depsentry.session.pid=$NPM_PID"
	"destination.ip=$REG_ADDR" "destination.port=$REG_PORT")

step "wait for the alert for npm's connection to $REG_ADDR:$REG_PORT"
a=$(wait_alert "${dest[@]}")
check_alert "$a" "the egress alert is incomplete" \
	event.action=connect \
	--expr '"network" in f("event.category")' \
	'!destination.domain?' \
	"source.ip=$REG_ADDR" 'source.port>0' \
	--expr "'$REG_ADDR' in f('related.ip')" \
	network.direction=egress network.transport=tcp network.type=ipv4 \
	depsentry.session.package_manager=npm \
	"process.pid=$NPM_PID" process.name=node \
	'process.command_line~\binstall\b' process.command_line*=ds-e2e-registry-plain \
	'!package.name?' \
	--expr 'not f("depsentry.network.repeats")'

ds_stop
step "exactly one alert for this session and destination"
n=$(alert_count "${dest[@]}" --expr 'not f("depsentry.network.repeats")')
[ "$n" -eq 1 ] || fail "$n alerts for $REG_ADDR:$REG_PORT in the npm session, expected 1"
# the other connection is only counted, in a later line (of npm's process)
n=$(alert_count rule.id=pm-unexpected-egress "process.pid=$NPM_PID" \
	"destination.ip=$REG_ADDR" "destination.port=$REG_PORT" 'depsentry.network.repeats>=1')
echo "   $n later line(s) counting repeats"
validate_alerts "$ALERTS"
echo "PASS $SCENARIO"
