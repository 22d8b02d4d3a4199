#!/bin/bash
# The response stops an install session's processes whoever runs them: the
# daemon (run, its privileges dropped to what it keeps, CAP_KILL among
# them) blocks; npm runs as nobody, and its postinstall (node) starts
# processes named nc (a copy of sleep, asked to sleep 30 s: a network tool
# by its name, high) one after the other, and then one that forks a child
# of its own before it is judged. Each is stopped by SIGKILL, its child
# with it, within a fraction of the 30 s it asked for; the alerts say so.
# The postinstall waits for each and writes how it ended.
. "$(dirname "$0")/lib.sh"

need_cmd setpriv util-linux
KILLS=3

U=$T/u	# nobody's corner of the scratch directory
mkdir -p "$U/pkg" "$U/proj" "$U/home" "$U/bin"
chmod 0711 "$T"
cp "$(command -v sleep)" "$U/bin/nc"
# nc with a child: the child (sleep) is in the session below nc
printf '#!/bin/sh\nsleep 30 &\necho $! >"$DS_E2E_CHILD"\nexec %s 30\n' "$U/bin/nc" >"$U/bin/nc-parent"
cp "$U/bin/nc-parent" "$U/bin/nc.sh"
chmod 0755 "$U/bin/nc" "$U/bin/nc-parent" "$U/bin/nc.sh"
cat >"$U/pkg/package.json" <<'EOF'
{ "name": "ds-e2e-kill-user", "version": "1.0.0", "scripts": { "postinstall": "node kill.js" } }
EOF
cat >"$U/pkg/kill.js" <<'EOF'
"use strict";
// Start DS_E2E_KILLS processes named nc, one after the other, then nc.sh
// (whose nc has a child); append "NAME SIGNAL MS" for each as it ends.
const { spawn } = require("child_process");
const fs = require("fs");
const runs = Array(Number(process.env.DS_E2E_KILLS)).fill(["nc", ["30"]]);
runs.push(["nc.sh", []]);
function one(i) {
	if (i === runs.length)
		return;
	const [name, args] = runs[i];
	const t0 = Date.now();
	const c = spawn(`${process.env.DS_E2E_BIN}/${name}`, args, { stdio: "ignore" });
	c.on("exit", (code, sig) => {
		fs.appendFileSync(process.env.DS_E2E_NOTES, `${name} ${sig || code} ${Date.now() - t0}\n`);
		one(i + 1);
	});
}
one(0);
EOF
(cd "$U" && "$NPM" pack ./pkg --pack-destination "$U" >/dev/null 2>&1) || fail "npm pack failed"
printf '{"name": "p", "version": "1.0.0", "private": true, "allowScripts": {"file:%s": true}}\n' \
	"$U/ds-e2e-kill-user-1.0.0.tgz" >"$U/proj/package.json"
chown -R nobody:nogroup "$U"

cfg=$T/block.json
ds_config "$cfg" 'c["response"] = {"mode": "block", "kill_severity": "high"}'
ds_start -c "$cfg"
grep -q 'cap_kill' "$DS_LOG" || fail "the daemon did not keep CAP_KILL: $(grep privileges "$DS_LOG")"

step "npm install as nobody, its postinstall starting nc $KILLS times, then nc with a child"
rc=0
(cd "$U/proj" && setpriv --reuid=nobody --regid=nogroup --clear-groups \
	env HOME="$U/home" DS_E2E_KILLS=$KILLS DS_E2E_BIN="$U/bin" DS_E2E_NOTES="$U/notes" \
	DS_E2E_CHILD="$U/child.pid" "$NPM" install --offline --no-audit --no-fund \
	--cache "$U/cache" "${NPM_STRICT[@]}" "$U/ds-e2e-kill-user-1.0.0.tgz") >"$T/npm.log" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "npm install as nobody exited $rc: $(tail -n 5 "$T/npm.log")"
require_file "$U/notes" "the postinstall did not run"
[ "$(grep -c '^nc SIGKILL ' "$U/notes")" -eq "$KILLS" ] || fail "not every nc was stopped: $(cat "$U/notes")"
grep -q '^nc.sh SIGKILL ' "$U/notes" || fail "nc with a child was not stopped: $(cat "$U/notes")"
# each stopped well before the 30 s it asked for (the slowest, in ms)
slow=$(awk '{ print $3 }' "$U/notes" | sort -n | tail -n 1)
[ "$slow" -lt 10000 ] || fail "a stop took $slow ms: $(cat "$U/notes")"
echo "   stopped within $slow ms of their spawn, at the slowest"
child=$(cat "$U/child.pid")
wait_until 10 "nc.sh's child ($child) gone" not pid_alive "$child" ||
	fail "the child of the stopped nc (pid $child) still runs"

a=$(wait_alert rule.id=pm-suspicious-child process.name=nc package.name=ds-e2e-kill-user)
check_alert "$a" "the alert does not say the process was stopped" \
	depsentry.response.action=killed 'depsentry.response.killed>=1' user.id=65534 event.severity=73
n=$(alert_count rule.id=pm-suspicious-child process.name=nc depsentry.response.action=killed)
[ "$n" -ge "$((KILLS + 1))" ] || fail "$n alerts say killed, expected $((KILLS + 1))"
a=$(wait_alert rule.id=pm-suspicious-child process.name=nc depsentry.response.action=killed \
	'depsentry.response.killed>=2')
echo "   nc with its child: $(printf '%s' "$a" | "$PY" -c 'import json,sys; print(json.load(sys.stdin)["depsentry"]["response"]["killed"])') processes stopped"
assert_none "a stop failed" depsentry.response.action=kill_failed
ds_finish
