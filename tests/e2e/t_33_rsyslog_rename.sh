#!/bin/bash
# Debian's rsyslog (imfile) forwards the alert log while logrotate rotates
# it the recommended way, three times during a 3000-alert burst: rename,
# then SIGHUP. What rsyslog delivered is every alert of a second output
# that is never rotated, each exactly once and byte for byte: imfile reads
# the renamed file to its end (the alerts written between the rename and
# the reopen), then the new one from its start. Then the same with rsyslog
# stopped (SIGSTOP) across a rotation, as a busy or restarting forwarder
# is: the alerts it had not read yet are in the renamed file, and it
# delivers them when it continues, each once.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/files.sh"
. "$(dirname "$0")/siem.sh"

BURST=${E2E_BURST:-3000}

forward_setup

step "a shell writes $BURST workflow files; logrotate -f three times meanwhile"
burst_start "$BURST" "$VT/burst"
for quarter in 1 2 3; do
	wait_lines "$ALERTS" $((BURST * quarter / 4))
	rotate "$T/logrotate.conf"
done
burst_wait
barrier

step "rsyslog delivered every alert exactly once"
forwarded_all "$ALERTS" "$fwd"
n=$(alert_count rule.id=cicd-file-modified "file.path~^$VT/burst/")
[ "$n" -eq "$BURST" ] || fail "$n burst alerts, not $BURST"

forwarder_stopped_rotation "$T/logrotate.conf" "$log" "$fwd" 200
barrier
forwarded_all "$ALERTS" "$fwd"
[ "$(delivered "$fwd" "$STOPPED")" -eq 200 ] ||
	fail "rsyslog did not deliver the 200 alerts written while it was stopped"

ds_finish
