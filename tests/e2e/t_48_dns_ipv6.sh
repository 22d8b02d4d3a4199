#!/bin/bash
# DNS over IPv6: the resolver (dnsmasq) listens on ::1 only, the name of
# its /etc/resolv.conf for npm and its scripts (in_resolver); the
# exfil-http postinstall looks exfil.attacker.test up (A and AAAA, both
# asked over IPv6) and GETs http://exfil.attacker.test:PORT/. The
# questions are recorded as they leave over IPv6, their answers believed:
# the connection is alerted with destination.domain exfil.attacker.test.
# The daemon's exit line counts the questions and the believed answers,
# and no unsolicited one.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"

NS=::1
EXFIL_ADDR=127.0.0.9

tgz=$(npm_pack exfil-http)
dnsmasq_start "$NS" "exfil.attacker.test=$EXFIL_ADDR"
resolver_check "$NS" exfil.attacker.test "$EXFIL_ADDR"
http_sink_start "$EXFIL_ADDR"
export DS_E2E_PORT=$SINK_PORT
ds_start

step "npm install of exfil-http, DNS at [$NS]:53"
_resolver_prefix "$NS"
npm_project "$T/proj" "$tgz"
(cd "$T/proj" && exec setsid "${RESOLVER_CMD[@]}" "$NPM" install --offline --no-audit \
	--no-fund "${NPM_STRICT[@]}" "$tgz") >"$T/proj.npm.log" 2>&1 &
NPM_PID=$!
BG_PGIDS+=("$NPM_PID")
wait "$NPM_PID" || fail "npm install failed: $(cat "$T/proj.npm.log")"
ran=$(installed "$T/proj" ds-e2e-exfil-http postinstall.ran)
require_file "$ran" "the postinstall did not run"
grep -q ' status 200$' "$ran" || fail "the request failed: $(cat "$ran")"
grep -Fq "query[A] exfil.attacker.test from ::1" "$T/dnsmasq.log" ||
	fail "the resolver was not asked over IPv6 (see $T/dnsmasq.log)"

a=$(wait_alert rule.id=pm-unexpected-egress "depsentry.session.pid=$NPM_PID" \
	"destination.ip=$EXFIL_ADDR" "destination.port=$DS_E2E_PORT")
check_alert "$a" "the connection is not named by the answer received over IPv6" \
	destination.domain=exfil.attacker.test package.name=ds-e2e-exfil-http process.name=node

ds_stop
line=$(grep '^depsentry: dns: ' "$DS_LOG") || fail "no dns line at exit"
echo "   $line"
[[ $line =~ ^depsentry:\ dns:\ ([0-9]+)\ questions\ seen\ leaving,\ ([0-9]+)\ answers\ believed ]] ||
	fail "the exit line does not count questions and answers: $line"
[ "${BASH_REMATCH[1]}" -ge 1 ] && [ "${BASH_REMATCH[2]}" -ge 1 ] ||
	fail "no question or no believed answer: $line"
validate_alerts "$ALERTS"
echo "PASS $SCENARIO"
