#!/bin/bash
# `depsentry exec --block` around real pip and a package index by name. A
# test DNS server maps pypi.test (allowlisted in this scenario's
# configuration, whose response is off: --block turns it on) to 127.0.0.1,
# where a simple index serves an sdist; the sdist's setup.py sends host data
# over TCP to 127.0.0.9, where a server records what reaches it.
# pip fetches the index page and the sdist by name (allowed), the setup.py
# connect is refused with EPERM and its process stopped (an address with no
# name: high), nothing reaches the server, pip fails and exec fails the
# step with pip's status, saying what it refused.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"
. "$(dirname "$0")/agent.sh"

NS=127.0.0.78
EXFIL_ADDR=127.0.0.9

sdist=$(pip_sdist net-exfil)
mkdir -p "$T/index/simple/ds-e2e-pip-exfil" "$T/index/files"
cp "$sdist" "$T/index/files/"
printf '<html><body><a href="../../files/%s">%s</a></body></html>\n' \
	"$(basename "$sdist")" "$(basename "$sdist")" >"$T/index/simple/ds-e2e-pip-exfil/index.html"
# the index: a static server on a free loopback port (the sink's code serves
# only GET logging; python's own serves files)
"$PY" - "$T/index" "$T/index.port" <<'PYEOF' >"$T/index.log" 2>&1 &
import functools, http.server, os, sys
root, pfile = sys.argv[1:3]
h = functools.partial(http.server.SimpleHTTPRequestHandler, directory=root)
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), h)
open(pfile + ".tmp", "w").write(f"{srv.server_address[1]}\n")
os.rename(pfile + ".tmp", pfile)
srv.serve_forever()
PYEOF
BG_PIDS+=("$!")
_net_wait "the package index" "$!" test -s "$T/index.port"
INDEX=http://pypi.test:$(cat "$T/index.port")/simple/
dnsmasq_start "$NS" pypi.test=127.0.0.1
resolver_check "$NS" pypi.test 127.0.0.1
tcp_sink_start "$EXFIL_ADDR"
export DS_E2E_ADDR=$EXFIL_ADDR DS_E2E_PORT=$SINK_PORT DS_E2E_NOTES=$T/setup.ran

cfg=$T/allow-index.json
ds_config "$cfg" 'c["network"]["registry_allowlist"].append("pypi.test")
c["response"] = {"mode": "off", "kill_severity": "high"}'

_resolver_prefix "$NS"
ds_exec -c "$cfg" --block -- "${RESOLVER_CMD[@]}" "$PY" -m pip install --no-build-isolation \
	--no-cache-dir --target "$T/site" --index-url "$INDEX" --trusted-host pypi.test \
	ds-e2e-pip-exfil
[ "$EXEC_RC" -ne 0 ] && [ "$EXEC_RC" -ne 125 ] ||
	{ cat "$EXEC_LOG" >&2; fail "exec exited $EXEC_RC: expected pip's failure"; }
expect_log 'response: block; egress judged in the kernel' "exec --block did not turn the response on"
expect_log 'exited with status [0-9]+: exit [0-9]+$|killed by signal' "exec does not say pip failed"
# written by the sdist's setup.py: the index and the sdist came by name
require_file "$DS_E2E_NOTES" "the setup.py did not run"
grep -q "^tcp to $EXFIL_ADDR:$DS_E2E_PORT\$" "$DS_E2E_NOTES" || fail "setup.py did not connect: $(cat "$DS_E2E_NOTES")"
grep -qx -e 'tcp sent' -e done "$DS_E2E_NOTES" && fail "setup.py was not refused and stopped: $(cat "$DS_E2E_NOTES")"
[ ! -s "$(sink_log "$EXFIL_ADDR" "$DS_E2E_PORT")" ] ||
	fail "the server got: $(cat "$(sink_log "$EXFIL_ADDR" "$DS_E2E_PORT")")"
a=$(exec_alert rule.id=pm-unexpected-egress "destination.ip=$EXFIL_ADDR" "destination.port=$DS_E2E_PORT")
check_alert "$a" "the refused connection's alert is incomplete" \
	depsentry.response.egress=blocked event.outcome=failure network.transport=tcp \
	--expr '"denied" in f("event.type")' depsentry.session.package_manager=pip \
	depsentry.response.action=killed 'depsentry.response.killed>=1' event.severity=73
[ "$(exec_count rule.id=pm-unexpected-egress 'destination.port!='"$DS_E2E_PORT")" -eq 0 ] ||
	fail "pip's own traffic to its index was alerted"
validate_alerts "$ALERTS"
echo "PASS $SCENARIO"
