#!/bin/bash
# What a developer or a build does to a repository every day is not alerted
# by cicd-file-modified, nor by any other rule:
# (a) reading workflows (cat, python3 -c read), which updates their atime
#     (chmod and touch are reported: chmod +x activates a git hook);
# (b) shells writing files that are not watched (README.md,
#     .github/CODEOWNERS, .github/dependabot.yml, src/x.c);
# (c) make writing 300 ordinary files into build/;
# (d) shells writing Makefiles where a generated-build marker sits between
#     the file and the repository root (build/CMakeCache.txt,
#     ./config.status, build/config.gypi);
# (e) git, a low-severity writer: git init (its hook samples) and a
#     checkout that rewrites a workflow.
# Then a shell writes a workflow: its alert is the only one in the file, so
# the daemon was watching all along and the quiet is not an early look.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/files.sh"

need_cmd make make
files_scratch

repo=$(repo_init repo)
wf=$repo/.github/workflows
mkdir -p "$wf" "$repo/src"
echo 'on: push' >"$wf/ci.yml"
echo '# repo' >"$repo/README.md"
echo '* @owner' >"$repo/.github/CODEOWNERS"
echo 'int x;' >"$repo/src/x.c"
cat >"$repo/Makefile" <<'MK'
all:
	mkdir -p build/out
	for i in $$(seq 300); do echo "$$i" > build/out/f$$i.o; done
MK
repo_commit "$repo" "first"
git -C "$repo" checkout -q -b other
echo 'on: [push, pull_request]' >"$wf/ci.yml"
repo_commit "$repo" "other"
git -C "$repo" checkout -q main
# never read: the first read updates their atime (relatime)
echo 'on: push' >"$wf/unread-a.yml"
echo 'on: push' >"$wf/unread-b.yml"
for g in cmake autotools gyp; do
	mkdir -p "$(repo_init "$g")/build/sub" "$VT/$g/src"
done
ds_start

step "(a) read workflows, change only their metadata"
atime=$(stat -c %X "$wf/unread-a.yml")
run_in "$repo" cat .github/workflows/ci.yml .github/workflows/unread-a.yml >/dev/null
run_in "$repo" "$PY" -c 'open(".github/workflows/unread-b.yml").read()'
[ "$(stat -c %X "$wf/unread-a.yml")" != "$atime" ] ||
	echo "   (the file system did not update the atime of unread-a.yml)"

step "(b) shells write files that are not watched"
sh_in "$repo" 'echo more >> README.md; echo "* @other" > .github/CODEOWNERS; echo "version: 2" > .github/dependabot.yml; echo "int y;" >> src/x.c'

step "(c) make writes 300 files into build/"
run_in "$repo" make -s
[ "$(find "$repo/build/out" -type f | wc -l)" -eq 300 ] || fail "make did not write 300 files"

step "(d) Makefiles written beside or below a generated-build marker"
sh_in "$VT/cmake" 'echo "CMAKE_HOME_DIRECTORY:INTERNAL=.." > build/CMakeCache.txt'
sh_in "$VT/cmake" 'echo all: > build/Makefile; echo all: > build/sub/Makefile'
sh_in "$VT/autotools" 'echo "#! /bin/sh" > config.status'
sh_in "$VT/autotools" 'echo all: > Makefile; echo all: > src/Makefile'
sh_in "$VT/gyp" 'echo "{}" > build/config.gypi'
sh_in "$VT/gyp" 'echo all: > build/Makefile; echo all: > build/sub/Makefile'

step "(e) git init, and a checkout that rewrites ci.yml"
run_in "$VT" git init -q fresh
ls "$VT/fresh/.git/hooks/"*.sample >/dev/null 2>&1 || fail "git init wrote no hook samples"
run_in "$repo" git checkout -q other
grep -q pull_request "$wf/ci.yml" || fail "git checkout did not rewrite ci.yml"
run_in "$repo" git checkout -q main

step "control: a shell writes .github/workflows/control.yml"
sh_in "$repo" 'echo "on: push" > .github/workflows/control.yml'
a=$(wait_file "$wf/control.yml" "process.pid=$RUN_PID")
check_action "$a" "the control alert has the wrong action" creation
step "the control is the only alert: everything before it was quiet"
n=$(alert_count --expr "$MINE")
if [ "$n" -ne 1 ]; then
	assert_none "an everyday action was alerted" --expr "$MINE" "file.path!=$wf/control.yml"
	fail "$n alerts, expected only the control"
fi

ds_finish
