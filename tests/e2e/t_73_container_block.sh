#!/bin/bash
# The response in block mode for an install inside a container (t_71's):
# the names its own resolver gives (on its own loopback, in its own network
# namespace) are captured there and believed as on the host, so the
# registry's name is reachable, by the address that answer gave, while the
# exfiltration by name is refused in the kernel, and asking the resolver
# itself is allowed.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/net.sh"
. "$E2E_DIR/container.sh"

PKG=ds-e2e-container-attack
ctr_make
ctr_net --gw http_sink_start "$CTR_GW"
EXFIL_PORT=$SINK_PORT
ctr_net http_sink_start 127.0.0.1
REG_PORT=$SINK_PORT
ctr_dns exfil.attacker.test="$CTR_GW" registry.npmjs.org=127.0.0.1
ctr_project "$(npm_pack container-attack)"
canary_prepare
CTR_ENV=("DS_E2E_PORT=$EXFIL_PORT" "DS_E2E_REG_PORT=$REG_PORT")
cfg=$T/depsentry.json
# nothing stopped: the hook's every step is seen
ds_config "$cfg" 'c["response"] = {"mode": "block", "kill": False}'
ds_start -c "$cfg"
grep -q 'response: block; egress judged in the kernel' "$DS_LOG" ||
	fail "the daemon did not say the response blocks in the kernel: $(grep response "$DS_LOG")"

step "npm install inside the container, the response blocking"
rc=0
ctr_run npm install --offline --no-audit --no-fund --foreground-scripts ./pkg.tgz >"$T/npm.log" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "npm install in the container exited $rc: $(tail -n 5 "$T/npm.log")"
grep -q "registry.npmjs.org: 127.0.0.1" "$T/npm.log" ||
	fail "the container's resolver did not answer: $(cat "$T/npm.log")"
grep -q "registry: http 200" "$T/npm.log" ||
	fail "the registry, by the name its resolver answered, was not reached: $(cat "$T/npm.log")"
grep -q "exfil: error EPERM" "$T/npm.log" ||
	fail "the exfiltration was not refused: $(cat "$T/npm.log")"
[ ! -s "$(sink_log "$CTR_GW" "$EXFIL_PORT")" ] || fail "the exfiltration reached its server"
[ -s "$(sink_log 127.0.0.1 "$REG_PORT")" ] || fail "the registry's server saw no request"

step "the refusal is alerted, named, in the container"
a=$(wait_alert rule.id=pm-unexpected-egress event.action=connect "destination.ip=$CTR_GW")
check_alert "$a" "the refused connect is not named, placed or marked" \
	"container.id=$CTR_ID" "package.name=$PKG" destination.domain=exfil.attacker.test \
	depsentry.response.egress=blocked event.outcome=failure depsentry.namespace.net?
ctr_wait_idle
canary
assert_none "an allowed destination was refused" "event.reason~allowed destination"
assert_none "the registry's connect was alerted" destination.domain=registry.npmjs.org
assert_none "a connect to the container's resolver was alerted" \
	rule.id=pm-unexpected-egress event.action=connect destination.port=53
ds_finish
