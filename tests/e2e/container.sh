# tests/e2e/container.sh: an install inside a container, for the scenarios
# that source it after lib.sh (and net.sh, for servers in the container's
# network): made of the kernel's namespaces, cgroup v2, overlayfs and
# Debian packages, no container engine and no registry.
#
#   ctr_make [NAME]      a container: sets CTR_ID (64 hex), CTR_ROOT (its
#                        root, an overlay on the shared root filesystem of
#                        rootfs.sh), CTR_WS (a host directory that is
#                        /workspace inside), CTR_CGROUP (a docker-style
#                        cgroup .../ds-e2e-$$/docker/$CTR_ID), CTR_NETNS
#                        (its network namespace: lo, and eth0 $CTR_ADDR
#                        towards a gateway $CTR_GW in CTR_GW_NETNS, as
#                        docker's bridge) and CTR_HOSTNAME (the id's first
#                        12 digits, as docker)
#   ctr_run CMD...       run CMD inside (docker exec), in the foreground;
#                        returns its status (128+N when killed by signal N)
#   ctr_run_start CMD... the same in the background; sets CTR_RUN_PID
#   ctr_wait_idle [SECS] wait until only the container's init is left in
#                        its cgroup (detached children of an install too)
#   ctr_in_net [--gw] CMD...
#                        a host program (dnsmasq, python3 -m http.server, a
#                        sink) in the container's network (with --gw: on the
#                        gateway's side, reached at $CTR_GW), in the
#                        background; sets CTR_NET_PID
#   ctr_net [--gw] CMD|FUNC...
#                        a host program or a net.sh helper in the container's
#                        network, in the foreground: `ctr_net http_sink_start
#                        127.0.0.1` starts and checks its server there
#   ctr_dns NAME=IP...   dnsmasq (net.sh's dnsmasq_start) on 127.0.0.1:53
#                        in the container's network, which its resolv.conf
#                        names; checked with getent inside the container
#   ctr_project TGZ      the workspace: a project's package.json and TGZ as
#                        pkg.tgz
#   podman_ready         Debian's podman set up to run here (or fail saying
#                        why); podman_image, podman_build, podman_run
#
# The design, and why:
#
# - The root filesystem is built once per checkout (rootfs.sh) and never
#   written: each container is an overlay mount on the host, $T/NAME/merged,
#   with its upper and work directories in $T, so an install's files stay
#   in the scenario's scratch directory.
# - The network namespace lives as long as the container, not a process:
#   `unshare --net=FILE` bind-mounts it on $T/NAME/netns. Every ctr_run
#   enters it (nsenter --net), and so can host programs (ctr_in_net): a DNS
#   server on 127.0.0.1:53, a registry or an exfiltration listener on the
#   container's own loopback, as a CI container has them. No /run/netns
#   name, nothing shared with another scenario, nothing added to the
#   host's network.
# - Besides lo it has eth0, 172.17.0.2/16 with a default route through
#   172.17.0.1, a veth whose other end is in a second namespace of its own
#   ($T/NAME/netns-gw): a container has a non-loopback address, as under
#   docker. It matters: glibc's getaddrinfo with AI_ADDRCONFIG (node's
#   dns.lookup, getent ahosts) counts no loopback address, and with lo
#   alone an AF_INET lookup fails (EAI_NONAME) with no query sent. And a
#   server on the gateway side (--gw) is a destination that is not
#   loopback: another machine, for all the container can tell.
# - The container runs as CI runners use one (a long-lived container, each
#   job step a `docker exec`): ctr_make starts its init, the container's
#   own `sleep infinity`, as pid 1 of new pid, mount, uts and ipc
#   namespaces (unshare), chrooted in CTR_ROOT, after mounting there /proc
#   of that pid namespace, a minimal /dev, /sys read-only, /tmp and
#   /dev/shm tmpfs, and $CTR_WS on /workspace. Those mounts exist only in
#   its mount namespace and go with it. Its set-up (sh, mount, mknod: host
#   programs) runs in the scenario's cgroup; it joins CTR_CGROUP last, so
#   the container's cgroup sees the chroot (`unshare --root`) and sleep.
# - ctr_run joins CTR_CGROUP, then `nsenter --target <init>` into all its
#   namespaces and root, cwd /workspace, with a clean environment
#   (HOME=/root, PATH, HOSTNAME, and CTR_ENV: an array of NAME=VALUE a
#   scenario may set). All the runs share one pid namespace, as docker
#   exec's do: what an install leaves running detached lives on (until
#   the container goes at exit) and ctr_wait_idle can wait for it; the
#   exec'd process's parent is nsenter, outside (ppid 0 inside), as under
#   docker exec. nsenter hands on the exit status (a signal as 128+N). No
#   cgroup namespace: /proc/self/cgroup inside shows the whole docker path.
# - Clean-up: container.sh chains its own exit hook in front of lib.sh's
#   cleanup (trap EXIT, the status handed on): podman's containers and
#   images of the scenario are removed, each container's init is killed
#   (and with it its pid namespace), then whatever is left in the
#   containers' cgroups and the host programs in their networks (cgroup
#   ctr-net), then the overlays and network namespace files are unmounted;
#   lib.sh then removes the cgroups (CLEANUP_DIRS) and $T. Something left
#   behind fails the scenario. If the scenario's shell is killed outright
#   (no EXIT trap), its inits die with it (pdeathsig), the mounts on the
#   host stay.

[ "$(type -t cleanup)" = function ] || {
	echo "container.sh: source lib.sh first" >&2
	exit 1
}
need_cmd nsenter util-linux
need_cmd setpriv util-linux
need_cmd unshare util-linux
need_cmd findmnt util-linux
need_cmd mount mount
need_cmd ip iproute2
need_cmd mknod coreutils

# shellcheck source=tests/e2e/rootfs.sh
. "$E2E_DIR/rootfs.sh"

CTR_PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
CTR_ENV=()		# NAME=VALUE added to the environment of every ctr_run
CTR_ID=
CTR_NAME=
CTR_ROOT=
CTR_WS=
CTR_CGROUP=
CTR_NETNS=
CTR_GW_NETNS=
CTR_ADDR=172.17.0.2	# the container's eth0 (docker's first address)
CTR_GW=172.17.0.1	# the other end, in CTR_GW_NETNS
CTR_HOSTNAME=
CTR_INIT_PID=		# the host pid of the container's init (sleep infinity)
CTR_RUN_PID=
CTR_NET_PID=

_CTR_MOUNTS=()		# unmounted at exit, last first
_CTR_CGROUPS=()		# every process in them killed at exit
_CTR_PIDS=()		# host programs in a container's network, killed at exit
_CTR_INITS=()		# the containers' inits, killed first at exit
_CTR_LAUNCHERS=()	# the unshare above each init: gone once all is reaped
_CTR_RUNS=()		# ctr_run_start's nsenter processes
_CTR_HELPERS_CG=	# their cgroup (.../ds-e2e-$$/ctr-net): all killed at exit
_PODMAN_OWNER=		# the label of this scenario's podman containers and images
_PODMAN_TAGS=()		# images podman_build made, removed at exit
_PODMAN_BUILDING=0	# 1 while podman_build runs: killed, it leaves its container

# _ctr_cgroup2: the mount point of the cgroup v2 hierarchy (as t_70).
_ctr_cgroup2()
{
	local cg

	cg=$(awk '/ - cgroup2 / { print $5; exit }' /proc/self/mountinfo)
	if [ -z "$cg" ] || [ ! -d "$cg" ]; then
		fail "no cgroup v2 hierarchy mounted"
	fi
	printf '%s\n' "$cg"
}

# _ctr_mkdir_cg DIR: make a cgroup directory unless it is there, and have
# lib.sh remove it at exit if this made it (another helper may share a
# parent such as ds-e2e-$$).
_ctr_mkdir_cg()
{
	[ -d "$1" ] && return 0
	mkdir "$1" || fail "cannot make the cgroup $1"
	CLEANUP_DIRS+=("$1")
}

# _ctr_netns FILE: a new network namespace kept by a bind mount on FILE
# (unmounted at exit), its loopback up. Not in $(...): _CTR_MOUNTS.
_ctr_netns()
{
	: >"$1"
	unshare --net="$1" true || fail "cannot make a network namespace on $1"
	_CTR_MOUNTS+=("$1")
	nsenter --net="$1" ip link set lo up || fail "cannot bring lo up in $1"
}

# ctr_make [NAME]: a new container named NAME (default ctr; a second one
# needs a name of its own); the CTR_* variables then describe it, and
# ctr_run and the others use it.
ctr_make()
{
	local name=${1:-ctr} dir lower cg

	[[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || fail "ctr_make: bad container name '$name'"
	dir=$T/$name
	[ ! -e "$dir" ] || fail "ctr_make: $dir exists (a container named $name already?)"
	lower=$(rootfs_ensure)
	# overlayfs takes ':' and ',' as separators in its options
	case $lower$dir in
	*[:,]*) fail "ctr_make: overlayfs cannot take a path with ':' or ',': $lower, $dir" ;;
	esac
	step "make container $name (root: overlay on $lower)"
	CTR_NAME=$name
	CTR_ID=$(od -An -N32 -tx1 /dev/urandom | tr -d ' \n')
	[[ $CTR_ID =~ ^[0-9a-f]{64}$ ]] || fail "ctr_make: no container id from /dev/urandom"
	CTR_HOSTNAME=${CTR_ID:0:12}
	if [ "$name" = ctr ]; then
		CTR_WS=$T/workspace
	else
		CTR_WS=$T/workspace-$name
	fi
	mkdir -p "$dir/upper" "$dir/work" "$dir/merged" "$CTR_WS"

	mount -t overlay "ds-e2e-$name" \
		-o "lowerdir=$lower,upperdir=$dir/upper,workdir=$dir/work" "$dir/merged" ||
		fail "cannot mount the overlay of container $name on $dir/merged"
	_CTR_MOUNTS+=("$dir/merged")
	CTR_ROOT=$dir/merged
	# the container's own files, in its upper layer: a resolver on its own
	# loopback (docker's 127.0.0.11, a CI job's dnsmasq), no search domain
	# (as net.sh's in_resolver: an NXDOMAIN is not retried under another
	# name), and its name resolved without DNS, as docker writes it
	printf 'nameserver 127.0.0.1\noptions attempts:1 timeout:2\nsearch .\n' \
		>"$CTR_ROOT/etc/resolv.conf"
	printf '%s\n' "$CTR_HOSTNAME" >"$CTR_ROOT/etc/hostname"
	printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n127.0.1.1\t%s\n' \
		"$CTR_HOSTNAME" >"$CTR_ROOT/etc/hosts"
	mkdir -p "$CTR_ROOT/workspace"

	CTR_NETNS=$dir/netns
	CTR_GW_NETNS=$dir/netns-gw
	_ctr_netns "$CTR_NETNS"
	_ctr_netns "$CTR_GW_NETNS"
	# shellcheck disable=SC2016 # expanded by the inner shell
	nsenter --net="$CTR_NETNS" /bin/sh -c '
		ip link add eth0 type veth peer name gw0 &&
		ip link set gw0 netns "$1" &&
		ip addr add "$2/16" dev eth0 && ip link set eth0 up &&
		ip route add default via "$3"' ctr-net "$CTR_GW_NETNS" "$CTR_ADDR" "$CTR_GW" ||
		fail "cannot give container $name its eth0 ($CTR_ADDR)"
	# shellcheck disable=SC2016 # expanded by the inner shell
	nsenter --net="$CTR_GW_NETNS" /bin/sh -c '
		ip addr add "$1/16" dev gw0 && ip link set gw0 up' ctr-gw "$CTR_GW" ||
		fail "cannot set the gateway $CTR_GW of container $name up"

	cg=$(_ctr_cgroup2)
	_ctr_mkdir_cg "$cg/ds-e2e-$$"
	if [ -z "$_CTR_HELPERS_CG" ]; then
		_ctr_mkdir_cg "$cg/ds-e2e-$$/ctr-net"
		_CTR_HELPERS_CG=$cg/ds-e2e-$$/ctr-net
		_CTR_CGROUPS+=("$_CTR_HELPERS_CG")
	fi
	_ctr_mkdir_cg "$cg/ds-e2e-$$/docker"
	mkdir "$cg/ds-e2e-$$/docker/$CTR_ID" || fail "cannot make the cgroup $cg/ds-e2e-$$/docker/$CTR_ID"
	CLEANUP_DIRS+=("$cg/ds-e2e-$$/docker/$CTR_ID")
	_CTR_CGROUPS+=("$cg/ds-e2e-$$/docker/$CTR_ID")
	CTR_CGROUP=$cg/ds-e2e-$$/docker/$CTR_ID

	_ctr_init "$dir"
	# the whole chain once, so that a later failure is the command's
	ctr_run /bin/true || fail "container $name does not run /bin/true (status $?)"
	echo "   container $name: id $CTR_ID, init pid $CTR_INIT_PID, cgroup $CTR_CGROUP"
}

# _ctr_init_up DIR PID: the container's init has become its `sleep` (set
# CTR_INIT_PID); fail if PID, the unshare starting it, exited first.
_ctr_init_up()
{
	local p comm

	while read -r p; do
		comm=$(cat "/proc/$p/comm" 2>/dev/null) || continue
		if [ "$comm" = sleep ]; then
			CTR_INIT_PID=$p
			return 0
		fi
	done <"$CTR_CGROUP/cgroup.procs"
	pid_alive "$2" || fail "the init of container $CTR_NAME exited: $(cat "$1/init.log")"
	return 1
}

# _ctr_init DIR: start the container's init (see the top of the file),
# its errors in DIR/init.log, and wait for it.
_ctr_init()
{
	local pid

	# pdeathsig: if the scenario's shell dies without its EXIT trap, the
	# unshare does too, and --kill-child takes the init with it
	# shellcheck disable=SC2016 # expanded by the inner shell
	setpriv --pdeathsig KILL nsenter --net="$CTR_NETNS" \
		unshare --mount --propagation private --uts --ipc --pid --fork --kill-child \
		/bin/sh -c '
		r=$1 ws=$2 cg=$3 host=$4
		die() { echo "container init: $*" >&2; exit 125; }
		# pid 1 of the new pid namespace: this /proc shows only the container
		mount -t proc -o nosuid,nodev,noexec proc "$r/proc" || die "mount /proc"
		mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$r/sys" || die "mount /sys"
		# /dev: the usual nodes, not the host'"'"'s disks
		mount -t tmpfs -o nosuid,mode=755,size=1m tmpfs "$r/dev" || die "mount /dev"
		for n in null:1:3 zero:1:5 full:1:7 random:1:8 urandom:1:9 tty:5:0; do
			d=${n%%:*} mi=${n##*:} ma=${n#*:}
			mknod -m 666 "$r/dev/$d" c "${ma%:*}" "$mi" || die "mknod /dev/$d"
		done
		ln -s /proc/self/fd "$r/dev/fd" && ln -s /proc/self/fd/0 "$r/dev/stdin" &&
			ln -s /proc/self/fd/1 "$r/dev/stdout" && ln -s /proc/self/fd/2 "$r/dev/stderr" &&
			ln -s pts/ptmx "$r/dev/ptmx" && mkdir "$r/dev/pts" "$r/dev/shm" || die "populate /dev"
		mount -t devpts -o newinstance,ptmxmode=0666,mode=620 devpts "$r/dev/pts" || die "mount /dev/pts"
		mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$r/dev/shm" || die "mount /dev/shm"
		mount -t tmpfs -o nosuid,nodev,mode=1777 tmpfs "$r/tmp" || die "mount /tmp"
		mount --bind "$ws" "$r/workspace" || die "bind $ws on /workspace"
		echo "$host" >/proc/sys/kernel/hostname || die "set the host name"
		# last: into the container'"'"'s cgroup (0: this process)
		echo 0 >"$cg/cgroup.procs" || die "join the cgroup $cg"
		exec unshare --root="$r" --wd=/workspace /bin/sleep infinity' ctr-init \
		"$CTR_ROOT" "$CTR_WS" "$CTR_CGROUP" "$CTR_HOSTNAME" </dev/null >"$1/init.log" 2>&1 &
	pid=$!
	BG_PIDS+=("$pid")
	_CTR_LAUNCHERS+=("$pid")
	disown "$pid"
	wait_until --fail 10 "the init of container $CTR_NAME" _ctr_init_up "$1" "$pid"
	_CTR_INITS+=("$CTR_INIT_PID")
}

# _ctr_cmd CMD...: set _CTR_CMD to the command line that runs CMD in the
# current container (see the top of the file), from a process already in
# its cgroup.
_ctr_cmd()
{
	[ -n "$CTR_INIT_PID" ] || fail "no container: call ctr_make first"
	[ $# -gt 0 ] || fail "ctr_run: no command"
	pid_alive "$CTR_INIT_PID" || fail "the init of container $CTR_NAME is gone (pid $CTR_INIT_PID)"
	# --root and --wd without a directory: the init's, CTR_ROOT and /workspace
	_CTR_CMD=(nsenter --target "$CTR_INIT_PID" --mount --uts --ipc --net --pid --root --wd
		/usr/bin/env -i HOME=/root PATH="$CTR_PATH" HOSTNAME="$CTR_HOSTNAME"
		# npm and pip do nothing on the network of their own (as lib.sh)
		npm_config_update_notifier=false npm_config_audit=false npm_config_fund=false
		PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1
		"${CTR_ENV[@]}" "$@")
}

# ctr_run CMD...: run CMD in the current container in the foreground, with
# the scenario's stdin, stdout and stderr; return its exit status.
ctr_run()
{
	local rc=0

	_ctr_cmd "$@"
	(echo "$BASHPID" >"$CTR_CGROUP/cgroup.procs" && exec "${_CTR_CMD[@]}") || rc=$?
	return "$rc"
}

# ctr_run_start CMD...: the same in the background (redirect its output
# where the scenario wants it); CTR_RUN_PID is the host pid of the nsenter
# that waits for CMD: `wait $CTR_RUN_PID` gives CMD's status. Not in $(...).
ctr_run_start()
{
	_ctr_cmd "$@"
	(echo "$BASHPID" >"$CTR_CGROUP/cgroup.procs" && exec "${_CTR_CMD[@]}") &
	CTR_RUN_PID=$!
	BG_PIDS+=("$CTR_RUN_PID")
	_CTR_RUNS+=("$CTR_RUN_PID")
}

# _ctr_idle: the current container's cgroup holds its init alone.
_ctr_idle()
{
	[ "$(cat "$CTR_CGROUP/cgroup.procs")" = "$CTR_INIT_PID" ]
}

# ctr_wait_idle [SECONDS]: wait (default 20 s) until every process but the
# init has left the current container (what an install started detached
# too); fail on time-out.
ctr_wait_idle()
{
	wait_until --fail "${1:-20}" "container $CTR_NAME to be idle" _ctr_idle
}

# _ctr_ns [--gw]: set _CTR_NS to the current container's network namespace
# (its gateway's with --gw) and _CTR_SHIFT to the arguments to drop.
_ctr_ns()
{
	[ -n "$CTR_NETNS" ] || fail "no container: call ctr_make first"
	_CTR_NS=$CTR_NETNS _CTR_SHIFT=0
	if [ "${1:-}" = --gw ]; then
		_CTR_NS=$CTR_GW_NETNS _CTR_SHIFT=1
	fi
}

# ctr_in_net [--gw] CMD...: run a host program in the current container's
# network namespace, in the background: a server its processes reach on
# 127.0.0.1 (with --gw: in the gateway's namespace, a server they reach on
# $CTR_GW). Sets CTR_NET_PID. It runs in the cgroup .../ds-e2e-$$/ctr-net,
# whose processes are all killed at exit: even one started in a subshell,
# whose CTR_NET_PID is lost, or one that forked away.
ctr_in_net()
{
	_ctr_ns "$@"
	shift "$_CTR_SHIFT"
	[ $# -gt 0 ] || fail "ctr_in_net: no command"
	(echo "$BASHPID" >"$_CTR_HELPERS_CG/cgroup.procs" && exec nsenter --net="$_CTR_NS" "$@") &
	CTR_NET_PID=$!
	BG_PIDS+=("$CTR_NET_PID")
	_CTR_PIDS+=("$CTR_NET_PID")
	disown "$CTR_NET_PID"	# no "Killed" line from bash when it is killed
}

# _ctr_wrap DIR NAME PROGRAM: a script DIR/NAME that runs PROGRAM in the
# network namespace _CTR_NS and the helpers' cgroup; prints its path.
_ctr_wrap()
{
	mkdir -p "$1"
	printf '#!/bin/sh\necho 0 >%q/cgroup.procs || exit 125\nexec nsenter --net=%q %q "$@"\n' \
		"$_CTR_HELPERS_CG" "$_CTR_NS" "$3" >"$1/$2"
	chmod +x "$1/$2"
	printf '%s\n' "$1/$2"
}

# ctr_net [--gw] CMD|FUNCTION [ARG...]: run a host program in the current
# container's network namespace (its gateway's with --gw) in the
# foreground, or call a shell function
# (a net.sh helper: dnsmasq_start, http_sink_start, verdaccio_start...)
# with the programs it starts and checks with (python3, dnsmasq, node, npm,
# curl) running there: its servers listen on the container's loopback and
# its checks query them there. verdaccio_install (npm from the internet)
# must have run before, outside.
# shellcheck disable=SC2034 # PY, NODE, NPM: read by the net.sh helper
ctr_net()
{
	local bin

	_ctr_ns "$@"
	shift "$_CTR_SHIFT"
	[ $# -gt 0 ] || fail "ctr_net: no command"
	if [ "$(type -t "$1")" != function ]; then
		(echo "$BASHPID" >"$_CTR_HELPERS_CG/cgroup.procs" && exec nsenter --net="$_CTR_NS" "$@")
		return
	fi
	bin=$T/$CTR_NAME/netbin-$(basename "$_CTR_NS")
	# bash scopes are dynamic: the helper sees these for its duration
	local PY NODE NPM DNSMASQ=${DNSMASQ:-/usr/sbin/dnsmasq} PATH=$PATH
	PY=$(_ctr_wrap "$bin" python3 /usr/bin/python3)
	NODE=$(_ctr_wrap "$bin" node "$NODE_BIN/node")
	NPM=$(_ctr_wrap "$bin" npm "$NODE_BIN/npm")
	DNSMASQ=$(_ctr_wrap "$bin" dnsmasq "$DNSMASQ")
	_ctr_wrap "$bin" curl "$(command -v curl)" >/dev/null
	PATH=$bin:$PATH
	"$@"
}

# ctr_dns NAME=IP...: a DNS server on 127.0.0.1:53 in the current
# container's network (its resolv.conf names 127.0.0.1) answering each NAME
# with IP and NXDOMAIN for every other name, through net.sh's dnsmasq_start
# (one per scenario: DNSMASQ_PID, queries in $T/dnsmasq.log); then the C
# library inside the container must resolve the first NAME to its IP.
ctr_dns()
{
	local name=${1%%=*} ip=${1#*=} got

	[ "$(type -t dnsmasq_start)" = function ] || fail "ctr_dns needs net.sh: source it before container.sh"
	ctr_net dnsmasq_start 127.0.0.1 "$@"
	got=$(ctr_run getent ahostsv4 "$name" | awk 'NR == 1 { print $1 }') || got=
	[ "$got" = "$ip" ] || fail "inside container $CTR_NAME, $name resolves to '$got', not $ip"
}

# ctr_project TGZ: the workspace a CI job checked out: a private project
# (package.json) and the package tarball TGZ as pkg.tgz beside it.
ctr_project()
{
	[ -n "$CTR_WS" ] || fail "ctr_project: call ctr_make first"
	cp "$1" "$CTR_WS/pkg.tgz" || fail "cannot copy $1 into $CTR_WS"
	printf '{ "name": "ci-project", "version": "1.0.0", "private": true }\n' >"$CTR_WS/package.json"
}

# ---------------------------------------------------------------- podman

PODMAN_IMAGE=localhost/ds-e2e-root

# podman_ready: Debian's podman (4.3) runs containers here as root, with no
# registry: fail with the reason if not. It writes the scenario's
# containers.conf and exports CONTAINERS_CONF, so every podman command of
# the scenario uses it:
# - runtime runc: crun 1.8 refuses a hybrid cgroup layout whose v2
#   hierarchy has a controller ("cgroups in hybrid mode not supported,
#   drop all controllers from cgroupv2"), as on the test machines;
# - ulimits no higher than podman's own: by default it asks the runtime for
#   nofile 1048576 and a high nproc, which needs CAP_SYS_RESOURCE; podman
#   itself lowers its nproc to kernel.pid_max ("setrlimit RLIMIT_NPROC:
#   Operation not permitted" otherwise);
# - no network unless asked for (netns none): no bridge, no firewall rule
#   on the host. `--network ns:$CTR_NETNS` joins a ctr_make container's.
# Containers and images made through podman_run and podman_build carry the
# label ds-e2e.owner=<this scenario's $T> and are removed at exit.
podman_ready()
{
	local conf=$T/podman/containers.conf nofile nproc pidmax out

	[ -z "$_PODMAN_OWNER" ] || return 0
	need_cmd podman podman
	need_cmd runc runc
	need_cmd conmon conmon
	mkdir -p "$T/podman"
	nofile=$(ulimit -Hn)
	nproc=$(ulimit -Hu)
	pidmax=$(cat /proc/sys/kernel/pid_max)
	[ "$nofile" != unlimited ] || nofile=1048576
	if [ "$nproc" = unlimited ] || [ "$nproc" -gt "$pidmax" ]; then
		nproc=$pidmax
	fi
	cat >"$conf" <<EOF
# written by tests/e2e/container.sh (podman_ready) for $SCENARIO
[containers]
default_ulimits = ["nofile=$nofile:$nofile", "nproc=$nproc:$nproc"]
netns = "none"
dns_servers = ["127.0.0.1"]
[engine]
runtime = "runc"
EOF
	export CONTAINERS_CONF=$conf
	out=$(podman info --format '{{.Host.OCIRuntime.Name}} {{.Host.CgroupsVersion}}' 2>&1) ||
		fail "podman does not work here: $out"
	[ "${out%% *}" = runc ] || fail "podman does not use runc with $conf: $out"
	_PODMAN_OWNER=$(basename "$T")
	echo "   podman $(podman version --format '{{.Client.Version}}'), runtime runc, cgroups ${out#* }"
}

# podman_image: the cached root filesystem as the image localhost/ds-e2e-root
# (imported once per build of it: its label ds-e2e.rootfs names the build);
# prints the image's name.
podman_image()
{
	local root want have lockfd start

	podman_ready >&2
	root=$(rootfs_ensure)
	want=$(sha256sum <"$ROOTFS_STAMP" | cut -c1-16)-$(stat -c %Y "$ROOTFS_STAMP")
	exec {lockfd}>"$ROOTFS_CACHE/.podman.lock"
	flock -w "$ROOTFS_LOCK_TIMEOUT" "$lockfd" || fail "$ROOTFS_CACHE/.podman.lock is held"
	have=$(podman image inspect --format '{{index .Labels "ds-e2e.rootfs"}}' "$PODMAN_IMAGE" 2>/dev/null) ||
		have=
	if [ "$have" != "$want" ]; then
		# another build's import (or one not made here): removed, not
		# left behind untagged
		if podman image exists "$PODMAN_IMAGE"; then
			podman rmi "$PODMAN_IMAGE" >&2 ||
				fail "cannot remove the old $PODMAN_IMAGE (a container still uses it?)"
		fi
		step "import $root as $PODMAN_IMAGE" >&2
		start=$SECONDS
		tar -C "$root" --numeric-owner -c . |
			podman import --change "LABEL ds-e2e.rootfs=$want" - "$PODMAN_IMAGE" \
				>"$T/podman/import.log" 2>&1 ||
			fail "podman import failed: $(tail -n 5 "$T/podman/import.log")"
		echo "   imported in $((SECONDS - start))s" >&2
	fi
	exec {lockfd}>&-
	printf '%s\n' "$PODMAN_IMAGE"
}

# podman_build TAG [ARG...] CONTEXT: `podman build -t TAG ARG... CONTEXT`
# (no network unless ARG says otherwise), the image labelled as the
# scenario's and removed at exit; returns podman's status. The RUN steps run
# in a cgroup /buildah-buildah<N>, not named after the working container
# (whose id podman ps --external shows, and whose first 12 digits are the
# RUN steps' host name).
podman_build()
{
	local tag=$1 rc=0

	[ -n "$_PODMAN_OWNER" ] || fail "podman_build: call podman_ready (or podman_image) first"
	shift
	_PODMAN_TAGS+=("$tag")
	_PODMAN_BUILDING=1
	podman build --label "ds-e2e.owner=$_PODMAN_OWNER" -t "$tag" "$@" || rc=$?
	_PODMAN_BUILDING=0
	return "$rc"
}

# podman_run ARG...: `podman run ARG...` with the scenario's label (every
# such container is removed at exit, --rm or not); returns its status.
podman_run()
{
	local rc=0

	[ -n "$_PODMAN_OWNER" ] || fail "podman_run: call podman_ready (or podman_image) first"
	podman run --label "ds-e2e.owner=$_PODMAN_OWNER" "$@" || rc=$?
	return "$rc"
}

# _podman_kill_runs IDS: kill and delete the runc containers of RUN steps
# (buildah-buildah<N>, runc's default root) whose host name, the working
# container's short id, is one of IDS, and their bundles in /var/tmp.
_podman_kill_runs()
{
	local r bundle host left=0

	command -v runc >/dev/null || return 0
	for r in $(runc list -q 2>/dev/null | grep '^buildah-buildah'); do
		bundle=$(runc state "$r" 2>/dev/null | sed -n 's/^ *"bundle": "\(.*\)",$/\1/p')
		[ -f "$bundle/config.json" ] || continue
		host=$("$PY" -c 'import json, sys; print(json.load(open(sys.argv[1])).get("hostname", ""))' \
			"$bundle/config.json") || continue
		case " $1 " in
		*" ${host:-none} "*) ;;
		*) continue ;;
		esac
		runc kill "$r" KILL 2>/dev/null || true
		runc delete --force "$r" >/dev/null || left=1
		case $bundle in
		/var/tmp/buildah[0-9]*) rm -rf --one-file-system "$bundle" || left=1 ;;
		esac
	done
	return "$left"
}

# _podman_cleanup: remove the scenario's podman containers and images, and
# the working containers of builds from the e2e image that were killed.
_podman_cleanup()
{
	local ids left=0 t

	[ -n "$_PODMAN_OWNER" ] || return 0
	ids=$(podman ps -a -q --filter "label=ds-e2e.owner=$_PODMAN_OWNER" 2>/dev/null) || ids=
	if [ -n "$ids" ]; then
		# shellcheck disable=SC2086 # one id a word
		podman rm -f -t 0 $ids >/dev/null || left=1
	fi
	# a build killed mid-way leaves its working containers (podman ps
	# --external, status Storage) and the runc container of the RUN step
	# in progress, still running: those from the e2e image, only then
	if [ "$_PODMAN_BUILDING" = 1 ]; then
		ids=$(podman ps -a --external --format '{{.ID}} {{.Image}} {{.Status}}' 2>/dev/null |
			awk -v img="$PODMAN_IMAGE" '$3 == "Storage" && (index($2, img) == 1 || $2 ~ /-tmp:latest$/) { print $1 }') ||
			ids=
		if [ -n "$ids" ]; then
			_podman_kill_runs "$ids" || left=1
			# shellcheck disable=SC2086
			podman rm -f $ids >/dev/null || left=1
		fi
	fi
	for t in "${_PODMAN_TAGS[@]}"; do
		if podman image exists "$t" 2>/dev/null; then
			podman rmi -f "$t" >/dev/null || left=1
		fi
	done
	ids=$(podman images -q --filter "label=ds-e2e.owner=$_PODMAN_OWNER" 2>/dev/null) || ids=
	if [ -n "$ids" ]; then
		# shellcheck disable=SC2086
		podman rmi -f $ids >/dev/null 2>&1 || left=1
	fi
	[ "$left" -eq 0 ] || echo "container.sh: podman containers or images of $_PODMAN_OWNER left" >&2
	return "$left"
}

# ---------------------------------------------------------------- clean-up

# _ctr_cgroup_empty: no process is left in the containers' cgroups.
_ctr_cgroup_empty()
{
	local cg

	for cg in "${_CTR_CGROUPS[@]}"; do
		[ ! -s "$cg/cgroup.procs" ] || return 1
	done
}

# _ctr_launchers_gone: every container init's unshare has exited.
_ctr_launchers_gone()
{
	local p

	for p in "${_CTR_LAUNCHERS[@]}"; do
		! pid_alive "$p" || return 1
	done
}

# _ctr_cleanup: kill what runs in the containers and their networks, then
# unmount the overlays and network namespaces; 1 if something stays.
_ctr_cleanup()
{
	local cg p i m left=0

	_podman_cleanup || left=1
	# Each init first: the kernel then kills every process of its pid
	# namespace, and each is reaped by its own parent (the init, or the
	# nsenter of a ctr_run outside), then the init by its unshare. Killed
	# all at once (cgroup.kill), a process whose parent died first would
	# go to the machine's pid 1, which on the test machines is no init and
	# reaps zombies only now and then.
	for p in "${_CTR_RUNS[@]}"; do
		disown "$p" 2>/dev/null || true	# no "Killed" line for each at exit
	done
	for p in "${_CTR_INITS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	wait_until 10 "the containers' inits to be reaped" _ctr_launchers_gone ||
		echo "container.sh: a container init is still there" >&2
	# then whatever is left in the cgroups, the host programs in the
	# containers' networks (ctr-net) among them
	for cg in "${_CTR_CGROUPS[@]}"; do
		[ -d "$cg" ] || continue
		# cgroup.kill (5.14): every process, forks in flight included
		if ! echo 1 >"$cg/cgroup.kill" 2>/dev/null; then
			while read -r p; do
				kill -KILL "$p" 2>/dev/null || true
			done <"$cg/cgroup.procs"
		fi
	done
	for p in "${_CTR_PIDS[@]}"; do
		kill -KILL "$p" 2>/dev/null || true
	done
	if ! wait_until 10 "the containers' processes to exit" _ctr_cgroup_empty; then
		echo "container.sh: processes left in ${_CTR_CGROUPS[*]}" >&2
		left=1
	fi
	for ((i = ${#_CTR_MOUNTS[@]} - 1; i >= 0; i--)); do
		m=${_CTR_MOUNTS[$i]}
		findmnt -rn -M "$m" >/dev/null || continue
		if ! umount "$m" 2>/dev/null; then
			# busy (a host process with its cwd there): detach it anyway,
			# and say so
			echo "container.sh: $m busy, detached lazily" >&2
			umount -l "$m" || { echo "container.sh: cannot unmount $m" >&2; left=1; }
		fi
	done
	return "$left"
}

# _ctr_exit: the EXIT trap: container.sh's clean-up, then lib.sh's cleanup
# with the scenario's exit status (1 if a container left something).
_ctr_exit()
{
	local rc=$?

	if ! _ctr_cleanup; then
		echo "FAIL: $SCENARIO: the container clean-up left something behind" >&2
		[ "$rc" -ne 0 ] || rc=1
	fi
	# lib.sh's cleanup takes the status from $?, as its first statement
	if [ "$rc" -eq 0 ]; then
		cleanup
	fi
	(exit "$rc") || cleanup
}
trap _ctr_exit EXIT
