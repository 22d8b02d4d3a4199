#!/bin/bash
# torchtriton (PyPI, December 2022) re-enacted on loopback: a postinstall
# (python3 exfil.py) sends DNS questions whose names carry hex-encoded
# "collected" data with sendto() on a UDP socket it never connects: three
# straight to a nameserver of its own (127.0.0.2:53, a fake that records
# them, not in resolv.conf), one to its resolver (dnsmasq on 127.0.0.77,
# the only nameserver of its resolv.conf, through in_resolver). Each is an
# install-dns-exfiltration alert, high, with the package, the npm session,
# the question and the server: one for the nameserver (its three questions
# folded), one for the data sent through the resolver. A package looking
# up the names installs really use (registries, CDNs, a reverse lookup, a
# service name) raises nothing from the rule; nor do the same datagrams
# sent by the test itself outside any install (after a canary).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"

NS=127.0.0.77
ROGUE=127.0.0.2
export DS_E2E_ROGUE_NS=$ROGUE

# rogue_ns_start: a fake nameserver on $ROGUE:53 that logs the name of each
# question it gets to $T/rogue.log and answers none.
rogue_ns_start()
{
	local pid

	_net_port_free "$ROGUE" 53 udp || fail "$ROGUE UDP port 53 is in use"
	"$PY" - "$ROGUE" "$T/rogue.log" <<'PYEOF' >"$T/rogue.out" 2>&1 &
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 53))
log = open(sys.argv[2], "a")
log.write("ready\n")
log.flush()
while True:
    msg, peer = s.recvfrom(4096)
    i, labels = 12, []
    while i < len(msg) and msg[i]:
        labels.append(msg[i + 1:i + 1 + msg[i]].decode("ascii", "replace"))
        i += 1 + msg[i]
    log.write(".".join(labels) + "\n")
    log.flush()
PYEOF
	pid=$!
	BG_PIDS+=("$pid")
	disown "$pid"
	_net_wait "the fake nameserver on $ROGUE" "$pid" grep -qx ready "$T/rogue.log"
}

# npm_install_ns DIR TGZ: npm install of a local tarball, offline, inside
# in_resolver $NS; sets NPM_PID, npm's own pid.
npm_install_ns()
{
	local dir=$1 rc=0

	step "npm install $2 (in $dir, DNS at $NS)"
	_resolver_prefix "$NS"
	npm_project "$dir" "$2"
	(cd "$dir" && exec setsid "${RESOLVER_CMD[@]}" "$NPM" install --offline --no-audit \
		--no-fund "${NPM_STRICT[@]}" "$2") >"$dir.npm.log" 2>&1 &
	NPM_PID=$!
	BG_PGIDS+=("$NPM_PID")
	wait "$NPM_PID" || rc=$?
	[ "$rc" -eq 0 ] || fail "npm install in $dir exited with status $rc: $(tail -n 20 "$dir.npm.log")"
}

# rogue_got NAME: the fake nameserver has received a question for NAME.
rogue_got()
{
	grep -qxF "$1" "$T/rogue.log"
}

exfil_tgz=$(npm_pack dns-exfil)
names_tgz=$(npm_pack dns-names)
canary_prepare
dnsmasq_start "$NS" ds-e2e.test=127.0.0.1
rogue_ns_start
ds_start

npm_install_ns "$T/exfil" "$exfil_tgz"
pkg=$(installed "$T/exfil" ds-e2e-dns-exfil "")
require_file "$pkg/postinstall.ran" "the postinstall did not send its questions"
mapfile -t rogue_names < <(sed -n 's/^rogue //p' "$pkg/exfil.names")
via_resolver=$(sed -n 's/^resolver //p' "$pkg/exfil.names")
[ "${#rogue_names[@]}" -eq 3 ] || fail "expected three names for $ROGUE, got: ${rogue_names[*]}"
[[ ${rogue_names[0]} =~ ^[0-9a-f]{60}\.0\.a1b2\.h4ck\.test$ ]] ||
	fail "the first name '${rogue_names[0]}' is not a hex label under h4ck.test"
wait_until --fail 10 "the fake nameserver to get ${rogue_names[2]}" rogue_got "${rogue_names[2]}"
wait_until --fail 10 "dnsmasq to be asked for $via_resolver" \
	grep -Fq "query[A] $via_resolver from" "$T/dnsmasq.log"

step "a nameserver of its own ($ROGUE): one high alert for its three questions"
a=$(wait_alert rule.id=install-dns-exfiltration "depsentry.session.pid=$NPM_PID" \
	"destination.ip=$ROGUE")
check_alert "$a" "the alert for the questions to $ROGUE is incomplete" \
	event.severity=73 event.action=dns_query package.name=ds-e2e-dns-exfil \
	package.version=2.0.0 depsentry.lifecycle_event=postinstall \
	depsentry.session.package_manager=npm process.name~'^python3' \
	'process.command_line=python3 exfil.py' "dns.question.name=${rogue_names[0]}" \
	dns.question.registered_domain=h4ck.test destination.port=53 network.transport=udp \
	'event.reason~not a resolver, its name carrying data: a long run of hex digits' \
	depsentry.matched.field=dns.question.name "depsentry.matched.value=${rogue_names[0]%%.*}" \
	--expr '"network" in f("event.category")'
sender=$(field "$a" process.pid)

step "data through its resolver ($NS): high"
a=$(wait_alert rule.id=install-dns-exfiltration "depsentry.session.pid=$NPM_PID" \
	"destination.ip=$NS")
check_alert "$a" "the alert for the data sent through the resolver is incomplete" \
	event.severity=73 package.name=ds-e2e-dns-exfil "dns.question.name=$via_resolver" \
	dns.question.registered_domain=attacker.test destination.port=53 \
	'event.reason~^DNS name carries data: a long run of hex digits' \
	depsentry.matched.field=dns.question.name
step "the repeats to $ROGUE folded into one follow-up once quiet"
a=$(wait_alert rule.id=install-dns-exfiltration "process.pid=$sender" event.action=repeated \
	"destination.ip=$ROGUE")
check_alert "$a" "the follow-up is incomplete" event.kind=event depsentry.network.repeats=3
[ "$(alert_count rule.id=install-dns-exfiltration "depsentry.session.pid=$NPM_PID" \
	event.kind=alert)" -eq 2 ] || fail "expected two alerts for the session, one per server"

step "the same datagrams sent by the test itself, outside any install"
mkdir -p "$T/outside"
(cd "$T/outside" && in_resolver "$NS" "$PY" "$FIXTURES/npm/dns-exfil/exfil.py")
require_file "$T/outside/postinstall.ran" "the test's own questions were not sent"

npm_install_ns "$T/names" "$names_tgz"
ran=$(installed "$T/names" ds-e2e-dns-names postinstall.ran)
require_file "$ran" "the lookups of ordinary names did not run"
grep -q '^registry.npmjs.org ENOTFOUND$' "$ran" ||
	fail "registry.npmjs.org was not answered NXDOMAIN: $(cat "$ran")"
NAMES_PID=$NPM_PID

canary
assert_none "looking up the names installs use was alerted" \
	rule.id=install-dns-exfiltration "depsentry.session.pid=$NAMES_PID"
assert_none "questions sent outside any install were alerted" \
	rule.id=install-dns-exfiltration event.kind=alert '!package.name?'
[ "$(alert_count rule.id=install-dns-exfiltration event.kind=alert)" -eq 2 ] ||
	fail "expected exactly the two alerts of the exfiltrating install"
ds_finish
