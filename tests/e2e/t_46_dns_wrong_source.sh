#!/bin/bash
# Forged DNS answers with the right transaction id from the wrong source:
# the postinstall asks the real resolver (127.0.0.77:53) for crates.io; its
# accomplice answers first with that id, from 127.0.0.78:53 and from
# 127.0.0.77:5353, naming 127.0.0.88; then the resolver answers (NXDOMAIN)
# and the postinstall connects to 127.0.0.88. An answer counts only from
# the server and port the question went to: counted and ignored; the
# connection has no name and is alerted (dnsforge.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"
. "$(dirname "$0")/dnsforge.sh"

forge_setup
forge_install wrong-source
grep -q "^forged id [0-9]* from $FORGE_OTHER:53 and $FORGE_NS:5353$" "$FORGE_RAN" ||
	fail "the answers were not forged"
grep -q ': NXDOMAIN$' "$FORGE_RAN" || fail "the resolver did not answer after the forgery"
forge_check
echo "PASS $SCENARIO"
