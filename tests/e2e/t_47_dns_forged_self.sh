#!/bin/bash
# A DNS answer forged by the install session's own process, racing a real
# question: the postinstall (node) asks the real resolver (127.0.0.77) for
# crates.io, and while the resolver is held back it binds the resolver's
# own address and port beside it (SO_REUSEADDR) and answers its question
# itself, with the right id, naming 127.0.0.88: an answer no rule on the
# packet can tell from the real one. Then the resolver answers (NXDOMAIN)
# and the postinstall connects to 127.0.0.88. The kernel saw the answer
# leave a process of the session: the question is void, the forged answer
# is taken back or never believed, both answers are unsolicited, and the
# connection has no name and is alerted (dnsforge.sh). The daemon's exit
# line says the session answered a question itself.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"
. "$(dirname "$0")/dnsforge.sh"

forge_setup
forge_install self
grep -q "^forged id [0-9]* from $FORGE_NS:53 by pid " "$FORGE_RAN" || fail "no answer was forged"
grep -q ': NXDOMAIN$' "$FORGE_RAN" || fail "the resolver did not answer after the forgery"
forge_check
step "the session's own answer was recognised as such"
line=$(grep '^depsentry: dns: ' "$DS_LOG") || fail "no dns line at exit"
[[ $line =~ ([0-9]+)\ responses\ sent\ by\ install\ sessions:\ ([0-9]+)\ questions\ voided,\ ([0-9]+)\ believed\ answers\ taken\ back ]] ||
	fail "the exit line does not say what the session answered: $line"
[ "${BASH_REMATCH[1]}" -gt 0 ] || fail "no response of the session was seen: $line"
[ $((BASH_REMATCH[2] + BASH_REMATCH[3])) -gt 0 ] ||
	fail "no question was voided nor answer taken back: $line"
echo "   $line"
echo "PASS $SCENARIO"
