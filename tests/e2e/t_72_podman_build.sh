#!/bin/bash
# Debian's podman as a second runtime, and image builds: a `podman build`
# whose RUN step installs a package (RUN npm install, as a Dockerfile's
# `RUN npm ci`) is an install session like any other, its alerts naming the
# build's working container, by id and name; a `podman run` installing the
# same package is named with its container's id, name and runtime. The
# image is the scenario set's Debian 12 root filesystem, imported: no
# registry.
. "$(dirname "$0")/lib.sh"
. "$E2E_DIR/container.sh"

podman_ready
image=$(podman_image)
tgz=$(npm_pack recon)
mkdir -p "$T/ctx"
cp "$tgz" "$T/ctx/pkg.tgz"
# the step's host name is the working container's id, cut to 12 digits
cat >"$T/ctx/Containerfile" <<EOF
FROM $image
COPY pkg.tgz /w/pkg.tgz
RUN hostname >/w/build-step.host && cd /w && npm install --offline --no-audit --no-fund --foreground-scripts ./pkg.tgz
EOF
ds_start

step "podman build: RUN npm install of a package doing recon"
podman_build "localhost/ds-e2e-build-$$" -f "$T/ctx/Containerfile" "$T/ctx" >"$T/build.log" 2>&1 ||
	fail "podman build failed: $(tail -n 5 "$T/build.log")"
step_host=$(podman_run --rm "localhost/ds-e2e-build-$$" cat /w/build-step.host) ||
	fail "cannot read the build step's host name"
[[ $step_host =~ ^[0-9a-f]{12}$ ]] || fail "the build step's host name is '$step_host'"
a=$(wait_alert rule.id=pm-suspicious-child process.name=id package.name=ds-e2e-recon)
check_alert "$a" "the build step's alert does not name its working container" \
	container.runtime=buildah "container.id~^$step_host[0-9a-f]{52}\$" \
	"container.name~-working-container\$" depsentry.session.package_manager=npm \
	depsentry.session.id? depsentry.namespace.mnt? depsentry.namespace.pid? \
	process.executable=/usr/bin/id

step "podman run: the same install in a named container"
rm -f "$T/cid"
podman_run --rm --name "ds-e2e-run-$$" --cidfile "$T/cid" -v "$T/ctx:/w" "$image" \
	sh -c 'cd /w && rm -rf node_modules && npm install --offline --no-audit --no-fund --foreground-scripts ./pkg.tgz' \
	>"$T/run.log" 2>&1 || fail "podman run failed: $(tail -n 5 "$T/run.log")"
cid=$(cat "$T/cid")
[[ $cid =~ ^[0-9a-f]{64}$ ]] || fail "podman wrote no container id: '$cid'"
a=$(wait_alert rule.id=pm-suspicious-child process.name=id package.name=ds-e2e-recon "container.id=$cid")
check_alert "$a" "the run's alert does not name its container" container.runtime=podman \
	"container.name=ds-e2e-run-$$" depsentry.session.package_manager=npm \
	process.executable=/usr/bin/id "process.working_directory=/w/node_modules/ds-e2e-recon" \
	"depsentry.process.host_working_directory=$T/ctx/node_modules/ds-e2e-recon"
ds_finish
