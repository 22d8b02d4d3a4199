#!/bin/bash
# Benign install scripts stay quiet: a postinstall running `node -e` that
# writes a file, and a native-build-like postinstall `sh -c 'make'` whose
# Makefile compiles a C file with cc. No alert of medium severity or more is
# attributed to them. A canary install that does alert follows them, so the
# absence is checked only once the daemon has provably processed their events.
. "$(dirname "$0")/lib.sh"

need_cmd make make
need_cmd cc gcc
node_tgz=$(npm_pack quiet-node)
native_tgz=$(npm_pack quiet-native)
canary_prepare
ds_start

npm_install "$T/proj" "$node_tgz" "$native_tgz"
QUIET_PID=$NPM_PID
step "the scripts really ran"
[ "$(cat "$(installed "$T/proj" ds-e2e-quiet-node marker)" 2>/dev/null)" = x ] ||
	fail "the node postinstall did not write its marker"
hello=$(installed "$T/proj" ds-e2e-quiet-native hello)
require_file "$hello" "make/cc did not build the native binary"
[ "$("$hello")" = "hello from a native addon build" ] || fail "the built binary does not run"

canary
step "no medium+ alert for the quiet packages or their session"
assert_none "a benign postinstall (node -e) was alerted" \
	--min-severity 47 package.name=ds-e2e-quiet-node
assert_none "a benign native build (make, cc) was alerted" \
	--min-severity 47 package.name=ds-e2e-quiet-native
assert_none "the quiet npm session was alerted" \
	--min-severity 47 "depsentry.session.pid=$QUIET_PID"
assert_none "the quiet npm session was alerted (by ancestry)" \
	--min-severity 47 "depsentry.ancestry.0.pid=$QUIET_PID"
assert_none "a medium+ alert names a package other than the canary" \
	--min-severity 47 package.name? package.name!=ds-e2e-canary

ds_finish
