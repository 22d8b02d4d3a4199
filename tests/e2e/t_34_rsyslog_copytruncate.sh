#!/bin/bash
# Rotation by logrotate's copytruncate, with Debian's rsyslog (imfile,
# reopenOnTruncate) forwarding the alert log; docs/siem.md says why it is
# not recommended, and this proves it.
# (a) Three copytruncate rotations during a 3000-alert burst. The daemon
#     writes with O_APPEND, so after each truncation its next line lands
#     at the file's new start: the live file is whole lines, no hole of
#     NULs. rsyslog delivers no alert twice. Whether alerts were lost, or
#     a line torn (imfile halfway through a line at the truncation glues
#     it to the next one), depends on timing (logrotate's window between
#     its copy and its truncation; where imfile was), so those are counted
#     and printed, not asserted.
# (b) Deterministic: rsyslog stopped (SIGSTOP) across a copytruncate, as a
#     busy or restarting forwarder is. The 200 alerts written while it was
#     stopped, before the truncation, are in the rotated copy, but rsyslog
#     never delivers them: the truncation took them from the file it
#     reads. The alert written after the truncation is delivered, once.
#     t_33 runs the same with rename + SIGHUP: nothing is lost there.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/files.sh"
. "$(dirname "$0")/siem.sh"

BURST=${E2E_BURST:-3000}

forward_setup copytruncate

step "(a) a shell writes $BURST workflow files; logrotate -f (copytruncate) three times"
burst_start "$BURST" "$VT/burst"
for quarter in 1 2 3; do
	wait_lines "$ALERTS" $((BURST * quarter / 4))
	rotate "$T/logrotate.conf"
done
burst_wait
barrier
wait_mine "$ALERTS" || fail "the daemon did not alert every file written"
[ -f "$log.1" ] && [ -f "$log.2.gz" ] && [ -f "$log.3.gz" ] ||
	fail "three copytruncate rotations did not leave .1, .2.gz and .3.gz"
"$PY" - "$ALERTS" "$log" "$log.1" "$log.2.gz" "$log.3.gz" <<'PYEOF' || fail "(a) the daemon's files after copytruncate are wrong"
import collections, gzip, sys
seen = collections.Counter()
for p in sys.argv[2:]:	# before the reference, which is written first
    data = (gzip.open if p.endswith(".gz") else open)(p, "rb").read()
    if b"\0" in data:
        sys.exit(f"{p}: NUL bytes: a write landed past the truncated end")
    if not data.endswith(b"\n"):
        sys.exit(f"{p}: ends in the middle of a line")
    seen.update(data.splitlines())
ref = set(open(sys.argv[1], "rb").read().splitlines())
for line in seen:
    if line not in ref:
        sys.exit(f"a line that is no alert: {line[:200]!r}")
dup = [l for l, n in seen.items() if n > 1]
if dup:
    sys.exit(f"{len(dup)} alerts in two rotated files")
print(f"   live + rotated files: {len(seen)} of {len(ref)} alerts, none twice, "
      f"{len(ref) - len(seen)} lost between logrotate's copy and its truncation")
PYEOF
caught_up "$fwd"
"$PY" - "$ALERTS" "$fwd" <<'PYEOF' || fail "(a) rsyslog delivered an alert twice"
import collections, sys
got = collections.Counter(open(sys.argv[2], "rb").read().splitlines())
ref = set(open(sys.argv[1], "rb").read().splitlines())
dup = [l for l, n in got.items() if n > 1]
if dup:
    sys.exit(f"{len(dup)} alerts delivered twice")
# a line imfile was halfway through when the file was truncated is glued
# to the first line written after: both alerts are lost as such
torn = [l for l in got if l not in ref]
whole = len(got) - len(torn)
print(f"   rsyslog: {whole} of {len(ref)} alerts whole, none twice, {len(torn)} torn lines, "
      f"{len(ref) - whole} lost")
PYEOF

step "(b) rsyslog stopped across a copytruncate"
forwarder_stopped_rotation "$T/logrotate.conf" "$log" "$fwd" 200
caught_up "$fwd"
n=$(delivered "$fwd" "$STOPPED")
[ "$n" -eq 0 ] || fail "rsyslog delivered $n of the alerts truncated away before it read them: docs/siem.md says they are lost"
n=$(delivered "$log.1" "$STOPPED")
[ "$n" -eq 200 ] || fail "the rotated copy holds $n of the 200 alerts written before the truncation"
[ "$(delivered "$fwd" "$AFTER")" -eq 1 ] ||
	fail "the alert written after the truncation was not delivered exactly once"
echo "   the 200 alerts written while rsyslog was stopped: in $log.1, never delivered"

ds_finish
