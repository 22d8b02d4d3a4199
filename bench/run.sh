#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# bench/run.sh: what depsentry costs a machine that does nothing but exec,
# then one that does nothing but connect, then one that does nothing but
# open and write files.
#
# Exec storm: build/bench/execstorm runs N fork+exec of a trivial program
# with P workers, alternately with no sensor attached ("off") and under a
# freshly started daemon ("on"), after one warm-up pair. Each round reports
# the wall-time ratio on/off, the exec rates, the CPU time of the storm and
# of the daemon (a second ratio, less sensitive than wall time to a busy
# neighbour), the daemon's peak RSS, and the kernel's ring-buffer drop
# counters, which must stay at zero. A last run with
# kernel.bpf_stats_enabled=1 (not timed against "off": the statistics cost a
# little themselves) gives each BPF program's own cost per event.
#
# Connect storm: build/bench/connstorm makes C blocking TCP connects to a
# listener of its own on 127.0.0.1, in two cases, each with its own off/on
# pairs in the same rounds: "outside", run directly, where the connect hooks
# only look the caller up and find nothing; "inside", run by a stand-in
# package manager (node running a script named npm, which the daemon
# recognises, and which runs connstorm with spawnSync), so that every
# connect is recorded, sent to the daemon and judged by the egress rule. The
# "off" runs of a case use the same command as its "on" runs. Each round
# reports the exec storm's figures, and the daemon's connect records (C per
# "inside" run, 0 "outside") and connect drops; a run per case with
# kernel.bpf_stats_enabled=1 gives the connect programs' cost per connect.
#
# Open storm: build/bench/openstorm in two cases, each with its own off/on
# pairs in the same rounds, run directly (in no install session): "read",
# O open(O_RDONLY)+close of one existing file; "create", F files created
# with open(O_WRONLY|O_CREAT|O_TRUNC), written (20 bytes) and closed in a
# fresh directory under a disk filesystem (a write on tmpfs dirties no
# page, and the sensor does not see it), then all unlinked; the time
# is the creates and the unlinks together. Each round reports the exec
# storm's figures, the daemon's file records (0: no file of the storm is
# watched) and its drops (all its drop counters); a run per case with
# kernel.bpf_stats_enabled=1 gives all the daemon's programs' cost per
# operation.
#
# Install storm: npm ci --offline of the popular tree (tests/popular-fetch.sh,
# its install scripts run) and pip install of BENCH_WHEELS small wheels made
# by bench/wheels.py, off and on alternated; the daemon's file records and
# fanotify renames per "on" run.
#
# Latency storm: bench/latency.sh, quiet and with an exec storm outside any
# session (BENCH_LATENCY_STORM=1), BENCH_LATENCY_ROUNDS times each: p50, p99
# and max of exec, connect and file alerts; then bench/kill.sh, the time
# from the exec of a process the response stops to its death.
#
# Knobs, from the environment: BENCH_N (execs per run, 20000), BENCH_ROUNDS
# (off/on pairs, 5), BENCH_JOBS (workers, nproc), BENCH_PROG (what is exec'd,
# build/bench/nop), BENCH_CONFIG (the daemon's configuration, its built-in
# one when unset: to measure the response, for one), BENCH_CONN_N (connects per run, 50000), BENCH_CONN_ROUNDS
# (off/on pairs per case, 5), BENCH_STORMS (which storms to run, "exec
# connect open install latency"), BENCH_TARGET (ratio to meet, 1.03; for
# the connect storm, by the "outside" case), BENCH_OPEN_N (opens per "read" run, 1000000),
# BENCH_CREATE_N (files per "create" run, 100000), BENCH_OPEN_ROUNDS (off/on
# pairs per case, 5), BENCH_OPEN_DIR (where "create" makes its directory,
# /var/tmp; not tmpfs), BENCH_OPEN_TARGET (ratio to meet, 1.02, by both
# cases), BENCH_INSTALL_ROUNDS (off/on pairs per install case, 5),
# BENCH_WHEELS (wheels per pip install, 300), BENCH_INSTALL_TARGET (1.02),
# BENCH_LATENCY_ROUNDS (runs per latency case, 3), BENCH_DAEMON (the
# binary under test, build/depsentry: to compare two builds). Prints
# Markdown tables on stdout and writes nowhere else but in a temporary
# directory and build/e2e-tools/popular (the npm tree, fetched once). Exits non-zero when the
# daemon dies, drops an event (a connect or open storm drop after its tables
# are printed), misses a connect of the "inside" case, or the run is
# interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=build/bench
DAEMON=${BENCH_DAEMON:-build/depsentry}
N=${BENCH_N:-20000}
ROUNDS=${BENCH_ROUNDS:-5}
JOBS=${BENCH_JOBS:-$(nproc)}
PROG=${BENCH_PROG:-$OUT/nop}
TARGET=${BENCH_TARGET:-1.03}
CN=${BENCH_CONN_N:-50000}
CROUNDS=${BENCH_CONN_ROUNDS:-5}
OPN=${BENCH_OPEN_N:-1000000}
CRN=${BENCH_CREATE_N:-100000}
OROUNDS=${BENCH_OPEN_ROUNDS:-5}
ODIR=${BENCH_OPEN_DIR:-/var/tmp}
OFILE=/etc/passwd	# what the "read" case opens
OTARGET=${BENCH_OPEN_TARGET:-1.02}
INST_ROUNDS=${BENCH_INSTALL_ROUNDS:-5}
WHEELS=${BENCH_WHEELS:-300}
ITARGET=${BENCH_INSTALL_TARGET:-1.02}
LROUNDS=${BENCH_LATENCY_ROUNDS:-3}
POP=build/e2e-tools/popular	# the npm tree tests/e2e/t_64 installs
STORMS=${BENCH_STORMS:-exec connect open install latency}
READY_TIMEOUT=60	# seconds for the daemon to load, attach and scan /proc
FOREIGN_TIMEOUT=300	# seconds to wait for someone else's sensor to detach
TRIES=3			# attempts at a round that someone else's sensor spoilt

TMP=
DPID=
STATS_SAVED=
FAILED=1

die()
{
	echo "bench/run.sh: $*" >&2
	exit 1
}

note()
{
	echo "bench/run.sh: $*" >&2
}

cleanup()
{
	local rc=$?

	trap - EXIT INT TERM
	if [ -n "$DPID" ] && kill -0 "$DPID" 2>/dev/null; then
		kill -TERM "$DPID" 2>/dev/null || true
		for _ in $(seq 50); do
			kill -0 "$DPID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$DPID" 2>/dev/null || true
		wait "$DPID" 2>/dev/null || true
	fi
	if [ -n "$STATS_SAVED" ]; then
		sysctl -q -w kernel.bpf_stats_enabled="$STATS_SAVED" || true
	fi
	if [ -n "$TMP" ]; then
		if [ "$FAILED" = 1 ]; then
			note "did not finish; the daemon logs are kept in $TMP"
		else
			rm -rf "$TMP"
		fi
	fi
	exit "$rc"
}

# ---- building -------------------------------------------------------------

build()
{
	mkdir -p "$OUT"
	if [ bench/execstorm.c -nt "$OUT/execstorm" ] || [ bench/bench.h -nt "$OUT/execstorm" ]; then
		echo "  CC       $OUT/execstorm" >&2
		cc -O2 -Wall -Wextra -Werror -std=gnu11 -o "$OUT/execstorm" bench/execstorm.c
	fi
	if [ bench/nop.c -nt "$OUT/nop" ]; then
		echo "  CC       $OUT/nop (static)" >&2
		cc -O2 -static -o "$OUT/nop" bench/nop.c
	fi
	if [ bench/connstorm.c -nt "$OUT/connstorm" ] || [ bench/bench.h -nt "$OUT/connstorm" ]; then
		echo "  CC       $OUT/connstorm" >&2
		cc -O2 -Wall -Wextra -Werror -std=gnu11 -pthread -o "$OUT/connstorm" bench/connstorm.c
	fi
	if [ bench/openstorm.c -nt "$OUT/openstorm" ] || [ bench/bench.h -nt "$OUT/openstorm" ]; then
		echo "  CC       $OUT/openstorm" >&2
		cc -O2 -Wall -Wextra -Werror -std=gnu11 -o "$OUT/openstorm" bench/openstorm.c
	fi
	[ -x "$DAEMON" ] || die "$DAEMON is missing: run make first"
	[ -x "$PROG" ] || die "$PROG is not executable"
}

# ---- the sensor's BPF programs ---------------------------------------------

# How many handle_exec programs are loaded, ours or anyone's.
attached()
{
	bpftool prog show | grep -cw 'name handle_exec' || true
}

# Wait until no depsentry program is loaded, or give up.
wait_detached()
{
	local waited=0

	while [ "$(attached)" != 0 ]; do
		if [ "$waited" = 0 ]; then
			note "another depsentry is attached (e.g. a test run); waiting for it to stop"
		fi
		[ "$waited" -lt "$FOREIGN_TIMEOUT" ] ||
			die "depsentry BPF programs are still attached after ${FOREIGN_TIMEOUT}s; no clean 'off' phase is possible"
		sleep 1
		waited=$((waited + 1))
	done
}

# ---- the daemon ------------------------------------------------------------

# "Z" for a zombie, "" when gone.
daemon_state()
{
	local stat

	stat=$(cat "/proc/$DPID/stat" 2>/dev/null) || return 0
	stat=${stat##*) }
	echo "${stat%% *}"
}

daemon_alive()
{
	local s

	s=$(daemon_state)
	[ -n "$s" ] && [ "$s" != Z ]
}

daemon_died()
{
	local rc=0

	wait "$DPID" || rc=$?
	DPID=
	note "the daemon died (exit status $rc); its log:"
	sed 's/^/    /' "$TMP/daemon.log" >&2
	exit 1
}

daemon_start()
{
	local i

	: >"$TMP/daemon.log"
	"$DAEMON" run ${BENCH_CONFIG:+-c "$BENCH_CONFIG"} -o "$TMP/alerts.json" 2>"$TMP/daemon.log" &
	DPID=$!
	for i in $(seq $((READY_TIMEOUT * 20))); do
		grep -qx 'depsentry: ready' "$TMP/daemon.log" && return 0
		daemon_alive || daemon_died
		sleep 0.05
	done
	die "the daemon did not say 'depsentry: ready' within ${READY_TIMEOUT}s"
}

# utime + stime of the daemon, in seconds.
daemon_cpu()
{
	local stat

	stat=$(cat "/proc/$DPID/stat") || return 1
	stat=${stat##*) }
	# fields after the comm: state is $1, so utime (14) is $12 and stime $13
	echo "$stat" | awk -v hz="$(getconf CLK_TCK)" '{ printf "%.2f", ($12 + $13) / hz }'
}

# VmHWM, in MiB.
daemon_hwm()
{
	awk '/^VmHWM:/ { printf "%.1f", $2 / 1024 }' "/proc/$DPID/status"
}

# SIGTERM, wait, and read what it says at exit: sets EXECS, DROPS (all the
# drop counters), CONNS (connect records), CDROPS (connect records dropped),
# FILES (file records) and COUNTERS (the counters line). CONNS is empty for
# a build without the network arm, FILES for one without the file arm.
daemon_exit()
{
	local rc=0 line

	kill -TERM "$DPID"
	wait "$DPID" || rc=$?
	DPID=
	[ "$rc" = 0 ] || { note "the daemon exited with status $rc"; sed 's/^/    /' "$TMP/daemon.log" >&2; exit 1; }
	line=$(grep '^depsentry: exit: ' "$TMP/daemon.log") ||
		die "the daemon did not log its exit line"
	EXECS=$(echo "$line" | awk '{ print $3 }')
	line=$(grep '^depsentry: counters at exit:' "$TMP/daemon.log") ||
		die "the daemon did not log its counters at exit"
	COUNTERS=$line
	DROPS=$(echo "$line" | tr ' ' '\n' | awk -F= '/_dropped=/ { n += $2 } END { print n + 0 }')
	CDROPS=$(echo "$line" | tr ' ' '\n' | awk -F= '$1 == "connect_dropped" { n += $2 } END { print n + 0 }')
	CONNS=$(awk '/^depsentry: network: / { print $3 }' "$TMP/daemon.log")
	FILES=$(awk '/^depsentry: files: / { print $3 }' "$TMP/daemon.log")
	RENAMES=$(awk '/^depsentry: renames: / { print $3 }' "$TMP/daemon.log")
}

# daemon_exit, and check that no event was lost in an exec storm.
daemon_stop()
{
	daemon_exit
	if [ "$DROPS" != 0 ]; then
		note "the kernel dropped events: $COUNTERS"
		exit 1
	fi
	if [ "$EXECS" -lt "$N" ]; then
		note "the daemon saw $EXECS exec records for $N execs"
		exit 1
	fi
}

# ---- one storm -------------------------------------------------------------

# Sets WALL, RATE and SCPU from execstorm's key=value line.
storm()
{
	local line

	line=$("$OUT/execstorm" -n "$N" -j "$JOBS" -p "$PROG") || die "execstorm failed"
	WALL=$(echo "$line" | tr ' ' '\n' | awk -F= '$1 == "wall_s" { print $2 }')
	RATE=$(echo "$line" | tr ' ' '\n' | awk -F= '$1 == "execs_per_s" { print $2 }')
	SCPU=$(echo "$line" | tr ' ' '\n' | awk -F= '$1 == "cpu_s" { print $2 }')
}

# No sensor attached, before or after, around the storm command in the
# arguments; SPOILT=1 when someone else's was.
run_off()
{
	wait_detached
	"$@"
	OFF_WALL=$WALL
	OFF_RATE=$RATE
	OFF_CPU=$SCPU
	[ "$(attached)" = 0 ] || SPOILT=1
}

# Our daemon alone around the storm command in the arguments after the
# first, which names how to stop it; SPOILT=1 when someone else's sensor
# showed up. The CPU time is the daemon's during the storm, not its start-up.
run_on()
{
	local stop=$1 cpu0 cpu1

	shift
	daemon_start
	[ "$(attached)" = 1 ] || SPOILT=1
	cpu0=$(daemon_cpu)
	"$@"
	daemon_alive || daemon_died
	[ "$(attached)" = 1 ] || SPOILT=1
	cpu1=$(daemon_cpu)
	HWM=$(daemon_hwm)
	"$stop"
	ON_WALL=$WALL
	ON_RATE=$RATE
	ON_CPU=$SCPU
	CPU=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')
}

# One off/on pair of the storm command after the first three arguments,
# the daemon stopped by $3; "off" first on odd rounds and "on" first on even
# ones so that a slow drift of the machine does not favour either side.
round()
{
	local name=$1 order=$2 stop=$3 try

	shift 3
	for try in $(seq $TRIES); do
		SPOILT=0
		if [ "$order" = off-on ]; then
			run_off "$@"
			run_on "$stop" "$@"
		else
			run_on "$stop" "$@"
			run_off "$@"
		fi
		[ "$SPOILT" = 1 ] || return 0
		note "round $name: another depsentry attached during the run; repeating it (depsentry processes now: $(pgrep -d, -x depsentry || echo none))"
	done
	die "round $name: could not get a run without another depsentry attached"
}

# A warm-up and then $2 alternating off/on rounds of storm $1 (conn or
# open: its ${1}_storm, _check, _row and _result), the daemon stopped by
# $3, for each case after; rows are appended to $TMP/$1.table, results to
# $TMP/$1.results.
storm_rounds()
{
	local kind=$1 rounds=$2 stop=$3 r order case

	shift 3
	for case in "$@"; do
		round "$kind warm-up ($case)" off-on "$stop" "${kind}_storm" "$case"
		"${kind}_check" warm-up "$case"
		"${kind}_row" "warm-up (not counted)" "$case" off-on >>"$TMP/$kind.table"
	done
	for r in $(seq "$rounds"); do
		order=off-on
		[ $((r % 2)) = 1 ] || order=on-off
		for case in "$@"; do
			note "$kind round $r of $rounds, $case ($order)"
			round "$kind $r ($case)" "$order" "$stop" "${kind}_storm" "$case"
			"${kind}_check" "$r" "$case"
			"${kind}_row" "$r" "$case" "$order" >>"$TMP/$kind.table"
			"${kind}_result" "$case" >>"$TMP/$kind.results"
		done
	done
}

row()
{
	local name=$1 order=$2

	awk -v name="$name" -v order="$order" -v off="$OFF_WALL" -v on="$ON_WALL" \
	    -v offr="$OFF_RATE" -v onr="$ON_RATE" -v offc="$OFF_CPU" -v onc="$ON_CPU" \
	    -v cpu="$CPU" -v n="$N" -v hwm="$HWM" -v execs="$EXECS" -v drops="$DROPS" 'BEGIN {
		printf "| %s | %s | %.2f | %.2f | **%.3f** | %.0f | %.0f | %.2f | %.2f | %.2f | %.0f | **%.3f** | %s | %d | %d |\n",
		       name, order, off, on, on / off, offr, onr, offc, onc, cpu,
		       cpu * 1e6 / n, (onc + cpu) / offc, hwm, execs - n, drops
	}'
}

median()
{
	sort -g | awk '{ v[NR] = $1 } END {
		if (NR % 2) printf "%.3f", v[(NR + 1) / 2]
		else printf "%.3f", (v[NR / 2] + v[NR / 2 + 1]) / 2
	}'
}

# ---- per-program BPF cost ----------------------------------------------------

# "name run_time_ns run_cnt" for each program whose whole name matches the
# regular expression $1 (bpftool leaves out the two figures until a program
# has run with the statistics on).
bpf_stats()
{
	bpftool prog show | awk -v re="^($1)\$" '/ name / {
		name = ""; ns = 0; cnt = 0
		for (i = 1; i <= NF; i++) {
			if ($i == "name") name = $(i + 1)
			if ($i == "run_time_ns") ns = $(i + 1)
			if ($i == "run_cnt") cnt = $(i + 1)
		}
		if (name ~ re)
			print name, ns, cnt
	}' | sort
}

profile()
{
	STATS_SAVED=$(sysctl -n kernel.bpf_stats_enabled)
	wait_detached
	daemon_start
	[ "$(attached)" = 1 ] || die "another depsentry attached during the BPF profile"
	sysctl -q -w kernel.bpf_stats_enabled=1
	bpf_stats 'handle_(exec|exit|fork)' >"$TMP/stats0"
	storm
	bpf_stats 'handle_(exec|exit|fork)' >"$TMP/stats1"
	sysctl -q -w kernel.bpf_stats_enabled="$STATS_SAVED"
	STATS_SAVED=
	daemon_alive || daemon_died
	daemon_stop

	echo
	echo "BPF programs' own cost (kernel.bpf_stats_enabled=1, one more run of $N execs at $RATE execs/s):"
	echo
	echo "| program | runs | ns per run | ns per exec of the storm |"
	echo "| --- | ---: | ---: | ---: |"
	join "$TMP/stats0" "$TMP/stats1" | awk -v n="$N" '{
		ns = $4 - $2; cnt = $5 - $3; total += ns
		printf "| %s | %d | %.0f | %.0f |\n", $1, cnt, cnt ? ns / cnt : 0, ns / n
	} END { printf "| all three | | | %.0f |\n", total / n }'
}

# ---- the exec storm -------------------------------------------------------

exec_bench()
{
	local r order ratios=() cratios=() offr=() onr=()

	note "warm-up"
	round warm-up off-on daemon_stop storm
	{
		echo "| round | order | off s | on s | wall on/off | off execs/s | on execs/s | storm CPU off s | storm CPU on s | daemon CPU s | daemon µs/exec | CPU on/off | peak RSS MiB | other execs | drops |"
		echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
		row "warm-up (not counted)" off-on
	} >"$TMP/table"
	for r in $(seq "$ROUNDS"); do
		order=off-on
		[ $((r % 2)) = 1 ] || order=on-off
		note "round $r of $ROUNDS ($order)"
		round "$r" "$order" daemon_stop storm
		row "$r" "$order" >>"$TMP/table"
		[ $((EXECS - N)) -le $((N / 100 + 50)) ] ||
			note "round $r: $((EXECS - N)) other execs during the 'on' run; this round is noisy"
		ratios+=("$(awk -v a="$ON_WALL" -v b="$OFF_WALL" 'BEGIN { print a / b }')")
		cratios+=("$(awk -v a="$ON_CPU" -v d="$CPU" -v b="$OFF_CPU" 'BEGIN { print (a + d) / b }')")
		offr+=("$OFF_RATE")
		onr+=("$ON_RATE")
	done
	cat "$TMP/table"
	echo
	echo "storm CPU: user + system time of all the storm's processes (the BPF programs run in their context); CPU on/off: (storm CPU on + daemon CPU) / storm CPU off."
	echo "other execs: exec records the daemon saw beyond the storm's own (about 20 are this script's helpers); more means something else ran during the 'on' run and the round is noisier."

	MEDIAN=$(printf '%s\n' "${ratios[@]}" | median)
	echo
	echo "median on/off wall-time ratio: **$MEDIAN** (min $(printf '%s\n' "${ratios[@]}" | sort -g | head -1 | xargs printf '%.3f'), max $(printf '%s\n' "${ratios[@]}" | sort -g | tail -1 | xargs printf '%.3f')); target <= $TARGET: $(awk -v m="$MEDIAN" -v t="$TARGET" 'BEGIN { print (m <= t) ? "met" : "NOT met" }')"
	echo "median CPU ratio, (storm + daemon) on / storm off: **$(printf '%s\n' "${cratios[@]}" | median)** (min $(printf '%s\n' "${cratios[@]}" | sort -g | head -1 | xargs printf '%.3f'), max $(printf '%s\n' "${cratios[@]}" | sort -g | tail -1 | xargs printf '%.3f'))"
	echo "median exec rate: off $(printf '%s\n' "${offr[@]}" | median | xargs printf '%.0f') execs/s, on $(printf '%s\n' "${onr[@]}" | median | xargs printf '%.0f') execs/s; events dropped in all runs: 0"

	note "BPF profile run"
	profile
}

# ---- the connect storm ----------------------------------------------------

# The stand-in package manager: node running a script whose name is npm,
# which the daemon takes for npm and opens an install session for. It runs
# its arguments as its one child, with its own stdio, and exits as it did.
make_pm()
{
	mkdir -p "$TMP/pm"
	cat >"$TMP/pm/npm" <<'EOF'
// bench/run.sh's stand-in for npm: runs its arguments inside an install session.
const { spawnSync } = require('child_process');
const r = spawnSync(process.argv[2], process.argv.slice(3), { stdio: 'inherit' });
if (r.error) {
	console.error(`npm (bench stand-in): ${process.argv[2]}: ${r.error.message}`);
	process.exit(1);
}
process.exit(r.status === null ? 1 : r.status);
EOF
}

# The value of key $1 in the key=value line $2.
kv()
{
	echo "$2" | tr ' ' '\n' | awk -F= -v k="$1" '$1 == k { print $2 }'
}

# One connect storm of case $1; sets WALL, RATE and SCPU (connstorm's own).
conn_storm()
{
	local line

	if [ "$1" = inside ]; then
		line=$(node "$TMP/pm/npm" "$OUT/connstorm" -n "$CN") ||
			die "connstorm failed under the stand-in npm"
	else
		line=$("$OUT/connstorm" -n "$CN") || die "connstorm failed"
	fi
	WALL=$(kv wall_s "$line")
	RATE=$(kv connects_per_s "$line")
	SCPU=$(kv cpu_s "$line")
}

# The exec storm's daemon_stop, for the connect storm: the records and
# drops are reported, and judged once the tables are out.
conn_stop()
{
	daemon_exit
	[ -n "$CONNS" ] || die "$DAEMON logs no connect records at exit: a build without the network arm?"
}

# Anything wrong with the last "on" run, for CONN_BAD.
conn_check()
{
	local name=$1 case=$2

	if [ "$DROPS" != 0 ]; then
		note "connect round $name ($case): the kernel dropped events: $COUNTERS"
		CONN_BAD=1
	fi
	if [ "$case" = inside ] && [ "$CONNS" -lt "$CN" ]; then
		note "connect round $name ($case): the daemon saw $CONNS connect records for $CN connects"
		CONN_BAD=1
	fi
	if [ "$case" = outside ] && [ "$CONNS" != 0 ]; then
		note "connect round $name ($case): $CONNS connect records from install sessions elsewhere on the machine; this round is noisy"
	fi
}

conn_row()
{
	local name=$1 case=$2 order=$3

	awk -v name="$name" -v case_="$case" -v order="$order" -v off="$OFF_WALL" \
	    -v on="$ON_WALL" -v offr="$OFF_RATE" -v onr="$ON_RATE" -v offc="$OFF_CPU" \
	    -v onc="$ON_CPU" -v cpu="$CPU" -v n="$CN" -v hwm="$HWM" -v conns="$CONNS" \
	    -v cdrops="$CDROPS" 'BEGIN {
		printf "| %s | %s | %s | %.3f | %.3f | **%.3f** | %.0f | %.0f | %.3f | %.3f | %.2f | %.1f | **%.3f** | %s | %d | %d |\n",
		       name, case_, order, off, on, on / off, offr, onr, offc, onc, cpu,
		       cpu * 1e6 / n, (onc + cpu) / offc, hwm, conns, cdrops
	}'
}

# "case wall-ratio cpu-ratio off-rate on-rate daemon-µs/connect records
# drops" for a counted round, for the summary.
conn_result()
{
	awk -v case_="$1" -v off="$OFF_WALL" -v on="$ON_WALL" -v offr="$OFF_RATE" \
	    -v onr="$ON_RATE" -v offc="$OFF_CPU" -v onc="$ON_CPU" -v cpu="$CPU" -v n="$CN" \
	    -v conns="$CONNS" -v cdrops="$CDROPS" 'BEGIN {
		print case_, on / off, (onc + cpu) / offc, offr, onr, cpu * 1e6 / n, conns, cdrops
	}'
}

# Column $2 of the results of case $1, one a line.
conn_col()
{
	awk -v c="$1" -v k="$2" '$1 == c { print $k }' "$TMP/conn.results"
}

conn_summary()
{
	local case=$1 w c med

	w=$(conn_col "$case" 2)
	c=$(conn_col "$case" 3)
	med=$(echo "$w" | median)
	echo
	echo "**$case**: median on/off wall-time ratio **$med** (min $(echo "$w" | sort -g | head -1 | xargs printf '%.3f'), max $(echo "$w" | sort -g | tail -1 | xargs printf '%.3f'))$(
		[ "$case" != outside ] ||
			awk -v m="$med" -v t="$TARGET" 'BEGIN { print "; target <= " t ": " ((m <= t) ? "met" : "NOT met") }');" \
		"median CPU ratio **$(echo "$c" | median)** (min $(echo "$c" | sort -g | head -1 | xargs printf '%.3f'), max $(echo "$c" | sort -g | tail -1 | xargs printf '%.3f'));" \
		"median rate off $(conn_col "$case" 4 | median | xargs printf '%.0f'), on $(conn_col "$case" 5 | median | xargs printf '%.0f') connects/s;" \
		"daemon CPU median $(conn_col "$case" 6 | median | xargs printf '%.1f') µs/connect;" \
		"connect records per 'on' run $(conn_col "$case" 7 | sort -g | head -1)–$(conn_col "$case" 7 | sort -g | tail -1);" \
		"connect drops in all runs: $(conn_col "$case" 8 | awk '{ n += $1 } END { print n + 0 }')"
}

# The own cost of the BPF programs matching $3 in one more "on" run of
# storm $1 (its ${1}_storm and ${1}_check), case $2, of $4 operations
# called $5; the function $6 says what the run saw.
bpf_profile()
{
	local kind=$1 case=$2 progs=$3 n=$4 unit=$5 what=$6

	STATS_SAVED=$(sysctl -n kernel.bpf_stats_enabled)
	wait_detached
	daemon_start
	[ "$(attached)" = 1 ] || die "another depsentry attached during the BPF profile"
	sysctl -q -w kernel.bpf_stats_enabled=1
	bpf_stats "$progs" >"$TMP/stats0"
	"${kind}_storm" "$case"
	bpf_stats "$progs" >"$TMP/stats1"
	sysctl -q -w kernel.bpf_stats_enabled="$STATS_SAVED"
	STATS_SAVED=
	daemon_alive || daemon_died
	daemon_exit
	"${kind}_check" profile "$case"

	echo
	echo "BPF programs' own cost, **$case** (kernel.bpf_stats_enabled=1, one more run of $n ${unit}s at $RATE ${unit}s/s; $("$what")):"
	echo
	echo "| program | runs | ns per run | ns per $unit of the storm |"
	echo "| --- | ---: | ---: | ---: |"
	join "$TMP/stats0" "$TMP/stats1" | awk -v n="$n" '{
		ns = $4 - $2; cnt = $5 - $3; total += ns
		printf "| %s | %d | %.0f | %.1f |\n", $1, cnt, cnt ? ns / cnt : 0, ns / n
	} END { printf "| all | | | %.1f |\n", total / n }'
}

# The connect programs' own cost in one more "on" run of case $1.
conn_profile()
{
	bpf_profile conn "$1" 'handle_connect_(enter|exit)|handle_dns_xmit|dns_filter' "$CN" connect conn_seen
}

conn_seen()
{
	echo "$CONNS connect records"
}

conn_bench()
{
	local case

	make_pm
	CONN_BAD=0
	: >"$TMP/conn.results"
	note "connect storm: warm-up"
	{
		echo
		echo "Connect storm: $CN connects per run to 127.0.0.1; **outside**: connstorm run directly; **inside**: run by the stand-in npm (node $TMP/pm/npm), off and on alike."
		echo
		echo "| round | case | order | off s | on s | wall on/off | off connects/s | on connects/s | storm CPU off s | storm CPU on s | daemon CPU s | daemon µs/connect | CPU on/off | peak RSS MiB | connect records | connect drops |"
		echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	} >"$TMP/conn.table"
	storm_rounds conn "$CROUNDS" conn_stop outside inside
	cat "$TMP/conn.table"
	echo
	echo "storm CPU: user + system time of connstorm's two threads (the connect programs run in their context); CPU on/off: (storm CPU on + daemon CPU) / storm CPU off."
	echo "connect records: connect() calls the daemon received from the kernel in the 'on' run (from install sessions only); connect drops: records the kernel could not queue."
	conn_summary outside
	conn_summary inside

	for case in outside inside; do
		note "connect storm: BPF profile run, $case"
		conn_profile "$case"
	done
	if [ "$CONN_BAD" = 1 ]; then
		note "the connect storm lost connect records (see above)"
		exit 1
	fi
}

# ---- the open storm ---------------------------------------------------------

# Operations per run of case $1, and what one is called.
open_n()
{
	if [ "$1" = read ]; then echo "$OPN"; else echo "$CRN"; fi
}

open_unit()
{
	if [ "$1" = read ]; then echo open; else echo file; fi
}

# True when directory $1 is on ext4 without a journal. Such an ext4 does not
# reuse an inode deleted in the last 60 s (360 s while its inode table block
# is dirty): it scans past every one of them, so each "create" run slows the
# next ones down, by a varying factor (3-4 on this project's test machine).
no_journal()
{
	local dev

	dev=$(findmnt -n -o MAJ:MIN --target "$1" | tail -n 1 | tr -d ' ') || return 1
	dev=$(basename "$(readlink -f "/sys/dev/block/$dev")")
	[ "$(cat "/sys/fs/ext4/$dev/journal_task" 2>/dev/null)" = "<none>" ]
}

# One open storm of case $1; sets WALL, RATE and SCPU (openstorm's own).
open_storm()
{
	local line

	if [ "$1" = read ]; then
		line=$("$OUT/openstorm" read -n "$OPN" -f "$OFILE") || die "openstorm read failed"
		RATE=$(kv opens_per_s "$line")
	else
		line=$("$OUT/openstorm" create -n "$CRN" -d "$ODIR") || die "openstorm create failed"
		RATE=$(kv files_per_s "$line")
	fi
	WALL=$(kv wall_s "$line")
	SCPU=$(kv cpu_s "$line")
}

# Drops of the last "on" run, for OPEN_BAD: judged once the tables are out.
open_check()
{
	if [ "$DROPS" != 0 ]; then
		note "open round $1 ($2): the kernel dropped events: $COUNTERS"
		OPEN_BAD=1
	fi
}

open_row()
{
	local name=$1 case=$2 order=$3

	awk -v name="$name" -v case_="$case" -v order="$order" -v off="$OFF_WALL" \
	    -v on="$ON_WALL" -v offr="$OFF_RATE" -v onr="$ON_RATE" -v offc="$OFF_CPU" \
	    -v onc="$ON_CPU" -v cpu="$CPU" -v n="$(open_n "$case")" -v hwm="$HWM" \
	    -v files="${FILES:--}" -v drops="$DROPS" 'BEGIN {
		printf "| %s | %s | %s | %.3f | %.3f | **%.3f** | %.0f | %.0f | %.3f | %.3f | %.2f | %.2f | **%.3f** | %s | %s | %d |\n",
		       name, case_, order, off, on, on / off, offr, onr, offc, onc, cpu,
		       cpu * 1e6 / n, (onc + cpu) / offc, hwm, files, drops
	}'
}

# "case wall-ratio cpu-ratio off-rate on-rate daemon-µs/op drops" for a
# counted round, for the summary.
open_result()
{
	awk -v case_="$1" -v off="$OFF_WALL" -v on="$ON_WALL" -v offr="$OFF_RATE" \
	    -v onr="$ON_RATE" -v offc="$OFF_CPU" -v onc="$ON_CPU" -v cpu="$CPU" \
	    -v n="$(open_n "$1")" -v drops="$DROPS" 'BEGIN {
		print case_, on / off, (onc + cpu) / offc, offr, onr, cpu * 1e6 / n, drops
	}'
}

# Column $2 of the results of case $1, one a line.
open_col()
{
	awk -v c="$1" -v k="$2" '$1 == c { print $k }' "$TMP/open.results"
}

# "(min M, max X)" of the numbers on stdin, three decimals.
spread()
{
	sort -g | awk 'NR == 1 { min = $1 } { max = $1 } END { printf "(min %.3f, max %.3f)", min, max }'
}

open_summary()
{
	local case=$1 unit med

	unit=$(open_unit "$case")
	med=$(open_col "$case" 2 | median)
	echo
	echo "**$case**: median on/off wall-time ratio **$med** $(open_col "$case" 2 | spread);" \
		"target <= $OTARGET: $(awk -v m="$med" -v t="$OTARGET" 'BEGIN { print (m <= t) ? "met" : "NOT met" }');" \
		"median CPU ratio **$(open_col "$case" 3 | median)** $(open_col "$case" 3 | spread);" \
		"median rate off $(open_col "$case" 4 | median | xargs printf '%.0f'), on $(open_col "$case" 5 | median | xargs printf '%.0f') ${unit}s/s;" \
		"daemon CPU median $(open_col "$case" 6 | median | xargs printf '%.2f') µs per $unit;" \
		"drops in all runs: $(open_col "$case" 7 | awk '{ n += $1 } END { print n + 0 }')"
}

# All the daemon's programs' own cost in one more "on" run of case $1.
open_profile()
{
	bpf_profile open "$1" 'handle_[a-z0-9_]+|dns_filter' "$(open_n "$1")" \
		"$(open_unit "$1")" open_seen
}

open_seen()
{
	echo "every program of the daemon, whatever ran it"
}

open_bench()
{
	local case warn=

	OPEN_BAD=0
	: >"$TMP/open.results"
	if no_journal "$ODIR"; then
		warn="**$ODIR is on ext4 without a journal**, which skips recently deleted inodes when it allocates one: the create runs slow each other down and their times are noisy; set BENCH_OPEN_DIR to a directory on a journaled filesystem."
		note "$ODIR is on ext4 without a journal: the create runs slow each other down; set BENCH_OPEN_DIR to a directory on a journaled filesystem"
	fi
	note "open storm: warm-up"
	{
		echo
		echo "Open storm, run directly: **read**: $OPN open(O_RDONLY)+close of $OFILE per run; **create**: $CRN files per run created, written and closed in a fresh directory under $ODIR ($(findmnt -n -o FSTYPE,SOURCE --target "$ODIR" | tail -n 1 | tr -s ' ')), then unlinked, the unlinks in the time.${warn:+ $warn}"
		echo
		echo "| round | case | order | off s | on s | wall on/off | off ops/s | on ops/s | storm CPU off s | storm CPU on s | daemon CPU s | daemon µs/op | CPU on/off | peak RSS MiB | file records | drops |"
		echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	} >"$TMP/open.table"
	storm_rounds open "$OROUNDS" daemon_exit read create
	cat "$TMP/open.table"
	echo
	echo "ops: read, one open+close; create, one file created, written, closed and unlinked. storm CPU: user + system time of openstorm (the BPF programs run in its context); CPU on/off: (storm CPU on + daemon CPU) / storm CPU off."
	echo "file records: records of watched files the daemon received in the 'on' run (none of the storm's files is watched; '-' for a build without the file arm); drops: the sum of the drop counters the daemon logs at exit (every kind of record)."
	open_summary read
	open_summary create

	for case in read create; do
		note "open storm: BPF profile run, $case"
		open_profile "$case"
	done
	if [ "$OPEN_BAD" = 1 ]; then
		note "the open storm lost events (see above)"
		exit 1
	fi
}

# ---- real installs ------------------------------------------------------------

# The popular npm tree (fetched once, as tests/e2e/t_64 does), a
# wheelhouse of WHEELS small wheels made here and a virtual environment of
# Debian's python3 to run pip from.
inst_prepare()
{
	note "install storm: the popular npm tree in $POP (fetched once) and $WHEELS wheels"
	tests/popular-fetch.sh "$POP" >"$TMP/popular-fetch.log" 2>&1 ||
		die "fetching the popular npm tree failed: $(tail -n 5 "$TMP/popular-fetch.log")"
	/usr/bin/python3 bench/wheels.py "$TMP/wheels" "$WHEELS" >"$TMP/wheels.names" ||
		die "making the wheelhouse failed"
	/usr/bin/python3 -m venv "$TMP/venv" || die "python3 -m venv failed"
}

# A fresh place for one install: a project with the tree's lockfile (a git
# repository: its prepare script runs husky), or an empty target directory.
inst_fresh()
{
	rm -rf "$TMP/inst"
	mkdir -p "$TMP/inst"
	if [ "$1" = npm ]; then
		cp "$POP/package.json" "$POP/package-lock.json" "$TMP/inst/"
		git -C "$TMP/inst" init -q
	fi
}

# Run the command after the first argument in that directory; sets WALL
# and SCPU (its processes' user + system time); dies when it fails.
timed()
{
	local line

	line=$(/usr/bin/python3 -c '
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[2:], cwd=sys.argv[1], stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
u = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"rc={r.returncode} wall_s={time.monotonic() - t:.3f} cpu_s={u.ru_utime + u.ru_stime:.3f}")
' "$@")
	[ "$(kv rc "$line")" = 0 ] || die "$* failed"
	WALL=$(kv wall_s "$line")
	SCPU=$(kv cpu_s "$line")
}

# One install of case $1: npm ci --offline of the popular tree, its
# install scripts run; or pip install of the wheelhouse, offline.
inst_storm()
{
	inst_fresh "$1"
	if [ "$1" = npm ]; then
		timed "$TMP/inst" npm ci --offline --cache "$PWD/$POP/cache" --no-audit --no-fund \
			--foreground-scripts
	else
		timed "$TMP/inst" "$TMP/venv/bin/pip" install --no-index --find-links "$TMP/wheels" \
			--disable-pip-version-check --target "$TMP/inst/site" $(cat "$TMP/wheels.names")
	fi
	RATE=0
}

# Drops of the last "on" run, for INST_BAD: judged once the tables are out.
inst_check()
{
	if [ "$DROPS" != 0 ]; then
		note "install round $1 ($2): the kernel dropped events: $COUNTERS"
		INST_BAD=1
	fi
}

inst_row()
{
	awk -v name="$1" -v case_="$2" -v order="$3" -v off="$OFF_WALL" -v on="$ON_WALL" \
	    -v offc="$OFF_CPU" -v onc="$ON_CPU" -v cpu="$CPU" -v hwm="$HWM" \
	    -v files="${FILES:--}" -v renames="${RENAMES:--}" -v drops="$DROPS" 'BEGIN {
		printf "| %s | %s | %s | %.2f | %.2f | **%.3f** | %.2f | %.2f | %.2f | **%.3f** | %s | %s | %s | %d |\n",
		       name, case_, order, off, on, on / off, offc, onc, cpu, (onc + cpu) / offc,
		       hwm, files, renames, drops
	}'
}

# "case wall-ratio cpu-ratio daemon-CPU" for a counted round.
inst_result()
{
	awk -v case_="$1" -v off="$OFF_WALL" -v on="$ON_WALL" -v offc="$OFF_CPU" \
	    -v onc="$ON_CPU" -v cpu="$CPU" 'BEGIN {
		print case_, on / off, (onc + cpu) / offc, cpu
	}'
}

inst_summary()
{
	local case=$1 med

	med=$(awk -v c="$case" '$1 == c { print $2 }' "$TMP/inst.results" | median)
	echo
	echo "**$case**: median on/off wall-time ratio **$med** $(awk -v c="$case" '$1 == c { print $2 }' "$TMP/inst.results" | spread);" \
		"target <= $ITARGET: $(awk -v m="$med" -v t="$ITARGET" 'BEGIN { print (m <= t) ? "met" : "NOT met" }');" \
		"median CPU ratio **$(awk -v c="$case" '$1 == c { print $3 }' "$TMP/inst.results" | median)**;" \
		"daemon CPU median $(awk -v c="$case" '$1 == c { print $4 }' "$TMP/inst.results" | median | xargs printf '%.2f') s per install"
}

inst_bench()
{
	INST_BAD=0
	: >"$TMP/inst.results"
	inst_prepare
	{
		echo
		echo "Real installs, offline: **npm**: npm ci --offline of tests/fixtures/popular ($(grep -c '"node_modules/' "$POP/package-lock.json") packages, their install scripts run) in a fresh git repository; **pip**: pip install --no-index --target of $WHEELS small wheels made by bench/wheels.py into a fresh directory, pip run from a venv of Debian's python3."
		echo
		echo "| round | case | order | off s | on s | wall on/off | CPU off s | CPU on s | daemon CPU s | CPU on/off | peak RSS MiB | file records | fanotify renames | drops |"
		echo "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	} >"$TMP/inst.table"
	storm_rounds inst "$INST_ROUNDS" daemon_exit npm pip
	cat "$TMP/inst.table"
	echo
	echo "CPU: user + system time of the install's processes; CPU on/off: (CPU on + daemon CPU) / CPU off. file records: records of the file arm the daemon received in the 'on' run (writes and renames that passed the kernel's filter, and renames through fanotify); fanotify renames: those of them that came through fanotify."
	inst_summary npm
	inst_summary pip
	if [ "$INST_BAD" = 1 ]; then
		note "the install storm lost events (see above)"
		exit 1
	fi
}

# ---- alert latency -------------------------------------------------------------

# bench/latency.sh's install, quiet and under an exec storm outside any
# session, LROUNDS times each; one row per run, per kind p50/p99/max.
latency_bench()
{
	local r case line k worst

	: >"$TMP/lat.results"
	{
		echo
		echo "Alert latency (event.created minus @timestamp, ms): bench/latency.sh, an npm install whose postinstall runs 60 whoami, 20 wget and writes 10 workflows; **quiet**: nothing else runs; **storm**: build/bench/execstorm of the static nop with $(nproc) workers runs outside any session all along (BENCH_LATENCY_STORM=1)."
		echo
		echo "| round | case | exec alerts | exec p50 | exec p99 | exec max | connect alerts | connect p50 | connect p99 | connect max | file alerts | file p50 | file p99 | file max |"
		echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
	} >"$TMP/lat.table"
	for r in $(seq "$LROUNDS"); do
		for case in quiet storm; do
			note "latency round $r of $LROUNDS, $case"
			wait_detached
			BENCH_LATENCY_STORM=$([ "$case" = storm ] && echo 1 || echo 0) \
				BENCH_DAEMON=$DAEMON bench/latency.sh >"$TMP/lat.out" ||
				die "bench/latency.sh failed"
			line="| $r | $case |"
			for k in exec connect file; do
				line="$line $(awk -v k="$k:" '$1 == k { gsub(",", ""); print $2 " | " $6 " | " $9 " | " $12 }' "$TMP/lat.out" | grep . || echo "0 | - | - | -") |"
				awk -v k="$k:" -v c="$case" '$1 == k { gsub(",", ""); print c, k, $9 }' "$TMP/lat.out" >>"$TMP/lat.results"
			done
			echo "$line" >>"$TMP/lat.table"
		done
	done
	cat "$TMP/lat.table"
	echo
	for case in quiet storm; do
		for k in exec connect file; do
			worst=$(awk -v c="$case" -v k="$k:" '$1 == c && $2 == k { print $3 }' "$TMP/lat.results" | sort -g | tail -1)
			echo "$case, $k: worst p99 of the runs **${worst:--} ms**; target <= $([ "$k" = file ] && echo 50 || echo 10) ms: $(awk -v w="${worst:-999999}" -v t="$([ "$k" = file ] && echo 50 || echo 10)" 'BEGIN { print (w <= t) ? "met" : "NOT met" }')"
		done
	done
	# the response's stop: from a judged process's exec to its death
	note "latency: the response stopping processes (bench/kill.sh)"
	wait_detached
	echo
	echo "Response, stopping (bench/kill.sh: the response blocking, a postinstall starting 20 processes named nc, one after the other, each judged high; exec to death as their parent, node, measures it):"
	echo
	BENCH_DAEMON=$DAEMON bench/kill.sh | sed 's/^/    /' || die "bench/kill.sh failed"
}

# ---- main --------------------------------------------------------------------

main()
{
	local s

	[ "$(id -u)" = 0 ] || die "loading BPF programs needs root: sudo make bench"
	command -v bpftool >/dev/null || die "bpftool is missing: make deps"
	for s in $STORMS; do
		case $s in
		exec | connect | open | install | latency) ;;
		*) die "BENCH_STORMS: '$s' is not a storm (exec, connect, open, install, latency)" ;;
		esac
	done
	[[ " $STORMS " != *" connect "* ]] || command -v node >/dev/null ||
		die "node is missing: the connect storm's stand-in npm needs it"
	PATH=$(tests/node.sh bindir):$PATH # npm >= 11, as the tests use
	build
	# the end-to-end tests wait while this runs, and this waits for them:
	# their daemons would attach beside ours
	exec 8>/run/depsentry-e2e.lock
	if ! flock -n 8; then
		note "an end-to-end run holds /run/depsentry-e2e.lock; waiting for it"
		flock 8
	fi
	# openstorm's own check of the directory (not tmpfs), before the long storms
	[[ " $STORMS " != *" open "* ]] || "$OUT/openstorm" create -n 1 -d "$ODIR" >/dev/null ||
		die "BENCH_OPEN_DIR: the open storm cannot create files in $ODIR"
	TMP=$(mktemp -d /tmp/depsentry-bench.XXXXXX)
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	echo "command: BENCH_STORMS='$STORMS' BENCH_N=$N BENCH_ROUNDS=$ROUNDS BENCH_JOBS=$JOBS BENCH_PROG=$PROG BENCH_CONN_N=$CN BENCH_CONN_ROUNDS=$CROUNDS BENCH_OPEN_N=$OPN BENCH_CREATE_N=$CRN BENCH_OPEN_ROUNDS=$OROUNDS BENCH_OPEN_DIR=$ODIR BENCH_INSTALL_ROUNDS=$INST_ROUNDS BENCH_WHEELS=$WHEELS BENCH_LATENCY_ROUNDS=$LROUNDS BENCH_DAEMON=$DAEMON bench/run.sh"
	echo "machine: $(nproc) CPUs, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "daemon:  $DAEMON ($($DAEMON version)), started afresh for every 'on' run"
	echo

	[[ " $STORMS " != *" exec "* ]] || exec_bench
	[[ " $STORMS " != *" connect "* ]] || conn_bench
	[[ " $STORMS " != *" open "* ]] || open_bench
	[[ " $STORMS " != *" install "* ]] || inst_bench
	[[ " $STORMS " != *" latency "* ]] || latency_bench
	FAILED=0
}

main "$@"
