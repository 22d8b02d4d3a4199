#!/bin/bash
# Debian's logrotate with config/depsentry.logrotate, against the running
# daemon, twice while a shell writes 3000 watched files (3000 alerts): the
# rename, then the postrotate's SIGHUP (by the pid file of run -p). Every
# alert of a second output that is never rotated is in exactly one of the
# rotated files and the new one; the newest rotated file is left
# uncompressed (delaycompress), the older one is gzip; the new file was
# created by the daemon, 0640. The events file (-e) beside it is rotated
# and reopened the same way: one event per burst file, none twice.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/files.sh"
. "$(dirname "$0")/siem.sh"

BURST=${E2E_BURST:-3000}

files_scratch
umask 022
log=$T/log/alerts.json
events=$T/log/events.json
pidfile=$T/depsentry.pid
ALERTS=$T/all.json		# never rotated: the reference, and what wait_alert reads
logrotate_conf "$T/logrotate.conf" "$log" "$pidfile"
ds_start -o "$log" -e "$events" -p "$pidfile"
[ "$(cat "$pidfile")" = "$DS_PID" ] || fail "the pid file $pidfile does not hold the daemon's pid"

step "a shell writes $BURST workflow files; logrotate -f twice meanwhile"
burst_start "$BURST" "$VT/burst"
wait_lines "$ALERTS" $((BURST / 4))
rotate "$T/logrotate.conf"
[ -f "$log.1" ] || fail "logrotate did not rename $log to $log.1"
wait_lines "$ALERTS" $((BURST / 2))
rotate "$T/logrotate.conf"
burst_wait
barrier
wait_mine "$ALERTS" || fail "the daemon did not alert every file written"

step "every alert in exactly one of $log.2.gz, $log.1, $log"
[ -f "$log.2.gz" ] && gzip -t "$log.2.gz" || fail "no gzip $log.2.gz after the second rotation"
gzip -t "$log.1" 2>/dev/null && fail "$log.1 was compressed: delaycompress is not in effect"
[ ! -e "$log.3.gz" ] || fail "a third rotated file after two rotations"
same_lines "the rotated files and the live one are not the alerts, each once" \
	"$ALERTS" "$log.2.gz" "$log.1" "$log"
for f in "$log.2.gz" "$log.1" "$log"; do
	n=$("$PY" - "$f" <<'PYEOF'
import gzip, sys
p = sys.argv[1]
print(sum(b"/burst/.github/workflows/" in l for l in (gzip.open if p.endswith(".gz") else open)(p, "rb")))
PYEOF
)
	[ "$n" -gt 0 ] || fail "$f holds none of the burst: a rotation fell outside it"
	echo "   $f: $n burst alerts"
done
[ "$(stat -c %a "$log")" = 640 ] || fail "the new $log is mode $(stat -c %a "$log"), not 640"

step "the events file: rotated with it, one event per burst file in all"
[ -f "$events.2.gz" ] && [ -f "$events.1" ] && [ -f "$events" ] ||
	fail "the events file was not rotated twice and reopened"
"$PY" - "$VT/burst/" "$BURST" "$events.2.gz" "$events.1" "$events" <<'PYEOF' || fail "the events across rotation are wrong"
import collections, gzip, json, sys
lines = collections.Counter()
paths = collections.Counter()
for p in sys.argv[3:]:
    data = (gzip.open if p.endswith(".gz") else open)(p, "rb").read()
    if not data.endswith(b"\n"):
        sys.exit(f"{p}: ends in the middle of a line")
    for line in data.splitlines():
        lines[line] += 1
        path = json.loads(line).get("file", {}).get("path", "")
        if path.startswith(sys.argv[1]):
            paths[path] += 1
if any(n > 1 for n in lines.values()):
    sys.exit("an event line is in two files")
want = int(sys.argv[2])
if len(paths) != want or any(n != 1 for n in paths.values()):
    sys.exit(f"{len(paths)} burst files have events, {sum(paths.values())} events: not one each of {want}")
print(f"   {len(paths)} burst files, one event each, across the rotated events files")
PYEOF
n=$(alert_count rule.id=cicd-file-modified "file.path~^$VT/burst/")
[ "$n" -eq "$BURST" ] || fail "$n burst alerts, not $BURST"

ds_stop
[ ! -e "$pidfile" ] || fail "the pid file $pidfile is still there after the daemon exited"
validate_alerts "$ALERTS"
echo "PASS $SCENARIO"
