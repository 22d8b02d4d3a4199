#!/bin/bash
# sensor-signal: a process of an install session that sends the daemon a
# signal is alerted, high, at once; a signal from outside any session is not.
# (a) A postinstall sends the daemon SIGSTOP, SIGCONT and SIGCONT again: once
#     continued, the daemon alerts the first two, each naming the signal, the
#     sending shell, the package, the lifecycle event, the npm session and the
#     daemon, with the T1562.001 threat; the second SIGCONT from the same
#     shell adds no alert.
# (b) The test itself sends SIGHUP (a reload) and SIGUSR1 (a status line):
#     no alert (after a canary).
# (c) A postinstall sends SIGTERM: the daemon writes the alert, drains and
#     exits 0, and its state file says it stopped cleanly; started again, it
#     writes no sensor-interrupted alert (after a canary).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/tamper.sh"

canary_prepare
tamper_prepare
tamper_start
ds1=$DS_PID

step "(a) a postinstall sends the daemon SIGSTOP, SIGCONT, SIGCONT"
tamper_install "$T/proj-stop" STOP CONT CONT
npm1=$NPM_PID
sender=
for sig in SIGSTOP SIGCONT; do
	a=$(wait_alert rule.id=sensor-signal "depsentry.signal.name=$sig")
	check_alert "$a" "the $sig alert is incomplete" \
		event.kind=alert event.action=signal event.severity=73 depsentry.severity=high \
		event.category.0=process rule.ruleset=T1562.001 \
		threat.tactic.id.0=TA0005 threat.technique.subtechnique.id.0=T1562.001 \
		package.name=ds-e2e-tamper "package.version=$TAMPER_VER" package.type=npm \
		depsentry.lifecycle_event=postinstall \
		depsentry.session.package_manager=npm "depsentry.session.pid=$npm1" \
		process.pid? process.name~'^(sh|dash)$' 'process.command_line~^sh -c .*kill -\$s' \
		"depsentry.ancestry.0.pid=$npm1" \
		"depsentry.sensor.pid=$ds1" depsentry.sensor.start? \
		depsentry.signal.origin=process depsentry.signal.code=0 \
		"message~ sent $sig to the sensor \\(pid $ds1\\) under npm for package ds-e2e-tamper@"
	pid=$(field "$a" process.pid)
	[ -z "$sender" ] || [ "$pid" = "$sender" ] ||
		fail "SIGSTOP and SIGCONT name different senders: $sender, $pid"
	sender=$pid
done

step "(b) signals from outside any session: SIGHUP (reload) and SIGUSR1 (status)"
kill -HUP "$DS_PID"
kill -USR1 "$DS_PID"
reloaded()
{
	grep -q 'configuration reloaded from' "$DS_LOG" && grep -q '^depsentry: status: pid=' "$DS_LOG"
}
wait_until 10 "the reload and status lines" reloaded ||
	fail "no reload or status line after SIGHUP and SIGUSR1"
canary
n=$(alert_count rule.id=sensor-signal)
[ "$n" -eq 2 ] || fail "expected the 2 alerts of (a) and no other sensor-signal alert, found $n"

step "(c) a postinstall sends SIGTERM: alerted, then a clean stop"
tamper_install "$T/proj-term" TERM
npm2=$NPM_PID
ds_gone "after the postinstall's SIGTERM"
[ "$DS_RC" -eq 0 ] || fail "the daemon exited with status $DS_RC on SIGTERM (expected 0)"
a=$(wait_alert rule.id=sensor-signal depsentry.signal.name=SIGTERM)
check_alert "$a" "the SIGTERM alert is incomplete" \
	event.severity=73 package.name=ds-e2e-tamper "depsentry.session.pid=$npm2" \
	"depsentry.sensor.pid=$ds1" process.name~'^(sh|dash)$'
grep -q '^depsentry: counters at exit:' "$DS_LOG" || fail "no clean exit in the log"
[ "$(state_says state)" = stopped ] || fail "the state file does not say stopped: $(cat "$STATE")"

step "started again after that clean stop: no sensor-interrupted alert"
before=$(alert_lines)
tamper_start
canary
n=$(alert_count --after "$before" rule.id=sensor-interrupted)
[ "$n" -eq 0 ] || fail "a clean stop was reported as an interruption ($n alerts)"
ds_finish
