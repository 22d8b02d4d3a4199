#!/bin/bash
# A connect no syscall tracepoint sees: a postinstall connects to a raw
# address through io_uring (IORING_OP_CONNECT, tests/e2e/uring_connect.c)
# and would send host data on the connection.
# (a) response off: the daemon sees nothing of it (the connect hooks are
#     syscall tracepoints): the server gets the data. The limit, shown.
# (b) response blocking: the socket address program refuses it all the
#     same (it runs wherever a connect is made), records it itself since
#     no syscall hook will, and the alert says so; the server gets nothing.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"

EXFIL_ADDR=127.0.0.9
URING=$T/uring_connect
cc -O2 -Wall -o "$URING" "$SRC_ROOT/tests/e2e/uring_connect.c" || fail "cannot build uring_connect"
"$URING" 127.0.0.1 "$(closed_port)" | grep -q '^connect -111$' ||
	fail "io_uring does not work here: $("$URING" 127.0.0.1 9 2>&1)"
tgz=$(npm_pack uring-connect)
tcp_sink_start "$EXFIL_ADDR"
export DS_E2E_URING=$URING DS_E2E_ADDR=$EXFIL_ADDR DS_E2E_PORT=$SINK_PORT
SINK=$(sink_log "$EXFIL_ADDR" "$SINK_PORT")

cfg=$T/block.json
ds_config "$cfg" 'c["response"] = {"mode": "off"}'
canary_prepare
ds_start -c "$cfg"

step "(a) the response off: io_uring's connect goes unseen"
export DS_E2E_NOTES=$T/off.ran
npm_install "$T/off" "$tgz"
grep -qx 'connect 0' "$DS_E2E_NOTES" || fail "the io_uring connect failed: $(cat "$DS_E2E_NOTES")"
wait_until 10 "the data at the server" test -s "$SINK" || fail "the server got nothing"
canary
assert_none "an io_uring connect was alerted with the response off (a syscall hook saw it?)" \
	rule.id=pm-unexpected-egress "destination.ip=$EXFIL_ADDR"
ds_stop
: >"$SINK"

step "(b) the response blocking: refused and recorded by the socket address program"
ds_config "$cfg" 'c["response"] = {"mode": "block", "kill_severity": "critical"}'
ALERTS=$T/block-alerts.json
ds_start -c "$cfg"
export DS_E2E_NOTES=$T/block.ran
npm_install "$T/block" "$tgz"
grep -qx 'connect -1' "$DS_E2E_NOTES" || fail "the io_uring connect was not refused: $(cat "$DS_E2E_NOTES")"
[ ! -s "$SINK" ] || fail "the server got: $(cat "$SINK")"
a=$(wait_alert rule.id=pm-unexpected-egress "destination.ip=$EXFIL_ADDR" "destination.port=$SINK_PORT")
check_alert "$a" "the refused io_uring connect's alert is incomplete" \
	depsentry.response.egress=blocked event.outcome=failure depsentry.network.result=perm \
	--expr '"denied" in f("event.type")' '!depsentry.network.datagram?' \
	package.name=ds-e2e-uring-connect "process.executable=$URING"
ds_finish
