#!/bin/bash
# A shell started outside any install session writes a GitHub Actions
# workflow into a git repository: `sh -c 'mkdir -p .github/workflows &&
# echo "on: push" > .github/workflows/ci.yml'`. Exactly one
# cicd-file-modified alert: the absolute path and its parts, action creation
# (the file was born under that shell), the shell as the writer
# (suspicious, high), the pattern that matched, valid ECS.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/files.sh"

files_scratch
repo=$(repo_init repo)
sh_name=$(exe_name sh)
ds_start

step "a shell writes .github/workflows/ci.yml in $repo"
sh_in "$repo" 'mkdir -p .github/workflows && echo "on: push" > .github/workflows/ci.yml'
SH_PID=$RUN_PID
[ "$(cat "$repo/.github/workflows/ci.yml")" = "on: push" ] || fail "the shell did not write ci.yml"

path=$repo/.github/workflows/ci.yml
a=$(wait_file "$path")
check_file_alert "$a" "the workflow alert is incomplete" "$path"
check_action "$a" "the workflow alert has the wrong action" creation
check_severity "$a" "a shell writing a workflow is not high" high
check_alert "$a" "the workflow alert does not name the shell as the writer" \
	"process.pid=$SH_PID" "process.name=$sh_name" \
	"process.command_line~^sh -c .?mkdir -p \\.github/workflows" \
	"process.working_directory=$repo" \
	"process.parent.pid=$$" process.parent.name=bash \
	depsentry.file.writer=suspicious \
	'depsentry.file.pattern=*/.github/workflows/*' \
	'!depsentry.file.old_path?' '!package.name?' '!depsentry.session.pid?'

barrier
step "exactly one alert for the workflow, and none for anything else of that shell"
expect_count 1 "the workflow write was not alerted exactly once" "file.path=$path"
expect_count 1 "the shell was alerted for more than the workflow" "process.pid=$SH_PID"
expect_count 2 "unexpected cicd-file-modified alerts (only the workflow and the barrier)"

ds_finish
