#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# bench/latency.sh: how long an alert takes to be written after what it
# reports happened (event.created minus @timestamp, millisecond stamps).
# An npm install, offline, of a local package whose postinstall runs 60
# `whoami`, 20 `wget` to a closed loopback port, and writes 10 workflows
# into the project's .github/workflows; the daemon (BENCH_DAEMON,
# build/depsentry) started afresh; percentiles per alert kind (exec,
# connect, file). With BENCH_LATENCY_STORM=1, build/bench/execstorm runs
# the static nop with one worker per CPU, outside any install session,
# for the whole install: the machine's top exec rate, whose records the
# daemon drains in batches. Prints one line per kind; writes only in a
# temporary directory it removes.
set -euo pipefail
cd "$(dirname "$0")/.."

DAEMON=${BENCH_DAEMON:-build/depsentry}
STORM=${BENCH_LATENCY_STORM:-0}
WORKFLOWS=10
NODE_BIN=$(tests/node.sh bindir)
export PATH=$NODE_BIN:$PATH
TMP=$(mktemp -d /var/tmp/depsentry-latency.XXXXXX) # not tmpfs: its writes dirty no page
DPID=
SPID=
cleanup()
{
	[ -z "$SPID" ] || kill -TERM -- "-$SPID" 2>/dev/null || true
	[ -z "$DPID" ] || kill -INT "$DPID" 2>/dev/null || true
	[ -n "${BENCH_KEEP:-}" ] && cp "$TMP/alerts.json" "$BENCH_KEEP"; rm -rf "$TMP"
}
trap cleanup EXIT

mkdir -p "$TMP/pkg" "$TMP/proj"
cat >"$TMP/pkg/package.json" <<'JSON'
{ "name": "ds-bench-latency", "version": "1.0.0", "scripts": { "postinstall": "sh storm.sh" } }
JSON
cat >"$TMP/pkg/storm.sh" <<'SH'
i=0; while [ $i -lt 60 ]; do whoami >/dev/null; i=$((i + 1)); done
i=0; while [ $i -lt 20 ]; do wget -q -T 1 -t 1 -O /dev/null http://127.0.0.1:9/x || :; i=$((i + 1)); done
mkdir -p "$INIT_CWD/.github/workflows"
i=0; while [ $i -lt 10 ]; do echo 'on: push' >"$INIT_CWD/.github/workflows/bench-$i.yml"; i=$((i + 1)); done
SH
(cd "$TMP" && npm pack ./pkg --pack-destination "$TMP" >/dev/null 2>&1)
tgz=$TMP/ds-bench-latency-1.0.0.tgz
printf '{"name": "p", "version": "1.0.0", "private": true, "allowScripts": {"file:%s": true}}\n' \
	"$tgz" >"$TMP/proj/package.json"

"$DAEMON" run -o "$TMP/alerts.json" 2>"$TMP/daemon.log" &
DPID=$!
for _ in $(seq 600); do
	grep -q '^depsentry: ready' "$TMP/daemon.log" && break
	kill -0 "$DPID" || { cat "$TMP/daemon.log" >&2; exit 1; }
	sleep 0.1
done
if [ "$STORM" = 1 ]; then
	[ -x build/bench/execstorm ] && [ -x build/bench/nop ] ||
		{ echo "latency.sh: build/bench/execstorm and nop are missing: run bench/run.sh once" >&2; exit 1; }
	setsid build/bench/execstorm -n 100000000 -j "$(nproc)" -p build/bench/nop >/dev/null &
	SPID=$!
	sleep 1 # the storm at its rate before the install starts
fi
(cd "$TMP/proj" && npm install --offline --no-audit --no-fund \
	--cache "$TMP/cache" --userconfig "$TMP/npmrc" "$tgz" >/dev/null 2>&1)
# the install returned: all 80 exec and 10 file alerts are due
for _ in $(seq 100); do
	[ "$(grep -c '"action":"exec"' "$TMP/alerts.json" 2>/dev/null)" -ge 80 ] &&
		[ "$(grep -c '"rule":{"id":"cicd-file-modified"' "$TMP/alerts.json")" -ge "$WORKFLOWS" ] &&
		break
	sleep 0.1
done
if [ -n "$SPID" ]; then
	kill -TERM -- "-$SPID"
	wait "$SPID" 2>/dev/null || true
	SPID=
fi
kill -INT "$DPID"
wait "$DPID" || true
DPID=
/usr/bin/python3 - "$TMP/alerts.json" <<'PY'
import datetime, json, sys

def t(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()

kinds = {}
for line in open(sys.argv[1]):
    a = json.loads(line)
    k = "file" if "file" in a["event"]["category"] else a["event"]["action"]
    kinds.setdefault(k, []).append((t(a["event"]["created"]) - t(a["@timestamp"])) * 1000)
for k in ("exec", "connect", "file"):
    v = sorted(kinds.get(k, []))
    if not v:
        print(f"{k}: no alert")
        continue
    pct = lambda p: v[min(len(v) - 1, int(len(v) * p))]
    print(f"{k}: {len(v)} alerts, latency p50 {pct(0.5):.0f} ms, p99 {pct(0.99):.0f} ms, "
          f"max {v[-1]:.0f} ms")
PY
