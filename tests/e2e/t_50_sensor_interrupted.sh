#!/bin/bash
# sensor-interrupted: a daemon that stopped without its clean shutdown says
# so at the next start, once.
# (a) A postinstall SIGKILLs the daemon. Started again, the daemon writes
#     one alert, high: the signal, the sending shell (from the pinned map:
#     the daemon it killed never saw it), its package and session, the
#     daemon killed, a gap of at least the time it was down (from the
#     heartbeat to the restart: event.start, event.end, event.duration),
#     install sessions running.
# (b) The test itself SIGKILLs the daemon: medium, the sender is the test's
#     shell, outside any session, no package.
# (b2) A postinstall stops the daemon (SIGSTOP) and leaves it stopped; the
#     test kills it, as systemd's watchdog would: high, naming the stopping
#     shell and its package, and the test's SIGKILL as what ended it.
# (c) A clean stop (SIGTERM), then a start: no alert (after a canary).
# (d) A state file that is not one (a package running as root may write
#     anything there): the daemon still starts, and says it found no state
#     (medium, state_unreadable); then a state file naming this very daemon
#     as running another, live: no pinning, no alert, no state written.
# (e) A SIGKILL, then the state file rewritten to say the daemon stopped
#     cleanly and the status file removed: the kernel's record of the
#     SIGKILL wins (state_contradicted).
# (f) Something that is not a map where the pin goes (a directory): the
#     daemon still starts, unpinned, and says so.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tamper.sh"

canary_prepare
tamper_prepare
tamper_start

step "(a) a postinstall SIGKILLs the daemon"
killed=$DS_PID
tamper_install "$T/proj-kill" KILL
npm1=$NPM_PID
ds_gone "after the postinstall's SIGKILL"
[ "$DS_RC" -eq 137 ] || fail "the daemon's status after SIGKILL is $DS_RC, not 137"
[ "$(state_says state)" = running ] || fail "the state file of a killed daemon says $(state_says state)"
down=$(date +%s%N)
sleep 1	# a gap the alert must cover: at least this second
before=$(alert_lines)
tamper_start
a=$(wait_alert --after "$before" rule.id=sensor-interrupted)
up=$(date +%s%N)
check_alert "$a" "the interruption after the package's SIGKILL is incomplete" \
	event.kind=alert event.action=interrupted event.category.0=process event.type.0=end \
	event.severity=73 depsentry.severity=high rule.ruleset=T1562.001 \
	threat.technique.subtechnique.id.0=T1562.001 \
	depsentry.signal.name=SIGKILL depsentry.signal.number=9 depsentry.signal.origin=process \
	process.pid? process.name~'^(sh|dash)$' \
	package.name=ds-e2e-tamper "package.version=$TAMPER_VER" package.type=npm \
	depsentry.lifecycle_event=postinstall depsentry.session.id? \
	"depsentry.sensor.pid=$killed" depsentry.interruption.cause=signal \
	depsentry.interruption.sessions_running=true depsentry.interruption.reboot=false \
	depsentry.interruption.heartbeat_from~'^(status|state)_file$' \
	event.start? event.end? 'depsentry.interruption.gap_seconds>=1' \
	"event.duration>=$((1000000000))" \
	"--expr" "f('event.duration') <= $up - $down + 2000000000" \
	'message~^the sensor \(pid [0-9]+\) stopped without a clean shutdown: SIGKILL from (sh|dash) \(pid [0-9]+\) of an install session for package ds-e2e-tamper@'
[ "$(alert_count rule.id=sensor-interrupted)" -eq 1 ] || fail "more than one interruption alert"
[ "$(state_says state)" = running ] && [ "$(state_says pid)" = "$DS_PID" ] ||
	fail "the new daemon did not mark itself running: $(cat "$STATE")"

step "(b) the test's own SIGKILL: medium, not from a session"
killed=$DS_PID
kill -KILL "$DS_PID"
ds_gone "after the test's SIGKILL"
before=$(alert_lines)
tamper_start
a=$(wait_alert --after "$before" rule.id=sensor-interrupted)
check_alert "$a" "the interruption after the test's SIGKILL is incomplete" \
	event.severity=47 depsentry.severity=medium \
	depsentry.signal.name=SIGKILL depsentry.signal.origin=process "process.pid=$$" \
	'!depsentry.session.id?' '!package.name?' "depsentry.sensor.pid=$killed" \
	depsentry.interruption.cause=signal depsentry.interruption.sessions_running=false \
	'depsentry.interruption.gap_seconds>0' \
	'message*=, outside install sessions;'

step "(b2) a postinstall's SIGSTOP, never continued, then the test's SIGKILL"
killed=$DS_PID
tamper_install "$T/proj-stop" STOP
stopped()
{
	[ "$(sed -n 's/^State:[[:space:]]*\([A-Z]\).*/\1/p' "/proc/$DS_PID/status")" = T ]
}
wait_until 10 "the daemon to be stopped" stopped ||
	fail "the daemon was not stopped by the postinstall"
kill -KILL "$DS_PID"
ds_gone "after the test's SIGKILL of the stopped daemon"
before=$(alert_lines)
tamper_start
a=$(wait_alert --after "$before" rule.id=sensor-interrupted)
check_alert "$a" "the interruption of a stopped daemon is incomplete" \
	event.severity=73 depsentry.signal.name=SIGSTOP process.name~'^(sh|dash)$' \
	package.name=ds-e2e-tamper depsentry.session.id? "depsentry.sensor.pid=$killed" \
	depsentry.interruption.cause=signal depsentry.interruption.sessions_running=true \
	depsentry.interruption.ended_by.signal.name=SIGKILL \
	"depsentry.interruption.ended_by.pid=$$" \
	'message*=; ended by SIGKILL from '
[ "$(alert_count rule.id=sensor-signal)" -eq 0 ] ||
	fail "the stopped daemon alerted the SIGSTOP it never ran to read"

step "(c) a clean stop, then a start: nothing to say"
ds_stop
[ "$(state_says state)" = stopped ] || fail "the state file does not say stopped: $(cat "$STATE")"
before=$(alert_lines)
tamper_start
canary
n=$(alert_count --after "$before" rule.id=sensor-interrupted)
[ "$n" -eq 0 ] || fail "a clean stop was reported as an interruption ($n alerts)"

step "(d) a state file that is not one"
ds_stop
printf 'version=1\nstate=running\npid=12x\n' >"$STATE"
before=$(alert_lines)
tamper_start
a=$(wait_alert --after "$before" rule.id=sensor-interrupted)
check_alert "$a" "the interruption for an unreadable state is incomplete" \
	event.severity=47 depsentry.interruption.state_unreadable=true \
	depsentry.interruption.cause=unknown '!depsentry.signal.name?' process.name=depsentry
grep -q "$STATE: not a state file" "$DS_LOG" || fail "the daemon did not say the state file was unreadable"

step "a state file that names a live daemon: this one keeps no state"
real=$(cat "$STATE")
# this daemon is alive: a second one started now must leave it alone
DS1=$DS_PID LOG1=$DS_LOG
DS_LOG=$T/daemon2.log
before=$(alert_lines)
ds_launch "$T/alerts2.json" -c "$TCFG"
ds_wait_ready
grep -q "another depsentry daemon (pid $DS1) runs" "$DS_LOG" ||
	fail "the second daemon did not see the first: $(cat "$DS_LOG")"
[ "$(cat "$STATE")" = "$real" ] || fail "the second daemon rewrote the state file"
ds_signal_stop TERM
[ "$(cat "$STATE")" = "$real" ] || fail "the second daemon's stop rewrote the state file"
DS_PID=$DS1 DS_LOG=$LOG1

step "(e) a SIGKILL, then a state file that says the daemon stopped"
killed=$DS_PID
kill -KILL "$DS_PID"
ds_gone "after the test's SIGKILL"
sed -i 's/^state=running$/state=stopped/' "$STATE"
rm -f "$STATUS"
before=$(alert_lines)
tamper_start
a=$(wait_alert --after "$before" rule.id=sensor-interrupted)
check_alert "$a" "the interruption behind a forged state is incomplete" \
	event.severity=47 depsentry.interruption.state_contradicted=true \
	depsentry.signal.name=SIGKILL "process.pid=$$" "depsentry.sensor.pid=$killed" \
	depsentry.interruption.heartbeat_from=state_file
grep -q "says the last daemon stopped cleanly, but the kernel saw a signal end it" "$DS_LOG" ||
	fail "the daemon did not say the state file was contradicted"

step "(f) a directory where the pin goes"
ds_stop
PIN=/sys/fs/bpf/depsentry/tamper
rm -f "$PIN"	# no daemon holds it now: the next one makes another
mkdir "$PIN"
unpin()
{
	rmdir "$PIN" 2>/dev/null || true
}
# (errexit off first: the (exit) that hands cleanup the status must not
# end the shell before cleanup stops the daemon)
trap 'rc=$?; unpin; set +e; (exit "$rc"); cleanup' EXIT
tamper_start
grep -q "cannot pin $PIN: File exists: signals to the daemon will not outlive it" "$DS_LOG" ||
	fail "the daemon did not say it could not pin: $(grep pin "$DS_LOG")"
unpin
ds_finish
