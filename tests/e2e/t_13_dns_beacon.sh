#!/bin/bash
# A postinstall leaking data in a DNS name: node's dns.lookup of
# <40 hex digits>.beacon.attacker.test, answered NXDOMAIN by the test's
# DNS server (dnsmasq, through in_resolver); nothing connects afterwards.
# The query alone is alerted (event.action dns_query) with the exact name,
# the package and the npm session.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"

NS=127.0.0.77
REGISTRY=http://registry.npmjs.org:4873/

registry_by_name "$NS" dns-beacon
ds_start

npm_install_registry --ns "$NS" "$T/proj" "$REGISTRY" ds-e2e-dns-beacon
ran=$(installed "$T/proj" ds-e2e-dns-beacon postinstall.ran)
require_file "$ran" "the postinstall did not run"
name=$(cat "$(installed "$T/proj" ds-e2e-dns-beacon beacon.name)")
[[ $name =~ ^[0-9a-f]{40}\.beacon\.attacker\.test$ ]] || fail "the beacon name '$name' is malformed"
grep -q ' error ENOTFOUND$' "$ran" || fail "the lookup was not answered NXDOMAIN: $(cat "$ran")"
grep -Fq "query[A] $name from" "$T/dnsmasq.log" || fail "the test's DNS server was not asked for $name"

step "wait for the DNS query alert for $name"
a=$(wait_alert rule.id=pm-unexpected-egress "depsentry.session.pid=$NPM_PID" \
	event.action=dns_query "dns.question.name=$name")
check_alert "$a" "the DNS beacon alert is incomplete" \
	--expr '"network" in f("event.category")' \
	dns.question.type~'^(A|AAAA)$' network.protocol=dns \
	"destination.ip=$NS" destination.port=53 '!destination.domain?' \
	source.ip? 'source.port>0' \
	--expr "'$NS' in f('related.ip')" \
	network.direction=egress network.transport=udp network.type=ipv4 \
	depsentry.session.package_manager=npm \
	package.name=ds-e2e-dns-beacon package.version=0.2.0 \
	process.name=node "process.pid!=$NPM_PID" 'process.command_line=node beacon.js'

ds_finish
