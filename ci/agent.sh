#!/bin/bash
# ci/agent.sh: depsentry as the agent of one CI job. The GitHub Action
# (action.yml, ci/github/) and the GitLab CI template (ci/gitlab/) are thin
# adapters around these subcommands, which hold the logic they share:
#
#   install     install depsentry: a .deb with apt-get, a binary already on
#               the runner, or `make install` from the source tree
#   start       start `depsentry run` in the background for the rest of the
#               job; return once it says `depsentry: ready`
#   stop        SIGTERM: the daemon drains what the kernel sent and exits, so
#               every alert about what the job ran is in the log. Fails if
#               the daemon was gone before (died or killed: the rest of the
#               job was not watched) or its log was replaced
#   report FMT  the report of this job's alerts (text, markdown or json)
#   verdict     "ALERTS AT_OR_ABOVE FAIL_ON": this job's alerts, in all and
#               at or above the threshold
#   check       stop, print the text report, exit 3 when an alert is at or
#               above the threshold (the last command of a GitLab job)
#   started     exit 0 when start succeeded in this job's state directory
#   is-stopped  exit 0 when stop (or check) has run
#   log-path    print the alert log's path
#   log         print the alert log (it is root's)
#   clean       remove the state directory, once the daemon has stopped
#
# Settings (environment):
#   DEPSENTRY_STATE         this job's directory for the agent (required)
#   DEPSENTRY_PACKAGE       install: a depsentry .deb to install
#   DEPSENTRY_BINARY        install: a depsentry already installed (no install)
#   DEPSENTRY_SRC           install: the source tree (default: this script's ..)
#   DEPSENTRY_BUILD_DEPS    install: true (default) runs `make deps-build` first
#   DEPSENTRY_PREFIX, DEPSENTRY_DESTDIR   install: make install's PREFIX, DESTDIR
#   DEPSENTRY_ALERTS        start: the alert log (default $DEPSENTRY_STATE/alerts.json)
#   DEPSENTRY_CONFIG        start: a configuration file (default: the installed one)
#   DEPSENTRY_FAIL_ON       start: none, low, medium, high (default), critical
#   DEPSENTRY_READY_TIMEOUT start: seconds to wait for `depsentry: ready` (60)
#   DEPSENTRY_STOP_TIMEOUT  stop: seconds to wait for the daemon to exit (30)
#
# The daemon needs root, and its log is root's (0640): the agent runs both
# through `sudo -n` unless it is root already. With GITHUB_ACTIONS=true,
# errors are `::error::` workflow commands and logs are printed with
# workflow commands stopped.
set -euo pipefail

AGENT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
SEVERITIES="none low medium high critical"

if [ "$(id -u)" -eq 0 ]; then
	SUDO=()
else
	SUDO=(sudo -n)
fi

say()
{
	printf 'depsentry agent: %s\n' "$*"
}

# shellcheck source=ci/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# error MESSAGE: on stderr; on GitHub, an error annotation of the job.
error()
{
	if [ "${GITHUB_ACTIONS:-}" = true ]; then
		printf '::error title=depsentry::%s\n' "$(gh_escape "$*")" >&2
	else
		printf 'depsentry agent: %s\n' "$*" >&2
	fi
}

die()
{
	error "$@"
	exit 1
}

# show FILE: print FILE indented; on GitHub, with workflow commands stopped
# (the daemon's log and the reports name what the job's processes did).
show()
{
	local token=

	if [ "${GITHUB_ACTIONS:-}" = true ]; then
		token=$(od -An -N16 -tx1 /dev/urandom | tr -d ' \n')
		printf '::stop-commands::%s\n' "$token"
	fi
	sed 's/^/    | /' "$1" || true
	if [ -n "$token" ]; then
		printf '::%s::\n' "$token"
	fi
}

abspath()
{
	case $1 in
	/*) printf '%s\n' "$1" ;;
	*) printf '%s\n' "$PWD/$1" ;;
	esac
}

# ---------------------------------------------------------------- state

# state: DEPSENTRY_STATE, created 0700 and ours, with what earlier
# subcommands recorded in agent.env loaded.
state()
{
	STATE=${DEPSENTRY_STATE:-}
	[ -n "$STATE" ] || die "DEPSENTRY_STATE is not set: the agent needs a directory for this job"
	STATE=$(abspath "$STATE")
	if [ ! -d "$STATE" ]; then
		mkdir -p "$(dirname "$STATE")" || die "cannot create $(dirname "$STATE")"
		mkdir -m 0700 "$STATE" || die "cannot create $STATE"
	fi
	[ -O "$STATE" ] || die "$STATE is not $(id -un)'s"
	unset DS_BIN DS_ALERTS DS_SINCE DS_FAIL_ON DS_INODE DS_PID
	if [ -f "$STATE/agent.env" ]; then
		# shellcheck source=/dev/null
		. "$STATE/agent.env"
	fi
}

# record NAME VALUE: keep NAME for the later subcommands of this job.
record()
{
	local env=$STATE/agent.env

	touch "$env"
	grep -v "^$1=" "$env" >"$env.new" || true
	printf '%s=%q\n' "$1" "$2" >>"$env.new"
	mv "$env.new" "$env"
	printf -v "$1" '%s' "$2"
}

started()
{
	[ -n "${DS_PID:-}" ]
}

# is_daemon PID: PID runs (not a zombie) and is depsentry.
is_daemon()
{
	local st comm

	st=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	st=${st##*) }
	case ${st:0:1} in
	Z | X) return 1 ;;
	esac
	comm=$(cat "/proc/$1/comm" 2>/dev/null) || return 1
	[ "$comm" = depsentry ]
}

# settings: fail early, before a long install, on what start would refuse.
settings()
{
	local config

	case " $SEVERITIES " in
	*" ${DEPSENTRY_FAIL_ON:-high} "*) ;;
	*) die "fail-on '${DEPSENTRY_FAIL_ON:-}' is not one of: $SEVERITIES" ;;
	esac
	case ${DEPSENTRY_BUILD_DEPS:-true} in
	true | false) ;;
	*) die "build-deps '${DEPSENTRY_BUILD_DEPS}' is neither true nor false" ;;
	esac
	if [ -n "${DEPSENTRY_CONFIG:-}" ]; then
		config=$(abspath "$DEPSENTRY_CONFIG")
		[ -f "$config" ] || die "no configuration file $config"
	fi
}

# ---------------------------------------------------------------- install

install_package()
{
	local pkg name

	pkg=$(abspath "$DEPSENTRY_PACKAGE")
	[ -f "$pkg" ] || die "no package $pkg"
	name=$(dpkg-deb -f "$pkg" Package) || die "$pkg is not a Debian package"
	say "apt-get install $pkg"
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
		--no-install-recommends "$pkg" || die "apt-get could not install $pkg"
	BIN=$(dpkg -L "$name" | grep -m 1 '/sbin/depsentry$') ||
		die "the package $name installed no sbin/depsentry"
}

install_source()
{
	local src
	local -a dirs=()

	src=$(abspath "${DEPSENTRY_SRC:-$AGENT_DIR/..}")
	[ -f "$src/Makefile" ] || die "no depsentry source tree at $src"
	if [ "${DEPSENTRY_BUILD_DEPS:-true}" = true ]; then
		say "make deps-build: the build dependencies, from the distribution's archive"
		"${SUDO[@]}" make -C "$src" deps-build || die "make deps-build failed in $src"
	fi
	say "make ($src)"
	make -C "$src" -j"$(nproc)" || die "the build failed in $src"
	[ -z "${DEPSENTRY_PREFIX:-}" ] || dirs+=("PREFIX=$DEPSENTRY_PREFIX")
	[ -z "${DEPSENTRY_DESTDIR:-}" ] || dirs+=("DESTDIR=$DEPSENTRY_DESTDIR")
	say "make install ${dirs[*]}"
	"${SUDO[@]}" make -C "$src" install "${dirs[@]}" || die "make install failed in $src"
	BIN=${DEPSENTRY_DESTDIR:-}${DEPSENTRY_PREFIX:-/usr/local}/sbin/depsentry
}

cmd_install()
{
	local version

	settings
	if [ -n "${DEPSENTRY_BINARY:-}" ]; then
		BIN=$(abspath "$DEPSENTRY_BINARY")
	elif [ -n "${DEPSENTRY_PACKAGE:-}" ]; then
		install_package
	else
		install_source
	fi
	[ -x "$BIN" ] || die "$BIN is not an executable"
	version=$("$BIN" version) || die "$BIN does not run"
	record DS_BIN "$BIN"
	say "$version at $BIN"
}

# ---------------------------------------------------------------- start

# halt_launch LAUNCHER: end a daemon that never got ready.
halt_launch()
{
	local pid

	pid=$(cat "$STATE/run/daemon.pid" 2>/dev/null) || pid=
	if [ -n "$pid" ] && is_daemon "$pid"; then
		"${SUDO[@]}" kill -KILL "$pid" 2>/dev/null || true
	fi
	kill -KILL "$1" 2>/dev/null || true
	wait "$1" 2>/dev/null || true
	"${SUDO[@]}" rm -f "$STATE/run/daemon.pid"
}

ready()
{
	tr -d '\r' <"$STATE/daemon.log" | grep -qx 'depsentry: ready'
}

cmd_start()
{
	local bin alerts since launcher deadline pid rc st
	local timeout=${DEPSENTRY_READY_TIMEOUT:-60}
	local -a args

	settings
	! started || die "depsentry was already started in $STATE (pid $DS_PID)"
	bin=${DS_BIN:-${DEPSENTRY_BINARY:-}}
	[ -n "$bin" ] || bin=$(command -v depsentry) ||
		die "depsentry is not installed: run '$0 install' first"
	alerts=$(abspath "${DEPSENTRY_ALERTS:-$STATE/alerts.json}")
	args=(run -o "$alerts" -p "$STATE/run/daemon.pid")
	if [ -n "${DEPSENTRY_CONFIG:-}" ]; then
		args+=(-c "$(abspath "$DEPSENTRY_CONFIG")")
	fi
	mkdir -p "$(dirname "$alerts")" 2>/dev/null || true
	# the pid file's directory is root's: the daemon removes the file on
	# its way out, after it has given up the capability to write elsewhere
	"${SUDO[@]}" mkdir -p -m 0755 "$STATE/run" || die "cannot create $STATE/run"
	since=$(date -u +%Y-%m-%dT%H:%M:%S.%3NZ)
	: >"$STATE/daemon.log"
	say "starting $bin ${args[*]}"
	# its own session, no terminal, no pipe of the step's: the daemon
	# outlives this step, and the runner does not wait for it
	setsid -w "${SUDO[@]}" "$bin" "${args[@]}" </dev/null >>"$STATE/daemon.log" 2>&1 &
	launcher=$!
	deadline=$((SECONDS + timeout))
	until ready; do
		st=$(cat "/proc/$launcher/stat" 2>/dev/null) || st="x) Z"
		st=${st##*) }
		if [ "${st:0:1}" = Z ]; then
			rc=0
			wait "$launcher" || rc=$?
			show "$STATE/daemon.log"
			die "the daemon exited with status $rc before it was ready (its log is above)"
		fi
		if [ "$SECONDS" -ge "$deadline" ]; then
			halt_launch "$launcher"
			show "$STATE/daemon.log"
			die "the daemon did not say 'depsentry: ready' within ${timeout}s (its log is above)"
		fi
		sleep 0.1
	done
	pid=$(cat "$STATE/run/daemon.pid") || die "the daemon wrote no pid file"
	is_daemon "$pid" || die "pid $pid (from $STATE/run/daemon.pid) is not a running depsentry"
	record DS_BIN "$bin"
	record DS_ALERTS "$alerts"
	record DS_SINCE "$since"
	record DS_FAIL_ON "${DEPSENTRY_FAIL_ON:-high}"
	record DS_INODE "$("${SUDO[@]}" stat -c %d:%i "$alerts")"
	record DS_PID "$pid"
	say "watching this job: pid $pid, alerts to $alerts, fail-on $DS_FAIL_ON"
}

# ---------------------------------------------------------------- stop

# stopped OUTCOME: note how the daemon ended ("ok" or why not), for a second
# stop (GitLab's after_script after check) to say the same.
stopped()
{
	printf '%s\n' "$1" >"$STATE/stopped"
	[ "$1" = ok ] || die "$1"
}

cmd_stop()
{
	local inode deadline
	local timeout=${DEPSENTRY_STOP_TIMEOUT:-30}

	if ! started; then
		say "depsentry was not started in this job: nothing to stop"
		return 0
	fi
	if [ -f "$STATE/stopped" ]; then
		[ "$(cat "$STATE/stopped")" = ok ] || die "$(cat "$STATE/stopped")"
		say "already stopped (pid $DS_PID)"
		return 0
	fi
	if ! is_daemon "$DS_PID"; then
		"${SUDO[@]}" rm -f "$STATE/run/daemon.pid"
		say "the daemon's log:"
		tail -n 20 "$STATE/daemon.log" >"$STATE/daemon.tail"
		show "$STATE/daemon.tail"
		stopped "the sensor (pid $DS_PID) stopped before the end of the job: it died or was killed, and what ran after that was not watched"
	fi
	inode=$("${SUDO[@]}" stat -c %d:%i "$DS_ALERTS" 2>/dev/null) || inode=none
	say "stopping pid $DS_PID (SIGTERM: it writes what the kernel had sent, then exits)"
	"${SUDO[@]}" kill -TERM "$DS_PID"
	deadline=$((SECONDS + timeout))
	while is_daemon "$DS_PID"; do
		if [ "$SECONDS" -ge "$deadline" ]; then
			"${SUDO[@]}" kill -KILL "$DS_PID" 2>/dev/null || true
			"${SUDO[@]}" rm -f "$STATE/run/daemon.pid"
			stopped "the sensor (pid $DS_PID) did not exit within ${timeout}s of SIGTERM and was killed: its last alerts may be missing"
		fi
		sleep 0.1
	done
	if [ "$inode" != "$DS_INODE" ]; then
		stopped "the alert log $DS_ALERTS was removed or replaced during the job (file $DS_INODE at the start, $inode at the end): the sensor's alerts are lost, and a report of that path is not its"
	fi
	stopped ok
	say "stopped: every alert is in $DS_ALERTS"
}

# ---------------------------------------------------------------- reports

need_started()
{
	started || die "depsentry was not started in this job ($STATE)"
}

# report FORMAT: this job's alerts (since start), as depsentry report tells
# them; the threshold is named, its crossing is not an error here.
cmd_report()
{
	local rc=0

	need_started
	"${SUDO[@]}" "$DS_BIN" report -i "$DS_ALERTS" --since "$DS_SINCE" --format "${1:-text}" \
		--fail-on "$DS_FAIL_ON" || rc=$?
	[ "$rc" -eq 0 ] || [ "$rc" -eq 3 ] || die "depsentry report -i $DS_ALERTS failed (status $rc)"
}

# json_count JSON KEY: a top-level count of the JSON report.
json_count()
{
	printf '%s\n' "$1" | sed -n "s/^  \"$2\": *\\([0-9][0-9]*\\),\\{0,1\\}\$/\\1/p"
}

cmd_verdict()
{
	local json n above

	json=$(cmd_report json)
	n=$(json_count "$json" alerts)
	above=$(json_count "$json" at_or_above)
	[ -n "$n" ] || die "depsentry report gave no alert count"
	printf '%s %s %s\n' "$n" "${above:-0}" "$DS_FAIL_ON"
}

cmd_check()
{
	local rc=0 verdict n above fail_on

	need_started
	(cmd_stop) || rc=$?
	cmd_report text
	verdict=$(cmd_verdict)
	read -r n above fail_on <<<"$verdict"
	if [ "$above" -gt 0 ]; then
		error "$above of this job's $n alerts are at or above $fail_on: failing the job (the report is above; the alert log is $DS_ALERTS)"
		exit 3
	fi
	[ "$rc" -eq 0 ] || exit 1
	if [ "$fail_on" = none ]; then
		say "$n alerts (fail-on none: alerts do not fail the job)"
	else
		say "$n alerts, none at or above $fail_on"
	fi
}

cmd_clean()
{
	if started && is_daemon "$DS_PID"; then
		die "the daemon (pid $DS_PID) still runs: stop it first"
	fi
	"${SUDO[@]}" rm -rf -- "$STATE"
}

case ${1:-} in
install | start | stop | report | verdict | check | started | is-stopped | log-path | log | clean) ;;
*)
	echo "usage: $0 install|start|stop|report FORMAT|verdict|check|started|is-stopped|log-path|log|clean" >&2
	exit 2
	;;
esac
state
case $1 in
install) cmd_install ;;
start) cmd_start ;;
stop) cmd_stop ;;
report) cmd_report "${2:-text}" ;;
verdict) need_started; cmd_verdict ;;
check) cmd_check ;;
started) started ;;
is-stopped) [ -f "$STATE/stopped" ] ;;
log-path) need_started; printf '%s\n' "$DS_ALERTS" ;;
log) need_started; "${SUDO[@]}" cat -- "$DS_ALERTS" ;;
clean) cmd_clean ;;
esac
