#!/bin/bash
# A benign pip install stays quiet: a legacy setup.py that runs nothing,
# installed with pip from a local sdist, raises no alert of medium severity
# or more. pip itself starts helpers on its own (its User-Agent probes run
# `uname -rs` and `lsb_release -a` on Debian), and those are not the
# package's doing. Proved after a canary, as in t_05.
. "$(dirname "$0")/lib.sh"

step "build the sdist (before the daemon starts)"
cp -r "$FIXTURES/pip/quiet" "$T/pysrc"
(cd "$T/pysrc" && "$PY" setup.py -q sdist -d "$T/pkgs") >"$T/sdist.log" 2>&1 ||
	fail "setup.py sdist failed: $(cat "$T/sdist.log")"
sdist=$(ls "$T"/pkgs/ds-e2e-pyquiet-*.tar.gz)
canary_prepare
ds_start

step "pip install --no-index --no-build-isolation $sdist"
"$PY" -m pip install --no-index --no-build-isolation --no-cache-dir \
	--target "$T/site" "$sdist" >"$T/pip.log" 2>&1 &
PIP_PID=$!
rc=0
wait "$PIP_PID" || rc=$?
[ "$rc" -eq 0 ] || fail "pip install exited with status $rc: $(tail -n 20 "$T/pip.log")"
require_file "$T/site/ds_e2e_pyquiet.py" "pip did not install the package"

canary
step "no medium+ alert in the pip session"
assert_none "a benign pip install was alerted" \
	--min-severity 47 "depsentry.session.pid=$PIP_PID"
assert_none "a benign pip install was alerted (by ancestry)" \
	--min-severity 47 "depsentry.ancestry.0.pid=$PIP_PID"

ds_finish
