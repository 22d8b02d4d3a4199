#!/bin/bash
# The response in block mode, with real npm and a registry by name. A test
# DNS server maps registry.npmjs.org to 127.0.0.1 (verdaccio on 4873) and
# exfil.attacker.test to 127.0.0.9, where an HTTP and a UDP server record
# whatever reaches them. No resolver is configured: the one npm's own
# resolv.conf names is learnt as its session starts.
# (a) npm install of a plain package: the registry's traffic flows (the
#     address came from a believed answer for an allowlisted name), npm
#     succeeds, nothing is denied.
# (b) npm install of a package whose postinstall sends host data by HTTP
#     to exfil.attacker.test, then in a UDP datagram to 127.0.0.9: the
#     package comes from the registry (its script runs), both sends fail with EPERM and
#     neither server sees a byte; the HTTP connect is alerted as denied
#     (medium: not stopped), the datagram (to an address with no name:
#     high) is denied and its process stopped, so the postinstall never
#     ends and npm fails.
# (c) the same install with the response in detect mode: nothing is
#     refused or stopped (both servers get their data, npm succeeds), and
#     the two alerts say what blocking would have done.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"

NS=127.0.0.77
REGISTRY=http://registry.npmjs.org:4873/
EXFIL_ADDR=127.0.0.9

verdaccio_install
verdaccio_start 127.0.0.1 4873
verdaccio_publish "$FIXTURES/npm/registry-plain"
verdaccio_publish "$FIXTURES/npm/exfil-block"
dnsmasq_start "$NS" registry.npmjs.org=127.0.0.1 "exfil.attacker.test=$EXFIL_ADDR"
resolver_check "$NS" registry.npmjs.org 127.0.0.1
resolver_check "$NS" exfil.attacker.test "$EXFIL_ADDR"
http_sink_start "$EXFIL_ADDR"
export DS_E2E_PORT=$SINK_PORT
udp_sink_start "$EXFIL_ADDR"
export DS_E2E_UDP_ADDR=$EXFIL_ADDR DS_E2E_UDP_PORT=$SINK_PORT

cfg=$T/block.json
ds_config "$cfg" 'c["response"] = {"mode": "block", "kill_severity": "high"}'
canary_prepare
ds_start -c "$cfg"
grep -q 'response: block; egress judged in the kernel' "$DS_LOG" ||
	fail "the daemon did not say the response blocks in the kernel: $(grep response "$DS_LOG")"

step "(a) npm install from its registry, by name, the response blocking"
npm_install_registry --ns "$NS" "$T/quiet" "$REGISTRY" ds-e2e-registry-plain
require_file "$(installed "$T/quiet" ds-e2e-registry-plain index.js)" "npm did not install the package"
QUIET_PID=$NPM_PID
canary
assert_none "npm's own registry traffic was denied or alerted" \
	"depsentry.session.pid=$QUIET_PID" rule.id=pm-unexpected-egress

step "(b) a postinstall exfiltrating by name (HTTP) and by address (UDP)"
rc=0
ran=$T/postinstall.ran
export DS_E2E_NOTES=$ran
npm_install_registry_start --ns "$NS" "$T/proj" "$REGISTRY" ds-e2e-exfil-block
wait "$NPM_PID" || rc=$?
[ "$rc" -ne 0 ] || fail "npm succeeded: its postinstall was not stopped ($(cat "$T/proj.npm.log"))"
grep -q 'Killed' "$T/proj.npm.log" || fail "npm did not fail on a killed script: $(tail -n 5 "$T/proj.npm.log")"
# written by the package's own script: its tarball came from the registry
require_file "$ran" "the postinstall did not run"
grep -qx 'http error EPERM' "$ran" || fail "the HTTP request was not refused: $(cat "$ran")"
grep -q '^udp to ' "$ran" || fail "the postinstall sent no datagram: $(cat "$ran")"
# stopped before it could go on (even before its send's callback, at times)
grep -qx -e 'udp sent' -e done "$ran" && fail "the postinstall was not stopped: $(cat "$ran")"
[ ! -s "$(sink_log "$EXFIL_ADDR" "$DS_E2E_PORT")" ] ||
	fail "the HTTP server got: $(cat "$(sink_log "$EXFIL_ADDR" "$DS_E2E_PORT")")"
[ ! -s "$(sink_log "$EXFIL_ADDR" "$DS_E2E_UDP_PORT")" ] ||
	fail "the UDP server got: $(cat "$(sink_log "$EXFIL_ADDR" "$DS_E2E_UDP_PORT")")"

a=$(wait_alert rule.id=pm-unexpected-egress "depsentry.session.pid=$NPM_PID" \
	destination.domain=exfil.attacker.test)
check_alert "$a" "the refused HTTP connection's alert is incomplete" \
	event.action=connect event.outcome=failure depsentry.response.egress=blocked \
	--expr '"denied" in f("event.type") and "connection" in f("event.type")' \
	"destination.ip=$EXFIL_ADDR" "destination.port=$DS_E2E_PORT" network.transport=tcp \
	package.name=ds-e2e-exfil-block process.name=node 'process.command_line=node exfil.js' \
	event.severity=47 '!depsentry.response.action?'
a=$(wait_alert rule.id=pm-unexpected-egress "depsentry.session.pid=$NPM_PID" \
	"destination.ip=$EXFIL_ADDR" "destination.port=$DS_E2E_UDP_PORT")
check_alert "$a" "the refused datagram's alert is incomplete" \
	depsentry.response.egress=blocked depsentry.network.datagram=true \
	--expr '"denied" in f("event.type")' network.transport=udp '!destination.domain?' \
	package.name=ds-e2e-exfil-block process.name=node event.severity=73 \
	depsentry.response.action=killed 'depsentry.response.killed>=1' event.outcome=failure
# the stop, measured: from the script's exec to the line written after it
"$PY" - "$a" <<'PYEOF'
import datetime, json, sys
a = json.loads(sys.argv[1])
t = lambda s: datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()
print(f"   stopped {1000 * (t(a['event']['created']) - t(a['process']['start'])):.0f} ms "
      f"after its exec (the denied datagram {1000 * (t(a['event']['created']) - t(a['@timestamp'])):.1f} ms before)")
PYEOF
assert_none "npm's own registry traffic was denied or alerted in (b)" \
	"depsentry.session.pid=$NPM_PID" rule.id=pm-unexpected-egress destination.port=4873
ds_stop
validate_alerts "$ALERTS"

step "(c) the same install, the response detecting only"
ds_config "$cfg" 'c["response"] = {"mode": "detect", "kill_severity": "high"}'
ALERTS=$T/detect.json
ds_start -c "$cfg"
grep -q 'response: detect; egress judged in the kernel' "$DS_LOG" ||
	fail "the daemon did not say the response detects: $(grep response "$DS_LOG")"
ran=$T/detect.ran
export DS_E2E_NOTES=$ran DS_E2E_LINGER=0
npm_install_registry --ns "$NS" "$T/proj-detect" "$REGISTRY" ds-e2e-exfil-block
grep -qx 'http status 200' "$ran" || fail "the HTTP request did not go through: $(cat "$ran")"
grep -qx 'udp sent' "$ran" && grep -qx done "$ran" || fail "the script did not end: $(cat "$ran")"
grep -q ' GET /c?d=' "$(sink_log "$EXFIL_ADDR" "$DS_E2E_PORT")" || fail "the HTTP server got nothing"
wait_until 10 "the datagram at the UDP server" test -s "$(sink_log "$EXFIL_ADDR" "$DS_E2E_UDP_PORT")" ||
	fail "the UDP server got nothing"
a=$(wait_alert rule.id=pm-unexpected-egress "depsentry.session.pid=$NPM_PID" \
	destination.domain=exfil.attacker.test)
check_alert "$a" "detect mode: the HTTP connection's alert does not say it would be refused" \
	depsentry.response.egress=would_block event.outcome!=failure \
	--expr '"denied" not in f("event.type")' '!depsentry.response.action?'
a=$(wait_alert rule.id=pm-unexpected-egress "depsentry.session.pid=$NPM_PID" \
	"destination.ip=$EXFIL_ADDR" "destination.port=$DS_E2E_UDP_PORT")
check_alert "$a" "detect mode: the datagram's alert does not say what blocking would do" \
	depsentry.response.egress=would_block depsentry.response.action=would_kill \
	'!depsentry.response.killed?' event.outcome=success
assert_none "npm's own registry traffic would have been refused in (c)" \
	"depsentry.session.pid=$NPM_PID" rule.id=pm-unexpected-egress destination.port=4873

ds_finish
