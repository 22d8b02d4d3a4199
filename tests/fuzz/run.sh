#!/bin/sh
# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# Run libFuzzer harnesses one after the other, each for SECONDS:
#   tests/fuzz/run.sh SECONDS NAME...
# Each starts from its committed seeds (tests/fuzz/corpus/NAME, read only:
# every seed is replayed first) and what earlier runs found
# (build/fuzz/corpus/NAME, where new inputs go). A crash, a sanitizer
# report, a leak, a timeout or an out-of-memory fails the run, naming the
# harness and its reproducer (build/fuzz/crashes/NAME-*). With
# FUZZ_FRESH=1 (make fuzz-smoke) the run starts from the seeds alone, in a
# working corpus of its own emptied first, so its length and what it
# replays do not grow from run to run. A harness's
# own libFuzzer options are in tests/fuzz/NAME.options, its dictionary in
# tests/fuzz/NAME.dict. FUZZ_OUT names another build directory; FUZZ_ARGS
# adds libFuzzer options.
set -u

secs=${1:?usage: run.sh SECONDS NAME...}
shift
out=${FUZZ_OUT:-build/fuzz}
here=$(dirname "$0")
failed=""

mkdir -p "$out/crashes" "$out/logs"
for name in "$@"; do
	bin="$out/fuzz_$name"
	seeds="$here/corpus/$name"
	work="$out/corpus/$name"
	if [ "${FUZZ_FRESH:-0}" = 1 ]; then
		work="$out/fresh-corpus/$name"
		rm -rf "$work"
	fi
	log="$out/logs/$name.log"
	dict=""
	[ -f "$here/$name.dict" ] && dict="-dict=$here/$name.dict"
	opts=""
	[ -f "$here/$name.options" ] && opts=$(grep -v '^#' "$here/$name.options")
	if [ ! -x "$bin" ]; then
		echo "fuzz: $bin is not built (make fuzz-build)" >&2
		exit 1
	fi
	if [ ! -d "$seeds" ] || [ -z "$(ls -A "$seeds")" ]; then
		echo "fuzz: $name has no seeds in $seeds" >&2
		exit 1
	fi
	mkdir -p "$work"
	printf '  %-8s %s (%ss)\n' FUZZ "$name" "$secs"
	start=$(date +%s)
	# A smaller quarantine than ASan's 256 MiB: a use after free is still
	# caught within an input, and a short run is not spent faulting in
	# fresh pages for every allocation.
	# shellcheck disable=SC2086 # dict, opts and FUZZ_ARGS are word lists
	ASAN_OPTIONS=abort_on_error=0:detect_leaks=1:allocator_may_return_null=1:quarantine_size_mb=16 \
	UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	"$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-malloc_limit_mb=1024 -print_final_stats=1 $dict $opts \
		-artifact_prefix="$out/crashes/$name-" ${FUZZ_ARGS:-} \
		"$work" "$seeds" >"$log" 2>&1
	rc=$?
	end=$(date +%s)
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ "$rc" -ne 0 ]; then
		repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -n 1)
		echo "fuzz: $name FAILED after $((end - start))s (exit $rc)" >&2
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -n 5 >&2
		echo "fuzz: $name: reproducer ${repro:-none written}; log $log" >&2
		[ -n "$repro" ] && echo "fuzz: reproduce with: $bin $repro" >&2
		failed="$failed $name"
		continue
	fi
	printf '  %-8s %s: %s inputs in %ss, corpus %s\n' OK "$name" "${runs:-?}" \
		"$((end - start))" "$(ls "$work" | wc -l) new + $(ls "$seeds" | wc -l) seeds"
done
if [ -n "$failed" ]; then
	echo "fuzz: failed:$failed" >&2
	exit 1
fi
