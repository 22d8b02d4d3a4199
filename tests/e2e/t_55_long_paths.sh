#!/bin/bash
# Nothing is shortened silently. Paths as long as the kernel takes them
# (a 4,000-byte path, PATH_MAX being 4,096) are whole in file.path,
# file.directory, depsentry.file.old_path, process.executable,
# process.working_directory and the message, none of them in
# depsentry.truncated:
# (a) a shell at a 3,9xx-byte path, in a 3,9xx-byte working directory,
#     writes a workflow at a 4,000-byte path (the write hook walks it);
# (b) mv renames a file onto another 4,000-byte path (fanotify);
# (c) with the rename tracepoints, mv renames onto a 4,000-byte path given
#     whole (the name as passed) and onto one given relative to a long
#     working directory (the directory walked in the kernel).
# A path deeper than the kernel's walk (64 components) is still reported,
# from its file up as far as the walk went, and flagged: depsentry.truncated
# names file.path, file.directory and process.working_directory. (Nothing
# of the process, the file or the message is named when it is whole.)
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/files.sh"

files_scratch
repo=$(repo_init repo)
out=$(outside_dir)

# long_dir BASE TAIL LEN: a path of BASE, then components of up to 200
# bytes, then TAIL, LEN bytes in all (TAIL included).
long_dir()
{
	"$PY" - "$@" <<'PYEOF'
import sys
base, tail, total = sys.argv[1], sys.argv[2], int(sys.argv[3])
need = total - len(base) - len(tail)
parts = []
while need > 0:
    n = min(200, need) - 1
    if 0 < need - (n + 1) < 2:	# never leave a component of nothing
        n -= 2
    parts.append("/" + "d" * n)
    need -= n + 1
path = base + "".join(parts) + tail
assert len(path.encode()) == total, len(path)
print(path)
PYEOF
}

# Nothing of the process, the file or the message was cut (an ancestor far
# above, such as whatever started the tests, may have a command line past
# the ancestry's 1 KiB: that is named as depsentry.ancestry.command_line).
WHOLE='not [c for c in f("depsentry.truncated") or [] if c.startswith(("file.", "process.", "message", "depsentry.file."))]'

# the workflow file: 4,000 bytes; its directory and the shell's close to it
long=$(long_dir "$repo" /.github/workflows/long.yml 4000)
wf=${long%/*}
top=${wf%/.github/workflows}
mkdir -p "$wf" "$top/bin"
cp "$(realpath "$(command -v sh)")" "$top/bin/sh"
moved=$wf/move.yml
abs=$wf/abso.yml
rel=$wf/rela.yml
[ "${#moved}" -eq 4000 ] && [ "${#abs}" -eq 4000 ] || fail "the paths are not 4,000 bytes"
for f in x y z; do
	echo "name: $f" >"$out/$f.yml"
done

# deeper than the walk: 70 directories of one letter below the repository
deep=$repo
for i in $(seq 70); do
	deep=$deep/d
done
mkdir -p "$deep/.github/workflows"

ds_start
# (run as bin/sh: its ancestry entry's command line, capped at 1 KiB, stays whole)
step "(a) a shell at a $((${#top} + 7))-byte path writes ${#long} bytes of path, in a ${#top}-byte directory"
run_in "$top" bin/sh -c 'echo "on: push" > .github/workflows/long.yml'
[ -s "$long" ] || fail "the shell did not write the workflow"
expect_file "$long" creation high suspicious sh \
	"process.executable=$top/bin/sh" "process.working_directory=$top" \
	--expr "$WHOLE" "message*=$long"

step "(b) mv onto a ${#moved}-byte path, outside any session (fanotify)"
run_in "$out" mv "$out/x.yml" "$moved"
expect_file "$moved" rename medium other mv "depsentry.file.old_path=$out/x.yml" \
	--expr "$WHOLE" "message*=$moved"

step "(d) a write $((70 + 3)) directories deep: reported as far as the walk went, and flagged"
run_in "$deep" sh -c 'echo "on: push" > .github/workflows/deep.yml'
a=$(wait_alert rule.id=$RULE "process.pid=$RUN_PID" file.name=deep.yml)
check_alert "$a" "the deep path is not flagged as cut" \
	--expr '"file.path" in f("depsentry.truncated")' \
	--expr '"file.directory" in f("depsentry.truncated")' \
	--expr '"process.working_directory" in f("depsentry.truncated")' \
	--expr '"file.name" not in f("depsentry.truncated")' \
	'file.path~^(/d)+/\.github/workflows/deep\.yml$' \
	--expr "len(f('file.path')) < len('$deep/.github/workflows/deep.yml')" \
	'file.directory~^(/d)+/\.github/workflows$'
SEEN+=("$RUN_PID $(field "$a" file.path)")
expect_once
ds_stop
validate_alerts "$ALERTS"

step "(c) the rename tracepoints: the name as passed, and a long working directory"
cfg=$T/tracepoints.json
"$PY" - "$SRC_ROOT/config/depsentry.json" "$cfg" <<'PYEOF'
import json, sys
c = json.load(open(sys.argv[1]))
c["files"]["rename_tracepoints_always"] = True
json.dump(c, open(sys.argv[2], "w"), indent=1)
PYEOF
SEEN=()
BARRIER_N=0
: >"$ALERTS"
ds_start -c "$cfg"
run_in "$out" mv "$out/y.yml" "$abs"
expect_file "$abs" rename medium other mv "depsentry.file.old_path=$out/y.yml" \
	--expr "$WHOLE" depsentry.file.symlinks_resolved=true
run_in "$top" mv "$out/z.yml" .github/workflows/rela.yml
expect_file "$rel" rename medium other mv "depsentry.file.old_path=$out/z.yml" \
	"process.working_directory=$top" --expr "$WHOLE"
expect_once
ds_finish
