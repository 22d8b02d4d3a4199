#!/bin/bash
# The systemd notification protocol (Type=notify), against datagram sockets
# this test listens on, as systemd would:
# (a) NOTIFY_SOCKET a path: nothing arrives before the daemon is attached
#     and has dropped its privileges; then READY=1, alone; on SIGTERM,
#     STOPPING=1, and the daemon exits 0. Exactly those two messages.
# (b) NOTIFY_SOCKET an abstract name (@...): the same.
# (c) NOTIFY_SOCKET naming a socket nobody listens on: the daemon says so
#     and runs anyway, and stops cleanly.
# (d) WATCHDOG_USEC set (WatchdogSec=) for this process: WATCHDOG=1 with
#     each heartbeat, once a second; set for another pid (WATCHDOG_PID): none.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/service.sh"

# notify_case WHAT SOCKET: one daemon run against the listener on SOCKET.
notify_case()
{
	local what=$1 sock=$2 out=$T/notify-$1.txt caps got

	: >"$out"
	notify_listen "$sock" "$out"
	case $sock in
	@*) wait_for "the listener on $sock did not start" 10 grep -q "${sock#@}" /proc/net/unix ;;
	*) wait_for "the listener on $sock did not start" 10 test -S "$sock" ;;
	esac
	NOTIFY_SOCKET=$sock ds_launch "$T/alerts-$what.json"
	ds_wait_ready
	wait_for "no READY=1 on $sock" 10 grep -qx 'READY=1' "$out"
	[ "$(cat "$out")" = "$(printf 'READY=1\n--')" ] ||
		fail "($what) expected READY=1 alone, got: $(cat "$out")"
	# by the time READY=1 was sent the drop was done
	grep -q '^depsentry: privileges dropped' "$DS_LOG" ||
		fail "($what) READY=1 with no privileges dropped: $(cat "$DS_LOG")"
	[ "$(grep -n 'privileges dropped' "$DS_LOG" | cut -d: -f1)" -lt \
		"$(grep -n '^depsentry: ready$' "$DS_LOG" | cut -d: -f1)" ] ||
		fail "($what) the daemon said ready before it dropped its privileges"
	caps=$(proc_caps "$DS_PID" CapEff)
	same_caps "($what) CapEff after READY=1" "$(doc_caps)" "$caps"
	step "($what) SIGTERM: STOPPING=1, exit 0"
	ds_stop
	wait_for "no STOPPING=1 on $sock" 10 grep -qx 'STOPPING=1' "$out"
	got=$(cat "$out")
	[ "$got" = "$(printf 'READY=1\n--\nSTOPPING=1\n--')" ] ||
		fail "($what) expected READY=1 then STOPPING=1, got: $got"
}

step "(a) NOTIFY_SOCKET=$T/notify.sock"
notify_case path "$T/notify.sock"
step "(b) NOTIFY_SOCKET=@depsentry-e2e-$$ (abstract)"
notify_case abstract "@depsentry-e2e-$$"

step "(c) NOTIFY_SOCKET naming a socket nobody listens on"
NOTIFY_SOCKET=$T/nobody.sock ds_launch "$T/alerts-nobody.json"
ds_wait_ready
grep -q "sd_notify READY=1: " "$DS_LOG" || fail "the daemon did not say READY=1 could not be sent"
pid_alive "$DS_PID" || fail "the daemon died after a failed notification"
ds_stop

# watchdog_case WHAT WANT [VAR=VALUE...]: a daemon run with these in its
# environment; WANT "pings": WATCHDOG=1 twice after READY=1; "none": two
# heartbeats later (two status lines asked for with SIGUSR1, each written
# by the heartbeat that would ping), none at all.
watchdog_case()
{
	local what=$1 want=$2 sock=$T/watchdog-$1.sock out=$T/watchdog-$1.txt i

	shift 2
	: >"$out"
	notify_listen "$sock" "$out"
	wait_for "the listener on $sock did not start" 10 test -S "$sock"
	: >"$DS_LOG" # emptied before: the wait for "ready" must not read the last one
	env NOTIFY_SOCKET="$sock" "$@" "$DEPSENTRY" run -o "$T/alerts-wd-$what.json" \
		>"$T/daemon.out" 2>>"$DS_LOG" &
	DS_PID=$!
	ds_wait_ready
	wait_for "($what) no READY=1" 10 grep -qx 'READY=1' "$out"
	if [ "$want" = pings ]; then
		pinged()
		{
			[ "$(sed -n '/^READY=1$/,$p' "$out" | grep -cx 'WATCHDOG=1')" -ge 2 ]
		}
		wait_for "($what) not two WATCHDOG=1 after READY=1: $(cat "$out")" 10 pinged
	else
		for i in 1 2; do
			kill -USR1 "$DS_PID"
			logged()
			{
				[ "$(grep -c '^depsentry: status: pid=' "$DS_LOG")" -ge "$i" ]
			}
			wait_for "($what) no status line after SIGUSR1 #$i" 10 logged
		done
		! grep -qx 'WATCHDOG=1' "$out" || fail "($what) WATCHDOG=1 sent for another pid"
	fi
	ds_stop
}

step "(d) WATCHDOG_USEC: WATCHDOG=1 with every heartbeat"
watchdog_case own pings WATCHDOG_USEC=30000000
watchdog_case other none WATCHDOG_USEC=30000000 WATCHDOG_PID=1
echo "PASS $SCENARIO"
