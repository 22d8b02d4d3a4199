#!/bin/bash
# The DNS arm of the SIEM rule, on events. A test DNS server (dnsmasq)
# names registry.npmjs.org 127.0.0.1, where a private verdaccio listens on
# port 4873; npm installs from http://registry.npmjs.org:4873/ through it
# (in_resolver) a package whose postinstall looks up <40 hex>.beacon.
# attacker.test (NXDOMAIN). The events file gets npm's DNS questions for
# registry.npmjs.org, its connect to its resolver (network.protocol dns)
# and its connection to the registry by name (destination.domain), and the
# beacon's question asked by node. The rule matches the beacon's question
# and none of npm's registry traffic: not the questions, not the
# connection to a registry by name, not the connect to the resolver.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"
. "$(dirname "$0")/events.sh"

NS=127.0.0.77
REGISTRY=http://registry.npmjs.org:4873/

registry_by_name "$NS" dns-beacon
ds_start -e "$EVENTS"

npm_install_registry --ns "$NS" "$T/proj" "$REGISTRY" ds-e2e-dns-beacon
ran=$(installed "$T/proj" ds-e2e-dns-beacon postinstall.ran)
require_file "$ran" "the postinstall did not run"
name=$(cat "$(installed "$T/proj" ds-e2e-dns-beacon beacon.name)")
[[ $name =~ ^[0-9a-f]{40}\.beacon\.attacker\.test$ ]] || fail "the beacon name '$name' is malformed"
grep -Fq "query[A] $name from" "$T/dnsmasq.log" || fail "the test's DNS server was not asked for $name"

step "the beacon's question arrives as an event while the daemon runs"
e=$(wait_event "depsentry.session.pid=$NPM_PID" "dns.question.name=$name")
check_alert "$e" "the DNS question event is incomplete" \
	event.kind=event event.action=dns_query \
	--expr 'f("event.category") == ["network"] and f("event.type") == ["protocol"]' \
	network.protocol=dns dns.type=query dns.question.type~'^(A|AAAA)$' \
	"destination.ip=$NS" destination.port=53 network.transport=udp \
	process.name=node "process.pid!=$NPM_PID" 'process.command_line=node beacon.js' \
	package.name=ds-e2e-dns-beacon '!rule.id?'
ds_stop
validate_alerts "$ALERTS"
validate_events "$EVENTS"

step "npm's own traffic is in the events"
expect_events + "npm's questions for registry.npmjs.org" "process.pid=$NPM_PID" \
	dns.question.name=registry.npmjs.org
expect_events + "npm's connect to its resolver" "process.pid=$NPM_PID" event.action=connect \
	"destination.ip=$NS" destination.port=53 network.protocol=dns
expect_events + "npm's connection to its registry by name" "process.pid=$NPM_PID" \
	event.action=connect destination.domain=registry.npmjs.org destination.port=4873 \
	destination.ip=127.0.0.1

siem_match
expect_matches + "the beacon's question" "dns.question.name=$name" process.name=node
expect_matches 0 "npm's questions for its registry" dns.question.name=registry.npmjs.org
expect_matches 0 "npm's connection to its registry" destination.domain=registry.npmjs.org
expect_matches 0 "connects to the resolver" event.action=connect network.protocol=dns
echo "PASS $SCENARIO"
