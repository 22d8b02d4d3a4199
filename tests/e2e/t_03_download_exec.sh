#!/bin/bash
# A postinstall piping a download into a shell, `curl -s URL | sh` (the port
# is closed, nothing is fetched): alerted high or critical.
. "$(dirname "$0")/lib.sh"

need_cmd curl curl
tgz=$(npm_pack download-exec)
export DS_E2E_PORT=$(closed_port)
ds_start

npm_install "$T/proj" "$tgz"
require_file "$(installed "$T/proj" ds-e2e-download-exec postinstall.ran)" \
	"the postinstall did not run"

step "wait for a high or critical alert for curl or for the sh -c line"
a=$(wait_alert package.name=ds-e2e-download-exec --min-severity 73 \
	--expr 'f("process.name") == "curl" or "curl -s" in (f("process.command_line") or "")')
check_alert "$a" "the download-and-execute alert is incomplete" \
	rule.id~'^(pm-suspicious-child|lifecycle-hook-suspicious-child)$' \
	event.severity~'^(73|99)$' \
	depsentry.session.package_manager=npm "depsentry.session.pid=$NPM_PID" \
	depsentry.lifecycle_event=postinstall package.version=2.0.0

step "the curl process itself is alerted"
a=$(wait_alert package.name=ds-e2e-download-exec process.name=curl)
check_alert "$a" "the curl alert is incomplete" \
	"process.command_line=curl -s http://127.0.0.1:$DS_E2E_PORT/x" \
	process.parent.name~'^(sh|dash)$' \
	process.parent.command_line*='| sh'

ds_finish
