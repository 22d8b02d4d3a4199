# tests/e2e/cisim.sh: helpers of the scenarios that run the CI agents under a
# simulated runner (t_42 the GitHub Action, t_43 the GitLab CI template).
# Sourced after lib.sh. The agents start the daemon for a whole job and stop
# it in a later step; every agent directory a scenario names with
# agent_watch is looked at when the scenario exits, passing or not: a
# daemon still running there is stopped, and the directory removed unless
# it is in the scratch directory kept for a failure.

CISIM=$E2E_DIR/cisim.py
AGENT_DIRS=()

need_cmd node nodejs
"$PY" -c 'import yaml' 2>/dev/null ||
	fail "needs python3-yaml: apt-get install python3-yaml (it is in DEBS in the Makefile)"

# agent_watch DIR: DIR is an agent's directory (DEPSENTRY_STATE).
agent_watch()
{
	AGENT_DIRS+=("$1")
}

# agent_pid DIR: the pid the daemon started in DIR wrote, if it still runs.
agent_pid()
{
	local pid

	pid=$(cat "$1/run/daemon.pid" 2>/dev/null) || return 0
	if is_depsentry "$pid"; then
		printf '%s\n' "$pid"
	fi
}

# is_depsentry PID: PID is a running (not zombie) depsentry.
is_depsentry()
{
	pid_alive "$1" && [ "$(cat "/proc/$1/comm" 2>/dev/null)" = depsentry ]
}

# no_daemon_in DIR WHAT: no process is a daemon started by the agent of
# directory DIR (its pid file there on its command line).
no_daemon_in()
{
	local cmdline

	for cmdline in /proc/[0-9]*/cmdline; do
		if tr '\0' ' ' 2>/dev/null <"$cmdline" | grep -qF -- " -p $1/run/daemon.pid"; then
			fail "$2: ${cmdline%/cmdline} still runs: $(tr '\0' ' ' <"$cmdline")"
		fi
	done
}

# expect_in FILE REGEX WHAT: FILE has a line matching REGEX (ERE).
expect_in()
{
	grep -Eq -- "$2" "$1" || { sed 's/^/    | /' "$1" >&2; fail "$3: no line matching /$2/ in $1"; }
}

expect_not_in()
{
	! grep -Eq -- "$2" "$1" || { sed 's/^/    | /' "$1" >&2; fail "$3: a line matches /$2/ in $1"; }
}

# summary_match FILE COND...: 0 when one of the alert rows of the Markdown
# report in FILE (cells unescaped) matches every COND (a Python expression
# on r, the row's cells by header)
summary_match()
{
	local file=$1

	shift
	"$PY" "$CISIM" summary-rows "$file" >"$file.rows.json"
	"$PY" - "$file.rows.json" "$@" <<'EOF'
import json, sys
rows = [r for r in json.load(open(sys.argv[1])) if "package" in r]
conds = sys.argv[2:]
sys.exit(0 if any(all(eval(c, {"r": r}) for c in conds) for r in rows) else 1)
EOF
}

# summary_row FILE COND...: fail unless an alert row of FILE matches
summary_row()
{
	summary_match "$@" || { cat "$1" >&2; fail "no alert row in $1 with: ${*:2}"; }
}

# no_summary_row FILE COND...: fail if an alert row of FILE matches
no_summary_row()
{
	! summary_match "$@" || { cat "$1" >&2; fail "an alert row in $1 has: ${*:2}"; }
}

# recon_high_config FILE: the shipped configuration with reconnaissance
# (whoami, id) raised to high, so that the recon fixture crosses
# fail-on high and not critical.
recon_high_config()
{
	"$PY" - "$SRC_ROOT/config/depsentry.json" "$1" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))
n = 0
for g in c["suspicious_processes"]:
    if g["reason"] == "system reconnaissance":
        g["severity"] = "high"
        n += 1
assert n, "no reconnaissance group in the shipped configuration"
json.dump(c, open(sys.argv[2], "w"), indent="\t")
EOF
}

# lib.sh's cleanup, preceded by the agents': stop what they left running.
eval "lib_$(declare -f cleanup)"
cleanup()
{
	local rc=$? dir pid

	for dir in "${AGENT_DIRS[@]}"; do
		pid=$(agent_pid "$dir")
		if [ -n "$pid" ]; then
			echo "== stopping the daemon (pid $pid) an agent left in $dir" >&2
			kill -TERM "$pid" 2>/dev/null || true
			wait_until 5 "pid $pid to exit" not is_depsentry "$pid" || true
			kill -KILL "$pid" 2>/dev/null || true
		fi
		case $dir in
		"$T"/*) ;;
		*) rm -rf "$dir" ;;
		esac
	done
	set +e	# the (exit) hands lib_cleanup the status: it must not end the shell
	(exit "$rc")
	lib_cleanup
}
