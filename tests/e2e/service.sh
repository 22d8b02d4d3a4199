# tests/e2e/service.sh: helpers of the scenarios about depsentry as a
# service (install, unit, notify, privileges, status). Sourced after lib.sh.
#
# Capabilities are compared by name. The names come from the kernel
# headers (linux/capability.h), the documented set from the SECURITY
# section of docs/depsentry.8, the unit's from its CapabilityBoundingSet=.

UNIT_SRC=$SRC_ROOT/systemd/depsentry.service
MAN_SRC=$SRC_ROOT/docs/depsentry.8
CAP_H=/usr/include/linux/capability.h

[ -f "$CAP_H" ] || fail "needs $CAP_H: apt-get install linux-libc-dev"

# doc_caps: the capabilities docs/depsentry.8 says the daemon keeps, one
# per line, sorted (the .B CAP_* lines of its SECURITY section).
doc_caps()
{
	sed -n '/^\.SH SECURITY/,/^\.SH /p' "$MAN_SRC" | sed -n 's/^\.B \(CAP_[A-Z_]*\)$/\1/p' |
		LC_ALL=C sort -u
}

# unit_caps [UNIT]: the unit's CapabilityBoundingSet=, one per line, sorted.
unit_caps()
{
	sed -n 's/^CapabilityBoundingSet=//p' "${1:-$UNIT_SRC}" | tr ' ' '\n' | grep . | LC_ALL=C sort -u
}

# proc_caps PID FIELD: the capabilities in FIELD (CapEff, CapPrm, CapBnd,
# CapInh, CapAmb) of /proc/PID/status, one name per line, sorted.
proc_caps()
{
	"$PY" - "$CAP_H" "/proc/$1/status" "$2" <<'EOF'
import re, sys
names = {}
for line in open(sys.argv[1]):
    m = re.match(r"#define\s+(CAP_[A-Z_]+)\s+(\d+)\s*$", line)
    if m and m.group(1) != "CAP_LAST_CAP":
        names[int(m.group(2))] = m.group(1)
mask = None
for line in open(sys.argv[2]):
    key, _, value = line.partition(":")
    if key == sys.argv[3]:
        mask = int(value.strip(), 16)
if mask is None:
    sys.exit("no %s in %s" % (sys.argv[3], sys.argv[2]))
print("\n".join(sorted(names.get(b, "cap_%d" % b) for b in range(64) if mask >> b & 1)))
EOF
}

# same_caps WHAT WANT GOT: fail unless the two sorted lists are equal,
# naming what is missing and what is extra.
same_caps()
{
	local what=$1 want=$2 got=$3 missing extra

	[ "$want" = "$got" ] && return 0
	missing=$(LC_ALL=C comm -23 <(printf '%s\n' "$want") <(printf '%s\n' "$got") | tr '\n' ' ')
	extra=$(LC_ALL=C comm -13 <(printf '%s\n' "$want") <(printf '%s\n' "$got") | tr '\n' ' ')
	fail "$what: missing [${missing% }], extra [${extra% }]"
}

# notify_listen SOCKET OUT: a datagram socket at SOCKET (a path, or @name
# for the abstract namespace) that appends every message it receives to
# OUT, each followed by a line "--"; in the background, killed at exit.
notify_listen()
{
	"$PY" - "$1" "$2" <<'EOF' &
import socket, sys
addr = sys.argv[1]
if addr.startswith("@"):
    addr = "\0" + addr[1:]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(addr)
with open(sys.argv[2], "ab", buffering=0) as out:
    while True:
        out.write(s.recv(4096) + b"\n--\n")
EOF
	BG_PIDS+=("$!")
}

# wait_for WHAT SECONDS CMD...: wait_until CMD succeeds; fail after
# SECONDS with "WHAT: not within SECONDSs".
wait_for()
{
	local what=$1 secs=$2

	shift 2
	wait_until "$secs" "$what" "$@" || fail "$what: not within ${secs}s"
}

# ---------------------------------------------------------------- systemd
#
# systemd is not PID 1 on every machine that runs these tests (a container,
# a VM started by something else). To run the unit for real anyway,
# sd_boot starts systemd (the machine's /lib/systemd/systemd) as PID 1 of
# new PID, mount and cgroup namespaces, as container managers do, with:
# its own cgroup subtree (removed at exit), its own /run, /var/log and
# /etc/systemd/system, /etc/depsentry hidden, $DEPSENTRY as
# /usr/local/sbin/depsentry (where the unit wants it), /dev/console a file in $T
# (systemd does not write to the machine's console; it writes nothing to a
# file that is not a terminal either), and a target that starts nothing. The host's file systems are
# otherwise the same, so the unit's sandbox is built from the real ones;
# the kernel, its BPF and tracepoints are the host's, with a BPF file system
# of its own on /sys/fs/bpf (systemd mounts one at boot, but not in a
# container). Nothing of the host's
# sysinit.target is started (its tmpfiles would clean the host's /tmp):
# units started in it must say DefaultDependencies=no.
#
#   sd_boot UNIT [DROPIN]  install UNIT (and DROPIN as its e2e.conf) and
#                          boot; SD_PID is systemd's pid here
#   SD_BIN                 the daemon's path inside
#   sd_ctl ARG...          systemctl ARG... inside
#   sd_in CMD...           CMD in systemd's mount and PID namespaces
#   sd_host_pids UNIT      the unit's processes, pids as seen here
#   sd_root                where systemd's / is seen from here
#   sd_installed           then show it the package installed on the machine

SD_PID=
SD_CG=()
SD_BIN=/usr/local/sbin/depsentry

sd_root()
{
	printf '/proc/%s/root\n' "$SD_PID"
}

sd_ctl()
{
	timeout 120 nsenter -t "$SD_PID" -m -p -- systemctl --no-pager "$@"
}

sd_in()
{
	nsenter -t "$SD_PID" -m -p -- "$@"
}

sd_cleanup()
{
	local rc=$? cg

	set +e
	if [ -n "$SD_PID" ] && [ -d "/proc/$SD_PID" ]; then
		# keep what is inside for the failure report
		[ "$rc" -eq 0 ] || case $DS_LOG in "/proc/$SD_PID/"*)
			cp "$DS_LOG" "$T/unit-daemon.log" 2>/dev/null
			DS_LOG=$T/unit-daemon.log
			;;
		esac
		[ "$rc" -eq 0 ] || case $ALERTS in "/proc/$SD_PID/"*)
			cp "$ALERTS" "$T/unit-alerts.json" 2>/dev/null
			ALERTS=$T/unit-alerts.json
			;;
		esac
		# stop the unit first: exit alone leaves what it made outside
		# (PrivateTmp= directories, for one) behind
		sd_ctl stop depsentry.service >/dev/null 2>&1
		sd_ctl exit >/dev/null 2>&1
		wait_until 10 "systemd to exit" not test -d "/proc/$SD_PID"
		# killing PID 1 of a PID namespace kills every process in it
		kill -KILL "$SD_PID" 2>/dev/null
		wait "$SD_PID" 2>/dev/null
	fi
	for cg in "${SD_CG[@]}"; do
		[ -d "$cg" ] && find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	# the next cleanup reads the status from $?
	if declare -F files_cleanup >/dev/null && [ -n "${VT:-}" ]; then
		(exit "$rc")
		files_cleanup
	else
		(exit "$rc")
		cleanup
	fi
}

sd_cgroups()
{
	local name=depsentry-e2e-$$ fs

	fs=$(stat -f -c %T /sys/fs/cgroup)
	if [ "$fs" = cgroup2fs ]; then
		SD_CG=("/sys/fs/cgroup/$name")
		SD_CGMODE=unified
	elif [ -d /sys/fs/cgroup/systemd ] && [ -d /sys/fs/cgroup/unified ]; then
		SD_CG=("/sys/fs/cgroup/systemd/$name" "/sys/fs/cgroup/unified/$name")
		SD_CGMODE=hybrid
	else
		fail "unknown cgroup layout under /sys/fs/cgroup: cannot give systemd a subtree"
	fi
	mkdir -p "${SD_CG[@]}" || fail "cannot make the cgroups ${SD_CG[*]}"
}

# sd_up BOOT-PID: systemd (a child of BOOT-PID; SD_PID once found) answers
# and has finished starting up; fail if BOOT-PID has exited.
sd_up()
{
	if [ -z "$SD_PID" ]; then
		SD_PID=$(pgrep -P "$1" -x systemd || true)
	fi
	if [ -n "$SD_PID" ] && [ -S "/proc/$SD_PID/root/run/systemd/private" ]; then
		case $(sd_ctl is-system-running --wait 2>&1) in
		running | degraded) return 0 ;;
		esac
	fi
	[ -d "/proc/$1" ] || fail "systemd exited: $(cat "$T/sd-boot.log" "$T/console.log")"
	return 1
}

sd_boot()
{
	local unit=$1 dropin=${2:-} init=$T/sd-init.sh

	need_cmd nsenter util-linux
	[ -x /lib/systemd/systemd ] || fail "needs /lib/systemd/systemd: apt-get install systemd"
	sd_cgroups
	trap sd_cleanup EXIT
	mkdir -p "$T/sd"
	cp "$unit" "$T/sd/depsentry.service"
	cp "$DEPSENTRY" "$T/sd/depsentry"
	[ -z "$dropin" ] || cp "$dropin" "$T/sd/e2e.conf"
	: >"$T/console.log"
	cat >"$init" <<'INIT'
#!/bin/bash
# PID 1 of the new namespaces until it execs systemd. $1: the scratch dir,
# $2: the cgroup layout.
set -euo pipefail
T=$1
if [ "$2" = unified ]; then
	mount -t cgroup2 cgroup2 /sys/fs/cgroup
else
	mount -t tmpfs -o mode=755 tmpfs /sys/fs/cgroup
	mkdir /sys/fs/cgroup/systemd /sys/fs/cgroup/unified
	mount -t cgroup -o none,name=systemd cgroup /sys/fs/cgroup/systemd
	mount -t cgroup2 cgroup2 /sys/fs/cgroup/unified
fi
mount -t tmpfs -o mode=755 tmpfs /run
mount -t tmpfs -o mode=755 tmpfs /var/log
# systemd mounts the BPF file system at boot, but not in a container: a
# fresh one, as at boot, alone on /sys/fs/bpf (the machine's, if any, is
# unmounted in this namespace only: its pinned maps are left alone)
while mountpoint -q /sys/fs/bpf; do umount /sys/fs/bpf; done
mount -t bpf -o mode=700 bpf /sys/fs/bpf
for d in /etc/systemd/system /etc/depsentry /usr/local/lib/systemd/system; do
	[ ! -d "$d" ] || mount -t tmpfs -o mode=755 tmpfs "$d"
done
mkdir -p /usr/local/sbin
mount -t tmpfs -o mode=755 tmpfs /usr/local/sbin
install -m 0755 "$T/sd/depsentry" /usr/local/sbin/depsentry
mount --bind "$T/console.log" /dev/console
mkdir -p /run/systemd/system/depsentry.service.d /run/e2e
cp "$T/sd/depsentry.service" /run/systemd/system/
[ ! -f "$T/sd/e2e.conf" ] || cp "$T/sd/e2e.conf" /run/systemd/system/depsentry.service.d/
printf '[Unit]\nDescription=nothing\nDefaultDependencies=no\n' \
	>/run/systemd/system/depsentry-e2e.target
exec env -i container=depsentry-e2e PATH=/usr/sbin:/usr/bin:/sbin:/bin \
	/lib/systemd/systemd --system --unit=depsentry-e2e.target --show-status=no
INIT
	chmod +x "$init"
	step "boot systemd as PID 1 of new PID, mount and cgroup namespaces ($SD_CGMODE cgroups)"
	unshare --mount --propagation private --pid --fork --mount-proc -- bash -c '
		for cg in "${@:3}"; do echo 1 >"$cg/cgroup.procs"; done
		exec unshare --cgroup "$1" "$2" "$0"' "$SD_CGMODE" "$init" "$T" "${SD_CG[@]}" \
		>"$T/sd-boot.log" 2>&1 &
	SD_PID=
	wait_until 30 "systemd to come up" sd_up "$!" ||
		fail "systemd did not come up within 30s: $(cat "$T/sd-boot.log" "$T/console.log")"
}

# sd_host_pids UNIT: the pids of UNIT's processes in this PID namespace.
sd_host_pids()
{
	local cg

	for cg in "${SD_CG[@]}"; do
		if [ -f "$cg/system.slice/$1/cgroup.procs" ]; then
			cat "$cg/system.slice/$1/cgroup.procs"
			return 0
		fi
	done
	return 1
}

# sd_installed: after sd_boot, show systemd the depsentry that a package
# installed on the machine rather than the copies sd_boot gave it: the unit
# sd_boot put in /run goes (its drop-in stays), and the machine's own
# /etc/systemd/system (the unit's enablement), /etc/depsentry (its
# configuration) and /var/log (its alert log) are uncovered. The unit is
# then /usr/lib/systemd/system/depsentry.service, as the package put it.
sd_installed()
{
	local d

	sd_in rm -f /run/systemd/system/depsentry.service ||
		fail "cannot remove sd_boot's copy of the unit"
	for d in /etc/systemd/system /etc/depsentry /var/log; do
		[ "$(sd_in findmnt -n -o FSTYPE --mountpoint "$d" | tail -n 1)" = tmpfs ] || continue
		sd_in umount "$d" || fail "cannot uncover $d in systemd's mount namespace"
	done
	sd_ctl daemon-reload || fail "systemctl daemon-reload failed"
}

# unit_state PROPERTY: a property of depsentry.service in the test's systemd
unit_state()
{
	sd_ctl show -p "$1" --value depsentry.service
}

# unit_fail WHAT: fail with the unit's state and the daemon's log.
unit_fail()
{
	sd_ctl status depsentry.service >&2 || true
	fail "$1"
}

# unit_stopped_clean AFTER: the unit is inactive with result success after
# AFTER, its daemon exited 0 and logged its counters at exit ($DS_LOG)
unit_stopped_clean()
{
	[ "$(unit_state ActiveState)" = inactive ] || unit_fail "the unit is not inactive after $1"
	[ "$(unit_state Result)" = success ] || unit_fail "the unit's result is $(unit_state Result)"
	[ "$(unit_state ExecMainStatus)" = 0 ] ||
		unit_fail "the daemon exited with status $(unit_state ExecMainStatus)"
	grep -q '^depsentry: counters at exit:' "$DS_LOG" || fail "no counters at exit in the log"
}
