#!/bin/bash
# An install in a container's cgroup, alerted after every process of it has
# exited: a docker-style cgroup (.../docker/<64 hex>, under a parent of the
# scenario's own) in the cgroup v2 hierarchy, npm moved into it, the daemon stopped (SIGSTOP, from outside
# any session) for the whole install and continued once npm and its
# scripts are gone. The alerts are written then: container.id comes from
# the cgroup id each exec record carries, looked up by file handle, not
# from /proc/PID/cgroup of a process that is no more.
. "$(dirname "$0")/lib.sh"

CG=$(awk '/ - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
[ -n "$CG" ] && [ -d "$CG" ] || fail "no cgroup v2 hierarchy mounted"
ID=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
BASE=$CG/ds-e2e-$$
mkdir "$BASE" "$BASE/docker" "$BASE/docker/$ID" || fail "cannot make the cgroup $BASE/docker/$ID"
CLEANUP_DIRS+=("$BASE" "$BASE/docker" "$BASE/docker/$ID")
tgz=$(npm_pack recon)
ds_start

step "npm install in $BASE/docker/$ID, the daemon stopped meanwhile"
kill -STOP "$DS_PID"
npm_project "$T/proj" "$tgz"
rc=0
(cd "$T/proj" && echo "$BASHPID" >"$BASE/docker/$ID/cgroup.procs" &&
	exec "$NPM" install --offline --no-audit --no-fund "${NPM_STRICT[@]}" "$tgz") \
	>"$T/npm.log" 2>&1 || rc=$?
[ -z "$(cat "$BASE/docker/$ID/cgroup.procs")" ] || fail "processes left in the cgroup"
kill -CONT "$DS_PID"
[ "$rc" -eq 0 ] || fail "npm install exited $rc: $(tail -n 5 "$T/npm.log")"

step "the alerts, written after the install's processes exited, name the container"
a=$(wait_alert rule.id=pm-suspicious-child process.name=whoami package.name=ds-e2e-recon)
check_alert "$a" "the alert does not name the container" "container.id=$ID" container.runtime=docker
a=$(wait_alert rule.id=pm-suspicious-child process.name=id package.name=ds-e2e-recon)
check_alert "$a" "the alert does not name the container" "container.id=$ID" container.runtime=docker
ds_finish
