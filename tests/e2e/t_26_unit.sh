#!/bin/bash
# The systemd unit, systemd/depsentry.service.
# (a) As `make install PREFIX=/usr DESTDIR=...` writes it, its paths sent
#     into that tree: `systemd-analyze verify` succeeds and says nothing
#     (depsentry(8) found through MANPATH); a copy with a bad value and an
#     unknown key is reported, so the check does look.
# (b) `systemd-analyze security --offline=true` gives the exposure level the
#     README states.
# (c) systemd runs it for real: as PID 1 of namespaces of its own when it is
#     not PID 1 of the machine (service.sh). The unit is used as it is, with
#     build/depsentry as /usr/local/sbin/depsentry; a drop-in sets
#     DefaultDependencies=no and sends the daemon's output to a file. `systemctl start` returns once the daemon sent READY=1 (the
#     unit is active, running); the daemon runs with exactly the documented
#     capabilities, no_new_privs, a seccomp filter, a mount namespace of
#     its own and watchdog pings systemd receives; an npm install on the machine is alerted into the unit's
#     /var/log/depsentry/alerts.json; a Makefile written beside a CMake
#     build marker by a shell in systemd's mount namespace that exits at
#     once is recognised as generated (the daemon, in a namespace of its
#     own, looks through PID 1's root); a workflow renamed into place there
#     is alerted with its path; `depsentry status` inside prints the
#     unit's /run/depsentry/status; `systemctl kill -s USR1` logs the status
#     line; a SIGKILL is restarted (Restart=always) and ready again, and
#     the new daemon says the last one was interrupted: SIGKILL from
#     systemd, named from the map the unit let it pin on the BPF file
#     system, with a gap of at least RestartSec; the status file the
#     killed daemon left is still there while the unit waits to restart;
#     `systemctl stop` ends it cleanly (exit 0, result success, the
#     counters at exit logged, the state file in the unit's StateDirectory
#     says stopped).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/files.sh"
. "$(dirname "$0")/service.sh"

need_cmd systemd-analyze systemd
need_cmd man man-db
need_cmd make make
unset MAKEFLAGS MAKELEVEL MFLAGS

step "(a) make install PREFIX=/usr DESTDIR=$T/root, then systemd-analyze verify"
root=$T/root
make -s -C "$SRC_ROOT" install PREFIX=/usr DESTDIR="$root" >"$T/make.log" 2>&1 ||
	fail "make install failed: $(tail -n 20 "$T/make.log")"
mkdir -p "$T/verify" "$T/bad"
sed "s|/usr/sbin/depsentry|$root/usr/sbin/depsentry|g" \
	"$root/usr/lib/systemd/system/depsentry.service" >"$T/verify/depsentry.service"
rc=0
out=$(MANPATH=$root/usr/share/man systemd-analyze verify "$T/verify/depsentry.service" 2>&1) ||
	rc=$?
[ "$rc" -eq 0 ] && [ -z "$out" ] ||
	fail "systemd-analyze verify of the installed unit: status $rc: $out"
sed -e 's/^ProtectSystem=strict$/ProtectSystem=bogus/' -e 's/^\[Service\]$/&\nFrobnicate=yes/' \
	"$T/verify/depsentry.service" >"$T/bad/depsentry.service"
out=$(MANPATH=$root/usr/share/man systemd-analyze verify "$T/bad/depsentry.service" 2>&1 || true)
grep -q bogus <<<"$out" && grep -q Frobnicate <<<"$out" ||
	fail "systemd-analyze verify did not report a bad value and an unknown key: $out"

step "(b) the exposure level in the README"
want=$(sed -n 's/.*exposure level \*\*\([0-9]*\.[0-9]\)\*\*.*/\1/p' "$SRC_ROOT/README.md" | head -n 1)
[ -n "$want" ] || fail "README.md states no 'exposure level **N.N**'"
got=$(systemd-analyze security --offline=true "$UNIT_SRC" 2>/dev/null |
	sed -n 's/.*Overall exposure level for depsentry.service: \([0-9.]*\).*/\1/p')
[ "$got" = "$want" ] ||
	fail "systemd-analyze security --offline=true rates the unit $got, README.md says $want"
step "exposure level $got"

step "(c) the unit, run by systemd"
canary_prepare
files_scratch
gen=$VT/gen
mkdir -p "$gen/build" "$VT/repo/.github/workflows"
echo 'CMAKE_HOME_DIRECTORY:INTERNAL=..' >"$gen/build/CMakeCache.txt"
echo 'on: push' >"$VT/moved.yml"
cat >"$T/e2e.conf" <<'EOF'
# the machine's sysinit.target is not for a test to start
[Unit]
DefaultDependencies=no
[Service]
StandardOutput=append:/run/e2e/daemon.log
StandardError=append:/run/e2e/daemon.log
EOF
sd_boot "$UNIT_SRC" "$T/e2e.conf"
R=$(sd_root)
DS_LOG=$R/run/e2e/daemon.log
ALERTS=$R/var/log/depsentry/alerts.json

step "systemctl start depsentry (returns at READY=1)"
sd_ctl start depsentry.service || unit_fail "systemctl start depsentry failed"
[ "$(unit_state ActiveState)/$(unit_state SubState)" = active/running ] ||
	unit_fail "the unit is not active/running after start"
grep -q '^depsentry: ready$' "$DS_LOG" || unit_fail "the daemon never said it was ready"
pid=$(sd_host_pids depsentry.service) || fail "no process in the unit's cgroup"
[ "$(wc -w <<<"$pid")" -eq 1 ] || fail "the unit has more than one process: $pid"

step "the daemon's privileges and sandbox (pid $pid here)"
documented=$(doc_caps)
for set in CapEff CapPrm CapBnd; do
	same_caps "$set of the daemon run by the unit" "$documented" "$(proc_caps "$pid" "$set")"
done
grep -qx 'NoNewPrivs:[[:space:]]*1' "/proc/$pid/status" || fail "no_new_privs is not set"
grep -qx 'Seccomp:[[:space:]]*2' "/proc/$pid/status" || fail "no seccomp filter"
[ "$(readlink "/proc/$pid/ns/mnt")" != "$(readlink /proc/$$/ns/mnt)" ] ||
	fail "the daemon shares this shell's mount namespace"
grep -q '^depsentry: privileges dropped' "$DS_LOG" || fail "the daemon did not drop privileges"
pinged()
{
	[ "$(unit_state WatchdogTimestampMonotonic)" -gt 0 ] 2>/dev/null
}
wait_for "systemd got no WATCHDOG=1 from the daemon (WatchdogSec=)" 10 pinged
[ "$(stat -c %a "$R/var/log/depsentry")" = 750 ] || fail "/var/log/depsentry is not 0750"

step "an npm install on the machine is alerted by the unit's daemon"
DS_PID=$pid
canary
[ "$(stat -c %a "$ALERTS")" = 640 ] || fail "the alert file is not 0640"

step "a shell in systemd's mount namespace writes a Makefile beside a CMake marker and exits"
sd_in sh -c 'echo all: >"$1/build/Makefile"' sh "$gen" || fail "the write in $gen failed"
barrier
assert_none "a generated Makefile was alerted: the daemon did not look through PID 1's root" \
	rule.id=$RULE "file.path=$gen/build/Makefile"

step "a workflow renamed into place from systemd's namespace"
# from inside, as on a machine whose PID 1 is systemd: fanotify gives the
# daemon a renamer's pid in the daemon's PID namespace, none for one outside
sd_in mv "$VT/moved.yml" "$VT/repo/.github/workflows/ci.yml" || fail "mv failed"
a=$(wait_file "$VT/repo/.github/workflows/ci.yml" event.action=rename)
# systemd's mount namespace is the host's: the unit's own (PrivateMounts=)
# is not what a process is compared with
check_alert "$a" "a process in PID 1's mount namespace was said to be in one of its own" \
	'!depsentry.namespace.mnt?' '!depsentry.process.root?'

step "depsentry status, inside (the file is rewritten every second)"
counted()
{
	out=$(sd_in "$SD_BIN" status) || fail "depsentry status failed under the unit: $out"
	grep -Eq '^pid=[0-9]+ .* alerts=[1-9][0-9]* alerts.pm-suspicious-child=[1-9]' <<<"$out"
}
wait_for "depsentry status did not count the canary's alert" 10 counted

step "systemctl kill -s USR1: the status line is logged"
before=$(grep -c '^depsentry: status: pid=' "$DS_LOG" || true)
sd_ctl kill -s USR1 depsentry.service || fail "systemctl kill -s USR1 failed"
logged()
{
	[ "$(grep -c '^depsentry: status: pid=' "$DS_LOG" || true)" -gt "$before" ]
}
wait_for "no status line logged after SIGUSR1" 10 logged

step "SIGKILL: restarted and ready again (Restart=always)"
killed=$DS_PID
before=$(alert_lines)
sd_ctl kill -s KILL depsentry.service || fail "systemctl kill -s KILL failed"
# between the kill and the restart (RestartSec=2s): the status file the
# killed daemon left is still there (RuntimeDirectoryPreserve=restart)
waiting()
{
	[ "$(unit_state SubState)" = auto-restart ]
}
wait_for "the unit did not wait to restart after SIGKILL" 10 waiting
[ -s "$R/run/depsentry/status" ] || fail "the status file was removed before the restart"
restarted()
{
	[ "$(unit_state NRestarts)" = 1 ] && [ "$(unit_state ActiveState)" = active ] &&
		[ "$(unit_state SubState)" = running ]
}
wait_for "the unit was not restarted after SIGKILL" 30 restarted
DS_PID=$(sd_host_pids depsentry.service)
[ "$(grep -c '^depsentry: ready$' "$DS_LOG")" -eq 2 ] || fail "the restarted daemon did not get ready"
a=$(wait_alert --after "$before" rule.id=sensor-interrupted)
check_alert "$a" "the restarted daemon's interruption alert is incomplete" \
	event.severity=47 depsentry.signal.name=SIGKILL depsentry.signal.origin=process \
	process.name=systemd "process.pid=$SD_PID" "depsentry.sensor.pid=$killed" \
	'!depsentry.session.id?' depsentry.interruption.cause=signal \
	'depsentry.interruption.gap_seconds>=2' event.start?

step "systemctl stop: a clean exit"
DS_PID=
sd_ctl stop depsentry.service || unit_fail "systemctl stop depsentry failed"
unit_stopped_clean "stop"
grep -qx 'state=stopped' "$R/var/lib/depsentry/state" ||
	fail "the state file does not say stopped: $(cat "$R/var/lib/depsentry/state")"
validate_alerts "$ALERTS"
echo "PASS $SCENARIO"
