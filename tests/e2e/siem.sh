# tests/e2e/siem.sh: helpers of the scenarios about reloading and the alert
# log as a SIEM source (SIGHUP, rotation, forwarders). Sourced after lib.sh
# and files.sh.

# Every SIGHUP ends with exactly one of these lines in the daemon log.
HUP_DONE='configuration (reloaded from|not reloaded)'

# log_count ERE: how many lines of the daemon log match.
log_count()
{
	grep -Ec -- "$1" "$DS_LOG" || true
}

# log_count_above ERE N WHAT: more than N lines match ERE; fail if the
# daemon has died.
log_count_above()
{
	[ "$(log_count "$1")" -gt "$2" ] && return 0
	pid_alive "$DS_PID" || fail "the daemon died: $3"
	return 1
}

# wait_log_count ERE N WHAT: wait until more than N lines match ERE.
wait_log_count()
{
	wait_until "$ALERT_TIMEOUT" "$3" log_count_above "$@" ||
		fail "$3: no new '$1' line in the daemon log within ${ALERT_TIMEOUT}s"
}

# ds_hup: send SIGHUP and wait until the daemon has handled it.
ds_hup()
{
	local before

	before=$(log_count "$HUP_DONE")
	kill -HUP "$DS_PID"
	wait_log_count "$HUP_DONE" "$before" "SIGHUP"
}

# config_edit OUT PYTHON: the shipped configuration, changed by PYTHON (a
# statement on `c`, the parsed document), written one key per line to OUT.
config_edit()
{
	"$PY" - "$SRC_ROOT/config/depsentry.json" "$1" "$2" <<'PYEOF'
import json, sys
c = json.load(open(sys.argv[1]))
exec(sys.argv[3])
json.dump(c, open(sys.argv[2] + ".new", "w"), indent=1)
PYEOF
	mv "$1.new" "$1"
}

# burst_start N DIR: a shell writes N new workflow files under DIR, about
# a thousand a second: N cicd-file-modified alerts. Sets BURST_PID.
burst_start()
{
	mkdir -p "$2/.github/workflows"
	(cd "$2" && exec bash -c 'for ((i = 1; i <= $0; i++)); do
		echo "on: push" >".github/workflows/burst-$i.yml"
		[ $((i % 50)) -ne 0 ] || sleep 0.05
	done' "$1") &
	BURST_PID=$!
	BG_PIDS+=("$BURST_PID")
	WRITTEN=$((WRITTEN + $1))
}

# burst_wait: the burst has written all its files.
burst_wait()
{
	wait "$BURST_PID" || fail "the burst writer failed"
}

# lines FILE: complete lines in FILE (0 when missing).
lines()
{
	if [ -f "$1" ]; then
		"$PY" "$ALERTS_PY" count "$1"
	else
		echo 0
	fi
}

# has_lines FILE N: FILE holds at least N complete lines; fail if the
# daemon has died.
has_lines()
{
	[ "$(lines "$1")" -ge "$2" ] && return 0
	pid_alive "$DS_PID" || fail "the daemon died while waiting for $2 lines in $1"
	return 1
}

# wait_lines FILE N: until FILE holds at least N complete lines.
wait_lines()
{
	wait_until "$ALERT_TIMEOUT" "$2 lines in $1" has_lines "$1" "$2" ||
		fail "$1 holds $(lines "$1") lines, not $2, after ${ALERT_TIMEOUT}s"
}

# The alerts this scenario caused are those about a path under $VT: the
# burst's, the barriers' and the stopped-forwarder files'. WRITTEN counts
# the files written besides the barriers.
WRITTEN=0

# mine FILE...: how many lines of FILE... (gzip read as such) are alerts
# about a path under $VT.
mine()
{
	"$PY" - "$VT/" "$@" <<'PYEOF'
import gzip, json, sys
n = 0
for p in sys.argv[2:]:
    for line in (gzip.open if p.endswith(".gz") else open)(p, "rb"):
        try:	# a torn line (copytruncate) is nobody's alert
            path = json.loads(line).get("file", {}).get("path", "")
        except ValueError:
            continue
        n += path.startswith(sys.argv[1])
print(n)
PYEOF
}

# has_mine FILE N: FILE holds at least N alerts of this scenario; fail if
# FILE is the daemon's and the daemon has died.
has_mine()
{
	[ "$(mine "$1")" -ge "$2" ] && return 0
	pid_alive "$DS_PID" || [ "$1" != "$ALERTS" ] || fail "the daemon died"
	return 1
}

# wait_mine FILE: until FILE holds an alert for every file this scenario
# wrote (barriers included). Held writes leave the daemon in the order of
# its slots, so a barrier's alert may come before others of the same
# moment: this waits for them all. Returns 1 after ALERT_TIMEOUT.
wait_mine()
{
	wait_until "$ALERT_TIMEOUT" "every alert of this scenario in $1" \
		has_mine "$1" $((WRITTEN + BARRIER_N))
}

# same_lines WHAT REFERENCE FILE...: every alert of this scenario in
# REFERENCE is in exactly one line of FILE... (gzip read as such), and
# every line of FILE... is one of REFERENCE, whole. The daemon writes each
# line to REFERENCE first, and FILE... are read before it, so alerts of
# other processes of the machine written meanwhile do not count.
same_lines()
{
	local what=$1

	shift
	"$PY" - "$VT/" "$@" <<'PYEOF' || fail "$what"
import collections, gzip, json, sys
def read(path):
    data = (gzip.open if path.endswith(".gz") else open)(path, "rb").read()
    if data and not data.endswith(b"\n"):
        sys.exit(f"{path}: ends in the middle of a line")
    return data.splitlines()
def mine(line):
    try:
        return json.loads(line).get("file", {}).get("path", "").startswith(sys.argv[1])
    except ValueError:
        return False
got = collections.Counter()
for p in sys.argv[3:]:
    got.update(read(p))
ref = read(sys.argv[2])
want = collections.Counter(l for l in ref if mine(l))
refset = set(ref)
missing = want - got
extra = {k: n for k, n in got.items() if k not in refset}
dup = {k: n for k, n in got.items() if n > 1}
for name, bad in (("missing", missing), ("not in the reference", extra), ("duplicated", dup)):
    if bad:
        print(f"{sum(bad.values())} line(s) {name}, e.g. {next(iter(bad))[:300]!r}")
if missing or extra or dup:
    sys.exit(1)
print(f"   {sum(want.values())} alerts of this scenario, each exactly once")
PYEOF
}

# logrotate_conf OUT LOG PIDFILE [DIRECTIVE]: config/depsentry.logrotate for
# LOG and events.json beside it, its postrotate signalling the pid in
# PIDFILE (and a systemd unit that does not exist, so no real service is
# ever signalled); DIRECTIVE, when given, is added to the block.
logrotate_conf()
{
	local out=$1 log=$2 pidfile=$3 extra=${4:-} src=$SRC_ROOT/config/depsentry.logrotate
	local files='/var/log/depsentry/alerts.json /var/log/depsentry/events.json'

	need_cmd logrotate logrotate
	[ "$(grep -c "^$files {\$" "$src")" = 1 ] &&
		[ "$(grep -c '/run/depsentry.pid' "$src")" = 1 ] &&
		[ "$(grep -c 'depsentry.service' "$src")" = 1 ] ||
		fail "$src no longer has the log path, pid file and unit this test rewrites"
	sed -e "s|^$files {\$|$log ${log%/*}/events.json {${extra:+\\n\\t$extra}|" \
		-e "s|/run/depsentry.pid|$pidfile|g" \
		-e "s|depsentry.service|depsentry-e2e-absent.service|" "$src" >"$out"
}

# rotate CONF: logrotate -f CONF (its own state file), then wait until the
# daemon has handled the SIGHUP of postrotate.
rotate()
{
	local before

	before=$(log_count "$HUP_DONE")
	logrotate -f -s "$T/logrotate.state" "$1" >>"$T/logrotate.log" 2>&1 ||
		fail "logrotate -f $1 failed: $(tail -n 5 "$T/logrotate.log")"
	wait_log_count "$HUP_DONE" "$before" "the SIGHUP of logrotate's postrotate"
}

# rsyslog_start LOG OUT: a private rsyslogd (its own configuration, work
# directory and pid file under $T; never the machine's) whose imfile input
# reads LOG and writes each line unchanged to OUT, as docs/siem.md shows.
# Waits until imfile has opened LOG. Sets RSYSLOG_PID.
rsyslog_start()
{
	local log=$1 out=$2 conf=$T/rsyslog.conf

	need_cmd rsyslogd rsyslog
	mkdir -p "$T/rsyslog"
	cat >"$conf" <<CONF
global(workDirectory="$T/rsyslog" maxMessageSize="256k")
module(load="imfile")
template(name="depsentry-json" type="string" string="%msg%\n")
input(type="imfile" file="$log" tag="depsentry" ruleset="depsentry"
      reopenOnTruncate="on")
ruleset(name="depsentry") {
	action(type="omfile" file="$out" template="depsentry-json")
}
CONF
	rsyslogd -N1 -f "$conf" >"$T/rsyslog-check.log" 2>&1 ||
		fail "rsyslogd -N1 refused $conf: $(cat "$T/rsyslog-check.log")"
	rsyslogd -n -f "$conf" -i "$T/rsyslog.pid" >"$T/rsyslog.log" 2>&1 &
	RSYSLOG_PID=$!
	BG_PIDS+=("$RSYSLOG_PID")
	disown "$RSYSLOG_PID"	# no "Killed" line from bash when cleanup kills it
	wait_until 10 "rsyslogd to open $log" rsyslog_has_open "$log" ||
		fail "rsyslogd did not open $log within 10s"
}

# rsyslog_has_open FILE: rsyslogd has FILE open; fail if it has died.
rsyslog_has_open()
{
	ls -l "/proc/$RSYSLOG_PID/fd" 2>/dev/null | grep -qF -- "-> $1" && return 0
	pid_alive "$RSYSLOG_PID" || fail "rsyslogd died: $(cat "$T/rsyslog.log")"
	return 1
}

# rsyslog_delivered OUT STRING: OUT holds STRING; fail if rsyslogd has died.
rsyslog_delivered()
{
	grep -qF -- "$2" "$1" 2>/dev/null && return 0
	pid_alive "$RSYSLOG_PID" || fail "rsyslogd died: $(cat "$T/rsyslog.log")"
	return 1
}

# forwarded_all REFERENCE OUT: wait until rsyslog has delivered as many
# alerts of this scenario as were written (or the time-out), then compare.
forwarded_all()
{
	wait_mine "$ALERTS" || fail "the daemon did not alert every file written"
	wait_mine "$2" || true
	same_lines "rsyslog did not deliver every alert exactly once" "$1" "$2"
}

# caught_up OUT: every alert so far is in the daemon's reference, then a
# barrier whose alert rsyslog must deliver to OUT: imfile reads the file in
# order, so it has then read everything written before (what it lost, it
# will never deliver).
caught_up()
{
	local out=$1 last

	wait_mine "$ALERTS" || fail "the daemon did not alert every file written"
	barrier
	last="\"path\":\"$VT/barrier/.github/workflows/barrier-$BARRIER_N.yml\""
	wait_until "$ALERT_TIMEOUT" "rsyslog to deliver the barrier's alert" \
		rsyslog_delivered "$out" "$last" ||
		fail "rsyslog did not deliver the barrier's alert within ${ALERT_TIMEOUT}s"
}

# forwarder_stopped_rotation CONF LOG OUT N: with rsyslog caught up, stop
# it (SIGSTOP); a shell writes N workflow files (their alerts are in LOG,
# unread by rsyslog); logrotate -f CONF; one more file (a few lines, fewer
# bytes than rsyslog had read); rsyslog continues (SIGCONT). Sets STOPPED
# to the files written while it was stopped, before the rotation, and
# AFTER to the one written after it.
forwarder_stopped_rotation()
{
	local conf=$1 log=$2 out=$3 n=$4

	caught_up "$out"
	step "stop rsyslogd; $n alerts; logrotate; one alert; continue rsyslogd"
	kill -STOP "$RSYSLOG_PID"
	mkdir -p "$VT/stopped/.github/workflows"
	# a shell that exits: its held writes are judged at its exit, before
	# the barrier's
	run_in "$VT/stopped" bash -c 'for ((i = 1; i <= $0; i++)); do
		echo "on: push" >".github/workflows/s-$i.yml"
	done' "$n"
	STOPPED="$VT/stopped/.github/workflows/s-"
	WRITTEN=$((WRITTEN + n))
	barrier
	wait_mine "$ALERTS" || fail "the daemon did not alert every file written"
	rotate "$conf"
	sh_in "$VT/stopped" "echo 'on: push' > .github/workflows/after.yml"
	AFTER=$VT/stopped/.github/workflows/after.yml
	WRITTEN=$((WRITTEN + 1))
	wait_file "$AFTER" >/dev/null
	kill -CONT "$RSYSLOG_PID"
}

# delivered OUT PREFIX: how many lines of OUT are alerts about a path
# starting with PREFIX.
delivered()
{
	"$PY" - "$1" "$2" <<'PYEOF'
import json, sys
n = 0
for line in open(sys.argv[1], "rb"):
    try:	# a torn line (copytruncate) is nobody's alert
        path = json.loads(line).get("file", {}).get("path", "")
    except ValueError:
        continue
    n += path.startswith(sys.argv[2])
print(n)
PYEOF
}

# forward_setup [OPTION]: a scratch repository; the daemon writing $log,
# rotated by logrotate (with OPTION, e.g. copytruncate; pid in $pidfile),
# and $ALERTS, never rotated, the reference; rsyslog forwarding $log to $fwd.
forward_setup()
{
	files_scratch
	umask 022
	log=$T/log/alerts.json
	pidfile=$T/depsentry.pid
	fwd=$T/forwarded.json
	ALERTS=$T/all.json
	logrotate_conf "$T/logrotate.conf" "$log" "$pidfile" "$@"
	ds_start -o "$log" -p "$pidfile"
	rsyslog_start "$log" "$fwd"
}
