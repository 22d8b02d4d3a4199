#!/bin/bash
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
#
# bench/run.sh: what depsentry costs a machine that does nothing but exec.
# build/bench/execstorm runs N fork+exec of a trivial program with P workers,
# alternately with no sensor attached ("off") and under a freshly started
# daemon ("on"), after one warm-up pair. Each round reports the wall-time
# ratio on/off, the exec rates, the CPU time of the storm and of the daemon
# (a second ratio, less sensitive than wall time to a busy neighbour), the
# daemon's peak RSS, and the kernel's ring-buffer drop counters, which must
# stay at zero. A last run with kernel.bpf_stats_enabled=1 (not timed against
# "off": the statistics cost a little themselves) gives each BPF program's
# own cost per event.
#
# Knobs, from the environment: BENCH_N (execs per run, 20000), BENCH_ROUNDS
# (off/on pairs, 5), BENCH_JOBS (workers, nproc), BENCH_PROG (what is exec'd,
# build/bench/nop), BENCH_TARGET (ratio to meet, 1.03), BENCH_DAEMON (the
# binary under test, build/depsentry: to compare two builds). Prints a Markdown
# table on stdout and writes nowhere else. Exits non-zero when the daemon
# dies, drops an event, or the run is interrupted.
set -euo pipefail
cd "$(dirname "$0")/.."

OUT=build/bench
DAEMON=${BENCH_DAEMON:-build/depsentry}
N=${BENCH_N:-20000}
ROUNDS=${BENCH_ROUNDS:-5}
JOBS=${BENCH_JOBS:-$(nproc)}
PROG=${BENCH_PROG:-$OUT/nop}
TARGET=${BENCH_TARGET:-1.03}
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
	if [ bench/execstorm.c -nt "$OUT/execstorm" ]; then
		echo "  CC       $OUT/execstorm" >&2
		cc -O2 -Wall -Wextra -Werror -std=gnu11 -o "$OUT/execstorm" bench/execstorm.c
	fi
	if [ bench/nop.c -nt "$OUT/nop" ]; then
		echo "  CC       $OUT/nop (static)" >&2
		cc -O2 -static -o "$OUT/nop" bench/nop.c
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
	"$DAEMON" run -o "$TMP/alerts.json" 2>"$TMP/daemon.log" &
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

# SIGTERM, wait, and check what it says at exit; sets EXECS and DROPS.
daemon_stop()
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
	DROPS=$(echo "$line" | tr ' ' '\n' | awk -F= '/_dropped=/ { n += $2 } END { print n + 0 }')
	if [ "$DROPS" != 0 ]; then
		note "the kernel dropped events: $line"
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

# No sensor attached, before or after; SPOILT=1 when someone else's was.
run_off()
{
	wait_detached
	storm
	OFF_WALL=$WALL
	OFF_RATE=$RATE
	OFF_CPU=$SCPU
	[ "$(attached)" = 0 ] || SPOILT=1
}

# Our daemon alone; SPOILT=1 when someone else's sensor showed up. The CPU
# time is the daemon's during the storm, not its start-up.
run_on()
{
	local cpu0 cpu1

	daemon_start
	[ "$(attached)" = 1 ] || SPOILT=1
	cpu0=$(daemon_cpu)
	storm
	daemon_alive || daemon_died
	[ "$(attached)" = 1 ] || SPOILT=1
	cpu1=$(daemon_cpu)
	HWM=$(daemon_hwm)
	daemon_stop
	ON_WALL=$WALL
	ON_RATE=$RATE
	ON_CPU=$SCPU
	CPU=$(awk -v a="$cpu0" -v b="$cpu1" 'BEGIN { printf "%.2f", b - a }')
}

# One off/on pair, "off" first on odd rounds and "on" first on even ones so
# that a slow drift of the machine does not favour either side.
round()
{
	local name=$1 order=$2 try

	for try in $(seq $TRIES); do
		SPOILT=0
		if [ "$order" = off-on ]; then
			run_off
			run_on
		else
			run_on
			run_off
		fi
		[ "$SPOILT" = 1 ] || return 0
		note "round $name: another depsentry attached during the run; repeating it (depsentry processes now: $(pgrep -d, -x depsentry || echo none))"
	done
	die "round $name: could not get a run without another depsentry attached"
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

# "name run_time_ns run_cnt" for each of our programs.
bpf_stats()
{
	bpftool prog show | awk '/name handle_/ {
		for (i = 1; i <= NF; i++) {
			if ($i == "name") name = $(i + 1)
			if ($i == "run_time_ns") ns = $(i + 1)
			if ($i == "run_cnt") cnt = $(i + 1)
		}
		print name, ns + 0, cnt + 0
	}' | sort
}

profile()
{
	STATS_SAVED=$(sysctl -n kernel.bpf_stats_enabled)
	wait_detached
	daemon_start
	[ "$(attached)" = 1 ] || die "another depsentry attached during the BPF profile"
	sysctl -q -w kernel.bpf_stats_enabled=1
	bpf_stats >"$TMP/stats0"
	storm
	bpf_stats >"$TMP/stats1"
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

# ---- main --------------------------------------------------------------------

main()
{
	local r order ratios=() cratios=() offr=() onr=()

	[ "$(id -u)" = 0 ] || die "loading BPF programs needs root: sudo make bench"
	command -v bpftool >/dev/null || die "bpftool is missing: make deps"
	build
	TMP=$(mktemp -d /tmp/depsentry-bench.XXXXXX)
	trap cleanup EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM

	echo "command: BENCH_N=$N BENCH_ROUNDS=$ROUNDS BENCH_JOBS=$JOBS BENCH_PROG=$PROG BENCH_DAEMON=$DAEMON bench/run.sh"
	echo "machine: $(nproc) CPUs, $(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), kernel $(uname -r), load $(cut -d' ' -f1-3 /proc/loadavg)"
	echo "daemon:  $DAEMON ($($DAEMON version)), started afresh for every 'on' run"
	echo

	note "warm-up"
	round warm-up off-on
	{
		echo "| round | order | off s | on s | wall on/off | off execs/s | on execs/s | storm CPU off s | storm CPU on s | daemon CPU s | daemon µs/exec | CPU on/off | peak RSS MiB | other execs | drops |"
		echo "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
		row "warm-up (not counted)" off-on
	} >"$TMP/table"
	for r in $(seq "$ROUNDS"); do
		order=off-on
		[ $((r % 2)) = 1 ] || order=on-off
		note "round $r of $ROUNDS ($order)"
		round "$r" "$order"
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
	FAILED=0
}

main "$@"
