#!/bin/bash
# files.rename_tracepoints_always: the rename and link syscall tracepoints
# stay attached outside install sessions too, instead of fanotify. At the
# documented cost to every system call, this sees what fanotify cannot:
# a hard link made onto a watched path by a process outside any session.
# A rename seen that way has the same path and action as through fanotify
# (t_17), and the daemon says which way renames are watched.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/files.sh"

files_scratch
repo=$(repo_init repo)
wf=$repo/.github/workflows
mkdir -p "$wf"
out=$(outside_dir)
echo 'on: push' >"$repo/staged.txt"
echo 'on: push' >"$out/x.yml"

cfg=$T/tracepoints.json
"$PY" - "$SRC_ROOT/config/depsentry.json" "$cfg" <<'PYEOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["files"]["rename_tracepoints_always"] = True
json.dump(c, open(sys.argv[2], "w"), indent=1)
PYEOF
ds_start -c "$cfg"
grep -q 'renames and links outside install sessions: syscall tracepoints' "$T/daemon.log" ||
	fail "the daemon does not say renames are watched through the syscall tracepoints"
grep -q 'fanotify on' "$T/daemon.log" && fail "fanotify was set up although not wanted"

step "ln staged.txt .github/workflows/linked.yml, outside any install session"
run_in "$repo" ln staged.txt .github/workflows/linked.yml
[ "$(stat -c %h "$wf/linked.yml")" = 2 ] || fail "ln made no hard link"
expect_file "$wf/linked.yml" link medium other ln "depsentry.file.old_path=$repo/staged.txt"

step "mv $out/x.yml .github/workflows/moved.yml"
run_in "$repo" mv "$out/x.yml" .github/workflows/moved.yml
expect_file "$wf/moved.yml" rename medium other mv "depsentry.file.old_path=$out/x.yml"

expect_once
ds_finish
