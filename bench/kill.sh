#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# bench/kill.sh: how long a process the response stops lives. The daemon
# (BENCH_DAEMON, build/depsentry) runs with the response blocking; an npm
# install, offline, of a local package whose postinstall (node) starts
# BENCH_KILLS (20) processes one after the other, each a program named nc
# (a copy of sleep asked to sleep 30 s: a network tool by its name, judged
# high) and waits for it to end. node stamps each spawn and each exit with
# its own monotonic clock, so the time from exec to death is measured by
# the parent, not by the daemon. Prints how many were stopped (by SIGKILL)
# and the percentiles; writes only in a temporary directory it removes.
set -euo pipefail
cd "$(dirname "$0")/.."

DAEMON=${BENCH_DAEMON:-build/depsentry}
KILLS=${BENCH_KILLS:-20}
NODE_BIN=$(tests/node.sh bindir)
export PATH=$NODE_BIN:$PATH
TMP=$(mktemp -d /tmp/depsentry-kill.XXXXXX)
DPID=
cleanup()
{
	[ -z "$DPID" ] || kill -INT "$DPID" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

mkdir -p "$TMP/pkg" "$TMP/proj" "$TMP/bin"
cp "$(command -v sleep)" "$TMP/bin/nc"
cat >"$TMP/pkg/package.json" <<'JSON'
{ "name": "ds-bench-kill", "version": "1.0.0", "scripts": { "postinstall": "node kill.js" } }
JSON
cat >"$TMP/pkg/kill.js" <<'JS'
"use strict";
const { spawn } = require("child_process");
const fs = require("fs");
const n = Number(process.env.DS_BENCH_KILLS);
const out = [];
function one(i) {
	if (i === n) {
		fs.writeFileSync(process.env.DS_BENCH_OUT, JSON.stringify(out));
		return;
	}
	const t0 = process.hrtime.bigint();
	const c = spawn(process.env.DS_BENCH_NC, ["30"], { stdio: "ignore" });
	c.on("exit", (code, sig) => {
		out.push({ ms: Number(process.hrtime.bigint() - t0) / 1e6, sig });
		one(i + 1);
	});
}
one(0);
JS
(cd "$TMP" && npm pack ./pkg --pack-destination "$TMP" >/dev/null 2>&1)
tgz=$TMP/ds-bench-kill-1.0.0.tgz
printf '{"name": "p", "version": "1.0.0", "private": true, "allowScripts": {"file:%s": true}}\n' \
	"$tgz" >"$TMP/proj/package.json"
/usr/bin/python3 - config/depsentry.json "$TMP/config.json" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
c["response"] = {"mode": "block", "kill_severity": "high"}
json.dump(c, open(sys.argv[2], "w"))
PY

"$DAEMON" run -c "$TMP/config.json" -o "$TMP/alerts.json" 2>"$TMP/daemon.log" &
DPID=$!
for _ in $(seq 600); do
	grep -q '^depsentry: ready' "$TMP/daemon.log" && break
	kill -0 "$DPID" || { cat "$TMP/daemon.log" >&2; exit 1; }
	sleep 0.1
done
(cd "$TMP/proj" && DS_BENCH_KILLS=$KILLS DS_BENCH_NC=$TMP/bin/nc DS_BENCH_OUT=$TMP/kills.json \
	npm install --offline --no-audit --no-fund --cache "$TMP/cache" \
	--userconfig "$TMP/npmrc" "$tgz" >/dev/null 2>&1)
kill -INT "$DPID"
wait "$DPID" || true
DPID=
/usr/bin/python3 - "$TMP/kills.json" "$TMP/alerts.json" <<'PY'
import json, sys
runs = json.load(open(sys.argv[1]))
said = sum(1 for line in open(sys.argv[2])
           if json.loads(line).get("depsentry", {}).get("response", {}).get("action") == "killed")
killed = sorted(r["ms"] for r in runs if r["sig"] == "SIGKILL")
if not killed:
    print(f"kill: none of {len(runs)} stopped")
    sys.exit(1)
pct = lambda p: killed[min(len(killed) - 1, int(len(killed) * p))]
print(f"kill: {len(killed)} of {len(runs)} stopped by SIGKILL ({said} alerts say killed), "
      f"exec to death p50 {pct(0.5):.1f} ms, p99 {pct(0.99):.1f} ms, max {killed[-1]:.1f} ms")
PY
