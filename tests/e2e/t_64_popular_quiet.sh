#!/bin/bash
# The false-positive control of the real-world rules: `npm ci` of about 450
# packages whose own install scripts run (esbuild's postinstall runs its
# native binary, sharp's install checks its prebuilt libvips, core-js's
# postinstall prints its banner, the project's prepare runs husky), then a
# pip install of a package with a C extension built by gcc under pip.
# Nothing of medium severity or more is raised for either session, and no
# install-dropped-exec or install-payload-tool at all. The npm tree is
# fetched once from registry.npmjs.org into build/e2e-tools/popular before
# the daemon starts, as verdaccio is; the scenario installs it offline.
. "$(dirname "$0")/lib.sh"

need_cmd cc gcc
need_cmd git git
POP=$SRC_ROOT/build/e2e-tools/popular

# the tree and its lockfile, once per fixture version
popular_fetch()
{
	step "fetch the popular tree into $POP (once)"
	PATH=$NODE_BIN:$PATH "$SRC_ROOT/tests/popular-fetch.sh" "$POP" >"$T/popular-fetch.log" 2>&1 ||
		fail "fetching the popular tree failed: $(tail -n 20 "$T/popular-fetch.log")"
}

popular_fetch
sdist=$(pip_sdist cext)
canary_prepare
ds_start

step "npm ci of the popular tree, offline, its install scripts run"
mkdir -p "$T/popular"
cp "$POP/package.json" "$POP/package-lock.json" "$T/popular/"
git -C "$T/popular" init -q
(cd "$T/popular" && exec setsid "$NPM" ci --offline --cache "$POP/cache" --foreground-scripts \
	"${NPM_STRICT[@]}") >"$T/popular.log" 2>&1 &
NPM_PID=$!
BG_PGIDS+=("$NPM_PID")
wait "$NPM_PID" || fail "npm ci failed: $(tail -n 30 "$T/popular.log")"
POP_PID=$NPM_PID
for hook in '> esbuild@[0-9.]* postinstall' '> core-js@[0-9.]* postinstall' \
	'> ds-e2e-popular@1.0.0 prepare'; do
	grep -q "$hook" "$T/popular.log" || fail "no '$hook' in npm's output: the scripts did not run"
done
[ -d "$T/popular/.husky/_" ] || fail "husky's prepare did not install its hooks"
n=$(find "$T/popular/node_modules" -name package.json -path '*/node_modules/*/package.json' \
	-not -path '*/node_modules/*/node_modules/*/node_modules/*' | wc -l)
[ "$n" -ge 400 ] || fail "only $n packages installed"

pip_install "$sdist"
ls "$T/site"/ds_e2e_cext*.so >/dev/null 2>&1 || fail "pip did not build the C extension"

canary
step "no medium+ alert for either session, no real-world rule at all"
assert_none "the popular npm tree was alerted" --min-severity 47 "depsentry.session.pid=$POP_PID"
assert_none "the C extension's pip install was alerted" --min-severity 47 \
	"depsentry.session.pid=$PIP_PID"
for rule in install-dropped-exec install-payload-tool; do
	assert_none "$rule fired on a benign install" "rule.id=$rule"
done
ds_finish
