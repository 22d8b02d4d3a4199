#!/bin/bash
# depsentry exec around a clean npm install (a postinstall running node -e,
# a native build with make and cc) exits 0 with --fail-on medium: npm ran to
# the end, its output went through, no alert names it and the summary says
# so; -e writes its events as under run. The same exec around the canary's install (postinstall whoami) exits
# 3: the quiet run was quiet because nothing happened, not because nothing
# was seen. CMD runs as the invoking user: sudo's SUDO_UID/SUDO_GID (with
# that user's HOME and USER), or -u USER, or exec's own user.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent.sh"
. "$(dirname "$0")/events.sh"

need_cmd make make
need_cmd cc gcc
need_cmd getent libc-bin
node_tgz=$(npm_pack quiet-node)
native_tgz=$(npm_pack quiet-native)
canary_tgz=$(npm_pack canary)

EXEC_OPTS=(--fail-on medium -e "$EVENTS")
exec_npm "$T/clean" "$node_tgz" "$native_tgz"
expect_rc 0 "a clean install is not a failure"
[ "$(cat "$(installed "$T/clean" ds-e2e-quiet-node marker)" 2>/dev/null)" = x ] ||
	fail "the node postinstall did not run"
require_file "$(installed "$T/clean" ds-e2e-quiet-native hello)" "make/cc did not build"
grep -q '^added 2 packages' "$EXEC_LOG.out" || fail "npm's output did not reach exec's stdout"
expect_log '^depsentry: ready$' "exec did not say it was ready"
expect_log '^depsentry exec: 0 alerts' "the summary does not say there was no alert"
expect_log '0 alerts at or above medium: under the threshold' "the summary does not name the threshold"
expect_log "^depsentry: ${NPM//./\\.} exited with status 0: exit 0\$" "exec does not say why it exits 0"
[ "$(exec_count 'depsentry.exec.pid?')" -eq 0 ] || fail "an alert names the clean install"
step "-e: the events of the clean install, as under run"
validate_events "$EVENTS"
expect_events + "npm's start under exec" event.action=exec process.name=node \
	'process.command_line~npm install' depsentry.exec.pid? depsentry.session.pid?
EXEC_OPTS=(--fail-on medium)

step "the same install of the canary crosses the threshold"
exec_npm "$T/canary" "$canary_tgz"
expect_rc 3 "the canary's whoami (medium) did not cross --fail-on medium"
a=$(exec_alert package.name=ds-e2e-canary process.name=whoami)
check_alert "$a" "the canary alert does not name npm as exec's command and session root" \
	depsentry.exec.pid? depsentry.session.package_manager=npm \
	--expr 'f("depsentry.exec.pid") == f("depsentry.session.pid")' \
	--expr 'f("depsentry.ancestry.0.pid") == f("depsentry.exec.pid")'
expect_log '^depsentry exec: 1 alert, highest medium' "the summary does not count the canary alert"
expect_log 'ds-e2e-canary@0\.0\.1: npm > .* > whoami ran whoami$' "the summary does not tell the canary's story"
expect_log 'status 0, but 1 alert at or above medium: exit 3$' "exec does not say why it exits 3"

step "CMD runs as the invoking user"
nobody=$(getent passwd 65534) || fail "no passwd entry for uid 65534"
IFS=: read -r name _ uid gid _ home _ <<<"$nobody"
want="$uid $gid $home $name $name"
show='echo "$(id -u) $(id -g) $HOME $USER $LOGNAME"'
SUDO_UID=$uid SUDO_GID=$gid SUDO_USER=$name ds_exec -- sh -c "$show"
expect_rc 0 "CMD as sudo's user"
[ "$(cat "$EXEC_LOG.out")" = "$want" ] ||
	fail "under sudo CMD ran as '$(cat "$EXEC_LOG.out")', expected '$want'"
ds_exec -u "$name" -- sh -c "$show"
expect_rc 0 "CMD as -u $name"
[ "$(cat "$EXEC_LOG.out")" = "$want" ] ||
	fail "with -u $name CMD ran as '$(cat "$EXEC_LOG.out")', expected '$want'"
ds_exec -- sh -c 'id -u'
expect_rc 0 "CMD as exec's own user"
[ "$(cat "$EXEC_LOG.out")" = 0 ] || fail "without sudo or -u CMD ran as uid $(cat "$EXEC_LOG.out")"

exec_finish
