#!/bin/bash
# depsentry exec's exit status when CMD fails or cannot run, and when exec
# itself cannot: CMD's own status (7), 128+N when CMD was killed by signal
# N, 127 for a command not found, 126 for one that cannot be executed, 125
# for a configuration the sensor cannot load (CMD never runs), a missing
# CMD, an unknown --fail-on or -u user. A failing CMD whose alerts also
# crossed --fail-on exits with CMD's status. SIGTERM to exec stops CMD too
# (it is never left running unwatched) and exec reports CMD's death.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent.sh"

recon_tgz=$(npm_pack recon)

ds_exec -- sh -c 'exit 7'
expect_rc 7 "CMD's own status"
expect_log '^depsentry: sh exited with status 7: exit 7$' "exec does not say CMD failed"
ds_exec -- sh -c 'kill -TERM $$'
expect_rc 143 "CMD killed by SIGTERM"
expect_log '^depsentry: sh was killed by signal 15: exit 143$' "exec does not say CMD was killed"
ds_exec -- "$T/no-such-command"
expect_rc 127 "a command that does not exist"
expect_log "^depsentry: $T/no-such-command: No such file or directory$" "exec does not say why CMD did not run"
printf '#!/bin/sh\ntouch "%s/ran"\n' "$T" >"$T/not-executable"
chmod 0644 "$T/not-executable"
ds_exec -- "$T/not-executable"
expect_rc 126 "a command that cannot be executed"
expect_log 'Permission denied$' "exec does not say why CMD did not run"

step "exec's own failures: 125, and CMD never runs"
printf '{\n  "min_severity": "medium",\n  "ring_buffer_size": "big"\n}\n' >"$T/bad.json"
ds_exec -c "$T/bad.json" -- touch "$T/ran"
expect_rc 125 "a configuration exec cannot load"
expect_log "^$T/bad.json: " "the configuration error does not name the file"
grep -q '^depsentry: ready$' "$EXEC_LOG" && fail "exec said ready with a bad configuration"
ds_exec --fail-on severe -- touch "$T/ran"
expect_rc 125 "an unknown --fail-on"
ds_exec -u no-such-user-depsentry -- touch "$T/ran"
expect_rc 125 "an unknown user"
expect_log 'no-such-user-depsentry: no such user' "exec does not name the unknown user"
ds_exec --fail-on high
expect_rc 125 "no CMD"
expect_log '^usage: depsentry exec ' "exec without CMD does not print its usage"
[ ! -e "$T/ran" ] || fail "CMD ran although exec could not start"

step "CMD failed and crossed the threshold: CMD's status wins"
npm_project "$T/proj" "$recon_tgz"
pushd "$T/proj" >/dev/null
ds_exec --fail-on medium -- sh -c '"$0" install --offline --no-audit --no-fund "$@" && exit 5' \
	"$NPM" "${NPM_STRICT[@]}" "$recon_tgz"
popd >/dev/null
expect_rc 5 "CMD's failure must decide the status"
require_file "$(installed "$T/proj" ds-e2e-recon postinstall.ran)" "the postinstall did not run"
a=$(exec_alert package.name=ds-e2e-recon process.name=whoami)
check_alert "$a" "the whoami alert does not name sh (exec's command) below which npm ran" \
	depsentry.exec.pid? --expr 'f("depsentry.exec.pid") != f("depsentry.session.pid")'
expect_log '^  2 alerts at or above medium: threshold crossed$' "the summary hides the threshold"
expect_log '^depsentry: sh exited with status 5: exit 5$' "exec does not say CMD failed"

step "SIGTERM to exec stops CMD"
EXEC_LOG=$T/exec-term.log
DS_LOG=$EXEC_LOG
"$DEPSENTRY" exec -o "$ALERTS" -- sleep 600 >"$EXEC_LOG.out" 2>"$EXEC_LOG" &
exec_pid=$!
BG_PIDS+=("$exec_pid")
# sleep_started: exec's child sleep runs (its pid in cmd_pid); fail if exec died
sleep_started()
{
	cmd_pid=$(pgrep -P "$exec_pid" -x sleep || true)
	[ -n "$cmd_pid" ] && return 0
	pid_alive "$exec_pid" || fail "exec died before it ran sleep"
	return 1
}
wait_until 30 "exec to start sleep" sleep_started ||
	fail "exec did not start sleep within 30s"
kill -TERM "$exec_pid"
EXEC_RC=0
wait "$exec_pid" || EXEC_RC=$?
expect_rc 143 "exec stopped by SIGTERM reports CMD killed by SIGTERM"
pid_alive "$cmd_pid" && fail "sleep (pid $cmd_pid) still runs after exec stopped"
expect_log "^depsentry: stopping sleep \\(pid $cmd_pid\\): the sensor has stopped$" \
	"exec does not say it stopped CMD"

exec_finish
