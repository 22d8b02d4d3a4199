# tests/e2e/files.sh: helpers of the scenarios about watched CI/CD and build
# files (rule cicd-file-modified). Sourced after lib.sh.
#
# The kernel does not report writes on tmpfs, so the repositories these
# scenarios write into live on disk, in one directory per scenario under
# /var/tmp ($VT), removed with the scratch directory $T when the scenario
# passes (kept, like $T, when it fails or with E2E_KEEP=1).

need_cmd git git
need_cmd realpath coreutils

RULE=cicd-file-modified
VT=
# An --expr true for the alerts of this scenario: about a path under $VT or
# $T, or of a process below this shell. The daemon sees the whole machine;
# counts limited to these stay exact while something else runs beside.
MINE=
BARRIER_N=0

# Git must not read the machine's or the user's configuration.
export GIT_CONFIG_NOSYSTEM=1
export GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=depsentry-e2e GIT_AUTHOR_EMAIL=e2e@depsentry.invalid
export GIT_COMMITTER_NAME=depsentry-e2e GIT_COMMITTER_EMAIL=e2e@depsentry.invalid

files_cleanup()
{
	local rc=$?

	set +e
	if [ -n "$VT" ]; then
		if [ "$rc" -eq 0 ] && [ "${E2E_KEEP:-0}" != 1 ]; then
			rm -rf "$VT"
		else
			echo "   repositories kept: $VT" >&2
		fi
	fi
	(exit "$rc")
	cleanup
}

# files_scratch: make $VT, the scenario's directory on disk (canonical).
files_scratch()
{
	local fs

	fs=$(stat -f -c %T /var/tmp) || fail "cannot stat the file system of /var/tmp"
	case $fs in
	tmpfs | ramfs)
		fail "/var/tmp is on $fs: the kernel reports no writes there; these scenarios need /var/tmp on disk"
		;;
	esac
	VT=$(mktemp -d /var/tmp/depsentry-e2e.XXXXXX)
	VT=$(realpath "$VT")
	trap files_cleanup EXIT
	MINE="str(f('file.path') or '').startswith(('$VT/', '$T/')) or \
$$ in [x.get('pid') for x in f('depsentry.ancestry') or []]"
	mkdir -p "$VT/barrier/.github/workflows"
}

# repo_init NAME: a fresh git repository $VT/NAME; prints its path.
repo_init()
{
	local dir=$VT/$1

	git init -q -b main "$dir" || fail "git init $dir failed"
	printf '%s\n' "$dir"
}

# repo_commit DIR MESSAGE: commit everything in DIR.
repo_commit()
{
	if ! git -C "$1" add -A || ! git -C "$1" commit -q -m "$2"; then
		fail "git commit in $1 failed"
	fi
}

# outside_dir: a directory outside every repository on the file system of
# $VT (so mv is a rename and ln a hard link): under $T (/tmp) when /tmp is
# on that file system, else under $VT. Prints its canonical path.
outside_dir()
{
	local dir=$T/outside

	if [ "$(stat -c %d "$T")" != "$(stat -c %d "$VT")" ]; then
		dir=$VT/outside
	fi
	mkdir -p "$dir"
	realpath "$dir"
}

# run_in DIR CMD...: run CMD in DIR as a child of this shell and wait for
# it; RUN_PID is its pid (the subshell execs CMD). Fails unless it exits 0.
run_in()
{
	local dir=$1 rc=0

	shift
	(cd "$dir" && exec "$@") &
	RUN_PID=$!
	wait "$RUN_PID" || rc=$?
	[ "$rc" -eq 0 ] || fail "'$*' in $dir exited with status $rc"
}

# sh_in DIR SCRIPT: run_in DIR sh -c SCRIPT.
sh_in()
{
	run_in "$1" sh -c "$2"
}

# wait_file PATH COND...: the first cicd-file-modified alert for PATH (and
# COND); prints it.
wait_file()
{
	local path=$1

	shift
	wait_alert rule.id=$RULE "file.path=$path" "$@"
}

# file_count COND...: how many cicd-file-modified alerts of this scenario
# match COND now.
file_count()
{
	alert_count rule.id=$RULE --expr "$MINE" "$@"
}

# expect_count N WHAT COND...: exactly N cicd-file-modified alerts match.
expect_count()
{
	local want=$1 what=$2 n

	shift 2
	n=$(file_count "$@")
	if [ "$n" -ne "$want" ]; then
		"$PY" "$ALERTS_PY" none "$ALERTS" rule.id=$RULE --expr "$MINE" "$@" || true
		fail "$what: $n alert(s) match [rule.id=$RULE $*], expected $want"
	fi
}

# barrier: a shell writes a new workflow file in $VT/barrier; wait for its
# alert. Events are processed in order, so once it is in the alert file,
# every write made before it has been judged: counts taken after a barrier
# are final, not timing luck.
barrier()
{
	local path line

	BARRIER_N=$((BARRIER_N + 1))
	path=$VT/barrier/.github/workflows/barrier-$BARRIER_N.yml
	step "barrier #$BARRIER_N: wait for the alert of a shell writing $path"
	sh_in "$VT/barrier" "echo 'on: push' > .github/workflows/barrier-$BARRIER_N.yml"
	line=$(wait_file "$path" "process.pid=$RUN_PID")
	: "$line"
	expect_count 1 "the barrier write was alerted more than once" "file.path=$path"
}

# check_file_alert LINE WHAT PATH: the file fields of a cicd-file-modified
# alert about PATH, and the fields every such alert has.
check_file_alert()
{
	local line=$1 what=$2 path=$3 name dir ext

	name=${path##*/}
	dir=${path%/*}
	ext=
	case $name in
	?*.*) ext=${name##*.} ;;
	esac
	check_alert "$line" "$what" \
		rule.id=$RULE event.kind=alert \
		--expr 'f("event.category") == ["file", "intrusion_detection"]' \
		file.type=file "file.path=$path" "file.name=$name" "file.directory=$dir" \
		depsentry.file.pattern? depsentry.file.writer? \
		event.action? process.pid? process.name? process.parent.pid? \
		message? @timestamp?
	if [ -n "$ext" ]; then
		check_alert "$line" "$what: file.extension" "file.extension=$ext"
	else
		check_alert "$line" "$what: file.extension" '!file.extension?'
	fi
}

# check_action LINE WHAT ACTION: event.action and the event.type it implies
# (creation for a file born under its writer, change otherwise).
check_action()
{
	local line=$1 what=$2 action=$3 type=change

	[ "$action" = creation ] && type=creation
	case $action in
	link)
		check_alert "$line" "$what" event.action=link \
			--expr 'f("event.type") in (["creation", "info"], ["change", "info"])'
		;;
	*)
		check_alert "$line" "$what" "event.action=$action" \
			--expr "f('event.type') == ['$type', 'info']"
		;;
	esac
}

# check_severity LINE WHAT NAME: depsentry.severity NAME and its score.
check_severity()
{
	local line=$1 what=$2 score

	case $3 in
	low) score=21 ;;
	medium) score=47 ;;
	high) score=73 ;;
	critical) score=99 ;;
	*) fail "check_severity: unknown severity $3" ;;
	esac
	check_alert "$line" "$what" "depsentry.severity=$3" "event.severity=$score"
}

# exe_name PATH: the process.name of a program started as PATH (the
# basename of the file it resolves to: sh is dash on Debian).
exe_name()
{
	local p

	p=$(command -v "$1") || fail "no $1 in PATH"
	basename "$(realpath "$p")"
}

# expect_file PATH ACTION SEVERITY WRITER PROCESS-NAME [COND...]: wait for
# the alert about PATH from the process RUN_PID and check it (file fields,
# action and event.type, severity, writer, process.name, COND). Sets
# FILE_ALERT to the alert and remembers (RUN_PID, PATH) for expect_once.
SEEN=()
expect_file()
{
	local path=$1 action=$2 sev=$3 writer=$4 name=$5 what

	shift 5
	what="the $action alert for $path (pid $RUN_PID)"
	step "wait for $what"
	FILE_ALERT=$(wait_file "$path" "process.pid=$RUN_PID")
	check_file_alert "$FILE_ALERT" "$what is incomplete" "$path"
	check_action "$FILE_ALERT" "$what has the wrong action" "$action"
	check_severity "$FILE_ALERT" "$what has the wrong severity" "$sev"
	check_alert "$FILE_ALERT" "$what names the wrong writer" \
		"depsentry.file.writer=$writer" "process.name=$name" "$@"
	SEEN+=("$RUN_PID $path")
}

# expect_once: after a barrier, each (process, path) expect_file saw was
# alerted exactly once, and there is no cicd-file-modified alert besides
# those and the barriers'.
expect_once()
{
	local pair

	barrier
	step "one alert per (process, path), nothing else"
	for pair in "${SEEN[@]}"; do
		expect_count 1 "pid ${pair%% *} was not alerted exactly once for ${pair#* }" \
			"process.pid=${pair%% *}" "file.path=${pair#* }"
	done
	expect_count $((${#SEEN[@]} + BARRIER_N)) "unexpected cicd-file-modified alerts"
}
