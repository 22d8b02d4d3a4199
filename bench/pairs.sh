#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# bench/pairs.sh: the open storm's two cases in many short off/on pairs,
# the order alternating, with the daemon started afresh for every "on":
# on a machine whose speed drifts by more than the cost being measured,
# medians of many adjacent pairs resolve what bench/run.sh's rounds cannot.
#
# usage: sudo bench/pairs.sh [PAIRS] (12); BENCH_DAEMON (build/depsentry),
# BENCH_OPEN_DIR (/var/tmp; a journaled disk filesystem, see
# docs/PERFORMANCE.md), BENCH_OPEN_N (1000000), BENCH_CREATE_N (100000).
# Prints one line per run and the medians.
set -euo pipefail
cd "$(dirname "$0")/.."

PAIRS=${1:-12}
DAEMON=${BENCH_DAEMON:-build/depsentry}
DIR=${BENCH_OPEN_DIR:-/var/tmp}
OPN=${BENCH_OPEN_N:-1000000}
CRN=${BENCH_CREATE_N:-100000}
OS=build/bench/openstorm
TMP=$(mktemp -d /tmp/depsentry-pairs.XXXXXX)
D=

cleanup()
{
	[ -z "$D" ] || kill -TERM "$D" 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || { echo "bench/pairs.sh: needs root" >&2; exit 1; }
make -s "$OS" >/dev/null
# no test daemon beside ours
exec 8>/run/depsentry-e2e.lock
flock 8

val()	# KEY LINE
{
	tr ' ' '\n' <<<"$2" | awk -F= -v k="$1" '$1 == k { print $2 }'
}

echo "pairs: $PAIRS, daemon: $DAEMON ($($DAEMON version)), read: $OPN opens, create: $CRN files in $DIR"
echo "machine: $(nproc) CPUs, kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "case read_wall_s create_wall_s create_cpu_s"
for ((i = 1; i <= PAIRS; i++)); do
	order="off on"
	((i % 2)) || order="on off"
	for c in $order; do
		if [ "$c" = on ]; then
			"$DAEMON" run -o "$TMP/alerts.json" 2>"$TMP/daemon.log" &
			D=$!
			until grep -q 'depsentry: ready' "$TMP/daemon.log"; do
				kill -0 "$D" || { cat "$TMP/daemon.log" >&2; exit 1; }
				sleep 0.05
			done
		fi
		r=$("$OS" read -n "$OPN" -f /etc/passwd)
		w=$("$OS" create -n "$CRN" -d "$DIR")
		echo "$c $(val wall_s "$r") $(val wall_s "$w") $(val cpu_s "$w")" | tee -a "$TMP/runs"
		if [ "$c" = on ]; then
			kill -TERM "$D"
			wait "$D"
			D=
		fi
	done
done
median()	# CASE COLUMN
{
	awk -v c="$1" -v k="$2" '$1 == c { print $k }' "$TMP/runs" | sort -g |
		awk '{ v[NR] = $1 } END { printf "%.4f", v[int((NR + 1) / 2)] }'
}
for k in 2 3 4; do
	off=$(median off $k)
	on=$(median on $k)
	name=$(sed -n 1p <<<"read_wall create_wall create_cpu" | cut -d' ' -f$((k - 1)))
	echo "median $name: off $off s, on $on s, on/off $(awk -v a="$on" -v b="$off" 'BEGIN { printf "%.3f", a / b }')"
done
