#!/bin/bash
# pnpm's own executable (a native binary, not node) installing a package
# whose postinstall does reconnaissance: an install session of pnpm, the
# package named. Then the same install with pnpm left out of the
# configuration, as any package manager depsentry does not know would be:
# the hook's own environment (npm_lifecycle_event, read by the kernel for
# execs outside any session) roots a session at the hook, named after the
# user agent pnpm gives its scripts, and the same alert comes. A process
# that only carries a lifecycle event that is no install hook (npm test)
# roots nothing.
. "$(dirname "$0")/lib.sh"

PNPM=$("$SRC_ROOT/tests/node.sh" pnpm)
[ -x "$PNPM" ] || fail "no pnpm executable at $PNPM: run make deps"
tgz=$(npm_pack recon)
canary_prepare

# pnpm's store, cache and state in the scenario's own home
export HOME=$T/home XDG_DATA_HOME=$T/home/.local/share XDG_CACHE_HOME=$T/home/.cache \
	XDG_STATE_HOME=$T/home/.local/state XDG_CONFIG_HOME=$T/home/.config
mkdir -p "$HOME"

# DIR: pnpm add the recon tarball, offline, its build allowed; a store of
# its own, or pnpm would restore the first build's side effects from it
# instead of running the postinstall again
pnpm_add()
{
	local dir=$1

	step "pnpm add $tgz (native pnpm $("$PNPM" --version), in $dir)"
	mkdir -p "$dir"
	echo '{"name": "ds-e2e-pnpm-project", "version": "1.0.0", "private": true}' \
		>"$dir/package.json"
	printf 'dangerouslyAllowAllBuilds: true\n' >"$dir/pnpm-workspace.yaml"
	(cd "$dir" && exec setsid "$PNPM" add --offline --store-dir "$dir.store" "$tgz") >"$dir.pnpm.log" 2>&1 &
	PNPM_PID=$!
	BG_PGIDS+=("$PNPM_PID")
	wait "$PNPM_PID" || { cat "$dir.pnpm.log" >&2; fail "pnpm add failed"; }
	require_file "$dir/node_modules/ds-e2e-recon/postinstall.ran" "the postinstall did not run"
}

ds_start
pnpm_add "$T/proj1"
step "a session of pnpm's executable, the package named"
a=$(wait_alert process.name=whoami package.name=ds-e2e-recon \
	depsentry.session.package_manager=pnpm)
check_alert "$a" "the pnpm session is not pnpm's" "depsentry.session.pid=$PNPM_PID" \
	depsentry.session.started_by=package_manager depsentry.lifecycle_event=postinstall \
	package.version=1.2.3 package.type=npm
ds_stop

cfg=$T/no-native-pnpm.json
"$PY" - "$SRC_ROOT/config/depsentry.json" "$cfg" <<'PYEOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["package_managers"] = [p for p in c["package_managers"] if "pnpm" not in p["executables"]]
json.dump(c, open(sys.argv[2], "w"), indent=1)
PYEOF
ds_start -c "$cfg"
pnpm_add "$T/proj2"
step "pnpm unknown: the hook's environment roots the session"
a=$(wait_alert process.name=whoami package.name=ds-e2e-recon \
	depsentry.session.started_by=lifecycle_environment)
check_alert "$a" "the lifecycle session is incomplete" \
	depsentry.session.package_manager=pnpm depsentry.lifecycle_event=postinstall \
	depsentry.package.name_source=environment 'depsentry.session.command_line~^sh -c ' \
	"depsentry.session.pid!=$PNPM_PID"

step "a lifecycle event that is no install hook, outside any install"
npm_lifecycle_event=test npm_package_name=ds-e2e-not-a-hook sh -c 'whoami >/dev/null'
canary
assert_none "a non-install lifecycle event rooted a session" package.name=ds-e2e-not-a-hook
ds_finish
