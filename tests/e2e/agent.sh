# tests/e2e/agent.sh: helpers of the `depsentry exec` and `depsentry report`
# scenarios. Sourced after lib.sh.
#
# `depsentry exec` is its own daemon for the life of one command: these
# scenarios run it in the foreground, writing $ALERTS, and check its exit
# status, the summary it prints and the alerts it wrote. Once exec has
# returned, every alert about the command is in the file (exec drains what
# the kernel sent before it stops), so the checks read the file once and
# never wait.

# Under sudo, exec runs CMD as the invoking user: the scenarios say who.
unset SUDO_UID SUDO_GID SUDO_USER SUDO_COMMAND

EXEC_RC=
EXEC_LOG=
EXEC_N=0
EXEC_BEFORE=0			# alert lines in the file before the last exec
EXEC_OPTS=()

# ds_exec [EXEC-OPTION...] -- CMD [ARG...]: `depsentry exec -o $ALERTS ...`
# in the foreground. Its stderr (the summary included) goes to $EXEC_LOG,
# stdout (CMD's) to $EXEC_LOG.out; EXEC_RC is its exit status.
ds_exec()
{
	EXEC_N=$((EXEC_N + 1))
	EXEC_LOG=$T/exec-$EXEC_N.log
	DS_LOG=$EXEC_LOG	# shown when the scenario fails
	step "depsentry exec -o $ALERTS $*"
	EXEC_BEFORE=$(alert_lines)
	EXEC_RC=0
	"$DEPSENTRY" exec -o "$ALERTS" "$@" >"$EXEC_LOG.out" 2>"$EXEC_LOG" || EXEC_RC=$?
}

# expect_rc N WHAT: the last exec exited with status N.
expect_rc()
{
	if [ "$EXEC_RC" -ne "$1" ]; then
		sed 's/^/    exec| /' "$EXEC_LOG" >&2
		fail "$2: depsentry exec exited with status $EXEC_RC, expected $1"
	fi
}

# expect_log REGEX WHAT: the last exec's stderr has a line matching REGEX.
expect_log()
{
	grep -Eq -- "$1" "$EXEC_LOG" || { cat "$EXEC_LOG" >&2; fail "$2: no line matching /$1/"; }
}

# exec_npm DIR TGZ...: npm install --offline of the tarballs in a fresh
# project DIR, under `depsentry exec "${EXEC_OPTS[@]}"`. npm is CMD itself.
exec_npm()
{
	local dir=$1

	shift
	npm_project "$dir" "$@"
	pushd "$dir" >/dev/null
	ds_exec "${EXEC_OPTS[@]}" -- "$NPM" install --offline --no-audit --no-fund \
		"${NPM_STRICT[@]}" "$@"
	popd >/dev/null
}

# exec_alert COND...: print the first alert of the last exec matching every
# COND; fail at once if there is none (nothing more arrives after exec).
exec_alert()
{
	"$PY" "$ALERTS_PY" wait "$ALERTS" --timeout 0 --after "$EXEC_BEFORE" "$@" ||
		fail "no alert of the last exec matching: $*"
}

# exec_count COND...: how many alerts of the last exec match every COND.
exec_count()
{
	"$PY" "$ALERTS_PY" count "$ALERTS" --after "$EXEC_BEFORE" "$@"
}

exec_finish()
{
	validate_alerts "$ALERTS"
	echo "PASS $SCENARIO"
}
