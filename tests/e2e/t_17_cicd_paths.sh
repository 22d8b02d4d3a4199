#!/bin/bash
# How a watched file is reached does not change the alert: file.path is
# always the absolute, canonical path (no `..`, symbolic links resolved),
# and each way of writing has its action, writer and severity.
# (a) mv /tmp/x.yml onto a relative destination: rename, old_path, medium.
# (b) sed -i on an existing workflow: one alert, at once, for sed's
#     temporary file beside it (its rename onto ci.yml is a repeat).
# (c) a shell in .github writing workflows/rel.yml: creation, high.
# (d) a shell writing, and mv renaming, through a symbolic link to the
#     workflows directory: the real path in the repository.
# (e) Debian's python3 running a script file: medium, process python3.11.
# (f) a path through `..`.  (g) a hard link is seen only inside install
#     sessions (t_16): outside them it is a documented limit.
# (h) a shell appending twice to an existing workflow: one overwrite.
# (i) python3 -c, (j) a program copied under /var/tmp, (k) curl: high.
# (l) cp: medium.
# (m) a directory written to, then renamed into a watched place, then
#     written to again on the same CPU: the kernel's memory of directories
#     found clean does not outlive the rename.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/files.sh"

need_cmd curl curl
files_scratch
repo=$(repo_init repo)
wf=$repo/.github/workflows
mkdir -p "$wf" "$repo/tools" "$VT/bin"
echo 'on: push' >"$wf/ci.yml"
cat >"$repo/tools/gen.py" <<'PY'
with open(".github/workflows/py.yml", "w") as fp:
    fp.write("on: push\n")
PY
repo_commit "$repo" "a workflow"
out=$(outside_dir)
for f in x y z dl tmpexe cp; do
	echo "name: $f" >"$out/$f.yml"
done
ln -s "$wf" "$VT/linkdir"
cp /usr/bin/cp "$VT/bin/ds-e2e-cp"
sh_name=$(exe_name sh)
py_name=$(basename "$(realpath "$PY")")
ds_start

step "(a) mv $out/x.yml .github/workflows/deploy.yml, in $repo"
run_in "$repo" mv "$out/x.yml" .github/workflows/deploy.yml
expect_file "$wf/deploy.yml" rename medium other mv "depsentry.file.old_path=$out/x.yml"

step "(b) sed -i on .github/workflows/ci.yml"
run_in "$repo" sed -i s/push/pull_request/ .github/workflows/ci.yml
SED_PID=$RUN_PID
[ "$(cat "$wf/ci.yml")" = "on: pull_request" ] || fail "sed did not edit ci.yml"
a=$(wait_alert rule.id=$RULE "process.pid=$SED_PID" --expr "f('file.path').startswith('$wf/sed')")
sed_tmp=$(field "$a" file.path)
expect_file "$sed_tmp" creation medium other sed

step "(c) echo x > workflows/rel.yml, in $repo/.github"
sh_in "$repo/.github" 'echo x > workflows/rel.yml'
expect_file "$wf/rel.yml" creation high suspicious "$sh_name"

step "(d) a shell writes through the symbolic link $VT/linkdir -> $wf"
sh_in "$VT" 'echo x > linkdir/via-link.yml'
expect_file "$wf/via-link.yml" creation high suspicious "$sh_name"
echo 'on: push' >"$out/y.yml"
step "(d) mv $out/y.yml linkdir/moved.yml: no watched name in what mv was given"
run_in "$VT" mv "$out/y.yml" linkdir/moved.yml
expect_file "$wf/moved.yml" rename medium other mv "depsentry.file.old_path=$out/y.yml"

step "(e) $PY tools/gen.py"
run_in "$repo" "$PY" tools/gen.py
expect_file "$wf/py.yml" creation medium other "$py_name"

step "(f) echo x > .github/../.github/workflows/dots.yml"
sh_in "$repo" 'echo x > .github/../.github/workflows/dots.yml'
expect_file "$wf/dots.yml" creation high suspicious "$sh_name"

step "(h) a shell appending twice to ci.yml"
sh_in "$repo" 'echo "# one" >> .github/workflows/ci.yml; echo "# two" >> .github/workflows/ci.yml'
expect_file "$wf/ci.yml" overwrite high suspicious "$sh_name"

step "(i) $PY -c 'open(...).write(...)'"
run_in "$repo" "$PY" -c 'open(".github/workflows/oneliner.yml", "w").write("on: push\n")'
expect_file "$wf/oneliner.yml" creation high suspicious "$py_name"

step "(j) a copy of cp under /var/tmp"
run_in "$repo" "$VT/bin/ds-e2e-cp" "$out/tmpexe.yml" .github/workflows/tmpexe.yml
expect_file "$wf/tmpexe.yml" creation high suspicious ds-e2e-cp

step "(k) curl file://$out/dl.yml"
run_in "$repo" curl -sS -o .github/workflows/dl.yml "file://$out/dl.yml"
[ "$(cat "$wf/dl.yml")" = "name: dl" ] || fail "curl did not write dl.yml"
expect_file "$wf/dl.yml" creation high suspicious curl

step "(l) cp $out/cp.yml .github/workflows/copied.yml"
run_in "$repo" cp "$out/cp.yml" .github/workflows/copied.yml
expect_file "$wf/copied.yml" creation medium other cp

step "(m) one shell on one CPU: write in stage, mv stage .github/actions, write in it again"
mkdir "$repo/stage"
run_in "$repo" taskset -c 0 sh -c \
	'echo x > stage/a.txt && mv stage .github/actions && echo y > .github/actions/b.yml'
a=$(wait_file "$repo/.github/actions" process.name=mv)
check_action "$a" "moving the directory in is not a rename" rename
check_alert "$a" "the directory's rename names the wrong old path" \
	"depsentry.file.old_path=$repo/stage"
SEEN+=("$(field "$a" process.pid) $repo/.github/actions")
expect_file "$repo/.github/actions/b.yml" creation high suspicious "$sh_name"

expect_once
step "sed was alerted once, for its temporary file: its rename onto ci.yml is a repeat"
expect_count 1 "sed was not alerted exactly once" "process.pid=$SED_PID"
expect_count 0 "sed's rename onto ci.yml was alerted" "process.pid=$SED_PID" "file.path=$wf/ci.yml"
assert_none "an alert names a path through the symbolic link" "file.path*=$VT/linkdir"
assert_none "an alert names a path with .." 'file.path*=/../'

ds_finish
