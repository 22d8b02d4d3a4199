#!/bin/bash
# `python3 -m build` (PEP 517's front-end) builds a wheel of a source tree
# whose setup.py runs `id` and `uname -a`: the backend runs in the hook
# runner (_in_process.py) below build, and the commands are alerted in a
# session of `build`, with the package named from the source tree's
# directory being no node_modules or pip build directory: no package name,
# but the session and the hook chain. Measured before: nothing at all.
. "$(dirname "$0")/lib.sh"

"$PY" -m build --version >/dev/null 2>&1 || fail "needs python3 -m build: apt-get install python3-build"
cp -r "$FIXTURES/pip/setup-exec" "$T/src"
ds_start

step "python3 -m build --no-isolation --wheel (in $T/src)"
(cd "$T/src" && exec "$PY" -m build --no-isolation --wheel --outdir "$T/dist") \
	>"$T/build.log" 2>&1 &
BUILD_PID=$!
BG_PIDS+=("$BUILD_PID")
wait "$BUILD_PID" || fail "python3 -m build failed: $(tail -n 20 "$T/build.log")"
ls "$T"/dist/*.whl >/dev/null 2>&1 || fail "no wheel built"
require_file "$T/setup-py.ran" "setup.py did not run"

step "the setup.py's commands, in a session of build"
a=$(wait_alert process.name=id depsentry.session.package_manager=build)
check_alert "$a" "the build session is not build's" "depsentry.session.pid=$BUILD_PID" \
	'depsentry.ancestry.1.command_line*=_in_process.py' \
	'depsentry.session.command_line*=-m build'
wait_alert process.name=uname depsentry.session.package_manager=build >/dev/null
ds_finish
