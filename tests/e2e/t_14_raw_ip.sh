#!/bin/bash
# A postinstall connecting to IP literals, no name involved: [::1] over
# IPv6, 127.0.0.5 over IPv4, and ::ffff:127.0.0.6 from an IPv6 socket (an
# IPv4-mapped address: connect(2) gets an AF_INET6 sockaddr, checked with
# strace, and the packets go over IPv4). Each destination has a TCP server
# that records the peer. Three alerts, none with a destination.domain; the
# mapped one is reported as the IPv4 address it is, network.type ipv4. The
# source address and port of each alert are the peer the server saw. The
# IPv4 destination is connected to 4 times: one alert, and one follow-up
# line counting all 4 in the same session.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"

tgz=$(npm_pack raw-connect)
tcp_sink_start ::1
export DS_E2E_V6_PORT=$SINK_PORT
export DS_E2E_RAW_ADDR=127.0.0.5
tcp_sink_start "$DS_E2E_RAW_ADDR"
export DS_E2E_RAW_PORT=$SINK_PORT
export DS_E2E_RAW_REPEAT=4
tcp_sink_start 127.0.0.6
export DS_E2E_MAPPED_PORT=$SINK_PORT
ds_start

npm_install "$T/proj" "$tgz"
ran=$(installed "$T/proj" ds-e2e-raw-connect postinstall.ran)
require_file "$ran" "the postinstall did not run"
[ "$(grep -c ' connected$' "$ran")" -eq $((2 + DS_E2E_RAW_REPEAT)) ] || fail "not every connection was made: $(cat "$ran")"

# check_dest ADDR PORT TYPE SINK-ADDR: the alert for ADDR:PORT, its source
# being the peer the server on SINK-ADDR:PORT recorded.
check_dest()
{
	local addr=$1 port=$2 type=$3 peer a

	peer=$(head -n 1 "$(sink_log "$4" "$port")")
	[ -n "$peer" ] || fail "the server on $4:$port saw no connection"
	step "wait for the alert for [$addr]:$port ($type)"
	a=$(wait_alert rule.id=pm-unexpected-egress "depsentry.session.pid=$NPM_PID" \
		"destination.ip=$addr" "destination.port=$port")
	check_alert "$a" "the alert for [$addr]:$port is incomplete" \
		event.action=connect \
		--expr '"network" in f("event.category")' \
		'!destination.domain?' \
		"source.ip=${peer% *}" "source.port=${peer#* }" \
		--expr "'$addr' in f('related.ip')" \
		network.direction=egress network.transport=tcp "network.type=$type" \
		depsentry.session.package_manager=npm \
		package.name=ds-e2e-raw-connect package.version=3.1.0 \
		process.name=node 'process.command_line=node connect.js'
}

check_dest ::1 "$DS_E2E_V6_PORT" ipv6 ::1
check_dest "$DS_E2E_RAW_ADDR" "$DS_E2E_RAW_PORT" ipv4 "$DS_E2E_RAW_ADDR"
check_dest 127.0.0.6 "$DS_E2E_MAPPED_PORT" ipv4 127.0.0.6
assert_none "an IPv4-mapped IPv6 address was reported as such" \
	rule.id=pm-unexpected-egress 'destination.ip~(?i)^::ffff:'

raw=(rule.id=pm-unexpected-egress "destination.ip=$DS_E2E_RAW_ADDR"
	"destination.port=$DS_E2E_RAW_PORT")
session=$(field "$(wait_alert "${raw[@]}" "depsentry.session.pid=$NPM_PID")" depsentry.session.id)
pid_alive "$DS_PID" || fail "the daemon died during the scenario"
ds_stop
step "one alert for $DS_E2E_RAW_ADDR:$DS_E2E_RAW_PORT, its repeats counted in one follow-up"
n=$(alert_count "${raw[@]}" event.action=connect)
[ "$n" -eq 1 ] || fail "$n alerts for $DS_E2E_RAW_ADDR:$DS_E2E_RAW_PORT, expected 1"
n=$(alert_count "${raw[@]}" event.action=repeated event.kind=event \
	"depsentry.session.id=$session" "depsentry.network.repeats=$DS_E2E_RAW_REPEAT" \
	depsentry.network.first_seen? depsentry.network.last_seen?)
[ "$n" -eq 1 ] || fail "$n follow-up lines counting $DS_E2E_RAW_REPEAT connections, expected 1"
validate_alerts "$ALERTS"
echo "PASS $SCENARIO"

