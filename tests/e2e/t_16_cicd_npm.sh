#!/bin/bash
# npm install, into a project on disk that already has a workflow, of a
# local package whose postinstall plants "$INIT_CWD/.github/workflows/
# pwn.yml", appends to ../../.github/workflows/ci.yml (the project's,
# reached from the package's directory), hard-links a file it staged in the
# project into the workflows (linked.yml) and moves another there
# (moved.yml: seen both by the session's rename hook and by fanotify, and
# alerted once). One alert per file: critical,
# writer install-session, with the package, the lifecycle event and the npm
# session of the process alerts; the paths are the canonical ones in the
# project (no `..`); pwn.yml is a creation, ci.yml an overwrite. The
# package's own .github/workflows/upstream.yml and Makefile, unpacked by npm
# into node_modules and its cache, are package contents: not alerted.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/files.sh"

tgz=$(npm_pack cicd-write)
ver=$(pkg_json_field "$FIXTURES/npm/cicd-write" version)
files_scratch
proj=$VT/proj
mkdir -p "$proj/.github/workflows"
echo 'on: push' >"$proj/.github/workflows/ci.yml"
sh_name=$(exe_name sh)
ds_start

npm_install "$proj" "$tgz"
require_file "$(installed "$proj" ds-e2e-cicd-write postinstall.ran)" "the postinstall did not run"
require_file "$proj/.github/workflows/pwn.yml" "the postinstall did not plant its workflow"
grep -q '^# pwned$' "$proj/.github/workflows/ci.yml" ||
	fail "the postinstall did not append to $proj/.github/workflows/ci.yml"
for f in .github/workflows/upstream.yml Makefile; do
	require_file "$(installed "$proj" ds-e2e-cicd-write "$f")" "npm did not unpack the package's $f"
done

for f in pwn.yml ci.yml linked.yml moved.yml; do
	path=$proj/.github/workflows/$f
	step "the alert for $path"
	a=$(wait_file "$path")
	check_file_alert "$a" "the alert for $f is incomplete" "$path"
	check_severity "$a" "a postinstall writing $f is not critical" critical
	check_alert "$a" "the alert for $f does not name the package and its npm session" \
		depsentry.file.writer=install-session \
		'depsentry.file.pattern=*/.github/workflows/*' \
		package.name=ds-e2e-cicd-write "package.version=$ver" package.type=npm \
		depsentry.lifecycle_event=postinstall \
		depsentry.session.package_manager=npm \
		"depsentry.session.pid=$NPM_PID" \
		"depsentry.ancestry.0.pid=$NPM_PID" \
		"process.pid!=$NPM_PID" \
		"process.working_directory=$proj/node_modules/ds-e2e-cicd-write" \
		--expr 'f("depsentry.ancestry.-1.pid") == f("process.pid")'
done
a=$(wait_file "$proj/.github/workflows/pwn.yml")
check_action "$a" "pwn.yml was born under the postinstall" creation
check_alert "$a" "pwn.yml was not written by the hook's shell" "process.name=$sh_name"
a=$(wait_file "$proj/.github/workflows/ci.yml")
check_action "$a" "ci.yml existed before the postinstall" overwrite
check_alert "$a" "ci.yml was not written by the hook's shell" "process.name=$sh_name"
a=$(wait_file "$proj/.github/workflows/linked.yml")
check_action "$a" "linked.yml was hard-linked" link
check_alert "$a" "the link alert does not name the staged file" \
	"depsentry.file.old_path=$proj/stage-l.txt" process.name=ln
a=$(wait_file "$proj/.github/workflows/moved.yml")
check_action "$a" "moved.yml was renamed into place" rename
check_alert "$a" "the rename alert does not name the staged file" \
	"depsentry.file.old_path=$proj/stage-m.txt" process.name=mv

barrier
step "one alert per file, no other file alert in the session"
expect_count 1 "pwn.yml was not alerted exactly once" "file.path=$proj/.github/workflows/pwn.yml"
for f in ci.yml linked.yml moved.yml; do
	expect_count 1 "$f was not alerted exactly once" "file.path=$proj/.github/workflows/$f"
done
expect_count 4 "the npm session has other file alerts" "depsentry.session.pid=$NPM_PID"
expect_count 0 "npm unpacking the package's workflow or Makefile was alerted" \
	'file.path~/(node_modules|_cacache)/'
expect_count 5 "unexpected cicd-file-modified alerts (only the four files and the barrier)"

ds_finish
