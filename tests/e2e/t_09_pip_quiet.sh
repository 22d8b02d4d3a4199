#!/bin/bash
# A benign pip install stays quiet: a legacy setup.py that runs nothing,
# installed with pip from a local sdist, raises no alert of medium severity
# or more. pip itself starts helpers on its own (its User-Agent probes run
# `uname -rs` and `lsb_release -a` on Debian), and those are not the
# package's doing. Proved after a canary, as in t_05.
. "$(dirname "$0")/lib.sh"

sdist=$(pip_sdist quiet)
canary_prepare
ds_start

pip_install "$sdist"
require_file "$T/site/ds_e2e_pyquiet.py" "pip did not install the package"

canary
step "no medium+ alert in the pip session"
assert_none "a benign pip install was alerted" \
	--min-severity 47 "depsentry.session.pid=$PIP_PID"
assert_none "a benign pip install was alerted (by ancestry)" \
	--min-severity 47 "depsentry.ancestry.0.pid=$PIP_PID"

ds_finish
