# tests/e2e/lib.sh: the shared harness of the end-to-end scenarios.
#
# A scenario (tests/e2e/t_NN_name.sh) sources this file, starts the real
# daemon with ds_start, drives a real package manager offline on local
# packages made from tests/fixtures/, waits for alert lines with wait_alert
# (for anything else with wait_until, never a loop of its own), checks them
# with check_alert, proves quiet with canary + assert_none, and ends with
# ds_finish (the daemon is still alive, SIGTERM makes it exit 0, every
# alert line is strict JSON and valid ECS).
#
# Knobs (environment): DEPSENTRY (the binary, default build/depsentry),
# E2E_READY_TIMEOUT (30 s), E2E_ALERT_TIMEOUT (20 s), E2E_KEEP=1 keeps the
# scratch directory of a passing scenario too.

set -euo pipefail
shopt -s inherit_errexit

E2E_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SRC_ROOT=$(cd "$E2E_DIR/../.." && pwd)
FIXTURES=$SRC_ROOT/tests/fixtures
DEPSENTRY=${DEPSENTRY:-$SRC_ROOT/build/depsentry}
SCENARIO=$(basename "$0" .sh)
READY_TIMEOUT=${E2E_READY_TIMEOUT:-30}
ALERT_TIMEOUT=${E2E_ALERT_TIMEOUT:-20}
PY=/usr/bin/python3		# Debian's, with pip 23 + setuptools: not the pyenv one
# node >= 20 and npm >= 11: the machine's, or build/node's (tests/node.sh,
# installed by make deps where the machine's are older)
NODE_BIN=$("$SRC_ROOT/tests/node.sh" bindir)
NPM=$NODE_BIN/npm
NODE=$NODE_BIN/node
export PATH="$NODE_BIN:$PATH"
ALERTS_PY=$E2E_DIR/alerts.py

DS_PID=
BG_PGIDS=()			# process groups to kill at exit (npm in the background)
BG_PIDS=()			# helper processes to kill at exit
CANARY_TGZ=
CANARY_N=0

fail()
{
	echo "FAIL: $SCENARIO: $*" >&2
	exit 1
}

step()
{
	echo "-- $*"
}

# need_cmd CMD DEBIAN-PACKAGE: fail (never skip) when a tool is missing.
need_cmd()
{
	command -v "$1" >/dev/null 2>&1 ||
		fail "needs '$1': apt-get install $2 (and add it to DEBS in the Makefile)"
}

# ---------------------------------------------------------------- set-up

[ "$(id -u)" -eq 0 ] || fail "must run as root: the daemon loads BPF programs"
[ -x "$DEPSENTRY" ] || fail "no daemon at $DEPSENTRY: run make first"
[ -x "$PY" ] || fail "needs $PY: apt-get install python3"
[ -x "$NPM" ] && [ -x "$NODE" ] || fail "needs node >= 20 and npm >= 11 in $NODE_BIN: run make deps"
need_cmd sh dash
need_cmd setsid util-linux

T=$(mktemp -d "/tmp/depsentry-e2e-$SCENARIO.XXXXXX")
ALERTS=$T/alerts.json
DS_LOG=$T/daemon.log
mkdir -p "$T/pkgs"
: >"$T/npmrc"

# npm: no user config of the machine, a private cache, never the network.
export npm_config_userconfig=$T/npmrc
export npm_config_cache=$T/npm-cache
export npm_config_update_notifier=false
export npm_config_audit=false
export npm_config_fund=false
# pip: no config of the machine (find-links, index), no version check.
export PIP_CONFIG_FILE=/dev/null
export PIP_DISABLE_PIP_VERSION_CHECK=1
export PIP_NO_INPUT=1
export DS_E2E_DIR=$T

# npm >= 11.x gates dependency install scripts behind allowScripts. Make an
# install fail, rather than warn, if our allowScripts entry did not match.
NPM_STRICT=()
if [ "$("$NPM" config get strict-allow-scripts 2>/dev/null)" = false ]; then
	NPM_STRICT=(--strict-allow-scripts)
fi

dump_failure()
{
	echo "== $SCENARIO failed; scratch directory kept: $T" >&2
	echo "== daemon log ($DS_LOG)" >&2
	if [ -f "$DS_LOG" ]; then
		tail -n 60 "$DS_LOG" | cut -c1-400 >&2
	fi
	echo "== alerts ($ALERTS)" >&2
	"$PY" "$ALERTS_PY" summary "$ALERTS" >&2 || true
	if [ -f "$ALERTS" ]; then
		head -n 30 "$ALERTS" | cut -c1-1500 >&2
	fi
}

CLEANUP_DIRS=()	# rmdir'ed at exit, last first (a scenario's cgroups)

cleanup()
{
	local rc=$? pg

	trap - EXIT
	# release anything a scenario left waiting on its flag file
	if [ -n "${DS_E2E_FLAG:-}" ]; then
		touch "$DS_E2E_FLAG" 2>/dev/null || true
	fi
	for pg in "${BG_PGIDS[@]}"; do
		kill -KILL -- "-$pg" 2>/dev/null || true
	done
	for pg in "${BG_PIDS[@]}"; do
		kill -KILL "$pg" 2>/dev/null || true
	done
	# cgroups and other directories a scenario made outside $T, deepest first
	for ((pg = ${#CLEANUP_DIRS[@]} - 1; pg >= 0; pg--)); do
		rmdir "${CLEANUP_DIRS[$pg]}" 2>/dev/null || true
	done
	if [ -n "$DS_PID" ] && kill -0 "$DS_PID" 2>/dev/null; then
		kill -TERM "$DS_PID" 2>/dev/null || true
		wait_until 5 "the daemon to exit" not pid_alive "$DS_PID" || true
		kill -KILL "$DS_PID" 2>/dev/null || true
		wait "$DS_PID" 2>/dev/null || true
	fi
	if [ "$rc" -ne 0 ]; then
		dump_failure
	elif [ "${E2E_KEEP:-0}" = 1 ]; then
		echo "   scratch directory kept: $T"
	else
		rm -rf "$T"
	fi
	exit "$rc"
}
trap cleanup EXIT

# pid_alive PID: the process exists and is not a zombie.
pid_alive()
{
	local st

	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	case ${st:0:1} in
	Z | X) return 1 ;;
	esac
	return 0
}

# ---------------------------------------------------------------- waiting

# not CMD [ARG...]: succeed when CMD fails (a condition for wait_until).
not()
{
	! "$@"
}

# uptime_cs: set UPTIME_CS to the time since boot in hundredths of a second
# (/proc/uptime: a monotonic clock, read without starting a process).
uptime_cs()
{
	local up

	read -r up _ </proc/uptime
	UPTIME_CS=$((10#${up/./}))
}

# wait_until [--fail] SECONDS WHAT CMD [ARG...]: run CMD every 0.1 s until
# it succeeds (return 0) or SECONDS (a whole number) have passed on the
# monotonic clock (return 1; CMD ran last at or after the deadline). With
# --fail, a time-out fails the scenario: "timed out after SECONDSs waiting
# for WHAT". CMD runs in this shell: a small function can check several
# things, set variables, and call fail itself (a process that died first).
wait_until()
{
	# prefixed so as not to hide a caller's variable from CMD (bash
	# scopes are dynamic)
	local _wu_die=0 _wu_secs _wu_what _wu_end

	if [ "$1" = --fail ]; then
		_wu_die=1
		shift
	fi
	_wu_secs=$1 _wu_what=$2
	shift 2
	[[ $_wu_secs =~ ^[0-9]+$ ]] ||
		fail "wait_until: SECONDS is not a whole number: '$_wu_secs' ($_wu_what)"
	uptime_cs
	_wu_end=$((UPTIME_CS + 10#$_wu_secs * 100))
	until "$@"; do
		uptime_cs
		if [ "$UPTIME_CS" -ge "$_wu_end" ]; then
			[ "$_wu_die" -eq 0 ] || fail "timed out after ${_wu_secs}s waiting for $_wu_what"
			return 1
		fi
		sleep 0.1
	done
}

# ---------------------------------------------------------------- the daemon

# ds_launch OUTFILE [ARG...]: start `depsentry run -o OUTFILE ARG...` in the
# background, stderr to $DS_LOG; sets DS_PID. Does not wait.
ds_launch()
{
	local out=$1

	shift
	# emptied here, not by the child's redirection: a wait for "ready"
	# right after must not find the last daemon's
	: >"$DS_LOG"
	"$DEPSENTRY" run -o "$out" "$@" >"$T/daemon.out" 2>>"$DS_LOG" &
	DS_PID=$!
}

# ds_ready: the daemon has logged "depsentry: ready"; fail if it died first.
ds_ready()
{
	local rc=0

	grep -q '^depsentry: ready$' "$DS_LOG" 2>/dev/null && return 0
	pid_alive "$DS_PID" && return 1
	wait "$DS_PID" || rc=$?
	DS_PID=
	fail "the daemon exited with status $rc before it was ready"
}

# ds_wait_ready: poll the log for "depsentry: ready" until the deadline;
# fail if the daemon died first or never said it.
ds_wait_ready()
{
	wait_until "$READY_TIMEOUT" "'depsentry: ready'" ds_ready ||
		fail "the daemon did not print 'depsentry: ready' within ${READY_TIMEOUT}s"
}

# ds_start [ARG...]: start the daemon writing $ALERTS and wait until ready.
ds_start()
{
	step "start depsentry run -o $ALERTS $*"
	ds_launch "$ALERTS" "$@"
	ds_wait_ready
}

# ds_signal_stop SIG: send SIG, wait (10 s at most) and fail unless the
# daemon exits with status 0.
ds_signal_stop()
{
	local sig=$1 rc=0

	pid_alive "$DS_PID" || fail "the daemon is no longer running"
	kill "-$sig" "$DS_PID"
	wait_until 10 "the daemon to exit" not pid_alive "$DS_PID" ||
		fail "the daemon did not exit within 10s of SIG$sig"
	wait "$DS_PID" || rc=$?
	DS_PID=
	[ "$rc" -eq 0 ] || fail "the daemon exited with status $rc on SIG$sig (expected 0)"
}

ds_stop()
{
	step "stop the daemon (SIGTERM)"
	ds_signal_stop TERM
}

# ds_finish: the end of every scenario that ran the daemon.
ds_finish()
{
	pid_alive "$DS_PID" || fail "the daemon died during the scenario"
	ds_stop
	validate_alerts "$ALERTS"
	echo "PASS $SCENARIO"
}

# ds_config FILE PYTHON: the shipped configuration, changed by PYTHON (its
# statements, on the dict c), written to FILE for `ds_start -c FILE`.
ds_config()
{
	"$PY" - "$SRC_ROOT/config/depsentry.json" "$1" "$2" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(c, open(sys.argv[2], "w"), indent=1)
EOF
}

# ---------------------------------------------------------------- alerts

# wait_alert [--timeout S] [--after N] COND...: print the first alert line
# matching every COND (see alerts.py); fail on time-out or daemon death.
wait_alert()
{
	local line

	line=$("$PY" "$ALERTS_PY" wait "$ALERTS" --timeout "$ALERT_TIMEOUT" \
		--alive-pid "${DS_PID:-0}" "$@") || fail "expected alert did not arrive: $*"
	printf '%s\n' "$line"
}

# check_alert LINE WHAT COND...: every COND holds for the alert LINE.
check_alert()
{
	local line=$1 what=$2

	shift 2
	printf '%s' "$line" | "$PY" "$ALERTS_PY" check "$@" || fail "$what"
}

# assert_none WHAT COND...: no alert line matches every COND.
assert_none()
{
	local what=$1

	shift
	"$PY" "$ALERTS_PY" none "$ALERTS" "$@" || fail "$what"
}

alert_count()
{
	"$PY" "$ALERTS_PY" count "$ALERTS" "$@"
}

# alert_lines: the number of complete lines in the alert file now.
alert_lines()
{
	alert_count
}

validate_alerts()
{
	step "validate $1 (strict JSON, UTF-8, ECS)"
	"$PY" "$ALERTS_PY" validate "$1" || fail "invalid alert file $1"
}

# field LINE PATH: print one field of an alert (JSON for non-strings).
field()
{
	printf '%s' "$1" | "$PY" -c '
import json, sys
sys.path.insert(0, sys.argv[2])
from alerts import field, as_text, _MISSING
v = field(json.load(sys.stdin), sys.argv[1])
print("" if v is _MISSING or v is None else as_text(v))' "$2" "$E2E_DIR"
}

# ---------------------------------------------------------------- packages

# pkg_json_field DIR KEY: a top-level field of DIR/package.json.
pkg_json_field()
{
	"$PY" -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' \
		"$1/package.json" "$2"
}

# npm_pack FIXTURE: pack tests/fixtures/npm/FIXTURE into $T/pkgs and print
# the tarball's path. A directory dependency would only be symlinked and its
# scripts would run in the source tree, so scenarios always install tarballs.
npm_pack()
{
	local src=$FIXTURES/npm/$1 name

	[ -f "$src/package.json" ] || fail "no fixture $src"
	name=$(cd "$src" && "$NPM" pack --silent --pack-destination "$T/pkgs" 2>>"$T/npm-pack.log" |
		tail -n 1) || fail "npm pack $src failed (see $T/npm-pack.log)"
	[ -f "$T/pkgs/$name" ] || fail "npm pack $src made no $T/pkgs/$name"
	printf '%s\n' "$T/pkgs/$name"
}

# npm_project DIR TGZ...: a fresh project whose package.json allows the
# install scripts of exactly these tarballs (npm matches a tarball's
# resolved file: spec, not its self-declared name).
npm_project()
{
	local dir=$1

	shift
	mkdir -p "$dir"
	"$PY" - "$dir/package.json" "$@" <<'EOF'
import json, sys
allow = {"file:" + t: True for t in sys.argv[2:]}
pkg = {"name": "ds-e2e-project", "version": "1.0.0", "private": True, "allowScripts": allow}
json.dump(pkg, open(sys.argv[1], "w"), indent=2)
EOF
}

# npm_install_start DIR TGZ...: start `npm install TGZ...` offline in a new
# project DIR, in its own process group, in the background; sets NPM_PID
# (the npm process itself: the subshell execs npm, npm's env execs node).
npm_install_start()
{
	local dir=$1

	shift
	npm_project "$dir" "$@"
	(cd "$dir" && exec setsid "$NPM" install --offline --no-audit --no-fund \
		"${NPM_STRICT[@]}" "$@") >"$dir.npm.log" 2>&1 &
	NPM_PID=$!
	BG_PGIDS+=("$NPM_PID")
}

# npm_install DIR TGZ...: the same, in the foreground to completion; fails
# if npm fails. NPM_PID is the pid npm had.
npm_install()
{
	local dir=$1 rc=0

	step "npm install ${*:2} (in $dir)"
	npm_install_start "$@"
	wait "$NPM_PID" || rc=$?
	if [ "$rc" -ne 0 ]; then
		cat "$dir.npm.log" >&2
		fail "npm install in $dir exited with status $rc"
	fi
}

# installed DIR PKG FILE: the path of FILE in installed package PKG.
installed()
{
	printf '%s\n' "$1/node_modules/$2/$3"
}

# require_file PATH WHAT: fail unless PATH exists (proof a script ran).
require_file()
{
	[ -e "$1" ] || fail "$2: no $1"
}

# canary_prepare: pack the canary package (before the daemon starts).
canary_prepare()
{
	CANARY_TGZ=$(npm_pack canary)
}

# canary: install the canary package in a fresh project, whose postinstall
# runs whoami, and wait for its alert. Events are processed in order, so
# once it is in the alert file, everything done before it has been too:
# absence checks after a canary are not timing luck.
canary()
{
	local before dir line

	[ -n "$CANARY_TGZ" ] || fail "canary_prepare was not called"
	CANARY_N=$((CANARY_N + 1))
	dir=$T/canary-$CANARY_N
	before=$(alert_lines)
	npm_install "$dir" "$CANARY_TGZ"
	require_file "$(installed "$dir" ds-e2e-canary postinstall.ran)" "canary postinstall did not run"
	step "wait for canary alert #$CANARY_N (the daemon has caught up)"
	line=$(wait_alert --after "$before" package.name=ds-e2e-canary process.name=whoami)
	CANARY_PID=$NPM_PID
	: "$line"
}

# pip_sdist FIXTURE: build tests/fixtures/pip/FIXTURE into an sdist in
# $T/pkgs (before the daemon starts) and print its path.
pip_sdist()
{
	step "build the $1 sdist" >&2
	cp -r "$FIXTURES/pip/$1" "$T/pysrc-$1"
	(cd "$T/pysrc-$1" && env -u DS_E2E_DIR "$PY" setup.py -q sdist -d "$T/pkgs") \
		>"$T/sdist.log" 2>&1 || fail "setup.py sdist failed: $(cat "$T/sdist.log")"
	ls -t "$T"/pkgs/*.tar.gz | head -n 1
}

# pip_install SDIST: Debian's pip, offline, into $T/site; sets PIP_PID.
pip_install()
{
	local rc=0

	step "pip install --no-index --no-build-isolation $1"
	"$PY" -m pip install --no-index --no-build-isolation --no-cache-dir \
		--target "$T/site" "$1" >"$T/pip.log" 2>&1 &
	PIP_PID=$!
	wait "$PIP_PID" || rc=$?
	[ "$rc" -eq 0 ] || fail "pip install exited with status $rc: $(tail -n 20 "$T/pip.log")"
}

# closed_port: a loopback TCP port that refuses connections right now.
closed_port()
{
	"$PY" - <<'EOF'
import socket
for _ in range(50):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    c = socket.socket()
    c.settimeout(2)
    try:
        c.connect(("127.0.0.1", port))
    except ConnectionRefusedError:
        print(port)
        break
    finally:
        c.close()
else:
    raise SystemExit("no closed loopback port found")
EOF
}
