#!/bin/bash
# A postinstall that hides (env -i, setsid, a double fork) and runs what it
# dropped (a copy of true in /tmp, a #! script in /tmp, a runtime put under
# the home directory during the install, a script given to node): the
# recon below the detached shell keeps its package, named from its
# ancestry; each dropped file run is an install-dropped-exec alert, high,
# saying how it was run, where it lies and, when a command line named it
# first, which process wrote it (cp here; chmod is not a writer). The same files run by the test
# itself, outside any install, raise nothing; so does the canary, whose
# install runs only what npm and the package brought.
. "$(dirname "$0")/lib.sh"

tgz=$(npm_pack dropped)
DS_E2E_HOME=$T/home
export DS_E2E_HOME
mkdir -p "$T/home"
canary_prepare
ds_start

step "the same kind of files run by the test itself, outside any install"
cp /bin/true "/tmp/ds-e2e-outside.$$"
"/tmp/ds-e2e-outside.$$"
rm -f "/tmp/ds-e2e-outside.$$"

npm_install "$T/proj" "$tgz"

dropped_alert()	# WHAT COND...: the alert, checked
{
	local what=$1 a

	shift
	a=$(wait_alert rule.id=install-dropped-exec package.name=ds-e2e-dropped "$@")
	check_alert "$a" "the $what alert is incomplete" \
		event.severity=73 package.version=1.2.0 depsentry.session.package_manager=npm \
		"depsentry.session.pid=$NPM_PID" depsentry.lifecycle_event=postinstall \
		'event.category.0=process' rule.ruleset=T1195.001 \
		depsentry.package.name_source=environment
	echo "$a"
}

step "env -i, setsid and a double fork: the package named from the ancestry"
a=$(wait_alert process.name=whoami package.name=ds-e2e-dropped)
check_alert "$a" "the detached recon lost its package" \
	depsentry.package.name_source=ancestor depsentry.package.name_from.pid? \
	depsentry.lifecycle_event=postinstall "depsentry.session.pid=$NPM_PID"

step "a copy of true dropped in /tmp and run"
dropped_alert "/tmp binary" 'file.path~^/tmp/ds-e2e-dropped\.[0-9]+$' \
	depsentry.dropped.how=executable depsentry.dropped.world_writable_directory=true \
	'event.reason=ran a file from a world-writable directory' file.mode=0755 file.ctime? \
	depsentry.dropped.writer.name=cp 'depsentry.dropped.writer.command_line~^cp /bin/true /tmp/' \
	>/dev/null
step "a #! script dropped in /tmp, run and removed before the daemon looked"
dropped_alert "/tmp script" 'file.path~^/tmp/ds-e2e-dropped\.[0-9]+\.sh$' \
	depsentry.dropped.how=script depsentry.dropped.world_writable_directory=true \
	'!depsentry.dropped.writer.pid?' >/dev/null
step "a runtime written under the home directory during the install, then run"
dropped_alert "home runtime" "file.path=$T/home/.ds-runtime/bin/runtime" \
	depsentry.dropped.how=executable depsentry.dropped.world_writable_directory=false \
	'event.reason=ran a file written during the install session' file.ctime? \
	depsentry.dropped.writer.name=cp >/dev/null
step "a script written for node and given to it"
dropped_alert "node script" "file.path=$T/home/.ds-runtime/stage2.js" \
	'depsentry.dropped.how=interpreter script' process.name=node >/dev/null

canary
assert_none "a file run outside any install was alerted" \
	rule.id=install-dropped-exec package.name!=ds-e2e-dropped
ds_finish
