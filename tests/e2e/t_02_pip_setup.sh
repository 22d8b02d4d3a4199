#!/bin/bash
# pip install of a local sdist with a legacy setup.py (no pyproject.toml)
# that runs `id` and `sh -c 'uname -a'`: the id alert names the pip session;
# pip's own `python -c "exec(compile(...setup.py...))"` shim is not alerted.
. "$(dirname "$0")/lib.sh"

sdist=$(pip_sdist setup-exec)
ver=0.4.2
canary_prepare

ds_start

pip_install "$sdist"
require_file "$T/setup-py.ran" "setup.py did not run"
require_file "$T/site/ds_e2e_pysetup-$ver.dist-info" "pip did not install the package"

step "wait for the id alert"
a=$(wait_alert process.name=id depsentry.session.package_manager=pip)
check_alert "$a" "the id alert is incomplete" \
	rule.id~'^(pm-suspicious-child|lifecycle-hook-suspicious-child)$' \
	depsentry.session.package_manager=pip \
	"depsentry.session.pid=$PIP_PID" \
	depsentry.session.command_line~'\bpip\b.*\binstall\b' \
	process.executable=/usr/bin/id \
	process.parent.name~'^python' \
	'depsentry.depth>=1' \
	"depsentry.ancestry.0.pid=$PIP_PID"

step "the uname alert (through sh -c) names the pip session too"
a=$(wait_alert process.name=uname process.args.1=-a)
check_alert "$a" "the uname -a alert is incomplete" \
	depsentry.session.package_manager=pip "depsentry.session.pid=$PIP_PID" \
	process.parent.name~'^(sh|dash)$'

step "no alert for pip's setup.py shim (python -c exec(compile(...)))"
canary
assert_none "pip's own setup.py shim was alerted" \
	process.name~'^python' 'process.command_line*=exec(compile('
assert_none "pip's own setup.py shim was alerted (by args)" \
	--expr 'any("exec(compile(" in x for x in (f("process.args") or []))'

ds_finish
