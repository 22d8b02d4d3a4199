#!/bin/bash
# A forged DNS answer nobody asked for: the postinstall's accomplice sends
# three answers "crates.io A 127.0.0.88" from the resolver's own address
# and port (127.0.0.77:53) to a UDP socket of the postinstall that never
# sent a question, then the postinstall connects to 127.0.0.88. No
# question left the host: the answers are counted (dns_unsolicited) and
# ignored, and the connection is alerted as an address with no name, not
# allowlisted as crates.io. A genuine lookup in the same postinstall is
# named (tests/e2e/dnsforge.sh).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/net.sh"
. "$(dirname "$0")/dnsforge.sh"

forge_setup
forge_install unsolicited
grep -q '^3 unsolicited answers from ' "$FORGE_RAN" || fail "the forged answers did not arrive"
forge_check
echo "PASS $SCENARIO"
