# tests/e2e/tamper.sh: helpers of the scenarios about the sensor's own
# integrity (rules sensor-signal and sensor-interrupted). Sourced after
# lib.sh.
#
# The daemon runs with a configuration of its own whose status file and
# state file are in the scratch directory, so that what these scenarios do
# to it is judged from their own files only; it writes its pid to $PIDFILE,
# where the tamper fixture's postinstall looks for it. The pinned map is
# the machine's (/sys/fs/bpf/depsentry/tamper): the nonce in the state file
# says whose records it holds.

PIDFILE=$T/depsentry.pid
STATE=$T/lib/state
STATUS=$T/run/status
TCFG=$T/tamper.json
TAMPER_TGZ=
TAMPER_VER=

"$PY" - "$SRC_ROOT/config/depsentry.json" "$TCFG" "$STATUS" "$STATE" <<'PYEOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["status_file"] = sys.argv[3]
c["state_file"] = sys.argv[4]
json.dump(c, open(sys.argv[2], "w"), indent="\t")
PYEOF
mkdir -p "$T/lib" "$T/run"

# tamper_prepare: pack the tamper fixture (before the daemon starts).
tamper_prepare()
{
	TAMPER_TGZ=$(npm_pack tamper)
	TAMPER_VER=$(pkg_json_field "$FIXTURES/npm/tamper" version)
}

# tamper_start: the daemon with that configuration and pid file; ready.
tamper_start()
{
	ds_start -c "$TCFG" -p "$PIDFILE"
}

# tamper_install DIR SIG...: npm install of the tamper fixture, whose
# postinstall sends the daemon these signals (kill -SIG), in order.
tamper_install()
{
	local dir=$1

	shift
	export DS_E2E_SIGNALS="$*"
	npm_install "$dir" "$TAMPER_TGZ"
	unset DS_E2E_SIGNALS
	require_file "$(installed "$dir" ds-e2e-tamper postinstall.ran)" "the postinstall did not run"
}

# ds_gone WHAT: the daemon was ended by someone else: wait (10 s) for it to
# be gone and reap it; DS_RC is its wait status.
ds_gone()
{
	wait_until 10 "the daemon to exit" not pid_alive "$DS_PID" ||
		fail "$1: the daemon still runs"
	DS_RC=0
	wait "$DS_PID" || DS_RC=$?
	DS_PID=
}

# state_says KEY: the value of KEY in the state file.
state_says()
{
	sed -n "s/^$1=//p" "$STATE"
}
