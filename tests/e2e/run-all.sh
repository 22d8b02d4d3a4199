#!/bin/bash
# Run every tests/e2e/t_*.sh in order against the real daemon. Print PASS or
# FAIL per scenario; keep each scenario's output in build/e2e-logs/ and
# print it (with the daemon log and the alerts) when the scenario failed.
# Exit 1 if any failed. Arguments, if any, select scenarios by name
# (run-all.sh t_03 t_05).
set -u

cd "$(dirname "$0")"
logs=${E2E_LOGDIR:-../../build/e2e-logs}
mkdir -p "$logs"
logs=$(cd "$logs" && pwd)

if [ "$(id -u)" -ne 0 ]; then
	echo "run-all.sh: the end-to-end tests load BPF programs: run them as root" >&2
	exit 1
fi

# One run at a time per machine: the scenarios use fixed loopback
# addresses (verdaccio on 127.0.0.1:4873, dnsmasq on 127.0.0.77:53).
lock=/run/depsentry-e2e.lock
exec 9>"$lock"
if ! flock -n 9; then
	echo "run-all.sh: another end-to-end run holds $lock; waiting for it" >&2
	flock 9
fi

pass=0
failed=()
for t in t_*.sh; do
	name=${t%.sh}
	if [ $# -gt 0 ]; then
		sel=0
		for want in "$@"; do
			case $name in "$want"*) sel=1 ;; esac
		done
		[ "$sel" = 1 ] || continue
	fi
	start=$SECONDS
	if ./"$t" >"$logs/$name.log" 2>&1; then
		printf 'PASS  %-24s %3ds\n' "$name" $((SECONDS - start))
		pass=$((pass + 1))
	else
		printf 'FAIL  %-24s %3ds  (log: %s)\n' "$name" $((SECONDS - start)) "$logs/$name.log"
		sed 's/^/    | /' "$logs/$name.log"
		failed+=("$name")
	fi
done

echo "e2e: ${pass} passed, ${#failed[@]} failed"
[ ${#failed[@]} -eq 0 ]
