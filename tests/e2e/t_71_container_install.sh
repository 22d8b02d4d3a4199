#!/bin/bash
# An install inside a CI container, as a runner's docker executor runs one:
# a Debian 12 root (debootstrap) under an overlay, its own pid, mount and
# network namespaces, chrooted, a docker-style cgroup, the project a host
# directory bind-mounted as /workspace, and its own resolver on its own
# loopback (127.0.0.1:53, what its resolv.conf names; docker's 127.0.0.11
# is the same case). Debian's node 18 and npm 9 run the install there. The
# hook's recon, the workflow it plants in the workspace and the host data
# it sends out by name are each alerted with the package, the session and
# the container; paths are given as the container sees them, the host's
# beside them; the names its resolver gives are captured in its network
# namespace; asking that resolver raises nothing.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/net.sh"
. "$E2E_DIR/container.sh"

PKG=ds-e2e-container-attack
ctr_make
ctr_net --gw http_sink_start "$CTR_GW"
EXFIL_PORT=$SINK_PORT
ctr_dns exfil.attacker.test="$CTR_GW" registry.npmjs.org=192.0.2.10
ctr_project "$(npm_pack container-attack)"
canary_prepare
CTR_ENV=("DS_E2E_PORT=$EXFIL_PORT")
ds_start

step "npm install inside the container, from /workspace"
rc=0
ctr_run npm install --offline --no-audit --no-fund --foreground-scripts ./pkg.tgz >"$T/npm.log" 2>&1 || rc=$?
[ "$rc" -eq 0 ] || fail "npm install in the container exited $rc: $(tail -n 5 "$T/npm.log")"
grep -q "exfil: http 200" "$T/npm.log" || fail "the hook's request did not reach its server: $(cat "$T/npm.log")"
ctr_wait_idle

in_ctr=("container.id=$CTR_ID" container.runtime=docker "package.name=$PKG"
	depsentry.session.id? depsentry.session.package_manager=npm
	depsentry.namespace.pid? depsentry.namespace.mnt? depsentry.namespace.net?
	"depsentry.process.root=$CTR_ROOT")

step "the hook's recon: the container's paths, the host's beside them"
a=$(wait_alert rule.id=pm-suspicious-child process.name=id "package.name=$PKG")
check_alert "$a" "the recon alert does not place the process" "${in_ctr[@]}" \
	process.executable=/usr/bin/id "depsentry.process.host_executable=$CTR_ROOT/usr/bin/id" \
	"process.working_directory=/workspace/node_modules/$PKG" \
	"depsentry.process.host_working_directory=$CTR_WS/node_modules/$PKG"

step "the workflow planted in the bind-mounted workspace"
a=$(wait_alert rule.id=cicd-file-modified "package.name=$PKG")
check_alert "$a" "the workflow alert does not give both paths" "${in_ctr[@]}" \
	file.path=/workspace/.github/workflows/pwn.yml \
	"depsentry.file.host_path=$CTR_WS/.github/workflows/pwn.yml" event.severity=99

step "the exfiltration, named by the answer of the container's own resolver"
a=$(wait_alert rule.id=pm-unexpected-egress event.action=connect "destination.ip=$CTR_GW")
check_alert "$a" "the connect is not named, or not placed" "${in_ctr[@]}" \
	destination.domain=exfil.attacker.test "destination.port=$EXFIL_PORT"

step "asking its own resolver, for a registry's name, raises nothing"
canary
assert_none "a connect to the container's resolver was alerted" \
	rule.id=pm-unexpected-egress event.action=connect destination.port=53
assert_none "the registry's name was alerted" dns.question.name=registry.npmjs.org
assert_none "a question was judged sent to a server not its resolver" \
	rule.id=install-dns-exfiltration
ds_finish
