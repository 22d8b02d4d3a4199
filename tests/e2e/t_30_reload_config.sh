#!/bin/bash
# SIGHUP reads the configuration again; only a valid one is taken.
# (a) a changed severity shows in the next alert; a new watched pattern
#     (a new anchor in the kernel's file filter) is alerted at once, where
#     the same write was quiet before; a changed ring_buffer_size is named
#     in the log as needing a restart.
# (b) a syntax error and an unknown key: the log names FILE:LINE: and the
#     JSON path, and the next alert still follows the running configuration.
# (c) the pattern removed again: quiet after a barrier.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/files.sh"
. "$(dirname "$0")/siem.sh"

files_scratch
repo=$(repo_init repo)
mkdir -p "$repo/.github/workflows" "$repo/.ds-e2e-watch"
cfg=$T/depsentry.json
config_edit "$cfg" 'pass'
ds_start -c "$cfg"

# write NAME: a shell writes NAME in $repo; RUN_PID is the shell.
write()
{
	sh_in "$repo" "echo 'on: push' > $1"
}

step "before: a shell writing a workflow is high; .ds-e2e-watch is not watched"
write .github/workflows/a.yml
a=$(wait_file "$repo/.github/workflows/a.yml" "process.pid=$RUN_PID")
check_severity "$a" "a shell writing a workflow is not high by default" high
write .ds-e2e-watch/before.yml
barrier
expect_count 0 "a write in .ds-e2e-watch was alerted before it was watched" \
	"file.path=$repo/.ds-e2e-watch/before.yml"

step "(a) reload: critical for suspicious writers, .ds-e2e-watch watched, a smaller ring"
config_edit "$cfg" '
r = c["rules"]["cicd-file-modified"]
r["suspicious_writer_severity"] = "critical"
c["files"]["pipeline_files"].append("*/.ds-e2e-watch/*")
c["ring_buffer_size"] = 262144'
ds_hup
grep -q "configuration reloaded from $cfg\$" "$DS_LOG" || fail "the reload of $cfg was not logged"
grep -Eq "^depsentry: $cfg: ring_buffer_size changed from 16777216 to 262144, .*restart depsentry to apply it; 16777216 stays in force" \
	"$DS_LOG" || fail "the ring_buffer_size change was not reported as needing a restart"
write .github/workflows/b.yml
a=$(wait_file "$repo/.github/workflows/b.yml" "process.pid=$RUN_PID")
check_severity "$a" "the reloaded severity is not in the next alert" critical
write .ds-e2e-watch/after.yml
a=$(wait_file "$repo/.ds-e2e-watch/after.yml" "process.pid=$RUN_PID")
check_alert "$a" "the pattern added by the reload did not match" \
	'depsentry.file.pattern=*/.ds-e2e-watch/*'

step "(b) a syntax error: reported with its line, the running configuration stays"
cp "$cfg" "$T/good.json"
sed -i '3s/.*/	"min_severity": medium,/' "$cfg"
before=$(log_count 'configuration not reloaded')
ds_hup
[ "$(log_count 'configuration not reloaded')" -gt "$before" ] || fail "the broken configuration was taken"
grep -q "^depsentry: $cfg:3:" "$DS_LOG" || fail "the syntax error is not reported as $cfg:3:"
write .github/workflows/c.yml
a=$(wait_file "$repo/.github/workflows/c.yml" "process.pid=$RUN_PID")
check_severity "$a" "after a broken reload the next alert left the running configuration" critical

step "(b) an unknown key: reported with its JSON path, the running configuration stays"
config_edit "$cfg" '
c["rules"]["cicd-file-modified"]["suspicious_writer_severity"] = "low"
c["rules"]["pm-suspicious-child"]["bogus_knob"] = 1'
before=$(log_count 'configuration not reloaded')
ds_hup
[ "$(log_count 'configuration not reloaded')" -gt "$before" ] || fail "the invalid configuration was taken"
grep -q "^depsentry: $cfg: \$\\.rules\\.pm-suspicious-child\\.bogus_knob: unknown key" "$DS_LOG" ||
	fail "the unknown key is not reported with its JSON path"
write .github/workflows/d.yml
a=$(wait_file "$repo/.github/workflows/d.yml" "process.pid=$RUN_PID")
check_severity "$a" "a configuration with an error was partly applied" critical

step "(c) the shipped configuration again: high, .ds-e2e-watch quiet"
config_edit "$cfg" 'pass'
ds_hup
grep -q "configuration reloaded from $cfg\$" "$DS_LOG" || fail "the last reload was not logged"
write .github/workflows/e.yml
a=$(wait_file "$repo/.github/workflows/e.yml" "process.pid=$RUN_PID")
check_severity "$a" "the severity did not return to high" high
write .ds-e2e-watch/gone.yml
barrier
expect_count 0 "a write in .ds-e2e-watch was alerted after its pattern was removed" \
	"file.path=$repo/.ds-e2e-watch/gone.yml"

ds_finish
