#!/bin/bash
# A forged DNS answer with the wrong transaction id: the postinstall asks
# the real resolver (127.0.0.77) for crates.io, its accomplice answers
# first, from the resolver's address and port, with another id, naming
# 127.0.0.88; then the resolver answers (NXDOMAIN) and the postinstall
# connects to 127.0.0.88. The forgery matches no question: counted and
# ignored; the connection has no name and is alerted (dnsforge.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"
. "$(dirname "$0")/dnsforge.sh"

forge_setup
forge_install wrong-id
grep -q '^forged id ' "$FORGE_RAN" || fail "no answer was forged"
grep -q ': NXDOMAIN$' "$FORGE_RAN" || fail "the resolver did not answer after the forgery"
forge_check
echo "PASS $SCENARIO"
